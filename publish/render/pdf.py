"""The print edition: the document through the print layout and WeasyPrint to PDF bytes."""

from __future__ import annotations

from pathlib import Path

from publish.model import Document, PageStart
from publish.render import FONTS, STYLES, context, font_face_css, render_template
from publish.render.markup import chapter_body
from publish.render.pagemap import read_page_map


def render_html(doc: Document, timestamp: str) -> str:
    """The HTML that WeasyPrint lays out."""
    bodies = {chapter.id: chapter_body(chapter, "pdf") for chapter in doc.chapters}
    return render_template(
        "pdf/book.html",
        **context(doc, "pdf", bodies=bodies, timestamp=timestamp,
                  font_css=font_face_css(FONTS.as_uri(), "ttf"),
                  stylesheet=(STYLES / "css" / "print.css").as_uri()),
    )


def layout(doc: Document, roots: list[Path], timestamp: str):
    """The print edition laid out once by WeasyPrint; WeasyPrint may read files only inside `roots`.

    Everything that needs the printed pages (the PDF itself, the page map for the EPUB and the web
    edition) is taken from this one layout."""
    from weasyprint import HTML

    from publish.render.fetch import local_fetcher

    html = HTML(string=render_html(doc, timestamp), base_url=str(roots[0]) + "/",
                url_fetcher=local_fetcher(roots + [STYLES]))
    return html.render()


def page_map(laid_out, doc: Document) -> list[PageStart]:
    """Where each printed page of the body and back matter begins, read from the layout."""
    body = doc.chapters_in("body")
    return read_page_map(laid_out, body[0].id) if body else []


def write_pdf(laid_out) -> bytes:
    return laid_out.write_pdf(uncompressed_pdf=False)

