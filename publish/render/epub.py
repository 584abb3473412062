"""The EPUB 3 edition: one XHTML document per part through the layouts, packaged by EbookLib."""

from __future__ import annotations

import datetime
import io
import re
from typing import Any

from ebooklib import epub

from publish.fonts import shipped_css
from publish.model import Chapter, Document
from publish.render import Edition, Rendered, Renderer, context, render_template, typefaces
from publish.render.cover import cover_alt, cover_image
from publish.render.fonts import embed, face_rules, licence_files, text_characters
from publish.render.markup import chapter_body, link_across_files
from publish.resources import IMAGE_TYPES
from publish.stylesheets import RESOURCE_TYPES, screen_stylesheets

MARC_ROLES = {"author": "aut", "editor": "edt", "interviewer": "ivr", "interviewee": "ive",
              "translator": "trl"}
NOT_NAME = re.compile(r"[^A-Za-z0-9._-]")


class _Writer(epub.EpubWriter):
    """EbookLib's writer with our own navigation document in place of its generated one, and the
    package's language declared (EbookLib leaves xml:lang off the package element)."""

    def __init__(self, target, book, nav: bytes, options: dict, language: str) -> None:
        super().__init__(target, book, options)
        self.nav = nav
        self.language = language

    def _get_nav(self, item) -> bytes:
        return self.nav

    def _write_opf_file(self, root) -> None:
        root.set("{http://www.w3.org/XML/1998/namespace}lang", self.language)
        super()._write_opf_file(root)


def render_epub(doc: Document, modified: datetime.datetime, store: Any = None) -> bytes:
    """The EPUB as zip bytes (entry order and times are fixed later by the writer stage); `store`, the
    build's cache, keeps its generated cover."""
    cover_name, cover_type, cover_data = cover_image(doc, store)
    pages = _pages(doc, cover_name)
    files = {name: xhtml for name, _, xhtml in pages}
    link_across_files(files)
    nav = render_template("epub/nav.xhtml", doc.config.layouts,
                          **context(doc, "epub", toc=_toc(doc), landmarks=_landmarks(doc), page_list=_page_list(doc)))
    book = epub.EpubBook()
    _metadata(book, doc)
    _stylesheet(book, doc, [*files.values(), nav])
    cover = epub.EpubItem("cover-image", cover_name, cover_type, cover_data)
    cover.properties = ["cover-image"]
    book.add_item(cover)
    book.add_metadata(None, "meta", "", {"name": "cover", "content": "cover-image"})
    for n, (name, path) in enumerate(sorted(doc.images.items()), 1):
        book.add_item(epub.EpubItem(f"image-{n}", name, IMAGE_TYPES[path.suffix.lower()], path.read_bytes()))
    items = {}
    for name, title, _ in pages:
        item = epub.EpubItem(_item_id(name), name, "application/xhtml+xml",
                             files[name].encode())
        items[name] = item
        book.add_item(item)
    nav_item = epub.EpubNav(file_name="nav.xhtml")
    book.add_item(nav_item)
    book.add_item(epub.EpubNcx())
    book.toc = [epub.Link(name, title, _item_id(name)) for name, title, _ in pages]
    # Cover, title page, copyright page, then the contents, then the text.
    book.spine = [items[n] for n, _, _ in pages[:3]] + [nav_item] + [items[n] for n, _, _ in pages[3:]]
    target = io.BytesIO()
    writer = _Writer(target, book, nav.encode(), {**epub.EpubWriter.DEFAULT_OPTIONS, "mtime": modified,
                                                        "compresslevel": 0},
                     doc.config.language)
    writer.process()
    writer.write()
    return target.getvalue()


def _item_id(file_name: str) -> str:
    """A manifest id (an XML name: it may not start with a digit) for a content document."""
    return "doc-" + file_name.removesuffix(".xhtml")


