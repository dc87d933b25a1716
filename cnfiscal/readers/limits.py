"""Fixed ceilings per document, so one hostile or huge file cannot exhaust the machine."""

from __future__ import annotations

MAX_INPUT_BYTES = 64 * 1024 * 1024  # larger files are refused before any parsing
MAX_PDF_PAGES = 2000
MAX_TEXT_CHARS = 20_000_000  # text kept per document
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # total uncompressed size of a DOCX/XLSX package
MAX_ZIP_RATIO = 200  # uncompressed/compressed per member above this is treated as a bomb
MAX_SHEET_CELLS = 2_000_000
