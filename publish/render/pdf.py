"""The print edition: the PDF the layout stage wrote (publish/layout/), and for a printer its cover."""

from __future__ import annotations

from publish.layout.printed import (  # noqa: F401 (the print layout's functions, by their old names)
    PRINT_PROFILES,
    PROFILES,
    add_blank_page,
    book_profile,
    finish,
    finish_document,
    for_printer,
    hyphenation_language,
    layout,
    page_map,
    render_html,
    weasyprint_pdf,
    write_pdf,
)
from publish.model import Document
from publish.render import Edition, Rendered, Renderer


def render(doc: Document, edition: Edition) -> Rendered:
    """The PDF of the book's profile, and for a printer's profile the cover; their manifest facts."""
    laid = edition.layout
    profile, rendered = laid.profile, Rendered()
    assert laid.pdf is not None, "the layout stage writes the PDF when a renderer that prints asks for it"
    pages = laid.page_count + laid.page_count % 2 if for_printer(profile) else laid.page_count
    rendered.files[f"{doc.slug}.pdf"] = laid.pdf
    rendered.facts[f"{doc.slug}.pdf"] = {"profile": profile, "pages": pages,
                                         "variant": PROFILES[profile] or "pdf-1.7", "words": doc.word_count}
    if for_printer(profile):
        from publish.render.printcover import render_print_cover
        name = f"{doc.slug}-cover.pdf"
        rendered.files[name] = render_print_cover(doc, edition.when.strftime("%Y-%m-%dT%H:%M:%SZ"), profile)
        rendered.facts[name] = {"profile": profile, "role": "cover",
                                **({"paper": doc.config.print.paper} if doc.config.print.paper else {})}
    return rendered


RENDERER = Renderer("pdf", render, prints=True)
