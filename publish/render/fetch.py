"""WeasyPrint's URL fetcher: it serves only the files publish.resources allows, and nothing from the
network."""

from __future__ import annotations

from pathlib import Path

from publish.resources import local_file


def local_fetcher(roots: list[Path]):
    """A WeasyPrint URL fetcher that serves files inside `roots` and refuses everything else."""
    from weasyprint.urls import URLFetcher

    class LocalFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            local_file(url, roots[0], roots)
            return super().fetch(url, headers)

    return LocalFetcher(allowed_protocols=["file"])

