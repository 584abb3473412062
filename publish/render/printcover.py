"""The printer's cover: back, spine and front on one sheet with bleed and crop marks, sized from the
book's trim, its page count and the paper's caliper (see `publish.geometry`). The back carries the blurb
(`description`) and, for an ISBN, its EAN-13 barcode; the spine its title and author when it is wide
enough to hold them. A book's own cover image fills the front panel and its bleed."""

from __future__ import annotations

from markupsafe import Markup

from publish.fonts import body_typeface, font_face_css
from publish.geometry import MM
from publish.model import Document
from publish.render import STYLES, byline, render_template
from publish.render.cover import cover_alt, palette

SPINE_TEXT_MIN = 6 * MM  # narrower spines carry no text (printers' usual limit: about 1/4 in)


def cover_geometry(doc: Document) -> dict[str, float]:
    """Sizes in points: trim width and height, spine, bleed, and the whole sheet."""
    settings = doc.config.print
    width, height = settings.cover_size(doc.page_count)
    spine = settings.spine(doc.page_count)
    return {"trim_width": settings.width, "trim_height": settings.height, "spine": spine,
            "bleed": settings.bleed, "page_width": 2 * settings.width + spine,
            "front_left": settings.width + spine, "sheet_width": width,
            "sheet_height": height}


def render_print_cover(doc: Document, timestamp: str) -> bytes:
    """The cover PDF; WeasyPrint reads nothing but the book's fonts and cover image."""
    from weasyprint import HTML

    from publish.render.fetch import local_fetcher

    sizes = cover_geometry(doc)
    typeface = body_typeface(doc.config.fonts)
    barcode = ""
    identifier = doc.config.identifier.print
    if identifier.startswith("isbn:"):
        from publish.render.barcode import ean13_svg
        barcode = Markup(ean13_svg(identifier[5:], font_family=typeface.family))
    ground, ink, accent = (f"rgb{colour}" for colour in palette(doc))
    image = doc.config.cover
    html = render_template(
        "print/cover.html", doc.config.layouts, book=doc.config, byline=byline(doc), timestamp=timestamp,
        barcode=barcode, spine_text=sizes["spine"] >= SPINE_TEXT_MIN, ground=ground, ink=ink, accent=accent,
        font_css=Markup(font_face_css(typeface)), font_family=typeface.family,
        cover_image=image.as_uri() if image else "", cover_alt=cover_alt(doc),
        **{name: f"{value:.3f}pt" for name, value in sizes.items()},
        spine_font=f"{min(sizes['spine'] * 0.5, 11):.2f}pt",
    )
    from publish.render.pdf import finish

    readable = [STYLES] + [face.print_file for face in typeface.faces] + ([image] if image else [])
    data = HTML(string=html, base_url=str(STYLES) + "/", url_fetcher=local_fetcher(readable)).write_pdf()
    return finish(data, doc.config.language)