def _stylesheet(book: epub.EpubBook, doc: Document, documents: list[str]) -> None:
    """The EPUB's stylesheet (the faces' @font-face rules, the shipped CSS, then the book's own), the
    fonts as `epub: {fonts}` says (subset to the characters of `documents` by default) with their
    licences, and the files the book's stylesheets name."""
    faces = typefaces(doc)  # the book face, and the code face when the book holds code
    own, copies = screen_stylesheets(doc.config.css.get("epub", []))
    shipped = shipped_css("epub", faces[0])
    fonts = embed(faces, doc.config.epub.fonts, text_characters(documents, shipped + own))
    css = face_rules(fonts, "../fonts") + "\n" + shipped + (own and "\n" + own)
    book.add_item(epub.EpubItem("css", "css/epub.css", "text/css", css.encode()))
    for font in fonts:
        book.add_item(epub.EpubItem(f"font-{NOT_NAME.sub('-', font.name.rsplit('.', 1)[0])}", f"fonts/{font.name}",
                                    font.media_type, font.data))
    for n, (name, data) in enumerate(sorted(licence_files(fonts).items()), 1):
        book.add_item(epub.EpubItem(f"font-licence-{n}", f"fonts/{name}", "text/plain", data))
    copies = {name: path for name, path in copies.items() if name not in doc.images}  # an image of the text too
    for n, (name, path) in enumerate(sorted(copies.items()), 1):
        book.add_item(epub.EpubItem(f"style-file-{n}", name, RESOURCE_TYPES[path.suffix.lower()],
                                    path.read_bytes()))


def _pages(doc: Document, cover_name: str) -> list[tuple[str, str, str]]:
    """(file name, title, XHTML) for each document of the EPUB, in reading order."""
    embedded = doc.config.epub.fonts != "none"  # else the reading system's fonts: the colophon names none

    def page(part: str, title: str, **values: object) -> str:
        return render_template("epub/page.xhtml", doc.config.layouts,
                               **context(doc, "epub", part=part, page_title=title, body_type=None, **values,
                                         **({} if embedded else {"font_name": ""})))

    pages = [("cover.xhtml", "Cover", page("cover", doc.config.title, cover_image=cover_name,
                                           cover_alt=cover_alt(doc))),
             ("titlepage.xhtml", "Title page", page("titlepage", doc.config.title)),
             ("copyright.xhtml", "Copyright", page("copyright", "Copyright"))]
    def chapter(chapter: Chapter) -> tuple[str, str, str]:
        body = chapter_body(chapter, "epub", doc.page_map)
        return f"{chapter.id}.xhtml", chapter.title.text, page("chapter", chapter.title.text, chapter=chapter,
                                                               body=body)
    pages += [chapter(c) for c in doc.chapters if c.index is None]
    if doc.references:
        pages.append(("references.xhtml", doc.references_title, page("references", doc.references_title)))
    return pages + [chapter(c) for c in doc.indexes]


def _toc(doc: Document) -> list[dict[str, object]]:
    toc = [{"href": "titlepage.xhtml", "html": "Title page", "children": []}]
    for chapter in doc.chapters:
        name = f"{chapter.id}.xhtml"
        toc.append({"href": name, "html": chapter.title.html, "children": [
            {"href": f"{name}#{h.id}", "html": h.html} for h in chapter.headings if h.level == 2]})
    if doc.references:
        at = len(toc) - len(doc.indexes)
        toc.insert(at, {"href": "references.xhtml", "html": doc.references_title, "children": []})
    return toc


def _page_list(doc: Document) -> list[dict[str, str]]:
    """The print edition's pages, each linked to its marker."""
    files = {chapter.id: f"{chapter.id}.xhtml" for chapter in doc.chapters} | {
        "references": "references.xhtml", "title-page": "titlepage.xhtml", "copyright": "copyright.xhtml"}
    return [{"href": f"{files[s.chapter]}#page-{s.label}", "label": s.label} for s in doc.page_map]


