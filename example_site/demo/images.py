"""Product pictures for the demo, drawn with Pillow: a colour gradient per
category with the product's initials and name (no files shipped, nothing
downloaded)."""

from __future__ import annotations

import hashlib
import io
import textwrap
from functools import cache

from PIL import Image, ImageDraw, ImageFont

SIZE = (400, 300)
# Two ends of a gradient per category; a category not listed gets one from its name.
PALETTES = {
    "Смартфоны": ((33, 78, 160), (110, 180, 240)),
    "Ноутбуки": ((60, 60, 70), (150, 160, 175)),
    "Планшеты": ((90, 50, 150), (190, 150, 230)),
    "Телевизоры": ((20, 20, 30), (70, 90, 140)),
    "Наушники": ((170, 40, 70), (250, 150, 120)),
    "Умные часы": ((20, 110, 100), (120, 220, 190)),
    "Колонки": ((200, 100, 20), (250, 200, 90)),
    "Аксессуары": ((90, 90, 40), (200, 200, 120)),
    "Flash-накопители": ((40, 100, 40), (150, 210, 120)),
    "Пылесосы": ((110, 60, 30), (220, 170, 120)),
    "Кофемашины": ((80, 45, 25), (190, 140, 100)),
    "Фотоаппараты": ((30, 30, 30), (130, 130, 130)),
}


@cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:  # found in the system's font folders; has Cyrillic
        return ImageFont.truetype("DejaVuSans-Bold.ttf", size)
    except OSError:
        return ImageFont.load_default(size)


def palette(category: str) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    if category in PALETTES:
        return PALETTES[category]
    digest = hashlib.sha256(category.encode()).digest()
    return (digest[0] // 2, digest[1] // 2, digest[2] // 2), (
        128 + digest[3] // 2,
        128 + digest[4] // 2,
        128 + digest[5] // 2,
    )


@cache
def _gradient(category: str) -> Image.Image:
    start, end = palette(category)
    # a 2-pixel image stretched diagonally by the resize's interpolation
    seed = Image.new("RGB", (2, 2))
    seed.putdata([start, start, start, end])
    return seed.resize(SIZE, Image.Resampling.BILINEAR)


def initials(name: str) -> str:
    """The first letters of its names ("Смартфон Apple iPhone 15" -> "AI"): words after
    the first that start with a capital or a Latin letter."""
    words = [w for w in name.split()[1:] if w[0].isupper() or (w[0].isascii() and w[0].isalpha())]
    words = words or name.split()
    return "".join(w[0] for w in words[:2]).upper()


def product_picture(name: str, category: str) -> bytes:
    """A JPEG of ``SIZE``: the category's gradient, the initials large, the name below."""
    image = _gradient(category).copy()
    draw = ImageDraw.Draw(image)
    draw.text((SIZE[0] // 2, 120), initials(name), font=_font(96), fill="white", anchor="mm")
    lines = textwrap.wrap(name, width=30)[:3]
    draw.multiline_text(
        (SIZE[0] // 2, 240),
        "\n".join(lines),
        font=_font(17),
        fill="white",
        anchor="mm",
        align="center",
    )
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()
