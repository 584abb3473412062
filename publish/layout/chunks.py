"""A long book's print edition laid out in chunks of chapters, in parallel, and assembled into one PDF
with the pagination, folios, running heads, contents page numbers, outline, links and metadata of a
single-pass layout.

Every chapter opens on a right-hand page, so a book cuts cleanly between chapters. Each chunk of the
body is laid out by its own WeasyPrint process; what a chunk cannot know is set from outside:

- its folios: a chunk is laid out without the margin boxes that print a page number, and records the
  type of each of its pages; once the body is placed, the folios of every page are laid out in one
  document of empty pages of those types and drawn onto the assembled pages (publish/layout/folios.py).
  So a chunk's pages depend on its content alone, not on where it falls in the book: a chunk that
  moves (an earlier chapter grew) is taken from the cache as it is;
- its notes' numbers: the footnote counter starts from the model's count of earlier notes;
- the book title in its running heads: its first element sets the string;
- links to other chunks: each chunk holds empty stand-ins for the ids it links to elsewhere; the
  assembly points its links at the real places.

The opening pages (half title, title, copyright, contents) and the front matter are laid out last,
with the body's page numbers in the contents, and keep their own folios. A book's index
(publish/index.py) is a `late` chunk, laid out after them, once the pages it cites (the front
matter's too) are known. pikepdf assembles the pages, adding a blank page where a chunk ends on a
right-hand page (as the single layout does before a chapter), merges the structure trees and named
destinations, and rebuilds the outline. The chunks depend only on the book, never on the number of
processes: the PDF is the same whatever `--jobs` says.

A book too short to be laid out in parts that has an index is laid out in two (`whole_then_indexes`):
the whole book, an empty chapter standing in where each index will begin; then its indexes, with
their own folios, numbered on from the stand-in's page.
"""

from __future__ import annotations

import io
import json
import os
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import publish.layout.folios as folios
import publish.layout.printed as printed
from publish.layout.store import LayoutCache, chunks_record, digest, environment, last_chunks
from publish.model import Ahead, Document, Layout, PageMap, PageStart
from publish.workers import worker_context

# A book of fewer words is laid out in one pass; a longer one chapter by chapter (chapters shorter than
# CHUNK_WORDS words go with their neighbours), so that a chapter's layout can be reused on its own.
CHUNK_MIN_WORDS = int(os.environ.get("PUBLISH_CHUNK_MIN_WORDS", "60000"))
CHUNK_WORDS = int(os.environ.get("PUBLISH_CHUNK_WORDS", "2000"))


@dataclass(frozen=True)
class Chunk:
    """What one layout holds: the opening pages and front matter (`head`), or consecutive chapters of
    the body and back matter (and the References)."""

    index: int
    head: bool
    chapters: tuple[str, ...]
    references: bool = False
    lead: str = ""  # the id of the section the chunk opens with
    placeholders: tuple[str, ...] = ()  # ids this chunk links to that lie in other chunks
    notes_before: int = 0  # footnotes in the chapters before it
    pages: dict[str, str] = field(default_factory=dict)  # the head's contents: id -> printed page number
    late: bool = False  # laid out after the others: an index, whose page numbers are theirs
    # A short book with an index, laid out whole but for its indexes (see `whole_then_indexes`): in
    # the whole, each index's id and the pages its stand-in takes; in the indexes, the page number
    # their first page prints (they are laid out with their folios).
    stand_ins: tuple[tuple[str, int], ...] = ()
    first_page: int = 0
    pdf: bool = True  # whether its PDF is written (not for a build of the web edition or the EPUB alone)


@dataclass
class Laid:
    """A chunk laid out and written: its PDF, page count, where its ids are, its page map (a body
    chunk's pages numbered from 1), and what its folios need: its pages' types and named strings."""

    index: int
    pdf: bytes
    page_count: int
    anchors: dict[str, int]  # id -> page index in the chunk
    starts: list[PageStart]
    types: list = field(default_factory=list)  # folios.page_type of each page (the body's chunks)
    strings: dict = field(default_factory=dict)  # name -> page number -> values (folios.recorded_strings)
    body_from: int = 0  # the index of the page numbered 1 (a chunk laid out with the opening pages)
    warnings: list = field(default_factory=list)  # [path, line, message]: images printed under 300 dpi


