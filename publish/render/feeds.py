"""The catalogue's feeds: an OPDS 1.2 acquisition feed (`opds.xml`), which e-reader apps (KOReader,
Thorium, Calibre) browse and download from, and an Atom feed of releases (`releases.xml`). Every date
is a book's source date, so the same books give the same bytes."""

from __future__ import annotations

import datetime
import uuid

from lxml import etree

from publish import __version__
from publish.book import BookConfig
from publish.render.catalogue import Listing, by_title
from publish.render.cover import WEB_WIDTHS

ATOM = "http://www.w3.org/2005/Atom"
DCTERMS = "http://purl.org/dc/terms/"
OPDS = "http://opds-spec.org/2010/catalog"
ACQUISITION = "http://opds-spec.org/acquisition"
OPDS_FEED = "application/atom+xml;profile=opds-catalog;kind=acquisition"
MEDIA_TYPES = {"epub": "application/epub+zip", "pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg"}
AUTHOR_ROLES = ("author", "interviewee")  # the others (editor, interviewer, translator) are contributors


def render_feeds(listings: list[Listing]) -> dict[str, bytes]:
    """The feeds, by path relative to the output directory (where the catalogue page is)."""
    return {"opds.xml": opds_feed(listings), "releases.xml": releases_feed(listings)}


def book_urn(config: BookConfig, slug: str) -> str:
    """The book's identifier as a URN: `urn:isbn:…`, `urn:uuid:…`, or one made from its slug."""
    identifier = config.identifier.main  # the print edition's where each format has its own
    if identifier.startswith("isbn:"):
        return "urn:isbn:" + identifier[5:].replace("-", "")
    return identifier or f"urn:publish:{slug}"


def atom_date(when: datetime.datetime) -> str:
    return when.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def opds_feed(listings: list[Listing]) -> bytes:
    """An OPDS 1.2 acquisition feed: one entry per book, with its metadata, its EPUB and PDF as
    acquisition links, its cover and thumbnail, and its web edition."""
    feed = _feed("opds", "Books", listings, {None: ATOM, "dc": DCTERMS, "opds": OPDS})
    _link(feed, "self", "opds.xml", OPDS_FEED)
    _link(feed, "start", "opds.xml", OPDS_FEED)
    for listing in by_title(listings):
        entry = _entry(feed, listing, book_urn(listing.doc.config, listing.slug))
        config = listing.doc.config
        _text(entry, f"{{{DCTERMS}}}identifier", book_urn(config, listing.slug))
        _text(entry, f"{{{DCTERMS}}}language", config.language)
        if config.date:
            _text(entry, f"{{{DCTERMS}}}issued", config.date)
        if config.publisher:
            _text(entry, f"{{{DCTERMS}}}publisher", config.publisher)
        if config.source:
            _text(entry, f"{{{DCTERMS}}}source", config.source)
        for subject in config.subjects:
            etree.SubElement(entry, f"{{{ATOM}}}category", term=subject, label=subject)
        if config.rights:
            _text(entry, f"{{{ATOM}}}rights", " ".join(config.rights.split()))
        if listing.cover:
            _link(entry, "http://opds-spec.org/image", listing.cover, _media_type(listing.cover))
        thumbnail = listing.thumbnail(WEB_WIDTHS[-1])
        if thumbnail:
            _link(entry, "http://opds-spec.org/image/thumbnail", thumbnail, "image/jpeg")
        for fmt in ("epub", "pdf"):
            name = f"{listing.slug}.{fmt}"
            if listing.has(name):
                _link(entry, ACQUISITION, name, MEDIA_TYPES[fmt], length=listing.files[name])
        if listing.has(f"{listing.slug}/index.html"):
            _link(entry, "alternate", f"{listing.slug}/index.html", "text/html")
    return _serialise(feed)


def releases_feed(listings: list[Listing]) -> bytes:
    """An Atom feed of the books' editions, the newest first: the version, the blurb, the web edition
    and the files to download."""
    feed = _feed("releases", "New releases", listings, {None: ATOM})
    _link(feed, "self", "releases.xml", "application/atom+xml")
    _link(feed, "alternate", "index.html", "text/html")
    newest = sorted(by_title(listings), key=lambda listing: listing.updated, reverse=True)
    for listing in newest:
        config = listing.doc.config
        entry = _entry(feed, listing, f"{book_urn(config, listing.slug)}#edition-{config.version}",
                       title=f"{config.title}, edition {config.version}")
        if listing.has(f"{listing.slug}/index.html"):
            _link(entry, "alternate", f"{listing.slug}/index.html", "text/html")
        for fmt in ("epub", "pdf"):
            name = f"{listing.slug}.{fmt}"
            if listing.has(name):
                _link(entry, "enclosure", name, MEDIA_TYPES[fmt], length=listing.files[name])
    return _serialise(feed)


def _feed(kind: str, title: str, listings: list[Listing], nsmap: dict[str | None, str]) -> etree._Element:
    """A feed's own elements: its id (the same for the same kind of feed, whatever books it lists),
    title, date (its newest book's), author and generator."""
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap=nsmap)
    _text(feed, f"{{{ATOM}}}id", uuid.uuid5(uuid.NAMESPACE_URL, f"publish:catalogue:{kind}").urn)
    _text(feed, f"{{{ATOM}}}title", title)
    _text(feed, f"{{{ATOM}}}updated", atom_date(max(listing.updated for listing in listings)))
    publishers = sorted({listing.doc.config.publisher for listing in listings if listing.doc.config.publisher})
    author = etree.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, f"{{{ATOM}}}name", ", ".join(publishers) or "publish")
    _text(feed, f"{{{ATOM}}}generator", "publish", version=__version__)
    return feed


def _entry(feed: etree._Element, listing: Listing, ident: str, title: str = "") -> etree._Element:
    """An entry's Atom elements: title, id, date, authors and contributors, summary."""
    config = listing.doc.config
    entry = etree.SubElement(feed, f"{{{ATOM}}}entry")
    _text(entry, f"{{{ATOM}}}title", title or (f"{config.title}: {config.subtitle}" if config.subtitle
                                               else config.title))
    _text(entry, f"{{{ATOM}}}id", ident)
    _text(entry, f"{{{ATOM}}}updated", atom_date(listing.updated))
    for person in config.author:
        kind = "author" if person.role in AUTHOR_ROLES else "contributor"
        _text(etree.SubElement(entry, f"{{{ATOM}}}{kind}"), f"{{{ATOM}}}name", person.name)
    if config.description:
        _text(entry, f"{{{ATOM}}}summary", " ".join(config.description.split()), type="text")
    return entry


def _text(parent: etree._Element, tag: str, text: str, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, tag, **attributes)
    element.text = text
    return element


def _link(parent: etree._Element, rel: str, href: str, media_type: str, length: int | None = None) -> None:
    attributes = {"rel": rel, "href": href, "type": media_type}
    if length is not None:
        attributes["length"] = str(length)
    etree.SubElement(parent, f"{{{ATOM}}}link", **attributes)


def _media_type(name: str) -> str:
    return MEDIA_TYPES[name.rsplit(".", 1)[-1]]


def _serialise(feed: etree._Element) -> bytes:
    return etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True)
