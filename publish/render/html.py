"""The web edition: one page per book through the web layout, with its stylesheet and fonts."""

from __future__ import annotations

from publish.model import Document
from publish.render import FONT_FACES, FONTS, STYLES, context, font_face_css, render_template
from publish.render.markup import chapter_body


def render_web(doc: Document) -> dict[str, bytes]:
    """The files of the web edition, by path relative to the book's web directory."""
    bodies = {chapter.id: chapter_body(chapter, "html", doc.page_map) for chapter in doc.chapters}
    page = render_template("html/book.html", **context(doc, "html", bodies=bodies))
    images = {name: path.read_bytes() for name, path in doc.images.items()}
    return {"index.html": page.encode(), **web_assets(), **images}


def web_assets() -> dict[str, bytes]:
    """The stylesheet and fonts a web page links to, under `assets/`."""
    css = font_face_css("fonts", "woff2") + "\n" + (STYLES / "css" / "web.css").read_text("utf-8")
    files = {"assets/web.css": css.encode()}
    for stem, _, _ in FONT_FACES:
        files[f"assets/fonts/{stem}.woff2"] = (FONTS / f"{stem}.woff2").read_bytes()
    return files