def plan(doc: Document) -> list[Chunk] | None:
    """The chunks of a book long enough to lay out in parts, or None. Chunks follow chapters, about
    CHUNK_WORDS words each; the result depends on the book alone."""
    parts = [(c.id, _words(c.body)) for c in doc.chapters if c.role != "front" and c.index is None]
    if doc.references:
        parts.append(("references", sum(_words(r.html) for r in doc.references)))
    total = sum(words for _, words in parts)
    if len(parts) < 2 or doc.word_count < CHUNK_MIN_WORDS:
        if not doc.indexes:
            return None
        indexes = tuple(c.id for c in doc.indexes)
        notes = sum(len(c.notes) for c in doc.chapters)
        whole = tuple(c.id for c in doc.chapters if c.index is None)
        return [Chunk(0, True, whole, bool(doc.references), stand_ins=tuple((i, 1) for i in indexes)),
                Chunk(1, False, indexes, False, indexes[0], notes_before=notes, late=True)]
    groups: list[list[str]] = [[]]
    size = 0
    for part, words in parts:
        if groups[-1] and size + words / 2 > CHUNK_WORDS and total - size > CHUNK_WORDS / 2:
            groups.append([])
            size = 0
        groups[-1].append(part)
        size += words
    if len(groups) < 2 and not doc.indexes:
        return None
    notes = {c.id: len(c.notes) for c in doc.chapters}
    chunks = []
    before = sum(notes[c.id] for c in doc.chapters if c.role == "front")
    for index, group in enumerate(groups, start=1):
        chapters = tuple(p for p in group if p != "references")
        chunks.append(Chunk(index, False, chapters, "references" in group, group[0], notes_before=before))
        before += sum(notes[c] for c in chapters)
    if doc.indexes:  # laid out last, once the pages it cites are known (see publish/index.py)
        late = tuple(c.id for c in doc.indexes)
        chunks.append(Chunk(len(chunks) + 1, False, late, False, late[0], notes_before=before, late=True))
    front = tuple(c.id for c in doc.chapters if c.role == "front")
    chunks = [c for c in chunks if c.chapters or c.references]
    return [Chunk(0, True, front, False, "", notes_before=0)] + chunks


def _words(markup: str) -> int:
    return len(re.sub(r"<[^>]+>", " ", markup).split())


def with_placeholders(chunk: Chunk, html: str) -> Chunk:
    """The chunk with stand-ins for every id its HTML links to but does not hold."""
    linked = set(re.findall(r'href="#([^"]+)"', html))
    held = set(re.findall(r'\bid="([^"]+)"', html))
    return replace(chunk, placeholders=tuple(sorted(linked - held)))


# Laying out one chunk (in a worker process) -----------------------------------------------------

def lay_out(doc: Document, chunk: Chunk, roots: list[Path], timestamp: str, profile: str) -> Laid:
    """Lay out and write one chunk; a chunk of the body without its folios (see the module's docstring),
    its pages numbered from 1; the indexes after a whole book with their folios, from their
    `first_page`. A whole book's pages from its first stand-in on are left out (their ids are in the
    anchors all the same)."""
    strings: dict = {}
    own_folios = chunk.head or bool(chunk.first_page)
    if own_folios:
        laid_out = printed.layout(doc, roots, timestamp, profile, chunk=chunk)
    else:
        with folios.margin_boxes(lambda box: not folios.prints_page_number(box), folios.record_strings(strings)):
            laid_out = printed.layout(doc, roots, timestamp, profile, chunk=chunk)
    anchors = {}
    for number, page in enumerate(laid_out.pages):
        for name in page.anchors:
            if name not in chunk.placeholders:
                anchors.setdefault(name, number)
    first_number = None if chunk.head else chunk.first_page or 1
    starts, labels = printed.page_map(laid_out, doc, first_number=first_number, with_labels=True)
    warnings = [[str(path), line, message]  # JSON-ready, for the cache
                for path, line, message in printed.print_warnings(laid_out, doc, profile)]
    if chunk.stand_ins:
        laid_out = laid_out.copy(laid_out.pages[:min(anchors[name] for name, _ in chunk.stand_ins)])
    types = [] if own_folios else [folios.page_type(page) for page in laid_out.pages]
    data = printed.weasyprint_pdf(laid_out, profile) if chunk.pdf else b""
    return Laid(chunk.index, data, len(laid_out.pages), anchors, starts, types, strings,
                printed.body_from(labels), warnings)


# The cache's view of one chunk ------------------------------------------------------------------

@dataclass
class Cached:
    """A chunk's entry in the layout cache, by its content key: its HTML and everything else its pages
    depend on (not where it falls in the book: its folios are laid out apart)."""

    cache: LayoutCache | None
    key: str

    def laid(self, index: int, pdf: bool = True) -> Laid | None:
        """The chunk as laid out before, if it was (and its PDF written, when `pdf`)."""
        found = self.cache.get(self.key) if self.cache else None
        if found is None or (pdf and not found[1]):
            return None
        facts, data = found
        starts = [PageStart(*s) for s in facts["starts"]]
        return Laid(index, data, facts["page_count"], facts["anchors"], starts, facts["types"],
                    facts["strings"], facts["body_from"], facts["warnings"])

    def put(self, laid: Laid) -> None:
        if self.cache is None:
            return
        self.cache.put(self.key, _facts(laid), laid.pdf)


