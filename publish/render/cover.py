"""The book's cover as an image: its own (`cover:` in book.yaml), else one generated from its title,
subtitle and byline, set in the book's face on a designed ground, as PNG. The same input always gives
the same bytes."""

from __future__ import annotations

import hashlib
import io
import json
import textwrap
from collections.abc import Callable
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from publish.fonts import Typeface, body_typeface
from publish.model import Document
from publish.render import byline

WIDTH, HEIGHT = 1600, 2400
MARGIN = 150
# Grounds and inks for covers, one chosen per book from its identifier: dark, quiet, legible.
PALETTES = [
    ((122, 28, 36), (244, 235, 220), (226, 190, 140)),   # oxblood, paper, ochre
    ((24, 45, 74), (240, 236, 226), (196, 170, 110)),    # ink blue
    ((33, 33, 33), (241, 236, 226), (200, 60, 50)),      # black, vermilion rule
    ((36, 64, 52), (238, 234, 222), (214, 184, 120)),    # bottle green
]


def palette(doc: Document) -> tuple[tuple[int, int, int], ...]:
    """The book's ground, ink and accent colours, chosen from its identifier: the same on the e-book
    cover and the printed one."""
    seed = hashlib.sha256((doc.config.identifier.main or doc.slug).encode()).digest()[0]
    return PALETTES[seed % len(PALETTES)]


def cover_image(doc: Document, store: Any = None) -> tuple[str, str, bytes]:
    """The e-book's cover: its name in the EPUB, its media type and its bytes (the book's own file as
    it is, or the generated PNG, kept in `store`, the build's cache, if there is one)."""
    own = doc.config.cover
    if own is None:
        return "images/cover.png", "image/png", render_cover(doc, store)
    kind = "png" if own.suffix.lower() == ".png" else "jpeg"
    return f"images/cover.{own.suffix.lower().lstrip('.')}", f"image/{kind}", own.read_bytes()


def _font(typeface: Typeface, weight: int, style: str, size: int) -> ImageFont.FreeTypeFont:
    """The typeface's face of that weight and style (else its first) at `size` pixels."""
    faces = [f for f in typeface.faces if (f.weight, f.style) == (weight, style)] or list(typeface.faces)
    font = _sfnt(faces[0].print_file)
    return ImageFont.truetype(io.BytesIO(font) if isinstance(font, bytes) else font, size)


@cache
def _sfnt(path: Path) -> bytes | str:
    """A font file FreeType reads: the file itself, or a WOFF2 font decompressed."""
    if path.suffix.lower() != ".woff2":
        return str(path)
    from fontTools.ttLib import TTFont

    with TTFont(str(path)) as font:
        font.flavor = None
        out = io.BytesIO()
        font.save(out)
    return out.getvalue()


