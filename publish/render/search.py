"""The full-text search index over every book's web pages, made by Pagefind (its binary from the
`pagefind[bin]` wheel), as the files of `pagefind/` beside the catalogue."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
from concurrent.futures import Future
from pathlib import Path

from publish.cache import digest

BUNDLE = "pagefind"
# What the pages load: the default search interface, the search library, its worker and WebAssembly,
# and the index itself. Pagefind's other interfaces (the component and modular UIs) are left out.
UNUSED = ("pagefind-component-ui.", "pagefind-modular-ui.", "pagefind-highlight.js")
INDEXED = b"data-pagefind-body"  # the layouts mark the text of a chapter's page; nothing else is indexed


_begun: list[tuple[str, Future]] = []  # the index `begin` is making, by its pages' digest (one at a time)


def search_index(pages: dict[str, bytes]) -> dict[str, bytes]:
    """The search bundle, by path relative to the output directory, over `pages` (HTML by path relative
    to the output directory). Each page is indexed in the language of its `<html lang>`. Pagefind names
    its files by their content and writes no date, so the same pages give the same bytes. Taken from
    what `begin` made when it was given the same pages."""
    indexed = _indexed(pages)
    if _begun and _begun[0][0] == _digest(indexed):
        return _begun.pop()[1].result()
    return _index(indexed)


def begin(pages: dict[str, bytes]) -> None:
    """The search index over `pages` begun in a thread, for a `search_index` of the same pages later in
    this process (a long book's build begins it from the web edition made while the print edition is
    laid out: see `publish.build.render_book`). Pagefind's work is wasted when the pages turn out
    otherwise; an index begun earlier and never asked for is dropped."""
    indexed = _indexed(pages)
    future: Future = Future()

    def run() -> None:
        try:
            future.set_result(_index(indexed, aside=True))
        except BaseException as error:  # noqa: BLE001 (raised where the index is asked for)
            future.set_exception(error)

    _begun[:] = [(_digest(indexed), future)]
    threading.Thread(target=run, name="publish-search-index").start()


def _indexed(pages: dict[str, bytes]) -> dict[str, bytes]:
    return {name: data for name, data in pages.items() if INDEXED in data}


def _digest(pages: dict[str, bytes]) -> str:
    return digest(*(part for name, data in sorted(pages.items()) for part in (name, data)))


def _index(indexed: dict[str, bytes], aside: bool = False) -> dict[str, bytes]:
    """Pagefind run over the pages to index; `aside`: at a low priority (see `_niced`)."""
    if not indexed:
        return {}
    with tempfile.TemporaryDirectory(prefix="publish-search-") as temporary:
        site = Path(temporary) / "site"
        for name, data in sorted(indexed.items()):
            path = site / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        bundle = Path(temporary) / BUNDLE
        command = [str(_pagefind()), "--site", str(site), "--output-path", str(bundle), "--silent"]
        done = subprocess.run(_niced(aside) + command, capture_output=True, text=True, timeout=600,
                              check=False)
        if done.returncode != 0:
            raise RuntimeError(f"Pagefind failed to index the web pages: {done.stderr.strip() or done.stdout.strip()}")
        return {f"{BUNDLE}/{path.relative_to(bundle).as_posix()}": path.read_bytes()
                for path in sorted(bundle.rglob("*")) if path.is_file() and not path.name.startswith(UNUSED)}


def _niced(aside: bool) -> list[str]:
    """POSIX `nice` before Pagefind's command when it works `aside` (and the system has it): an index
    begun while a worker lays out the print edition, which is what the build waits for, would take
    processor time from it. Measured on two cores, a one-word rebuild of the long book
    (benchmarks/edit.py) was no faster for beginning the index at the same priority, 5 % faster niced."""
    found = shutil.which("nice") if aside else None
    return [found, "-n", "10"] if found else []


def _pagefind() -> Path:
    """The Pagefind binary the `pagefind_bin` package ships."""
    from pagefind_bin import get_executable

    return get_executable()
