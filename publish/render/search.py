"""The full-text search index over every book's web pages, made by Pagefind (its binary from the
`pagefind[bin]` wheel), as the files of `pagefind/` beside the catalogue."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

BUNDLE = "pagefind"
# What the pages load: the default search interface, the search library, its worker and WebAssembly,
# and the index itself. Pagefind's other interfaces (the component and modular UIs) are left out.
UNUSED = ("pagefind-component-ui.", "pagefind-modular-ui.", "pagefind-highlight.js")
INDEXED = b"data-pagefind-body"  # the layouts mark the text of a chapter's page; nothing else is indexed


def search_index(pages: dict[str, bytes]) -> dict[str, bytes]:
    """The search bundle, by path relative to the output directory, over `pages` (HTML by path relative
    to the output directory). Each page is indexed in the language of its `<html lang>`. Pagefind names
    its files by their content and writes no date, so the same pages give the same bytes."""
    indexed = {name: data for name, data in pages.items() if INDEXED in data}
    if not indexed:
        return {}
    with tempfile.TemporaryDirectory(prefix="publish-search-") as temporary:
        site = Path(temporary) / "site"
        for name, data in sorted(indexed.items()):
            path = site / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        bundle = Path(temporary) / BUNDLE
        done = subprocess.run([str(_pagefind()), "--site", str(site), "--output-path", str(bundle), "--silent"],
                              capture_output=True, text=True, timeout=600, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"Pagefind failed to index the web pages: {done.stderr.strip() or done.stdout.strip()}")
        return {f"{BUNDLE}/{path.relative_to(bundle).as_posix()}": path.read_bytes()
                for path in sorted(bundle.rglob("*")) if path.is_file() and not path.name.startswith(UNUSED)}


def _pagefind() -> Path:
    """The Pagefind binary the `pagefind_bin` package ships."""
    from pagefind_bin import get_executable

    return get_executable()
