"""Images a book supplies, checked once at load: a raster image must decode (Pillow) as the format its
name claims and within a pixel bound; an SVG is cleaned (publish.xmlfiles) and the cleaned copy is the
file every edition ships."""

from __future__ import annotations

import hashlib
import os
import warnings
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from publish.files import MAX_CHAPTER_BYTES
from publish.resources import CLEANED, Refused
from publish.xmlfiles import clean_svg

MAX_PIXELS = 50_000_000  # about 200 MB decoded; a reading system must be able to open the image
FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".gif": "GIF", ".webp": "WEBP"}


def checked_image(path: Path, src: str) -> Path:
    """The file to publish for the image at `path` (written `src`); raises Refused saying what is wrong."""
    size = path.stat().st_size
    if size == 0:
        raise Refused(f"image file is empty: {src}")
    if size > MAX_CHAPTER_BYTES * 4:
        raise Refused(f"image file is larger than {MAX_CHAPTER_BYTES * 4} bytes: {src}")
    if path.suffix.lower() == ".svg":
        return _cleaned(clean_svg(path.read_bytes(), f"SVG image {src}"), path.name)
    _decode(path, src)
    return path


def _decode(path: Path, src: str) -> None:
    expected = FORMATS[path.suffix.lower()]
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(path, formats=list(FORMATS.values())) as image:
                if image.format != expected:
                    raise Refused(f"image is {image.format}, not the {expected} its name says: {src}")
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise Refused(f"image has more than {MAX_PIXELS:,} pixels ({width} × {height}): {src}")
                image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):  # Pillow's own, larger bound
            raise Refused(f"image has more than {MAX_PIXELS:,} pixels: {src}") from None
        except UnidentifiedImageError:
            raise Refused(f"not a readable image: {src}") from None
        except Refused:
            raise
        except (OSError, SyntaxError, ValueError) as error:
            raise Refused(f"image cannot be decoded ({error}): {src}") from None


def _cleaned(data: bytes, name: str) -> Path:
    """The cleaned SVG, written once under its digest in a directory of this user's only."""
    CLEANED.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = CLEANED / f"{hashlib.sha256(data).hexdigest()[:20]}-{name}"
    partial = target.with_name(f".{target.name}.{os.getpid()}")
    partial.write_bytes(data)
    partial.replace(target)  # written every time: the directory holds nothing a build did not write
    return target
