"""The print edition: the document through the print layout and WeasyPrint to PDF bytes."""

from __future__ import annotations

from pathlib import Path

from publish.model import Document
from publish.render import FONTS, STYLES, context, font_face_css, render_template
from publish.render.markup import chapter_body


def render_html(doc: Document, timestamp: str) -> str:
    """The HTML that WeasyPrint lays out."""
    bodies = {chapter.id: chapter_body(chapter, "pdf") for chapter in doc.chapters}
    return render_template(
        "pdf/book.html",
        **context(doc, "pdf", bodies=bodies, timestamp=timestamp,
                  font_css=font_face_css(FONTS.as_uri(), "ttf"),
                  stylesheet=(STYLES / "css" / "print.css").as_uri()),
    )


def render_pdf(doc: Document, roots: list[Path], timestamp: str) -> bytes:
    """PDF bytes of the print edition; WeasyPrint may read files only inside `roots`."""
    from weasyprint import HTML

    from publish.render.fetch import local_fetcher

    html = HTML(string=render_html(doc, timestamp), base_url=str(roots[0]) + "/",
                url_fetcher=local_fetcher(roots + [STYLES]))
    return html.write_pdf(uncompressed_pdf=False)
