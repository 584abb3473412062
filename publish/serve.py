"""The preview server: web editions and print editions (PDF) built into a temporary directory, rebuilt
when a book's files change (the print edition from the layout cache, so only what changed is laid out
again), served on 127.0.0.1 to pages that reload themselves and show manuscript errors as an overlay."""

from __future__ import annotations

import html
import json
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from publish.diagnostics import ManuscriptError
from publish.layout.store import LayoutCache
from publish.model import Document
from publish.output import write_atomic
from publish.render import STYLES

# Injected only into served pages: reload when the build changes (polling; no framework, no network).
RELOAD_SCRIPT = """<script>
(() => {
  let seen = null;
  async function poll() {
    try {
      const answer = await fetch("/__version", {cache: "no-store"});
      const version = (await answer.json()).version;
      if (seen !== null && version !== seen) { location.reload(); return; }
      seen = version;
    } catch (error) { /* the server is restarting or stopped: keep trying */ }
    setTimeout(poll, 300);
  }
  poll();
})();
</script>"""
OVERLAY = """<div id="publish-error-overlay" role="alert" style="position:fixed;inset:0;z-index:1000;overflow:auto;
background:rgb(20 20 20 / 0.94);color:#ffd7d7;font:14px/1.5 ui-monospace,monospace;padding:2rem">
<h2 style="color:#fff;font:bold 18px/1.3 sans-serif">publish: the manuscript has errors</h2>
<pre style="white-space:pre-wrap">{text}</pre>
<p style="color:#ccc">The page reloads when the files are saved again.</p></div>"""
# The print edition's page: the PDF in the browser's viewer, reloaded with the rest on each build.
PRINT_PAGE = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"/><title>{title} (print edition)</title>'
              '</head><body style="margin:0"><embed src="../{slug}.pdf?build={version}" type="application/pdf" '
              'style="width:100%;height:100vh;border:0"/></body></html>')
BLANK_PAGE = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"/><title>{title}</title></head>'
              "<body></body></html>")


@dataclass
class BookState:
    """One previewed book: its directory, the slug it is served under, and the last build's errors."""

    root: Path
    errors: str = ""
    document: Document | None = None


