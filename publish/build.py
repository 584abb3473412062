"""The pipeline: load -> parse -> resolve -> render each format -> write atomically; the cache and the
executor that run it for many books. Nothing format-specific."""

from __future__ import annotations

import contextlib
import datetime
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from publish import output, resources
from publish.book import load_book
from publish.cache import book_key
from publish.diagnostics import Diagnostics, ManuscriptError
from publish.layout import LayoutCache, paginate_ahead, prepare
from publish.layout.store import DEFAULT_LIMIT, cache_dir
from publish.model import Document
from publish.output import source_date
from publish.press import find_press
from publish.render import FORMATS, Edition, Rendered, Renderer, renderer
from publish.workers import start_early, worker_context

__all__ = ["FORMATS", "build", "build_book", "load_document"]


@dataclass
class BookBuild:
    """What building one book produced: its document, its files (relative to the output directory),
    and facts for the manifest; `cached` when its outputs were already up to date."""

    root: Path
    key: str = ""
    document: Document | None = None
    files: dict[str, bytes] = field(default_factory=dict)
    facts: dict[str, dict[str, Any]] = field(default_factory=dict)  # the manifest's facts of each file
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    cached: bool = False
    pages: int = 0
    words: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return (self.cached or self.document is not None) and not self.diagnostics.errors


def find_books(manuscripts: Path) -> list[Path]:
    """Every directory under `manuscripts` that holds a book.yaml, in name order."""
    return sorted(p.parent for p in manuscripts.glob("*/book.yaml"))


def load_document(root: Path, allow_remote: bool = False,
                  cache: LayoutCache | None = None) -> tuple[Document, Diagnostics]:
    """Load, parse and resolve one book (the chapters parsed before taken from `cache`); raises
    ManuscriptError."""
    from publish.resolve import resolve_book  # the parser and the CSL processor load only when needed

    book = load_book(root)
    book.allow_remote = allow_remote
    return resolve_book(book, cache=cache)


def render_book(doc: Document, root: Path, formats: tuple[str, ...], when: datetime.datetime,
                profile: str = "default", workers: int = 1, cache: LayoutCache | None = None,
                early: Callable[[Rendered], None] | None = None) -> Rendered:
    """Every requested output of one book, in memory, by path relative to the output directory, with
    their manifest facts. The print layout is made once (from the layout cache as far as it can be, on
    `workers` processes): every renderer receives it. The profile says what the PDF is for (see
    `publish.layout.printed.PROFILES`). `early` is given what was made from a guess of the pages while
    the print edition was being laid out, as soon as it was made (it is what is returned if the guess
    holds)."""
    renderers = [renderer(name) for name in formats]
    fetched = any(path.is_relative_to(resources.REMOTE_CACHE) for path in doc.images.values())
    roots = resources.roots(root, allow_remote=fetched, cleaned=True)
    ahead = paginate_ahead(doc, roots, when.strftime("%Y-%m-%dT%H:%M:%SZ"), profile, workers,
                           want_pdf=any(r.prints for r in renderers), cache=cache)
    made: dict[str, Rendered] = {}
    try:
        if ahead.guess is not None:  # the editions that need no PDF, from the pages as they most likely fall
            for each in renderers:
                if not each.prints:
                    # A guess may be wrong in any way (its pages those of text since removed): what fails
                    # on it is made again below, from the real pages (and fails there if it fails on them).
                    with contextlib.suppress(Exception):
                        made[each.name] = _render(each, doc, Edition(ahead.guess, when, cache, formats))
            if made and early is not None:
                guessed = Rendered()
                for each in made.values():
                    guessed.update(each)
                with contextlib.suppress(Exception):  # work begun ahead: what fails is done again later
                    early(guessed)
        laid = ahead.result()
    finally:
        ahead.close()
    if ahead.guess is None or not laid.same_pages(ahead.guess):
        made = {}
    rendered = Rendered()
    for each in renderers:
        rendered.update(made.get(each.name) or _render(each, doc, Edition(laid, when, cache, formats)))
    return rendered


def _render(each: Renderer, doc: Document, edition: Edition) -> Rendered:
    """One format rendered from the document and its layout (which the document carries too)."""
    laid = edition.layout
    doc.page_map, doc.page_count, doc.print_warnings = laid.page_map, laid.page_count, laid.warnings
    made = each.render(doc, edition)
    for name in made.files:
        made.facts.setdefault(name, {})["format"] = each.name
    return made


