"""Text normalization: full-width digits and punctuation to ASCII, unified line breaks."""

from __future__ import annotations

import unicodedata


def normalize_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFKC", text)
