"""The published copy's file copy: byte-identical at every size around the direct-I/O block and
chunk edges, the destination's mode kept, and an ordinary copy where direct I/O is refused."""

import errno
import os

import pytest

from cnfiscal import file_copy
from cnfiscal.file_copy import BLOCK, CHUNK, copy_file

SIZES = [0, 1, BLOCK - 1, BLOCK, BLOCK + 1, CHUNK - 1, CHUNK, CHUNK + BLOCK + 7, 3 * CHUNK]


@pytest.mark.parametrize("size", SIZES)
def test_the_copy_is_byte_identical(tmp_path, size):
    src, dst = tmp_path / "src.bin", tmp_path / "dst.bin"
    data = os.urandom(size)
    src.write_bytes(data)
    dst.write_bytes(b"an older, longer file " * 1000)  # truncated, not overlaid
    how = copy_file(src, dst)
    assert how in ("direct", "buffered")
    assert dst.read_bytes() == data


def test_the_destination_keeps_its_mode(tmp_path):
    src, dst = tmp_path / "src.bin", tmp_path / "dst.bin"
    src.write_bytes(os.urandom(BLOCK * 3 + 5))
    dst.touch()
    os.chmod(dst, 0o644)
    copy_file(src, dst)
    assert oct(dst.stat().st_mode & 0o777) == "0o644"


def test_a_file_system_without_direct_io_gets_an_ordinary_copy(tmp_path, monkeypatch):
    # Where the kernel refuses O_DIRECT (some file systems, FUSE) a call fails with EINVAL,
    # possibly after part of the file was written; this kernel's disks all accept it, so the
    # refusal is injected.
    src, dst = tmp_path / "src.bin", tmp_path / "dst.bin"
    data = os.urandom(CHUNK + 11)
    src.write_bytes(data)

    def refused(a, b):
        with open(b, "wb") as fh:
            fh.write(b"half " * CHUNK)
        raise OSError(errno.EINVAL, "Invalid argument")

    monkeypatch.setattr(file_copy, "_copy_direct", refused)
    assert copy_file(src, dst) == "buffered"
    assert dst.read_bytes() == data


def test_other_errors_are_raised(tmp_path):
    with pytest.raises(FileNotFoundError):
        copy_file(tmp_path / "missing.bin", tmp_path / "dst.bin")


def test_direct_io_is_used_on_the_warehouse_disk(tmp_path):
    # The point of the module: on a local disk file system (ext4, xfs, tmpfs on Linux >= 6.6)
    # the copy goes past the page cache.
    if not hasattr(os, "O_DIRECT"):
        pytest.skip("no O_DIRECT on this platform")
    try:
        fd = os.open(tmp_path / "probe", os.O_WRONLY | os.O_CREAT | os.O_DIRECT)
    except OSError:
        pytest.skip("this file system refuses direct I/O")
    os.close(fd)
    src, dst = tmp_path / "src.bin", tmp_path / "dst.bin"
    src.write_bytes(os.urandom(CHUNK + BLOCK + 3))
    assert copy_file(src, dst) == "direct"
    assert dst.read_bytes() == src.read_bytes()
