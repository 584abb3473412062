"""Per-format shaping of the model's XHTML: note references, footnotes inline for print, heading levels."""

from __future__ import annotations

import re

from lxml import etree

from publish.model import Chapter, Note

EPUB_NS = "http://www.idpf.org/2007/ops"


def _fragment(markup: str) -> etree._Element:
    return etree.fromstring(f'<div xmlns:epub="{EPUB_NS}">{markup}</div>')


def _serialise(root: etree._Element) -> str:
    text = (root.text or "") + "".join(etree.tostring(c, encoding="unicode") for c in root)
    return text.replace(f' xmlns:epub="{EPUB_NS}"', "")


def noterefs(markup: str, fmt: str) -> str:
    """Note references as pop-up links (EPUB) or superscript links (HTML)."""
    if 'class="noteref"' not in markup:
        return markup
    root = _fragment(markup)
    for link in root.iter("a"):
        if link.get("class") != "noteref":
            continue
        link.set("role", "doc-noteref")
        if fmt == "epub":
            link.set(f"{{{EPUB_NS}}}type", "noteref")
    return _serialise(root)


def inline_footnotes(markup: str, notes: list[Note]) -> str:
    """For print: each note reference replaced by the note itself, floated to the foot of the page."""
    if not notes:
        return markup
    by_id = {note.ref_id: note for note in notes}
    root = _fragment(markup)
    for link in list(root.iter("a")):
        note = by_id.get(link.get("id", ""))
        if link.get("class") != "noteref" or note is None:
            continue
        content = _fragment(note.html)
        footnote = etree.Element("span", {"class": "footnote", "id": note.id})
        # A note's paragraphs become inline runs: a footnote box is inline content.
        for block in content:
            run = etree.SubElement(footnote, "span", {"class": "footnote-para"})
            run.text = block.text
            for child in block:
                run.append(child)
        footnote.tail = link.tail
        link.getparent().replace(link, footnote)
    return _serialise(root)


def shift_headings(markup: str, by: int) -> str:
    """Every heading moved `by` levels down (h2 -> h3), for layouts that nest chapters in a page."""
    if not by:
        return markup
    return re.sub(r"<(/?)h([1-6])\b", lambda m: f"<{m[1]}h{min(int(m[2]) + by, 6)}", markup)


def chapter_body(chapter: Chapter, fmt: str) -> str:
    """A chapter's body as a format shows it."""
    if fmt == "pdf":
        return inline_footnotes(chapter.body, chapter.notes)
    if fmt == "html":
        return shift_headings(noterefs(chapter.body, fmt), 1)
    return noterefs(chapter.body, fmt)
