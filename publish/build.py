"""The pipeline: load -> parse -> resolve -> render each format -> write atomically. Nothing format-specific."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path

from publish.book import load_book
from publish.diagnostics import Diagnostics, ManuscriptError
from publish.model import Document
from publish.output import reproducible_zip, source_date, write_atomic, write_tree
from publish.resolve import resolve_book

FORMATS = ("pdf", "epub", "html")
PROJECT = Path(__file__).resolve().parent.parent


@dataclass
class BookBuild:
    """What building one book produced: its document, its files (relative to the output directory)."""

    root: Path
    document: Document | None = None
    files: dict[str, bytes] = field(default_factory=dict)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)

    @property
    def ok(self) -> bool:
        return self.document is not None and not self.diagnostics.errors


def find_books(manuscripts: Path) -> list[Path]:
    """Every directory under `manuscripts` that holds a book.yaml, in name order."""
    return sorted(p.parent for p in manuscripts.glob("*/book.yaml"))


def load_document(root: Path) -> tuple[Document, Diagnostics]:
    """Load, parse and resolve one book; raises ManuscriptError."""
    book = load_book(root)
    return resolve_book(book)


def render_book(doc: Document, root: Path, formats: tuple[str, ...], when: datetime.datetime) -> dict[str, bytes]:
    """Every requested output of one book, in memory, by path relative to the output directory."""
    from publish.render import pdf

    files: dict[str, bytes] = {}
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    # The print layout, made once: the PDF is written from it, and the EPUB and the web edition take
    # their print page numbers from it.
    laid_out = pdf.layout(doc, [root, root.parent], stamp)
    doc.page_map = pdf.page_map(laid_out, doc)
    if "pdf" in formats:
        files[f"{doc.slug}.pdf"] = pdf.write_pdf(laid_out)
    if "epub" in formats:
        from publish.render.epub import render_epub
        files[f"{doc.slug}.epub"] = reproducible_zip(render_epub(doc, when), when)
    if "html" in formats:
        from publish.render.html import render_web
        files.update({f"{doc.slug}/{name}": data for name, data in render_web(doc).items()})
    return files


def build_book(root: Path, formats: tuple[str, ...]) -> BookBuild:
    """Build one book in memory; a manuscript error leaves `files` empty."""
    result = BookBuild(root)
    try:
        result.document, found = load_document(root)
        result.diagnostics.extend(found)
        result.files = render_book(result.document, root.resolve(), formats, source_date(root))
    except ManuscriptError as error:
        result.diagnostics.extend(error.diagnostics)
        result.document = None
    return result


def write_book(result: BookBuild, out: Path) -> None:
    """Write a book's outputs, each atomically; the EPUB and PDF are single files, the web edition a tree."""
    for name, data in sorted(result.files.items()):
        write_atomic(out / name, data)


def write_catalogue(results: list[BookBuild], out: Path) -> None:
    from publish.render.catalogue import render_catalogue

    docs = [r.document for r in results if r.ok and r.document is not None]
    if not docs:
        return
    sizes = {name: (out / name).stat().st_size for name in
             [f"{d.slug}.{fmt}" for d in docs for fmt in ("pdf", "epub")] if (out / name).is_file()}
    write_tree(out, render_catalogue(docs, sizes))
