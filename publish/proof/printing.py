"""A printing of a book: its manuscript loaded, laid out once by WeasyPrint as the PDF is, and read
back line by line with where each line was written."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from publish.model import Document
from publish.proof.layout import Layout, read_layout
from publish.proof.sources import SourceMap, source_map

LINE_HEIGHT = 1.38  # print.css's html line-height, in ems of the body size


@dataclass
class Printing:
    """One laid-out book: its document, WeasyPrint's layout of it, its lines and their sources."""

    doc: Document
    rendered: Any  # weasyprint.Document
    layout: Layout
    sources: SourceMap

    def pdf(self) -> bytes:
        from publish.render.pdf import write_pdf
        return write_pdf(self.rendered, "default", self.doc.config.language)

    @property
    def spine(self) -> float:
        """The printer's spine width in points (publish.geometry's caliper)."""
        return self.doc.config.print.spine(len(self.layout.pages))


def lay_out(root: Path, shown_as: Path | None = None, gaps: bool = False) -> Printing:
    """The book in `root` laid out; its files are named as if they stood in `shown_as` (an earlier
    revision checked out elsewhere is named as the book it was); `gaps`: every line's word spaces
    measured (for rivers; also when book.yaml asks for rivers). Raises ManuscriptError."""
    from publish import resources
    from publish.book import load_book
    from publish.output import source_date
    from publish.render import pdf
    from publish.resolve import resolve_book

    root = root.resolve()
    book = load_book(root)
    doc, _ = resolve_book(book)
    stamp = source_date(root).strftime("%Y-%m-%dT%H:%M:%SZ")
    rendered = pdf.layout(doc, resources.roots(root, cleaned=True), stamp)  # the SVGs as cleaned at load
    sources = source_map(book, doc, (shown_as or root).resolve())
    layout = read_layout(rendered, doc.config.print.font_size * LINE_HEIGHT, gaps or doc.config.proof.rivers)
    for page in layout.pages:
        page.lines = [replace(line, chapter=sources.note_chapters.get(line.note, line.chapter))
                      if line.kind == "footnote" else line for line in page.lines]
    return Printing(doc, rendered, layout, sources)