def _facts(laid: Laid) -> dict[str, Any]:
    """What a chunk's layout tells the rest of the book (all of it but its PDF), as the cache keeps it."""
    facts = {"page_count": laid.page_count, "anchors": laid.anchors, "types": laid.types,
             "strings": laid.strings, "body_from": laid.body_from, "warnings": laid.warnings,
             "starts": [[s.number, s.chapter, s.block, s.offset, s.front] for s in laid.starts]}
    return json.loads(json.dumps(facts))  # as read back: lists for tuples, strings for numbers as keys


def cached(cache: LayoutCache | None, chunk: Chunk, html: str, context: str) -> Cached:
    """The cache's entry of a chunk whose HTML is `html`, laid out in `context` (see `print_edition`)."""
    return Cached(cache, digest(html, repr(chunk.placeholders), context, "pages without their folios"))


# The whole book ---------------------------------------------------------------------------------

def print_edition(doc: Document, chunks: list[Chunk], roots: list[Path], timestamp: str, profile: str,
                  workers: int, want_pdf: bool = True, cache: LayoutCache | None = None) -> Ahead:
    """The book laid out in chunks (a `publish.model.Ahead` of its `Layout`): its page map and page
    count, and the assembled PDF when `want_pdf`. Each chunk is taken from the cache when laid out
    before with the same content; the rest are laid out, on `workers` processes when more than one is
    to be. The `late` chunks (an index) are laid out after the opening pages, with the page numbers of
    every page before them; the folios last, once every page is placed. A short book with an index:
    see `whole_then_indexes`. Without `want_pdf`, no chunk's PDF is written (nor kept in the cache: a
    later build of the PDF lays out again the chunks laid out for the page map alone).

    With more than one process, the changed chunks are laid out in workers while this process places
    every page as if each of them fell as its last layout did (the `guess`; see `Previous`); the EPUB
    and the web edition are made from it meanwhile, and kept if the chunks did fall so."""
    chunks = [replace(chunk, pdf=want_pdf) for chunk in chunks]
    if chunks[0].stand_ins:
        return Ahead.done(whole_then_indexes(doc, chunks, roots, timestamp, profile, want_pdf, cache))
    body, entries = [], {}
    context = digest(environment(doc), profile) if cache else ""
    for chunk in chunks[1:]:
        if chunk.late:
            continue
        html = printed.render_html(doc, timestamp, profile, chunk=chunk)
        chunk = with_placeholders(chunk, html)
        body.append(chunk)
        entries[chunk.index] = cached(cache, chunk, html, context)
    found = {chunk.index: entries[chunk.index].laid(chunk.index, chunk.pdf) for chunk in body}
    todo = [c for c in body if found[c.index] is None]
    previous = Previous(cache, doc.slug)
    guesses = previous.guesses(todo) if workers > 1 and todo else {}

    def place(laid: dict[int, Laid], pool: Any = None) -> Placed:
        return _place(doc, chunks, body, laid, roots, timestamp, profile, want_pdf, cache, context, pool)

    if not todo or len(guesses) < len(todo):
        for laid in _lay_out_all(doc, todo, roots, timestamp, profile, workers):
            entries[laid.index].put(laid)
            found[laid.index] = laid
        previous.record(body, entries)
        return Ahead.done(place(found).layout(doc, profile, want_pdf))
    # As many processes as `workers`, though fewer chunks: a wrong guess lays out the opening pages and
    # the folios in two of them (a process is started only when a task finds none idle).
    pool, futures = _begin(doc, todo, roots, timestamp, profile, workers, processes=workers)
    guessed = place(found | guesses)

    def result() -> Layout:
        # The PDF assembled from the guess's placing while the workers are laid out: each part in
        # turn, a chunk of theirs once done, until one turns out to fall otherwise than guessed.
        pending = dict(zip((chunk.index for chunk in todo), futures))
        assembly = guessed.assembly() if want_pdf else None
        right = True
        try:
            for number, part in enumerate(guessed.parts[1:], start=1):
                if part.index in pending:
                    future = pending.pop(part.index)
                    if assembly is not None and right:  # the parts after it read meanwhile
                        for later in guessed.parts[number + 1:]:
                            if future.done():
                                break
                            if later.index not in pending:
                                assembly.read(later)
                    laid = future.result()
                    entries[laid.index].put(laid)
                    found[laid.index] = laid
                    right = right and _facts(laid) == _facts(part)
                    part = laid
                if assembly is not None and right:
                    assembly.add(part)
        except BaseException:  # a worker's error: the parts opened so far closed
            if assembly is not None:
                assembly.close()
            raise
        previous.record(body, entries)
        if not right:
            if assembly is not None:
                assembly.close()
            placed = place(found, pool)
            pool.shutdown()
            return placed.layout(doc, profile, want_pdf)
        pool.shutdown()
        return guessed.layout(doc, profile, want_pdf, assembly)

    return Ahead(guessed.layout(doc, profile, False), result,
                 lambda: pool.shutdown(wait=False, cancel_futures=True))


