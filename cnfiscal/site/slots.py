"""Where the site lives: two whole trees beside site_dir, `.site-a` and `.site-b`, and site_dir a
symbolic link to the one being served.

A build brings the other tree (the site of the night before last) up to date in place, then
points site_dir at it with one rename(2) of a new link over the old: a reader sees the old site or
the new one, never a tree being written, and a crash (or a failed build) leaves the served tree
as it was. Updating the spare tree costs what changed since it was last served, where building a
new tree costs a link per file of the whole site (~145,000 at 100,000 reports).

Readers that hold the old tree (a server started inside it with `cd site`) keep a consistent
site until the night after, when that tree is the one being updated; a server given the path
(`python -m http.server -d warehouse/site`) follows each swap.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cnfiscal.exports import recover as recover_swap


@contextmanager
def locked(site_dir: Path) -> Iterator[None]:
    """One build of site_dir at a time: two would both write the spare tree."""
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    with open(site_dir.parent / f".{site_dir.name}.lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def trees(site_dir: Path) -> tuple[Path | None, Path]:
    """(the tree served now, if any; the tree to build). Before the two trees existed site_dir
    was a tree itself: it is then the one served."""
    a, b = (site_dir.parent / f".{site_dir.name}-{slot}" for slot in ("a", "b"))
    if site_dir.is_symlink():
        live = site_dir.parent / os.readlink(site_dir)
        if not live.is_dir():
            return None, a
        return live, b if live.resolve() == a.resolve() else a
    return (site_dir if site_dir.is_dir() else None), a


def recover(site_dir: Path) -> None:
    """Drop what a crashed build left beside site_dir: a link not yet renamed into place, and
    the folders of the single-tree layout (a crash between its two renames is undone)."""
    recover_swap(site_dir)
    for link in site_dir.parent.glob(f".{site_dir.name}.link-*"):
        link.unlink()


def publish(tree: Path, site_dir: Path) -> None:
    """Point site_dir at tree, atomically (a relative link: the warehouse folder can move)."""
    link = site_dir.parent / f".{site_dir.name}.link-{os.getpid()}"
    link.unlink(missing_ok=True)
    os.symlink(tree.name, link)
    if site_dir.is_dir() and not site_dir.is_symlink():
        # the single-tree layout: a link cannot be renamed over a folder, so this one swap
        # (the first with this code) has the old two-rename gap
        old = site_dir.parent / f".{site_dir.name}.old-{os.getpid()}"
        site_dir.rename(old)
        os.replace(link, site_dir)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(link, site_dir)
