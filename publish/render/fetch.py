"""The one place that decides which files a book may read while rendering: nothing from the network."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse


class ForbiddenResource(ValueError):
    """A resource outside the book's roots, or on the network."""


def allowed_path(url: str, roots: list[Path]) -> Path:
    """The local file a URL names, if it lies inside one of `roots` after resolving links and `..`."""
    parsed = urlparse(url)
    if parsed.scheme not in ("file", ""):
        raise ForbiddenResource(f"network resource refused: {url}")
    path = Path(unquote(parsed.path)).resolve()
    if not any(path.is_relative_to(root.resolve()) for root in roots):
        raise ForbiddenResource(f"file outside the book refused: {path}")
    return path


def local_fetcher(roots: list[Path]):
    """A WeasyPrint URL fetcher that serves files inside `roots` and refuses everything else."""
    from weasyprint.urls import URLFetcher

    class LocalFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            allowed_path(url, roots)
            return super().fetch(url, headers)

    return LocalFetcher(allowed_protocols=["file"])
