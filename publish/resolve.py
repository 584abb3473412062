"""Resolve: citations rendered by the CSL processor and filled into the chapters; the References built."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lxml import etree

from publish.bibliography import check_citations, check_style, is_note_style, load_bibliography, style_path
from publish.book import Book
from publish.conventions import place_conventions
from publish.diagnostics import Diagnostics
from publish.links import resolve_links
from publish.model import Chapter, Citation, Document
from publish.parse import parse_book

if TYPE_CHECKING:
    from publish.layout.store import LayoutCache as Store

# The CSL locale of a book's language: its own when shipped (en-GB), else its language's usual one.
LOCALES = {"en": "en-US", "fr": "fr-FR", "de": "de-DE", "es": "es-ES", "ru": "ru-RU"}


def csl_locale(language: str) -> str:
    from publish.bibliography.engine import shipped_locales

    if language in shipped_locales():
        return language
    return LOCALES.get(language.split("-")[0].lower(), "en-US")


def resolve_book(book: Book, format_citations: bool = True,
                 cache: Store | None = None) -> tuple[Document, Diagnostics]:
    """Parse every chapter (those parsed before from `cache`, the build's) and resolve every citation;
    raise ManuscriptError on any error.

    Without `format_citations` (for `publish check`), citations are checked against the bibliography
    and the style is loaded, but nothing is formatted."""
    found = Diagnostics()
    found.extend(book.warnings)
    chapters, citations = parse_book(book, found, cache)
    references = []
    if citations or book.bibliography_paths or book.config.nocite:
        style = style_path(book.config.csl, book.root)
        check_style(style, book.config_path)
        bibliography = load_bibliography(book.bibliography_paths)
        for key in (k for k in book.config.nocite if k != "*" and k not in bibliography.entries):
            found.error(book.config_path, f"nocite: unknown citation key '{key}'")
        locale = csl_locale(book.config.language)
        if format_citations:
            from publish.bibliography.notes import citations_to_notes
            from publish.bibliography.processor import render_citations  # citeproc, only when formatting

            note_numbers = None
            if is_note_style(style):  # every citation a footnote, numbered with the book's notes
                note_numbers = citations_to_notes(chapters, citations)
                citations = sorted(citations, key=lambda c: note_numbers.get(c.id, 0))
            references = render_citations(citations, bibliography, style, locale, found, book.config.nocite,
                                          note_numbers, cache)
        else:
            check_citations(citations, bibliography, style, found)
        found.extend(bibliography.warnings)
    found.raise_if_errors()
    by_id = {c.id: c for c in citations}
    for chapter in chapters:
        _fill_citations(chapter, by_id)
    chapters += _indexes(book, chapters, found)
    document = Document(book.slug, book.config, chapters, citations, references)
    resolve_links(document, {source.path: source.text for source in book.chapters}, found, format_citations)
    place_conventions(document)
    return document, found


def _indexes(book: Book, chapters: list[Chapter], found: Diagnostics) -> list[Chapter]:
    """The book's index chapters, from its marks and its index.yaml (publish/index.py)."""
    from publish.index import index_chapters, load_index_config

    config = load_index_config(book.root)
    if config.path is None and not any(chapter.index_marks for chapter in chapters):
        return []
    marks = {chapter.id: chapter.index_marks for chapter in chapters}
    return index_chapters(chapters, marks, config, book.config.language, page_range_form(book), found)


def page_range_form(book: Book) -> str:
    """The book's page-range form: its citation style's (`chicago`, `minimal-two`, `expanded`)."""
    import re

    style = style_path(book.config.csl, book.root)
    text = style.read_text(encoding="utf-8") if style.is_file() else ""
    found = re.search(r'page-range-format="([^"]+)"', text)
    return found[1] if found else "expanded"


def _fill_citations(chapter: Chapter, by_id: dict[str, Citation]) -> None:
    chapter.body = fill_citation_text(chapter.body, by_id)
    for note in chapter.notes:
        note.html = fill_citation_text(note.html, by_id)


def fill_citation_text(markup: str, by_id: dict[str, Citation]) -> str:
    """Put each citation's rendered text, linked to its first work's entry, into its placeholder."""
    if 'class="citation' not in markup:
        return markup
    root = etree.fromstring(f"<div>{markup}</div>")
    for span in root.iter("span"):
        if span.get("class") == "citation-author" and span.get("data-citation") in by_id:
            span.append(etree.fromstring(f"<span>{by_id[span.attrib.pop('data-citation')].author_html}</span>"))
            continue
        citation = by_id.get(span.get("id", ""))
        if span.get("class") != "citation" or citation is None:
            continue
        link = etree.fromstring(f'<a href="#ref-{citation.keys[0]}" role="doc-biblioref">'
                                f"{citation.html}</a>")
        span.append(link)
        if (span.tail or "").startswith(".") and "".join(link.itertext()).endswith("."):
            span.tail = span.tail[1:]  # the style's full stop ends the sentence: "12." not "12.."
    return (root.text or "") + "".join(etree.tostring(c, encoding="unicode") for c in root)
