"""Realistic scans made from text-layer reports, for measuring OCR against a known truth.

A report with a text layer is rasterised page by page (pypdfium2, grey, 150 dpi by default,
a slight turn and sensor noise when asked) and saved again as an image-only PDF with Pillow,
so its OCR reading can be compared with the text-layer reading of the very same pages.
Nothing is written to the repository: callers keep the bytes or write them to a temp dir.
"""

from __future__ import annotations

import io
import random


def rasterise(
    data: bytes,
    dpi: int = 150,
    angle: float = 0.0,
    noise: float = 0.0,
    seed: int = 0,
    max_pages: int | None = None,
) -> bytes:
    """An image-only PDF of `data`'s pages: same page size, no text layer."""
    import numpy as np
    import pypdfium2 as pdfium
    from PIL import Image

    rng = random.Random(seed)
    pdf = pdfium.PdfDocument(data)
    images = []
    try:
        for i in range(min(len(pdf), max_pages or len(pdf))):
            img = pdf[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            if angle:
                turn = rng.uniform(-angle, angle)
                img = img.rotate(turn, resample=Image.Resampling.BICUBIC, fillcolor=255)
            if noise:
                arr = np.asarray(img, dtype=np.float32)
                gen = np.random.default_rng(seed + i)
                arr = arr + gen.normal(0, 255 * noise, arr.shape)
                img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "L")
            images.append(img)
    finally:
        pdf.close()
    buf = io.BytesIO()
    images[0].save(buf, "PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return buf.getvalue()
