"""The web edition in pages: the title page with the contents (`index.html`), one page per chapter of
the front, body and back matter, one for the References and one per index, each with the contents sidebar,
previous/next links and the search box; every `#id` link pointed at the page that holds its target."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from publish.model import Chapter, Document
from publish.render.markup import link_across_files

NOT_NAME = re.compile(r"[^A-Za-z0-9._-]+")
# File names the web edition's directory holds besides its pages.
RESERVED = {"index", "all", "assets", "pagefind"}
ENTRY = "index.html"
WHOLE = "all.html"


@dataclass(frozen=True)
class WebPage:
    """One page of the web edition: its file name, the id of the part it shows (a chapter's id,
    `references`, or `title-page` for the entry page), its title as text and as markup, and its
    second-level headings (id, markup) for the sidebar."""

    name: str
    part: str
    title: str
    title_html: str
    headings: list[tuple[str, str]] = field(default_factory=list)


def page_name(part: str, taken: set[str]) -> str:
    """The file name of a part's page: its id, unless that names another file of the edition."""
    stem = NOT_NAME.sub("-", part).strip("-.") or "part"
    if stem in RESERVED:
        stem += "-page"
    name, n = f"{stem}.html", 1
    while name in taken:
        n += 1
        name = f"{stem}-{n}.html"
    taken.add(name)
    return name


def web_pages(doc: Document) -> list[WebPage]:
    """The pages in reading order: the entry page, each chapter, the References, the indexes."""
    taken = {ENTRY, WHOLE}
    pages = [WebPage(ENTRY, "title-page", doc.config.title, html.escape(doc.config.title))]

    def chapter_page(chapter: Chapter) -> WebPage:
        return WebPage(page_name(chapter.id, taken), chapter.id, chapter.title.text, chapter.title.html,
                       [(h.id, h.html) for h in chapter.headings if h.level == 2])
    pages += [chapter_page(c) for c in doc.chapters if c.index is None]
    if doc.references:
        pages.append(WebPage(page_name("references", taken), "references", doc.references_title,
                             html.escape(doc.references_title)))
    return pages + [chapter_page(c) for c in doc.indexes]


def neighbours(pages: list[WebPage], n: int) -> tuple[WebPage | None, WebPage | None]:
    """The pages before and after the n-th, in reading order."""
    return (pages[n - 1] if n > 0 else None), (pages[n + 1] if n + 1 < len(pages) else None)


def render_pages(doc: Document, values: dict[str, object], search_bundle: str = "../pagefind/") -> dict[str, bytes]:
    """Each page of the web edition through the `html/page.html` layout; `values` are the layout's
    context (see `publish.render.context`, with the chapters' `bodies`); `search_bundle` is where the
    search index lies, relative to the pages."""
    from publish.render import render_template

    pages = web_pages(doc)
    files: dict[str, str] = {}
    for n, page in enumerate(pages):
        before, after = neighbours(pages, n)
        chapter = next((c for c in doc.chapters if c.id == page.part), None)
        files[page.name] = render_template("html/page.html", doc.config.layouts, **{
            **values, "web_pages": pages, "web_page": page, "chapter": chapter,
            "body": values["bodies"][chapter.id] if chapter else "",  # type: ignore[index]
            "page_title": "" if page.name == ENTRY else page.title, "rel_prev": before, "rel_next": after,
            "search_bundle": search_bundle, "json_ld": values["json_ld"] if page.name == ENTRY else ""})
    link_across_files(files, {page.name: page.part for page in pages})
    return {name: markup.encode() for name, markup in files.items()}