def _lines(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Words wrapped to fit `width` pixels, found by trying narrower column counts."""
    for columns in range(40, 5, -1):
        lines = textwrap.wrap(text, columns)
        if all(draw.textlength(line, font=font) <= width for line in lines):
            return lines
    return textwrap.wrap(text, 6)


def _block(draw, lines, font, top: int, fill, spacing: float) -> int:
    for line in lines:
        draw.text((WIDTH // 2, top), line, font=font, fill=fill, anchor="ma")
        top += int(font.size * spacing)
    return top


def render_cover(doc: Document, store: Any = None) -> bytes:
    """The generated cover as PNG. Both e-book editions carry it, so the last few are kept, by
    everything the cover shows (a PNG of this size takes about a quarter of a second); and, in a
    build, in the build's cache (`store`), for the next build."""
    from fontTools import version as fonttools  # it decompresses a WOFF2 face for FreeType

    from publish.cache import file_digest

    config = doc.config
    face = body_typeface(config.fonts)
    shown = (palette(doc), config.tagline, config.title, config.subtitle, byline(doc))
    fonts = [(f.weight, f.style, f.print_file.name, file_digest(f.print_file)) for f in face.faces]
    return kept(store, ["generated cover", fonttools, json.dumps([shown, fonts])],
                lambda: [("cover.png", _generated(face, *shown))])[0][1]


def kept(store: Any, key: list[str], make: Callable[[], list[tuple[str, bytes]]]) -> list[tuple[str, bytes]]:
    """Files (name, bytes) made by `make`, or taken from `store` (the build's cache, publish/layout/
    store.py; None: none) where it holds them under `key`, with publish's code and Pillow's version.
    The store checks each entry's bytes against their digest: one damaged on disk is made again, never
    published."""
    if store is None:
        return make()
    from PIL import __version__ as pillow

    from publish.cache import code_digest, digest

    name = digest(*key, code_digest(), pillow)
    found = store.get(name)
    if found is not None:
        facts, data = found
        names, sizes = facts.get("names"), facts.get("sizes")
        if (isinstance(names, list) and isinstance(sizes, list) and len(names) == len(sizes)
                and all(isinstance(n, int) and n >= 0 for n in sizes) and sum(sizes) == len(data)):
            files, start = [], 0
            for each, size in zip(names, sizes):
                files.append((str(each), data[start:start + size]))
                start += size
            return files
    files = make()
    data = b"".join(data for _, data in files)
    store.put(name, {"names": [n for n, _ in files], "sizes": [len(d) for _, d in files]}, data)
    return files


@lru_cache(maxsize=8)
def _generated(face: Typeface, colours: tuple[tuple[int, int, int], ...], tagline: str, title: str,
               subtitle: str, credit: str) -> bytes:
    ground, ink, accent = colours
    image = Image.new("RGB", (WIDTH, HEIGHT), ground)
    draw = ImageDraw.Draw(image)
    inner = WIDTH - 2 * MARGIN
    edge = MARGIN // 2
    draw.rectangle([edge, edge, WIDTH - edge, HEIGHT - edge], outline=accent, width=6)
    top = 330
    if tagline:
        font = _font(face, 400, "normal", 52)
        top = _block(draw, _lines(draw, tagline.upper(), font, inner), font, top, accent, 1.35) + 90
    size = 150 if len(title) < 30 else 118 if len(title) < 70 else 96
    title_font = _font(face, 700, "normal", size)
    top = _block(draw, _lines(draw, title, title_font, inner), title_font, top, ink, 1.12) + 70
    draw.line([(WIDTH // 2 - 140, top), (WIDTH // 2 + 140, top)], fill=accent, width=6)
    top += 90
    if subtitle:
        font = _font(face, 400, "italic", 70)
        _block(draw, _lines(draw, subtitle, font, inner), font, top, ink, 1.25)
    if credit:
        font = _font(face, 400, "normal", 64)
        lines = [line for part in credit.split(", ") for line in _lines(draw, part, font, inner)]
        _block(draw, lines, font, HEIGHT - 330 - int(64 * 1.3) * (len(lines) - 1), ink, 1.3)
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=6)  # optimize=True takes five times as long for 3 % less
    return out.getvalue()


def cover_alt(doc: Document) -> str:
    """The cover's text alternative: what it shows, in words."""
    parts = [doc.config.title]
    if doc.config.subtitle:
        parts[0] += f": {doc.config.subtitle}"
    if byline(doc):
        parts.append(byline(doc))
    return "Cover: " + ". ".join(parts) + "."


WEB_WIDTHS = (200, 400)  # the catalogue's cover at one and two device pixels per CSS pixel


def web_covers(doc: Document, store: Any = None) -> dict[str, bytes]:
    """The cover for the web edition's directory: whole, as the EPUB carries it (`cover.png`, or the
    book's own `cover.jpg`), and as JPEG thumbnails of WEB_WIDTHS pixels (`cover-200.jpg`,
    `cover-400.jpg`) for the catalogue and the feeds (kept in `store`, the build's cache, if there is
    one). Same input, same bytes."""
    whole = cover_image(doc, store)[2]  # the book's own cover, else the generated one
    return dict(kept(store, ["web covers", hashlib.sha256(whole).hexdigest()], lambda: list(_web_covers(whole))))


@lru_cache(maxsize=8)
def _web_covers(whole: bytes) -> tuple[tuple[str, bytes], ...]:
    image = Image.open(io.BytesIO(whole))
    files = [(f"cover.{'jpg' if image.format == 'JPEG' else image.format.lower()}", whole)]
    for width in WEB_WIDTHS:
        small = image.convert("RGB").resize((width, round(width * image.height / image.width)), Image.LANCZOS)
        out = io.BytesIO()
        small.save(out, format="JPEG", quality=85, optimize=True, progressive=True)
        files.append((f"cover-{width}.jpg", out.getvalue()))
    return tuple(files)