@dataclass
class Placed:
    """Every page of a book laid out in chunks, placed: its parts (the opening pages, then the body's
    chunks and the late ones, in order), its page map, its page count as assembled, and the folios of
    the pages after the opening ones (when its PDF is wanted)."""

    parts: list[Laid]
    placeholders: dict[int, set[str]]
    starts: PageMap
    count: int
    folios: bytes | None = None

    def layout(self, doc: Document, profile: str, want_pdf: bool, assembly: Assembly | None = None) -> Layout:
        """The book's `Layout`, its PDF assembled from the parts when `want_pdf` (or finished from
        `assembly`, which holds every part already)."""
        data, count = None, self.count
        if want_pdf:
            assembly = assembly or self.assembly(self.parts[1:])
            data, count = assembly.finish(doc.config.language, printed.for_printer(profile), profile,
                                          _padded(self.parts[0].page_count))
        return Layout(self.starts, count, data, profile, _warnings(self.parts))

    def assembly(self, parts: list[Laid] | tuple = ()) -> Assembly:
        """The PDF's assembly begun: the opening pages and `parts`, with the folios."""
        return Assembly(self.parts[0], self.placeholders, parts, self.folios)


def _place(doc: Document, chunks: list[Chunk], chunked: list[Chunk], found: dict[int, Laid], roots: list[Path],
           timestamp: str, profile: str, want_pdf: bool, cache: LayoutCache | None, context: str,
           pool: Any = None) -> Placed:
    """Every page placed from the body's chunks (`chunked`, laid out as `found`): the opening pages
    laid out with the contents' page numbers, then the late chunks (an index), and the folios; the
    opening pages and the folios at once, in `pool`'s processes when given, where there is no late
    chunk."""
    body = list(chunked)
    results = [found[c.index] for c in body]
    padded = {laid.index: _padded(laid.page_count) for laid in results}  # with a right-hand end's blank verso

    def offset(index: int) -> int:
        return sum(padded[c.index] for c in body if c.index < index)

    late = [c for c in chunks if c.late]
    # The opening pages and front matter, with the contents' page numbers (an index's: where it will
    # begin); then the indexes, which cite the front matter's pages too.
    begins = {c.id: str(offset(late[0].index) + 1) for c in doc.indexes} if late else {}
    numbers = None
    if want_pdf and not late:  # first: the longer of the two, given to a worker that has laid out before
        numbers = _folios(doc, results, roots, timestamp, profile, cache, context, pool)
    head, opening_laid = _lay_out_head(doc, chunks[0], results, offset, begins, roots, timestamp, profile, cache,
                                       context, None if late else pool)
    opening = opening_laid()
    if late:
        results += _lay_out_late(doc, late, body, [opening] + results, roots, timestamp, profile, padded,
                                 offset, cache, context)
        if any(_contents_pages(results, offset).get(i) != p for i, p in begins.items()):  # a second index
            head, opening_laid = _lay_out_head(doc, chunks[0], results, offset, {}, roots, timestamp, profile,
                                               cache, context)
            opening = opening_laid()
        if want_pdf:
            numbers = _folios(doc, results, roots, timestamp, profile, cache, context)
    anchors = _contents_pages(results, offset)
    for name, index in opening.anchors.items():
        anchors.setdefault(name, PageStart(index + 1, "", 0, 0, front=True).label)
    starts = PageMap(_page_map(opening, _body_starts(results, offset)), anchors)
    # as assembled: a blank page after every part that ends on a right-hand page, but the last
    count = (_padded(opening.page_count) + sum(_padded(laid.page_count) for laid in results[:-1])
             + results[-1].page_count)
    placeholders = {laid.index: set(c.placeholders) for laid, c in zip([opening] + results, [head] + body)}
    return Placed([opening] + results, placeholders, starts, count, numbers() if numbers else None)


