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


def render_print_cover(doc: Document, timestamp: str, profile: str = "printer") -> bytes:
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
    extras = printer_cover(profile, doc.page_count)
    html = render_template(
        "print/cover.html", doc.config.layouts, book=doc.config, byline=byline(doc), timestamp=timestamp,
        barcode=barcode, spine_text=sizes["spine"] >= SPINE_TEXT_MIN and extras.pop("spine_pages_ok", True),
        ground=ground, ink=ink, accent=accent,
        font_css=Markup(font_face_css(typeface)), font_family=typeface.family,
        cover_image=image.as_uri() if image else "", cover_alt=cover_alt(doc),
        **{name: f"{value:.3f}pt" for name, value in sizes.items()},
        spine_font=f"{min(sizes['spine'] * 0.5, 11):.2f}pt", **extras,
    )
    from publish.layout.printed import PROFILES, finish

    readable = [STYLES] + [face.print_file for face in typeface.faces] + ([image] if image else [])
    data = HTML(string=html, base_url=str(STYLES) + "/", url_fetcher=local_fetcher(readable)).write_pdf(
        pdf_variant=PROFILES.get(profile))
    return finish(data, doc.config.language, profile=profile, cover=True)


def printer_cover(profile: str, pages: int) -> dict[str, object]:
    """What a printer's own profile changes on the cover: its marks, spine text only from the printer's
    page count (publish/preflight/printers.py), and where the barcode sits."""
    from publish.preflight.printers import PRINTERS
    from publish.render.printready import FINISHES

    if profile not in PRINTERS:
        return {}
    # The barcode lower, inside the printers' barcode area (2 × 1.2 in, 1/4 in from the spine and foot).
    return {"marks": FINISHES[profile].marks, "spine_pages_ok": pages >= PRINTERS[profile].spine_text_pages,
            "barcode_bottom": "7mm"}
