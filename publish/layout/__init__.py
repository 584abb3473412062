"""Pagination, the stage between resolving and rendering: the print edition laid out once, as a value
(`Layout`: the page map, the page count, the PDF written from it) that every renderer receives. A long
book is laid out chapter by chapter (publish/layout/chunks.py), each piece reused from the layout cache
(publish/layout/store.py) while everything its pages depend on is unchanged."""

from __future__ import annotations

from pathlib import Path

from publish.layout.store import LayoutCache, digest, environment, last_chunks
from publish.model import Ahead, Document, Layout, PageMap, PageStart
from publish.workers import start_early

# The layout's own modules (the HTML WeasyPrint lays out, the chunks' assembly with pikepdf) are imported
# where a layout is made: `prepare`, which starts the workers' import of them, is called before they are.

__all__ = ["Ahead", "Layout", "LayoutCache", "PageMap", "paginate", "paginate_ahead", "prepare"]


def paginate(doc: Document, roots: list[Path], timestamp: str, profile: str = "default", workers: int = 1,
             want_pdf: bool = True, cache: LayoutCache | None = None) -> Layout:
    """The print edition of `doc` laid out (WeasyPrint reads files only inside `roots`); the same
    whatever `workers` says and whatever the cache holds."""
    ahead = paginate_ahead(doc, roots, timestamp, profile, workers, want_pdf, cache)
    try:
        return ahead.result()
    finally:
        ahead.close()


def prepare(cache: LayoutCache | None, slug: str, workers: int) -> None:
    """Before a book is loaded: the workers' fork server started, its import of WeasyPrint under way
    meanwhile, when the book's last layout was in chunks (a change lays the changed ones out in
    workers, see `publish.layout.chunks.print_edition`)."""
    if workers > 1 and last_chunks(cache, slug):
        start_early()


def paginate_ahead(doc: Document, roots: list[Path], timestamp: str, profile: str = "default", workers: int = 1,
                   want_pdf: bool = True, cache: LayoutCache | None = None) -> Ahead:
    """`paginate`, begun: the layout under way (`Ahead`), with a guess of its pages when a long book's
    changed chapters are being laid out in other processes (see `publish.layout.chunks.print_edition`)."""
    import publish.layout.chunks as chunks
    import publish.layout.printed as printed

    profile = printed.book_profile(profile, doc)
    parts = chunks.plan(doc)
    if parts:
        return chunks.print_edition(doc, parts, roots, timestamp, profile, workers, want_pdf, cache)
    return Ahead.done(_one_pass(doc, roots, timestamp, profile, want_pdf, cache))


def _one_pass(doc: Document, roots: list[Path], timestamp: str, profile: str, want_pdf: bool,
              cache: LayoutCache | None) -> Layout:
    """A book laid out in one WeasyPrint document (from the cache when laid out before)."""
    import publish.layout.printed as printed

    key = digest(printed.render_html(doc, timestamp, profile), environment(doc), profile, "one pass")
    hit = cache.get(key) if cache else None
    if hit and (hit[1] or not want_pdf):
        facts, data = hit
        warnings = [(Path(path), line, message) for path, line, message in facts["warnings"]]
        return Layout(page_map_of(facts), facts["page_count"], data or None, profile, warnings)
    laid_out = printed.layout(doc, roots, timestamp, profile)
    starts, labels = printed.page_map(laid_out, doc, with_labels=True)
    anchors = {name: labels[number] for number, page in reversed(list(enumerate(laid_out.pages)))
               for name in page.anchors}
    warnings = printed.print_warnings(laid_out, doc, profile)
    data = printed.write_pdf(laid_out, profile, doc.config.language, printed.body_from(labels)) if want_pdf \
        else None
    result = Layout(PageMap(starts, anchors), len(laid_out.pages), data, profile, warnings)
    if cache:
        cache.put(key, facts_of(result.page_map, result.page_count, warnings), data or b"")
    return result


def facts_of(page_map: list[PageStart], page_count: int, warnings: list | None = None,
             anchors: dict | None = None) -> dict:
    """A layout's facts as JSON-ready data, for the cache."""
    return {"page_count": page_count,
            "starts": [[s.number, s.chapter, s.block, s.offset, s.front] for s in page_map],
            "anchors": anchors if anchors is not None else getattr(page_map, "anchors", {}),
            "warnings": [[str(path), line, message] for path, line, message in warnings or []]}


def page_map_of(facts: dict) -> PageMap:
    return PageMap([PageStart(*start) for start in facts["starts"]], facts["anchors"])