def build_book(root: Path, formats: tuple[str, ...], key: str = "", allow_remote: bool = False,
               when: datetime.datetime | None = None, profile: str = "default", workers: int = 1,
               cache: LayoutCache | None = None,
               early: Callable[[Rendered], None] | None = None) -> BookBuild:
    """Build one book in memory; a manuscript error leaves `files` empty. Runs in a worker process, so
    everything it depends on comes in its arguments (`when`: the build's date, fixed by the caller;
    `early`: see `render_book`)."""
    loaded = load_book_build(root, key, allow_remote, cache)
    return render_loaded(loaded, formats, when, profile, workers, cache, early)


def load_book_build(root: Path, key: str = "", allow_remote: bool = False,
                    cache: LayoutCache | None = None) -> BookBuild:
    """The first half of `build_book`: the book loaded, parsed and resolved (or its diagnostics)."""
    result = BookBuild(root, key=key)
    started = time.monotonic()
    try:
        result.document, found = load_document(root, allow_remote, cache)
        result.diagnostics.extend(found)
    except ManuscriptError as error:
        result.diagnostics.extend(error.diagnostics)
    result.seconds = time.monotonic() - started
    return result


def render_loaded(result: BookBuild, formats: tuple[str, ...], when: datetime.datetime | None = None,
                  profile: str = "default", workers: int = 1, cache: LayoutCache | None = None,
                  early: Callable[[Rendered], None] | None = None) -> BookBuild:
    """The second half of `build_book`: every output of a loaded book (nothing for one that failed)."""
    if result.document is None:
        return result
    started = time.monotonic()
    try:
        rendered = render_book(result.document, result.root.resolve(), formats,
                               when or source_date(result.root), profile, workers, cache, early)
        result.files, result.facts = rendered.files, rendered.facts
        result.pages, result.words = result.document.page_count, result.document.word_count
        for path, line, message in result.document.print_warnings:
            result.diagnostics.warning(path, message, line, rule="image-resolution")
    except ManuscriptError as error:
        result.diagnostics.extend(error.diagnostics)
        result.document = None
    result.seconds += time.monotonic() - started
    return result


def build(books: list[Path], out: Path, formats: tuple[str, ...], jobs: int = 1, force: bool = False,
          report: Callable[[str, BookBuild | None], None] = lambda *_: None,
          allow_remote: bool = False, executor: str = "local", profile: str = "default") -> list[BookBuild]:
    """Build books into `out`: under the directory's lock, rendering only books whose inputs changed
    (unless `force`), in `jobs` processes, and moving complete outputs into place at the end."""
    with output.locked(out, waiting=lambda: report(f"waiting for another build of {out} to finish", None)):
        manifest = output.read_manifest(out)
        books = [root.resolve() for root in books]
        results: dict[Path, BookBuild] = _same_slugs(books)
        todo: dict[Path, str] = {}
        for root in books:
            if root in results:
                continue
            try:
                key = book_key(root, formats, profile=profile + (" allow-remote" if allow_remote else ""), out=out)
            except ManuscriptError as error:
                results[root] = BookBuild(root, diagnostics=error.diagnostics)
                continue
            if not force and _fresh(manifest, root.name, key, out):
                results[root] = BookBuild(root, key=key, cached=True)
            else:
                todo[root] = key
        cache = layout_cache(out, books, read=not force)
        early = _search_ahead(list(results.values()), out, manifest, formats)
        for result in _run(todo, formats, jobs, allow_remote, executor, profile, out, cache, early):
            results[result.root] = result
            report("built" if result.ok else "failed", result)
        if todo:
            cache.prune()
        for result in results.values():
            if result.cached:
                report("unchanged", result)
        _commit([results[root] for root in books], out, formats, manifest, profile, cache)
    return [results[root] for root in books]


def layout_cache(out: Path, books: list[Path], read: bool = True) -> LayoutCache:
    """The layout cache beside `out`, bounded by publish.yaml's `cache_size` (the press of the first
    book; 1 GB without one). `read=False` (`--force`): laid out again, and the cache refreshed."""
    press = None
    try:
        press = find_press(books[0]) if books else None
    except ManuscriptError:
        pass  # the book's build reports it
    return LayoutCache(cache_dir(out), press.cache_size if press else DEFAULT_LIMIT, read=read)