class Previous:
    """Which cache entries the last layout of a book (by its slug) took for each chunk of its body (by
    the chapters it holds): the pages a changed chunk will most likely have, to place every page from
    while it is laid out (a word changed seldom moves a page). A guess only: what is placed from it
    is kept only if the chunk falls so (see `print_edition`)."""

    def __init__(self, cache: LayoutCache | None, slug: str) -> None:
        self.cache = cache
        self.key = chunks_record(slug)
        self.keys = last_chunks(cache, slug)

    @staticmethod
    def _name(chunk: Chunk) -> str:
        return " ".join(chunk.chapters + (("references",) if chunk.references else ()))

    def guesses(self, chunks: list[Chunk]) -> dict[int, Laid]:
        """The last layout of each chunk of the same chapters, where the cache holds it."""
        found = {}
        for chunk in chunks:
            key = self.keys.get(self._name(chunk))
            laid = Cached(self.cache, key).laid(chunk.index, pdf=False) if key else None
            if laid is not None:
                found[chunk.index] = laid
        return found

    def record(self, body: list[Chunk], entries: dict[int, Cached]) -> None:
        keys = {self._name(chunk): entries[chunk.index].key for chunk in body}
        if self.cache is not None and keys != self.keys:
            self.cache.put(self.key, {"chunks": keys})


def whole_then_indexes(doc: Document, chunks: list[Chunk], roots: list[Path], timestamp: str, profile: str,
                       want_pdf: bool = True, cache: LayoutCache | None = None):
    """A short book with an index, laid out in two passes (a `publish.layout.Layout`): the whole book
    but its indexes, a stand-in where each will begin (an empty chapter, whose page the contents
    print); then the indexes, which cite the pages of the first, their folios counting on from the
    first stand-in's page. Where an index takes more pages than its stand-in did, so that the next
    one begins later than the contents say, the whole is laid out again with stand-ins of the
    indexes' own lengths."""
    whole, late = chunks
    context = digest(environment(doc), profile) if cache else ""
    for _ in range(len(late.chapters) + 1):
        whole, opening = _lay_out_or_reuse(doc, whole, roots, timestamp, profile, cache, context)
        begins = {name: opening.anchors[name] - opening.body_from + 1 for name, _ in whole.stand_ins}
        _place_index_pages(doc, opening.starts)
        indexes, laid = _lay_out_or_reuse(doc, replace(late, first_page=begins[late.chapters[0]]), roots,
                                          timestamp, profile, cache, context)
        found = {name: indexes.first_page + laid.anchors[name] for name in late.chapters}
        if found == begins:
            break
        pages = [found[b] - found[a] for a, b in zip(late.chapters, late.chapters[1:])] + [1]
        whole = replace(whole, stand_ins=tuple(zip(late.chapters, pages)))
    else:  # the indexes' pages are the same in every pass after the second: never here
        raise RuntimeError("the indexes' first pages moved with each layout of the book")
    anchors = {name: PageStart(index + 1, "", 0, 0, front=True).label if index < opening.body_from
               else str(index - opening.body_from + 1) for name, index in opening.anchors.items()}
    anchors |= {name: str(indexes.first_page + index) for name, index in laid.anchors.items()}
    starts = PageMap(list(opening.starts) + _fill_blanks(laid.starts, first=indexes.first_page), anchors)
    count = _padded(opening.page_count) + laid.page_count
    data = None
    if want_pdf:
        data, count = assemble([opening, laid], {0: set(whole.placeholders), 1: set(indexes.placeholders)},
                               doc.config.language, even=printed.for_printer(profile), profile=profile,
                               body_from=opening.body_from)
    return Layout(starts, count, data, profile, _warnings([opening, laid]))


def _warnings(parts: list[Laid]) -> list[tuple[Path, int, str]]:
    """The warnings of the laid-out parts (an image under 300 dpi), each once, in order."""
    return sorted({(Path(path), line, message) for laid in parts for path, line, message in laid.warnings})


def _lay_out_or_reuse(doc: Document, chunk: Chunk, roots: list[Path], timestamp: str, profile: str,
                      cache: LayoutCache | None, context: str) -> tuple[Chunk, Laid]:
    """A chunk with the stand-ins of the ids it links to elsewhere, taken from the cache or laid out
    (and put in the cache)."""
    chunk, laid = _begin_or_reuse(doc, chunk, roots, timestamp, profile, cache, context)
    return chunk, laid()


def _begin_or_reuse(doc: Document, chunk: Chunk, roots: list[Path], timestamp: str, profile: str,
                    cache: LayoutCache | None, context: str, pool: Any = None) -> tuple[Chunk, Callable[[], Laid]]:
    """`_lay_out_or_reuse` begun: the chunk, and its `Laid` to wait for (laid out in `pool` when given)."""
    html = printed.render_html(doc, timestamp, profile, chunk=chunk)
    chunk = with_placeholders(chunk, html)
    entry = cached(cache, chunk, html, context)
    found = entry.laid(chunk.index, chunk.pdf)
    if found is not None:
        return chunk, lambda: found
    return chunk, _waited(_submit(pool, lay_out, doc, chunk, roots, timestamp, profile), entry.put)


def _submit(pool: Any, function: Callable[..., Any], *args: Any) -> Callable[[], Any]:
    """`function(*args)` run in `pool` (its result to wait for), or here and now without one."""
    if pool is None:
        result = function(*args)
        return lambda: result
    return pool.submit(function, *args).result


