"""The catalogue page: every book of the build with links to its web edition, PDF and EPUB."""

from __future__ import annotations

from publish.model import Document
from publish.render import byline, render_template
from publish.render.html import web_assets


def human_size(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    return f"{max(size // 1000, 1)} kB"


def render_catalogue(docs: list[Document], sizes: dict[str, int], covers: set[str] = frozenset(),
                     title: str = "") -> dict[str, bytes]:
    """`sizes` maps an output path relative to the catalogue (e.g. 'slug.pdf') to its size in bytes;
    `covers` names the cover images (`<slug>-cover.png`, or a book's own `.jpg`) in the output directory;
    `title` is the catalogue's (publish.yaml `catalogue: {title}`, default "Books")."""
    books = []
    for doc in sorted(docs, key=lambda d: d.config.title.lower()):
        links = [{"href": f"{doc.slug}/index.html", "label": "Read online", "size": ""}]
        for fmt, label in (("pdf", "PDF"), ("epub", "EPUB")):
            name = f"{doc.slug}.{fmt}"
            if name in sizes:
                links.append({"href": name, "label": label, "size": human_size(sizes[name])})
        named = [f"{doc.slug}-cover.{ext}" for ext in ("png", "jpg", "jpeg")]
        books.append({"slug": doc.slug, "book": doc.config, "byline": byline(doc), "links": links,
                      "cover": next((name for name in named if name in covers), "")})
    page = render_template("catalogue.html", books=books, stylesheet="assets/web.css", title=title or "Books")
    return {"index.html": page.encode(), **web_assets()}
