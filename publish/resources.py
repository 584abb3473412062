"""The one place that decides which files a book may read: files inside the book's directory, the
shared manuscript directory beside it and the project's styles, after resolving links and `..`.
Network URLs, `file://` URLs elsewhere and absolute paths outside those roots are refused."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlparse

from publish.paths import STYLES
from publish.press import press_root

IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
               ".svg": "image/svg+xml", ".webp": "image/webp"}


class Refused(ValueError):
    """A resource the book may not read; the message says why."""


REMOTE_CACHE = Path(tempfile.gettempdir()) / "publish-remote"
REMOTE_TIMEOUT = 10  # seconds
REMOTE_LIMIT = 10_000_000  # bytes
CLEANED = Path(tempfile.gettempdir()) / f"publish-cleaned-{os.getuid()}"  # SVGs as cleaned (publish.images)


def roots(book_root: Path, allow_remote: bool = False, cleaned: bool = False) -> list[Path]:
    """The directories a book may read from: its own, the shared one beside it, its press's (the
    directory of the publish.yaml that governs it), the shipped styles, fetched images, and with
    `cleaned` the SVGs cleaned at load, for the renderers."""
    book_root = book_root.resolve()
    press = press_root(book_root)
    return ([book_root, book_root.parent, *([press] if press else []), STYLES] + ([CLEANED] if cleaned else [])
            + ([REMOTE_CACHE] if allow_remote else []))


def fetch_remote(url: str) -> Path:
    """A remote image fetched once (with --allow-remote only), with a timeout and a size limit."""
    import urllib.request

    if urlparse(url).scheme not in ("http", "https"):
        raise Refused(f"only http and https resources can be fetched: {url}")
    target = REMOTE_CACHE / (hashlib.sha256(url.encode()).hexdigest()[:20] + Path(urlparse(url).path).suffix)
    if not target.is_file():
        try:
            with urllib.request.urlopen(url, timeout=REMOTE_TIMEOUT) as response:
                data = response.read(REMOTE_LIMIT + 1)
        except (OSError, ValueError) as error:
            raise Refused(f"could not fetch {url}: {error}") from None
        if len(data) > REMOTE_LIMIT:
            raise Refused(f"remote resource larger than {REMOTE_LIMIT} bytes: {url}")
        REMOTE_CACHE.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(target.suffix + ".part")
        partial.write_bytes(data)
        partial.replace(target)
    return target


def local_file(url: str, base: Path, allowed: list[Path]) -> Path:
    """The file a URL or path names, relative to `base`, if it lies inside one of `allowed`."""
    parsed = urlparse(url)
    if parsed.scheme not in ("", "file") or parsed.netloc:
        raise Refused(f"network resource refused: {url}")
    path = inside(Path(unquote(parsed.path)), base, allowed)
    if path is None:
        raise Refused(f"file outside the book refused: {url}")
    if not path.is_file():
        raise Refused(f"file not found: {url}")
    return path


def inside(path: Path, base: Path, allowed: list[Path]) -> Path | None:
    """`path` (relative to `base`) resolved, if it lies inside one of `allowed`; else None."""
    path = (path if path.is_absolute() else base / path).resolve()
    return path if any(path.is_relative_to(root.resolve()) for root in allowed) else None


def image_name(path: Path, name: str = "") -> str:
    """The name an image is published under: its content's digest and its own name (or `name`), in images/."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    return f"images/{digest}-{name or path.name}"