def _same_slugs(books: list[Path]) -> dict[Path, BookBuild]:
    """A failed build for each book whose directory name, its slug, another book has too: their
    outputs would overwrite each other."""
    by_slug: dict[str, list[Path]] = {}
    for root in books:
        by_slug.setdefault(root.name, []).append(root)
    failed = {}
    for slug, roots in by_slug.items():
        for root in roots if len(roots) > 1 else []:
            found = Diagnostics()
            others = ", ".join(str(r) for r in roots if r != root)
            found.error(root / "book.yaml", f"another book has the same slug '{slug}' ({others}); their outputs "
                        "would overwrite each other: rename one of the directories", 1, 1)
            failed[root] = BookBuild(root, diagnostics=found)
    return failed


def _run(todo: dict[Path, str], formats: tuple[str, ...], jobs: int, allow_remote: bool,
         executor: str = "local", profile: str = "default", out: Path = Path("dist"),
         cache: LayoutCache | None = None,
         early: Callable[[Rendered], None] | None = None) -> Iterator[BookBuild]:
    """Each book built by `build_book` through a concurrent.futures Executor: in this process for one
    job, a process pool for more, or the workers of a Dask cluster (`dask://HOST:PORT`). A book built
    in this process gives `early` what it makes from its pages' guess (see `render_book`)."""
    from concurrent.futures import as_completed

    with _executor(executor, min(jobs, len(todo))) as pool:
        if pool is None:
            # One book at a time here: a long one may lay out its chapters on every core.
            for root, key in todo.items():
                prepare(cache, root.name, jobs)
                yield build_book(root, formats, key, allow_remote, source_date(root, (out,)), profile, jobs,
                                 cache, early)
            return
        if executor == "local":
            # The fork server is importing WeasyPrint meanwhile (see _executor): this process loads and
            # resolves each book and hands the document to a worker.
            futures, failed = [], []
            for root, key in todo.items():
                loaded = load_book_build(root, key, allow_remote, cache)
                if loaded.document is None:  # its diagnostics say why; nothing to render
                    failed.append(loaded)
                else:
                    futures.append(pool.submit(render_loaded, loaded, formats, source_date(root, (out,)), profile,
                                               1, cache))
            yield from failed
        else:  # a cluster's workers read the books themselves
            futures = [pool.submit(build_book, root, formats, key, allow_remote, source_date(root, (out,)), profile,
                                   1, cache)
                       for root, key in todo.items()]
        for future in as_completed(futures):
            yield future.result()


@contextlib.contextmanager
def _executor(spec: str, workers: int) -> Iterator[Any]:
    """The executor named by `--executor`: "local" (processes when there is more than one job), or
    "dask://HOST:PORT", a Dask distributed scheduler whose workers see the same files."""
    if spec.startswith(("dask://", "tcp://")):
        from distributed import Client

        with Client(spec.replace("dask://", "tcp://", 1)) as client:
            yield client.get_executor()
        return
    if spec != "local":
        raise ValueError(f"unknown executor '{spec}' (use local or dask://HOST:PORT)")
    if workers <= 1:
        yield None
        return
    from concurrent.futures import ProcessPoolExecutor

    start_early()  # the fork server's preloading starts now, not at the first task
    with ProcessPoolExecutor(max_workers=workers, mp_context=worker_context()) as pool:
        yield pool


def _fresh(manifest: dict[str, Any], slug: str, key: str, out: Path) -> bool:
    """Whether the outputs in `out` are the ones the manifest says were built from these inputs."""
    entry = manifest["books"].get(slug)
    if not entry or entry.get("key") != key:
        return False
    for artifact in entry.get("artifacts", []):
        path = out / artifact["path"]
        if not path.is_file() or path.stat().st_size != artifact["size"]:
            return False
    return True