@dataclass
class Preview:
    """What the server knows: the output directory, the books, and a version that changes on each build."""

    out: Path
    books: dict[str, BookState]
    version: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    building: threading.Lock = field(default_factory=threading.Lock)  # one build at a time
    cache: LayoutCache | None = None  # the print layouts of this session, chapter by chapter

    def log(self, message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    def rebuild(self, slug: str) -> None:
        """Build one book's web edition into `out`, then its print edition and the web edition again with
        the print page numbers; a manuscript error is kept for the overlay and printed. One build at a
        time: a rebuild asked for during another waits for it."""
        with self.building:
            self._rebuild(slug)

    def _rebuild(self, slug: str) -> None:
        from publish.build import load_document
        from publish.render.html import render_web

        state = self.books[slug]
        started = time.monotonic()
        try:
            document, found = load_document(state.root, cache=self.cache)
            files = render_web(document)  # at once, without page numbers: the layout follows
            # The errors go before the new pages come: a page is never served fixed but flagged.
            state.errors, state.document = "", document
            self._write(slug, files)
            for warning in sorted(set(found.items)):
                self.log(str(warning))
            self._print_edition(slug, document)
            self.log(f"publish serve: built {slug} in {time.monotonic() - started:.1f} s")
        except ManuscriptError as error:
            state.errors = "\n".join(str(d) for d in sorted(set(error.diagnostics.items)))
            self.log(state.errors)
            self.log(f"publish serve: {slug} has errors; showing them in the page")
        self._catalogue()
        self._bump()

    def _write(self, slug: str, files: dict[str, bytes]) -> None:
        for name, data in files.items():
            write_atomic(self.out / slug / name, data)

    def _bump(self) -> None:
        with self.lock:
            self.version += 1

    def _print_edition(self, slug: str, document: Document) -> None:
        """The PDF laid out (what the cache holds is reused), then the web edition with its page numbers."""
        import os

        from publish import resources
        from publish.layout import paginate
        from publish.output import source_date
        from publish.render.html import render_web

        self._bump()  # the web edition as it now is
        root = self.books[slug].root
        stamp = source_date(root).strftime("%Y-%m-%dT%H:%M:%SZ")
        laid = paginate(document, resources.roots(root, cleaned=True), stamp, workers=os.cpu_count() or 1,
                        cache=self.cache)
        document.page_map, document.page_count = laid.page_map, laid.page_count
        assert laid.pdf is not None
        write_atomic(self.out / f"{slug}.pdf", laid.pdf)
        self._write(slug, {**render_web(document), "print.html": PRINT_PAGE.format(
            title=html.escape(document.config.title), slug=slug, version=self.version + 1).encode()})

    def _catalogue(self) -> None:
        from publish.output import source_date
        from publish.render.catalogue import Listing, render_catalogue

        listings = []
        for slug, state in self.books.items():
            if state.document is not None:
                files = {str(p.relative_to(self.out)): p.stat().st_size
                         for p in (self.out / slug).rglob("*") if p.is_file()}
                listings.append(Listing(state.document, files, 0, source_date(state.root)))
        for name, data in render_catalogue(listings).items():
            write_atomic(self.out / name, data)
        self._search_index()

    def _search_index(self) -> None:
        """The search index over the served books' pages, made again after each build as `publish build`
        makes it (the search box of the sidebar and the catalogue reads it); an earlier index's files,
        which Pagefind names by their content, are removed."""
        import shutil

        from publish.render.search import BUNDLE, search_index

        pages = {str(path.relative_to(self.out)): path.read_bytes() for slug, state in self.books.items()
                 if state.document is not None for path in sorted((self.out / slug).rglob("*.html"))}
        bundle = search_index(pages)
        shutil.rmtree(self.out / BUNDLE, ignore_errors=True)
        for name, data in bundle.items():
            write_atomic(self.out / name, data)

    def page(self, path: Path, slug: str) -> bytes:
        """A served HTML page: the file (or a blank page) with the error overlay and the reload script."""
        text = path.read_text("utf-8") if path.is_file() else BLANK_PAGE.format(title=html.escape(slug))
        state = self.books.get(slug)
        extra = OVERLAY.format(text=html.escape(state.errors)) if state and state.errors else ""
        extra += RELOAD_SCRIPT
        cut = text.rfind("</body>")
        return (text[:cut] + extra + text[cut:] if cut >= 0 else text + extra).encode()


def affected(books: dict[str, BookState], changes: set[tuple[object, str]]) -> set[str]:
    """The books a batch of changed files touches: a file in a book's directory (not in a dot-directory,
    such as .git or a layout cache, nor Python's cache), a file beside it that its build reads (a shared
    bibliography, the press's publish.yaml: see `beside`), or a shipped style (every book). Any other
    file beside a book, such as the log of this server, is not the book's."""
    styles = STYLES.resolve()
    touched: set[str] = set()
    read_beside: dict[str, set[Path]] = {}  # each book's, read once for the batch
    for _, name in changes:
        path = Path(name)
        if path.is_relative_to(styles):
            return set(books)
        for slug, state in books.items():
            if path.is_relative_to(state.root):
                parts = path.relative_to(state.root).parts
                if not any(part.startswith(".") or part == "__pycache__" for part in parts):
                    touched.add(slug)
            elif path.parent == state.root.parent:
                if slug not in read_beside:
                    read_beside[slug] = beside(state.root)
                if path in read_beside[slug]:
                    touched.add(slug)
    return touched


def beside(root: Path) -> set[Path]:
    """The files in the directory beside a book that its build reads, as its book.yaml now says, and
    the press's publish.yaml (which a press may add, or must mend while book.yaml does not load)."""
    from publish.book import load_book
    from publish.cache import input_files

    try:
        files = input_files(load_book(root))
    except ManuscriptError:
        files = []
    return {p.resolve() for p in files} | {root.parent / "publish.yaml"}


def watch(preview: Preview, stop: threading.Event) -> list[threading.Thread]:
    """Watch the books' files with watchfiles (the system's file events, no polling) until `stop`: each
    book's directory and the shipped styles recursively, and the directory beside each book for its
    files only (a book kept in a large directory does not watch its neighbours). Each batch of changes
    rebuilds the books it touches, one build at a time; a change made during a build is the next batch."""
    roots = [state.root for state in preview.books.values()]
    threads = []
    for paths, recursive in (([*roots, STYLES.resolve()], True), (sorted({root.parent for root in roots}), False)):
        thread = threading.Thread(target=_watch, args=(preview, paths, recursive, stop), daemon=True)
        thread.start()
        threads.append(thread)
    return threads


def _watch(preview: Preview, paths: list[Path], recursive: bool, stop: threading.Event) -> None:
    from watchfiles import watch as file_changes

    for changes in file_changes(*paths, recursive=recursive, stop_event=stop, debounce=400, raise_interrupt=False):
        for slug in sorted(affected(preview.books, changes)):
            try:
                preview.rebuild(slug)
            except Exception as error:  # noqa: BLE001 (an unexpected error must not stop the preview)
                preview.log(f"publish serve: internal error while building {slug}: {error!r}")


def handler(preview: Preview) -> type[SimpleHTTPRequestHandler]:
    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, directory=str(preview.out), **kwargs)  # type: ignore[arg-type]

        def do_GET(self) -> None:
            route = self.path.split("?", 1)[0]
            if route == "/__version":
                with preview.lock:
                    self._send(json.dumps({"version": preview.version}).encode(), "application/json")
                return
            if route.endswith("/"):
                route += "index.html"
            if route.endswith(".html"):
                parts = route.strip("/").split("/")
                slug = parts[0] if len(parts) > 1 else ""
                if ".." not in parts and (slug in preview.books or len(parts) == 1):
                    self._send(preview.page(preview.out.joinpath(*parts), slug), "text/html; charset=utf-8")
                    return
            super().do_GET()

        def _send(self, data: bytes, content_type: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def end_headers(self) -> None:
            self.send_header("Cache-Control", "no-store")
            super().end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


def serve(books: list[Path], port: int, cache: LayoutCache | None = None) -> int:
    """Build every book's web edition, serve them until Ctrl-C, rebuilding on change; returns the exit
    code. The print editions are laid out with `cache` (`publish build`'s layout cache: only what
    changed since the last build is laid out again), else a cache of this session's own."""
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        return _serve(books, port, cache)
    except KeyboardInterrupt:
        print("\npublish serve: stopped", file=sys.stderr)
        return 0


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _serve(books: list[Path], port: int, cache: LayoutCache | None) -> int:
    with tempfile.TemporaryDirectory(prefix="publish-serve-") as directory:
        states = {root.resolve().name: BookState(root.resolve()) for root in books}
        (Path(directory) / "site").mkdir()
        preview = Preview(Path(directory) / "site", states, cache=cache or LayoutCache(Path(directory) / "layouts"))
        # Watching before the first build, so that an edit made while it runs is seen.
        stop = threading.Event()
        watchers = watch(preview, stop)
        for slug in states:
            preview.rebuild(slug)
        try:
            server = ThreadingHTTPServer(("127.0.0.1", port), handler(preview))
        except OSError as error:
            print(f"publish serve: cannot listen on 127.0.0.1:{port}: {error.strerror}", file=sys.stderr)
            stop.set()
            return 1
        server.daemon_threads = True
        host, bound = server.server_address[:2]
        first = next(iter(states)) + "/" if len(states) == 1 else ""
        print(f"publish serve: http://{host}:{bound}/{first} (Ctrl-C to stop; the print edition: "
              f"{first or 'BOOK/'}print.html)", file=sys.stderr, flush=True)
        try:
            server.serve_forever(poll_interval=0.2)
        finally:
            stop.set()
            server.server_close()
            for watcher in watchers:
                watcher.join(timeout=2)
    return 0
