"""The links a manuscript writes, resolved once the whole book is parsed and its citations placed:
a web address made a valid URL (spaces and brackets percent-encoded, as a browser would send them),
a link to another chapter's file (`other.md`, `other.md#section`) made a link to that chapter, a link
to an id of the book kept; any other link, which no edition could follow (an EPUB reading system finds
no such file or id), is set as its text, with a warning at its line."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree

from publish.anchors import GENERATED
from publish.diagnostics import Diagnostics, position
from publish.model import Document

SCHEMES = {"http", "https", "mailto", "tel", "ftp"}
# What RFC 3986 lets a URL hold as it is; everything else is percent-encoded (UTF-8), `%` kept as the
# start of an escape already written.
UNSAFE = re.compile(r"[^A-Za-z0-9\-._~:/?#@!$&'()*+,;=%]")


def resolve_links(document: Document, sources: dict[Path, str], found: Diagnostics,
                  fragments: bool = True) -> None:
    """Every link of every chapter and note resolved in place; `sources` holds each chapter's text by
    its path, for the place of a warning. A link to an id the book lacks is set as text; it is warned
    of here unless `fragments` is false (`publish check`, whose dead-link rule reports it)."""
    targets = document.ids() | set(GENERATED)
    chapters = {chapter.source.resolve(): chapter.id for chapter in document.chapters}
    for chapter in document.chapters:
        def resolve(markup: str, path: Path = chapter.source) -> str:
            return _resolved(markup, path, sources.get(path, ""), targets, chapters, found, fragments)
        chapter.body = resolve(chapter.body)
        for note in chapter.notes:
            note.html = resolve(note.html)


def _resolved(markup: str, path: Path, text: str, targets: set[str], chapters: dict[Path, str],
              found: Diagnostics, fragments: bool) -> str:
    if "<a " not in markup:
        return markup
    root = etree.fromstring(f"<div>{markup}</div>")
    changed = False
    for link in root.iter("a"):
        href = link.get("href")
        if href is None:
            continue
        target = _target(href, path, targets, chapters)
        if target == href:
            continue
        changed = True
        if target:
            link.set("href", target)
            continue
        del link.attrib["href"]
        if href.startswith("#") and not fragments:
            continue
        written = re.search(r"\[[^\[\]]*\]\(\s*<?" + re.escape(href), text)  # the link as the text has it
        offset = written.start() if written else text.find(href)
        line, col = position(text, offset) if offset >= 0 else (0, 0)
        if href.startswith("#"):
            message = f"link to '{href}': no heading or element has that id; it is set as text"
        else:
            message = (f"link to '{href}' leads nowhere in the editions (no web address, chapter file or "
                       "id of the book): it is set as text")
        found.warning(path, message, line, col, rule="dead-link")
    if not changed:
        return markup
    return (root.text or "") + "".join(etree.tostring(c, encoding="unicode") for c in root)


def _target(href: str, path: Path, targets: set[str], chapters: dict[Path, str]) -> str:
    """What the link should point to: a valid URL, `#id`, or '' for nowhere."""
    if href in ("", "#"):  # the same page: no error in any edition (the dead-link rule names it)
        return href
    if href.startswith("#"):
        return href if unquote(href[1:]) in targets else ""
    scheme = urlsplit(href).scheme.lower() if ":" in href else ""
    if scheme in SCHEMES:
        return UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), href)
    if scheme:  # file: and the like mean nothing to a reader elsewhere
        return ""
    file, _, fragment = href.partition("#")
    chapter = chapters.get((path.parent / unquote(file)).resolve())
    if chapter is None:
        return ""
    fragment = unquote(fragment)
    return f"#{fragment}" if fragment in targets else f"#{chapter}" if not fragment else ""
