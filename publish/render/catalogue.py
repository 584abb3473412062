"""The catalogue page: every book of the build with its cover and links to its web edition, PDF and EPUB."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from publish.model import Document
from publish.render import byline, render_template
from publish.render.cover import WEB_WIDTHS
from publish.render.html import web_assets


@dataclass(frozen=True)
class Listing:
    """One book as the catalogue and its feeds list it: its document, its files in the output directory
    (path -> size in bytes), the number of pages of its PDF, and the date of its source (the date its
    outputs are stamped with)."""

    doc: Document
    files: dict[str, int]
    pages: int
    updated: datetime.datetime

    @property
    def slug(self) -> str:
        return self.doc.slug

    def has(self, name: str) -> bool:
        return name in self.files

    @property
    def cover(self) -> str:
        """The book's whole cover, relative to the catalogue ('' if it has none)."""
        return next((name for name in sorted(self.files) if name.startswith(f"{self.slug}/cover.")), "")

    def thumbnail(self, width: int) -> str:
        name = f"{self.slug}/cover-{width}.jpg"
        return name if self.has(name) else ""


def human_size(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    return f"{max(size // 1000, 1)} kB"


def by_title(listings: list[Listing]) -> list[Listing]:
    return sorted(listings, key=lambda listing: listing.doc.config.title.lower())


def render_catalogue(listings: list[Listing], title: str = "") -> dict[str, bytes]:
    """The catalogue page and its stylesheet and fonts, by path relative to the output directory;
    `title` is the catalogue's (publish.yaml `catalogue: {title}`, default "Books")."""
    books = []
    for listing in by_title(listings):
        doc = listing.doc
        links = [{"href": f"{doc.slug}/index.html", "label": "Read online", "size": ""}]
        for fmt, label in (("pdf", "PDF"), ("epub", "EPUB")):
            name = f"{doc.slug}.{fmt}"
            if listing.has(name):
                links.append({"href": name, "label": label, "size": human_size(listing.files[name])})
        thumbnails = [(listing.thumbnail(width), width) for width in WEB_WIDTHS if listing.thumbnail(width)]
        cover = {"src": thumbnails[0][0], "srcset": ", ".join(f"{name} {width}w" for name, width in thumbnails),
                 "width": thumbnails[0][1], "height": thumbnails[0][1] * 3 // 2} if thumbnails else None
        books.append({"slug": doc.slug, "book": doc.config, "byline": byline(doc), "links": links,
                      "cover": cover})
    page = render_template("catalogue.html", books=books, stylesheet="assets/web.css", title=title or "Books")
    return {"index.html": page.encode(), **web_assets()}
