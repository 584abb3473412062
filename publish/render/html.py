"""The web edition: a page per chapter (see `publish.render.webpages`) and the whole book on one page
(`all.html`), through the web layouts, with their metadata, stylesheet, script and fonts."""

from __future__ import annotations

import html
import json
import re
from typing import Any

from publish.fonts import SHIPPED, Typeface, font_face_css, published_fonts, shipped_css
from publish.model import Document
from publish.paths import STYLES
from publish.render import Edition, Rendered, Renderer, context, render_template, typefaces
from publish.render.cover import web_covers
from publish.render.markup import chapter_body
from publish.render.webpages import WHOLE, render_pages
from publish.stylesheets import Stylesheet, screen_stylesheets

SCRIPTS = STYLES / "js"

# schema.org properties for our contributor roles (interviewers and interviewees as contributor/author).
SCHEMA_ROLES = {"author": "author", "interviewee": "author", "editor": "editor", "translator": "translator",
                "interviewer": "contributor"}
TAGS = re.compile(r"<[^>]+>")
BIBLIOREF = re.compile(r'<a href="#([^"]+)" role="doc-biblioref">')


def render_web(doc: Document, downloads: tuple[str, ...] = ("pdf", "epub"),
               store: Any = None) -> dict[str, bytes]:
    """The files of the web edition, by path relative to the book's web directory; its pages link to
    the `downloads` (the formats built beside it); `store`, the build's cache, keeps its covers."""
    tips = reference_tips(doc)

    def bodies(shift: int) -> dict[str, str]:
        return {chapter.id: with_reference_tips(chapter_body(chapter, "html", doc.page_map, shift), tips)
                for chapter in doc.chapters}

    common = {"canonical": canonical_url(doc), "json_ld": json_ld(doc), "downloads": downloads}
    whole = render_template("html/book.html", doc.config.layouts, **context(doc, "html", bodies=bodies(1), **common))
    pages = render_pages(doc, context(doc, "html", bodies=bodies(0), **common))
    images = {name: path.read_bytes() for name, path in doc.images.items()}
    assets = web_assets(typefaces(doc), doc.config.css.get("web", []))
    return {**pages, WHOLE: whole.encode(), **assets, **images, **web_covers(doc, store)}


def canonical_url(doc: Document) -> str:
    """The web edition's address when the book names a base_url, else ''."""
    base = doc.config.base_url
    return f"{base.rstrip('/')}/{doc.slug}/" if base else ""


def reference_tips(doc: Document) -> dict[str, str]:
    """By reference anchor id, the reference's plain text (for a citation's tooltip)."""
    return {ref.id: " ".join(html.unescape(TAGS.sub("", ref.html)).split()) for ref in doc.references}


def with_reference_tips(markup: str, tips: dict[str, str]) -> str:
    """Each citation link carries its reference as a title, shown on hover and (by the CSS) on focus."""
    def add(match: re.Match[str]) -> str:
        tip = tips.get(match.group(1))
        if not tip:
            return match.group(0)
        return f'<a href="#{match.group(1)}" role="doc-biblioref" title="{html.escape(tip)}">'
    return BIBLIOREF.sub(add, markup)


def json_ld(doc: Document) -> str:
    """The schema.org Book description, safe inside a <script> element (<, > and & escaped)."""
    config = doc.config
    data: dict[str, object] = {"@context": "https://schema.org", "@type": "Book", "name": config.title,
                               "inLanguage": config.language, "bookEdition": config.version}
    if config.subtitle:
        data["alternativeHeadline"] = config.subtitle
    for contributor in config.author:
        prop = SCHEMA_ROLES.get(contributor.role, "contributor")
        people = data.setdefault(prop, [])
        assert isinstance(people, list)
        people.append({"@type": "Person", "name": contributor.name})
    data.update(_identified(config.identifier.main))
    for key, prop in (("description", "description"), ("date", "datePublished"), ("rights", "copyrightNotice")):
        if getattr(config, key):
            data[prop] = getattr(config, key)
    if config.publisher:
        data["publisher"] = {"@type": "Organization", "name": config.publisher}
    if config.subjects:
        data["keywords"] = ", ".join(config.subjects)
    url = canonical_url(doc)
    if url:
        data["url"] = url
    epub_identifier = {} if config.identifier.shared else _identified(config.identifier.epub)
    data["workExample"] = [
        {"@type": "Book", "bookFormat": "https://schema.org/EBook", "name": f"{config.title} (EPUB)",
         **epub_identifier,
         "encoding": {"@type": "MediaObject", "encodingFormat": "application/epub+zip",
                      "contentUrl": _download(doc, "epub")}},
        {"@type": "Book", "bookFormat": "https://schema.org/EBook", "name": f"{config.title} (PDF)",
         "encoding": {"@type": "MediaObject", "encodingFormat": "application/pdf",
                      "contentUrl": _download(doc, "pdf")}},
    ]
    text = json.dumps(data, ensure_ascii=False, indent=1)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def _identified(identifier: str) -> dict[str, str]:
    """schema.org's identifier, and isbn for an ISBN."""
    if not identifier:
        return {}
    return {"identifier": identifier, **({"isbn": identifier[5:]} if identifier.startswith("isbn:") else {})}


def _download(doc: Document, fmt: str) -> str:
    base = doc.config.base_url
    return f"{base.rstrip('/')}/{doc.slug}.{fmt}" if base else f"../{doc.slug}.{fmt}"


def web_assets(faces: list[Typeface] | None = None, sheets: list[Stylesheet] | None = None) -> dict[str, bytes]:
    """The stylesheet, script and fonts a web page links to, under `assets/` (the shipped CSS in the first of
    `faces`, the text's, with every face's @font-face rules; then a book's own stylesheets), and the
    files those name."""
    faces = faces or [SHIPPED]
    own, copies = screen_stylesheets(sheets or [])
    css = "\n".join(font_face_css(face, "fonts") for face in faces) + "\n" + shipped_css("web", faces[0])
    files = {"assets/web.css": (css + (own and "\n" + own)).encode(), "assets/web.js": (SCRIPTS / "web.js").read_bytes()}
    for face in faces:
        for name, path in published_fonts(face).items():
            files[f"assets/fonts/{name}"] = path.read_bytes()
    return files | {name: path.read_bytes() for name, path in copies.items()}


def render(doc: Document, edition: Edition) -> Rendered:
    """The web edition (the Renderer interface), in the book's directory of the output."""
    downloads = tuple(fmt for fmt in ("pdf", "epub") if fmt in edition.formats)
    files = {f"{doc.slug}/{name}": data for name, data in render_web(doc, downloads, edition.cache).items()}
    return Rendered(files, {f"{doc.slug}/{WHOLE}": {"words": doc.word_count}})


RENDERER = Renderer("html", render, catalogued=True)