def _waited(result: Callable[[], Any], then: Callable[[Any], None]) -> Callable[[], Any]:
    """`result`, with `then` done once with its value when first waited for."""
    kept: list[Any] = []

    def wait() -> Any:
        if not kept:
            kept.append(result())
            then(kept[0])
        return kept[0]

    return wait


def _lay_out_all(doc: Document, chunks: list[Chunk], roots: list[Path], timestamp: str, profile: str,
                 workers: int) -> list[Laid]:
    """Chunks laid out: on `workers` processes when more than one is to be."""
    if workers > 1 and len(chunks) > 1:
        return _in_parallel(doc, chunks, roots, timestamp, profile, workers)
    return [lay_out(doc, chunk, roots, timestamp, profile) for chunk in chunks]


def _contents_pages(results: list[Laid], offset: Callable[[int], int]) -> dict[str, str]:
    """The printed page of every id of the laid-out chunks (where an id is held twice, its first page),
    for the contents."""
    pages: dict[str, str] = {}
    for laid in reversed(results):
        for name, index in laid.anchors.items():
            pages[name] = str(offset(laid.index) + index + 1)
    return pages


def _body_starts(results: list[Laid], offset: Callable[[int], int]) -> list[PageStart]:
    """The page map of the body's chunks, each numbered from where it falls in the book."""
    return [PageStart(s.number + offset(laid.index), s.chapter, s.block, s.offset, s.front)
            for laid in results for s in laid.starts]


def _lay_out_head(doc: Document, first: Chunk, results: list[Laid], offset: Callable[[int], int],
                  begins: dict[str, str], roots: list[Path], timestamp: str, profile: str,
                  cache: LayoutCache | None, context: str, pool: Any = None) -> tuple[Chunk, Callable[[], Laid]]:
    """The opening pages and front matter (to wait for), from the cache when laid out before with the
    same contents, else laid out in `pool` when given."""
    head = replace(first, pages=begins | _contents_pages(results, offset))
    return _begin_or_reuse(doc, head, roots, timestamp, profile, cache, context, pool)


def _lay_out_late(doc: Document, late: list[Chunk], body: list[Chunk], results: list[Laid], roots: list[Path],
                  timestamp: str, profile: str, padded: dict[int, int], offset: Callable[[int], int],
                  cache: LayoutCache | None, context: str) -> list[Laid]:
    """The chunks laid out after the rest (the indexes), with the page numbers of the pages before them
    (`results`: the opening pages', then the body's). Their HTML prints those numbers, so their cache
    key changes whenever a number they cite does."""
    _place_index_pages(doc, list(results[0].starts) + _body_starts(results[1:], offset))
    laid = []
    for chunk in late:
        chunk, done = _lay_out_or_reuse(doc, chunk, roots, timestamp, profile, cache, context)
        body.append(chunk)
        padded[chunk.index] = _padded(done.page_count)
        laid.append(done)
    return laid


def _place_index_pages(doc: Document, starts: list[PageStart]) -> None:
    """Every index's anchors given their printed pages, from the page map of the pages before the
    indexes (publish/index.py)."""
    from publish.index import anchor_places, place_pages
    from publish.render.markup import chapter_body

    places: dict[str, tuple[str, int, int]] = {}
    for chapter in doc.chapters:
        markup = chapter.body + "".join(note.html for note in chapter.notes)
        if chapter.index is None and 'class="ix"' in markup:
            for anchor, (block, offset) in anchor_places(chapter_body(chapter, "pdf")).items():
                places[anchor] = (chapter.id, block, offset)
    for chapter in doc.indexes:
        place_pages(chapter.index, places, starts)


def _page_map(opening: Laid, body: list[PageStart]) -> list[PageStart]:
    """The book's page map from its chunks': the opening pages and front matter, the blank verso the
    assembly adds after them when they end on a right-hand page (it begins where the body does, as in a
    single layout), then the body's pages."""
    starts = list(opening.starts)
    body = _fill_blanks(body)
    if opening.page_count % 2 and body:
        first = body[0]
        starts.append(PageStart(opening.page_count + 1, first.chapter, first.block, first.offset, front=True))
    return starts + body


def _folios(doc: Document, results: list[Laid], roots: list[Path], timestamp: str, profile: str,
            cache: LayoutCache | None, context: str, pool: Any = None) -> Callable[[], bytes]:
    """The folios of every page after the opening pages (publish/layout/folios.py), to wait for: from
    the cache when laid out before for the same pages, else laid out in `pool` when given."""
    types, strings = folios.book_pages([(laid.types, laid.strings) for laid in results])
    html = printed.render_html(doc, timestamp, profile, chunk=Chunk(0, False, ()))
    key = digest(html, repr(types), repr(strings), context, "folios")
    hit = cache.get(key) if cache else None
    if hit is not None:
        return lambda: hit[1]
    return _waited(_submit(pool, folios.lay_out, html, roots, doc, types, strings),
                   lambda data: cache.put(key, {}, data) if cache else None)