def _landmarks(doc: Document) -> list[dict[str, str]]:
    marks = [{"type": "cover", "href": "cover.xhtml", "title": "Cover"},
             {"type": "titlepage", "href": "titlepage.xhtml", "title": "Title page"},
             {"type": "toc", "href": "nav.xhtml#toc", "title": "Contents"}]
    body = doc.chapters_in("body")
    if body:
        marks.append({"type": "bodymatter", "href": f"{body[0].id}.xhtml", "title": "Start of content"})
    if doc.references:
        marks.append({"type": "bibliography", "href": "references.xhtml", "title": doc.references_title})
    return marks


def _metadata(book: epub.EpubBook, doc: Document) -> None:
    config = doc.config
    _accessibility(book, doc)
    book.set_identifier(config.identifier.epub or f"urn:publish:{doc.slug}")
    book.set_title(config.title)
    book.set_language(config.language)
    if config.subtitle:
        book.add_metadata("DC", "title", config.subtitle, {"id": "subtitle"})
        book.add_metadata(None, "meta", "subtitle", {"refines": "#subtitle", "property": "title-type"})
    for n, person in enumerate(config.author, 1):
        book.add_author(person.name, role=MARC_ROLES[person.role], uid=f"creator{n}")
    for field, value in (("publisher", config.publisher), ("rights", config.rights),
                         ("description", config.description), ("source", config.source),
                         ("date", config.date)):
        if value:
            book.add_metadata("DC", field, value)
    for subject in config.subjects:
        book.add_metadata("DC", "subject", subject)


def _accessibility(book: epub.EpubBook, doc: Document) -> None:
    """EPUB Accessibility 1.1 metadata: how the book can be read, what it offers, what it conforms to."""
    features = ["structuralNavigation", "tableOfContents", "readingOrder", "alternativeText",
                "displayTransformability"]
    if doc.page_map:
        features += ["printPageNumbers", "pageBreakMarkers", "pageNavigation"]
    for name, values in (("accessMode", ["textual", "visual"]), ("accessModeSufficient", ["textual"]),
                         ("accessibilityFeature", features), ("accessibilityHazard", ["none"])):
        for value in values:
            book.add_metadata(None, "meta", value, {"property": f"schema:{name}"})
    book.add_metadata(None, "meta", accessibility_summary(doc), {"property": "schema:accessibilitySummary"})
    book.add_metadata(None, "meta", "EPUB Accessibility 1.1 - WCAG 2.1 Level AA",
                      {"property": "dcterms:conformsTo"})
    if doc.page_map:
        source = f"{doc.config.title}, print edition {doc.config.version} (PDF, publish)"
        book.add_metadata(None, "meta", source, {"property": "pageBreakSource"})


def accessibility_summary(doc: Document) -> str:
    """The EPUB's accessibility in a sentence or two, as its package and the ONIX feed give it."""
    summary = ("This publication meets WCAG 2.1 Level AA. Its text is structured with headings, a table "
               "of contents and landmarks; notes are linked both ways; the only image, the cover, has a "
               "text alternative")
    if doc.page_map or doc.chapters_in("body"):  # (a document loaded again has no page map)
        summary += "; page-break markers and a page list give the pages of the print edition"
    return summary + "."


def render(doc: Document, edition: Edition) -> Rendered:
    """The EPUB (the Renderer interface), zipped reproducibly with the build's date."""
    from publish.output import reproducible_zip
    from publish.render.fonts import SUBSETS

    name = f"{doc.slug}.epub"
    kept = SUBSETS.set(edition.cache)  # the font subsets, from and into the build's cache
    try:
        data = reproducible_zip(render_epub(doc, edition.when, edition.cache), edition.when)
    finally:
        SUBSETS.reset(kept)
    return Rendered({name: data}, {name: {"words": doc.word_count}})


RENDERER = Renderer("epub", render)