def _commit(results: list[BookBuild], out: Path, formats: tuple[str, ...], manifest: dict[str, Any],
            profile: str = "default", cache: LayoutCache | None = None) -> None:
    """Stage every new output, the catalogue and the manifest, then move them into place."""
    built = [r for r in results if r.ok and not r.cached]
    if not built:
        return
    staging = output.Staging(out)
    try:
        for result in built:
            for name, data in sorted(result.files.items()):
                staging.add(name, data)
            earlier = manifest["books"].get(result.root.name, {}).get("artifacts", [])
            for artifact in earlier:
                if artifact["path"] not in result.files and artifact["format"] in formats:
                    staging.remove(artifact["path"])
            manifest["books"][result.root.name] = _manifest_entry(result, profile)
        if any(renderer(name).catalogued for name in formats):
            catalogue = _catalogue(results, out, manifest, cache)
            for name, data in catalogue.items():
                staging.add(name, data)
            for path in (out / "pagefind").rglob("*"):  # the search index's files of an earlier build
                if path.is_file() and path.relative_to(out).as_posix() not in catalogue:
                    staging.remove(path.relative_to(out).as_posix())
        manifest["books"] = dict(sorted(manifest["books"].items()))
        staging.add(output.MANIFEST, output.manifest_bytes(manifest))
        staging.commit()
    finally:
        staging.discard()


def _manifest_entry(result: BookBuild, profile: str) -> dict[str, Any]:
    doc = result.document
    assert doc is not None
    artifacts = []
    for name, data in sorted(result.files.items()):
        artifact: dict[str, Any] = {"path": name, "size": len(data), "sha256": output.sha256(data),
                                    "validators": [], **result.facts[name]}
        artifacts.append(artifact)
    return {"key": result.key, "title": doc.config.title, "version": doc.config.version, "artifacts": artifacts}


def _catalogue(results: list[BookBuild], out: Path, manifest: dict[str, Any],
               cache: LayoutCache | None = None) -> dict[str, bytes]:
    """The catalogue of this build's books, its feeds and the search index over every book's pages
    (documents of unchanged books are loaded again, their chapters from the parse cache, their pages
    read from `out`)."""
    from publish.render.catalogue import Listing, render_catalogue
    from publish.render.feeds import render_feeds
    from publish.render.onix import render_onix
    from publish.render.search import search_index

    listings, web_pages = [], {}
    for result in results:
        artifacts = manifest["books"].get(result.root.name, {}).get("artifacts", [])
        if result.ok and result.document is not None:
            doc = result.document
            web_pages |= _web_pages(result.files)
        elif result.cached:
            doc = load_document(result.root, cache=cache)[0]
            web_pages |= _built_pages(out, artifacts)
        else:
            continue
        pages = next((a["pages"] for a in artifacts if "pages" in a and a.get("role") != "cover"), 0)
        listings.append(Listing(doc, {a["path"]: a["size"] for a in artifacts}, pages, source_date(result.root)))
    if not listings:
        return {}
    press = find_press(results[0].root)
    return {**render_catalogue(listings, press.catalogue_title if press else ""), **render_feeds(listings),
            "onix.xml": render_onix(listings), **search_index(web_pages)}


def _web_pages(files: dict[str, bytes]) -> dict[str, bytes]:
    return {name: data for name, data in files.items() if name.endswith(".html")}


def _built_pages(out: Path, artifacts: list[dict[str, Any]]) -> dict[str, bytes]:
    """The web pages an earlier build wrote to `out`, by the manifest's artifacts of their book."""
    return {a["path"]: (out / a["path"]).read_bytes() for a in artifacts if a["path"].endswith(".html")}


def _search_ahead(unchanged: list[BookBuild], out: Path, manifest: dict[str, Any],
                  formats: tuple[str, ...]) -> Callable[[Rendered], None]:
    """What a book built while the others are `unchanged` gives its early outputs (`render_book`): the
    catalogue's search index begun over the pages it will index if they hold, the unchanged books'
    as `out` has them and this book's web edition (see `_catalogue`), when `formats` make a catalogue.
    (The renderers are asked only then: importing them before the workers are started would delay
    them.)"""
    from publish.render.search import begin

    def ahead(rendered: Rendered) -> None:
        if not any(renderer(name).catalogued for name in formats):
            return
        pages = {}
        for result in unchanged:
            if result.cached:
                pages |= _built_pages(out, manifest["books"].get(result.root.name, {}).get("artifacts", []))
        begin(pages | _web_pages(rendered.files))

    return ahead