def _in_parallel(doc: Document, chunks: list[Chunk], roots: list[Path], timestamp: str, profile: str,
                 workers: int) -> list[Laid]:
    """Chunks laid out in `workers` processes, in order."""
    pool, futures = _begin(doc, chunks, roots, timestamp, profile, workers)
    with pool:
        return [future.result() for future in futures]


def _begin(doc: Document, chunks: list[Chunk], roots: list[Path], timestamp: str, profile: str,
           workers: int, processes: int | None = None) -> tuple[Any, list[Any]]:
    """Chunks given to `workers` processes to lay out (`processes` in the pool, when it is to be given
    more later): the pool, and a future of each chunk's `Laid`."""
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(max_workers=processes or min(workers, len(chunks)), mp_context=worker_context())
    return pool, [pool.submit(lay_out, doc, chunk, roots, timestamp, profile) for chunk in chunks]


def _padded(pages: int) -> int:
    """A chunk's pages with the blank verso that follows one ending on a right-hand page: the next
    chapter opens on the right."""
    return pages + pages % 2


def _fill_blanks(starts: list[PageStart], first: int = 1) -> list[PageStart]:
    """A page with no text of its own (the blank page between chunks) begins where the next one does;
    the pages numbered from `first`."""
    by_number = {s.number: s for s in starts}
    filled = []
    for number in range(first, max(by_number, default=0) + 1):
        start = by_number.get(number) or next(by_number[n] for n in sorted(by_number) if n > number)
        filled.append(PageStart(number, start.chapter, start.block, start.offset))
    return filled


# Assembly -----------------------------------------------------------------------------------------

def assemble(parts: list[Laid], placeholders: dict[int, set[str]], language: str,
             even: bool = False, profile: str = "default", body_from: int | None = None) -> tuple[bytes, int]:
    """One PDF from the chunks' PDFs, in order (see `Assembly`; without folios), and its page count."""
    return Assembly(parts[0], placeholders, parts[1:]).finish(language, even, profile, body_from)


class Assembly:
    """One PDF made from the chunks' PDFs, a part at a time, in order: pages (a blank page after a
    part that ends on a right-hand page, except the last), structure tree, named destinations (the
    stand-ins' names resolved to the real places), outline, and the folios of every page after the
    first part's (`folio_pdf`: publish/layout/folios.py); then `finish`: finished as a single layout's
    PDF is, saved once. A part may be added while a later one is still being laid out, and read
    meanwhile (`read`) while an earlier one is."""

    def __init__(self, first: Laid, placeholders: dict[int, set[str]], rest: list[Laid] | tuple = (),
                 folio_pdf: bytes | None = None) -> None:
        import pikepdf

        self.placeholders = placeholders
        self.out = out = pikepdf.open(io.BytesIO(first.pdf))
        self.tree = out.Root.get("/StructTreeRoot")
        self.document = self.tree.K[0] if self.tree is not None else None
        self.nums = self.tree.ParentTree.Nums if self.tree is not None else None
        self.next_key = _next_key(self.nums) if self.nums is not None else 0
        self.destinations = {str(k): v for k, v in _names(out, first.index, placeholders)}
        self.outline = _outline_items(out, 0)
        self.sources: list[Any] = []
        self.read_ahead: dict[int, Any] = {}
        self.folios = None
        if folio_pdf is not None:
            self.folios = folios.Overlay(out, folio_pdf, first=_padded(first.page_count))
            self.sources.append(self.folios.source)
        for part in rest:
            self.add(part)

    def read(self, part: Laid) -> None:
        """A part's PDF opened now, to be added later."""
        import pikepdf

        if part.index not in self.read_ahead:
            self.read_ahead[part.index] = source = pikepdf.open(io.BytesIO(part.pdf))
            self.sources.append(source)

    def add(self, part: Laid) -> None:
        out, tree = self.out, self.tree
        if len(out.pages) % 2:
            printed.add_blank_page(out)
        self.read(part)
        source = self.read_ahead.pop(part.index)
        first = len(out.pages)
        with warnings.catch_warnings():  # named destinations are carried over below, not by pikepdf
            warnings.simplefilter("ignore")
            out.pages.extend(source.pages)
        self.outline += _outline_items(source, first)
        # What the part brings besides its pages, copied at once: its named destinations, then its
        # structure tree's elements and the parent tree's entries (those of a tagged PDF).
        names = _names(source, part.index, self.placeholders)
        source_tree = source.Root.get("/StructTreeRoot")
        tagged = tree is not None and source_tree is not None
        kids = list(source_tree.K[0].K) if tagged else []
        source_nums = source_tree.ParentTree.Nums if tagged else []
        keys = [int(source_nums[i]) for i in range(0, len(source_nums), 2)]
        values = [source_nums[i + 1] for i in range(0, len(source_nums), 2)]
        copied = _copy_all(out, source, [destination for _, destination in names] + kids + values)
        for (name, _), destination in zip(names, copied):
            self.destinations[name] = destination
        if self.folios is not None:
            self.folios.draw()
        if not tagged:
            return
        shift = self.next_key
        for kid in copied[len(names):len(names) + len(kids)]:
            kid.P = self.document
            self.document.K.append(kid)
        for key, value in zip(keys, copied[len(names) + len(kids):]):
            self.nums.append(key + shift)
            self.nums.append(value)
        self.next_key = shift + _next_key(source_nums)
        for page in out.pages[first:]:
            if "/StructParents" in page.obj:
                page.obj.StructParents = int(page.obj.StructParents) + shift
            for annotation in page.obj.get("/Annots", []):
                if "/StructParent" in annotation:
                    annotation.StructParent = int(annotation.StructParent) + shift

    def finish(self, language: str, even: bool = False, profile: str = "default",
               body_from: int | None = None) -> tuple[bytes, int]:
        """The PDF (the body's pages labelled from `body_from`) and its page count."""
        import pikepdf

        from publish.render.printready import save_options

        out = self.out
        if self.tree is not None:
            self.tree.ParentTreeNextKey = self.next_key
        names = pikepdf.Array()
        for name in sorted(self.destinations):
            names.append(pikepdf.String(name))
            names.append(self.destinations[name])
        out.Root.Names = out.Root.get("/Names", pikepdf.Dictionary())
        out.Root.Names.Dests = out.make_indirect(pikepdf.Dictionary(Names=names))
        with out.open_outline() as tree_of_marks:
            tree_of_marks.root.clear()
            stack: list[tuple[int, Any]] = []
            for title, level, page, left, top in self.outline:
                item = pikepdf.OutlineItem(title, page, pikepdf.PageLocation.XYZ, left=left, top=top)
                while stack and stack[-1][0] >= level:
                    stack.pop()
                (stack[-1][1].children if stack else tree_of_marks.root).append(item)
                stack.append((level, item))
        if self.folios is not None:
            self.folios.finish()
        printed.finish_document(out, language, even, profile, body_from=body_from)
        data = io.BytesIO()
        count = len(out.pages)
        out.save(data, deterministic_id=True, **({"object_stream_mode": pikepdf.ObjectStreamMode.generate}
                                                 | save_options(profile)))
        self.close()
        return data.getvalue(), count

    def close(self) -> None:
        for source in self.sources:
            source.close()
        self.out.close()


def _copy(out: Any, source: Any, obj: Any) -> Any:
    """An object of `source` copied into `out` (objects it refers to that were copied before, such as
    its pages, are not copied again)."""
    return out.copy_foreign(obj if obj.is_indirect else source.make_indirect(obj))


def _copy_all(out: Any, source: Any, objects: list[Any]) -> list[Any]:
    """Objects of `source` copied into `out` at once, as `_copy` copies each (every one indirect in
    `out`), in one traversal of `source` (a copy each: 0.07 ms apiece, 2,300 of them in a long book)."""
    import pikepdf

    if not objects:
        return []
    bundle = pikepdf.Array([obj if obj.is_indirect else source.make_indirect(obj) for obj in objects])
    return list(_copy(out, source, bundle))


def _next_key(nums: Any) -> int:
    keys = [int(nums[i]) for i in range(0, len(nums), 2)]
    return max(keys) + 1 if keys else 0


def _names(pdf: Any, index: int, placeholders: dict[int, set[str]]) -> list[tuple[str, Any]]:
    """The named destinations of a part, less its stand-ins."""
    names = pdf.Root.get("/Names", {}).get("/Dests", {}).get("/Names", [])
    return [(str(names[i]), names[i + 1]) for i in range(0, len(names), 2)
            if str(names[i]) not in placeholders.get(index, set())]


def _outline_items(pdf: Any, first: int) -> list[tuple[str, int, int, float, float]]:
    """(title, level, page index in the assembled PDF, left, top) of every bookmark of a part."""
    import pikepdf

    found = []

    def walk(items: list[Any], level: int) -> None:
        for item in items:
            destination = item.destination
            page = pikepdf.Page(destination[0]).index if destination is not None else 0
            left, top = (float(destination[2]), float(destination[3])) if destination is not None \
                and len(destination) > 3 else (0.0, 0.0)
            found.append((item.title, level, first + page, left, top))
            walk(item.children, level + 1)

    with pdf.open_outline() as marks:
        walk(marks.root, 1)
    return found
