"""The print edition's page map: read from WeasyPrint's layout of the PDF, then written into the
EPUB and the web edition as page-break markers placed before the first character printed on each
page.

Both halves count the same thing: the chapter's blocks (paragraphs, headings, list items, reference
entries) in document order, and within a block its non-space characters, leaving out the text that
the print edition sets elsewhere (footnotes) or not at all (note numbers, back-links).
"""

from __future__ import annotations

import re

from lxml import etree

from publish.model import PageStart

BLOCK_TAGS = {"p", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "pre", "td", "th", "div"}
SKIPPED_CLASSES = {"footnote", "noteref", "backlink"}
# The parts of the print edition whose text the EPUB and the web edition hold too, each by its id.
PART_CLASSES = {"chapter", "titlepage", "copyright"}
# Blocks a page's marker goes inside, at the start: their parents hold nothing else.
CONTAINED_BLOCKS = {"li", "dt", "dd", "td", "th"}
INSERTED_HYPHEN = "\u2010"  # the hyphenate-character of print.css: a break the layout made
EPUB_NS = "http://www.idpf.org/2007/ops"


def _tag(element: etree._Element) -> str:
    return element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""


def _is_block(element: etree._Element) -> bool:
    tag = _tag(element)
    return tag in BLOCK_TAGS and (tag != "div" or "csl-entry" in (element.get("class") or ""))


def number_blocks(markup: str) -> str:
    """The chapter body with `data-block="N"` on each block, for the print layout to report."""
    root = etree.fromstring(f"<div>{markup}</div>")
    for n, element in enumerate(e for e in root.iter() if e is not root and _is_block(e)):
        element.set("data-block", str(n))
    return (root.text or "") + "".join(etree.tostring(c, encoding="unicode") for c in root)


def _visible(text: str) -> int:
    return sum(1 for ch in text if not ch.isspace())


# Reading the layout ------------------------------------------------------------------------------

def read_page_map(document, first_body_chapter: str, first_number: int | None = None) -> list[PageStart]:
    """Where the text of every page begins (see `read_pages`)."""
    return read_pages(document, first_body_chapter, first_number)[0]


def read_pages(document, first_body_chapter: str,
               first_number: int | None = None) -> tuple[list[PageStart], list[str]]:
    """Where the text of every page begins: the front matter's pages numbered from the first page of the
    book (printed in roman), the body's from its first page (printed as 1); for a chunk of the body laid
    out apart, every page's, the first printed as `first_number`.

    A page with no text of its own (a blank verso) begins where the next page does. A page whose text
    no other edition holds (the half title, the printed contents) has no start, nor have the blank
    pages before it. With them, the printed label of every page, by its index in the layout."""
    from weasyprint.formatting_structure import boxes

    seen: dict[tuple[str, int], int] = {}
    starts: list[PageStart] = []
    waiting: list[tuple[int, bool]] = []
    labels: list[str] = []
    first_body_page = None if first_number is None else 1 - first_number
    for index, page in enumerate(document.pages):
        first, printed = None, False
        for text, chapter, block in _text_runs(page._page_box, boxes):
            printed = True
            if not chapter:
                continue
            if first is None:
                first = (chapter, block, seen.get((chapter, block), 0) if block >= 0 else 0)
            seen[(chapter, block)] = seen.get((chapter, block), 0) + _visible(text.rstrip(INSERTED_HYPHEN))
        if first_body_page is None and first and first[0] == first_body_chapter:
            first_body_page = index
        if first_body_page is None:
            waiting.append((index + 1, True))
        else:
            waiting.append((index - first_body_page + 1, False))
        number, front = waiting[-1]
        labels.append(PageStart(number, "", 0, 0, front).label)
        if first:
            starts.extend(PageStart(number, *first, front=front) for number, front in waiting)
            waiting = []
        elif printed:
            waiting = []
    return starts, labels


def _text_runs(page_box, boxes):
    """(text, part id, block index) for each text box of the page's body, in order; the part is a
    chapter, the References, the title page or the copyright page, or "" for text the other editions
    do not hold."""
    def walk(box, chapter: str, block: int):
        element = getattr(box, "element", None)
        if isinstance(box, boxes.MarginBox):
            return
        if "::" in (getattr(box, "element_tag", None) or ""):
            return  # generated content (a list item's marker, ::before): no other edition holds its text
        if element is not None and getattr(box, "element_tag", None):
            classes = set((element.get("class") or "").split())
            if classes & SKIPPED_CLASSES:
                return
            if classes & PART_CLASSES and element.get("id"):
                chapter, block = element.get("id"), -1
            elif element.get("data-block") is not None:
                block = int(element.get("data-block"))
        if isinstance(box, boxes.TextBox):
            if box.text.strip():
                yield box.text, chapter, block
            return
        for child in getattr(box, "children", ()) or ():
            yield from walk(child, chapter, block)

    yield from walk(page_box, "", -1)


# Writing the markers -----------------------------------------------------------------------------

def marker(label: str, fmt: str) -> etree._Element:
    """The page-break marker of the printed page `label` (`ix`, `9`)."""
    attributes = {"id": f"page-{label}", "role": "doc-pagebreak", "aria-label": label}
    if fmt == "epub":
        attributes[f"{{{EPUB_NS}}}type"] = "pagebreak"
    else:
        attributes["class"] = "pagebreak"
    mark = etree.Element("span", attributes)
    mark.text = ""  # an empty span, written <span ...></span> (HTML has no self-closing span)
    return mark


def opening_markers(starts: list[PageStart], fmt: str) -> str:
    """Markers of pages that begin with a chapter's title, to stand before it."""
    return "".join(_serialise(marker(s.label, fmt)) for s in starts if s.block < 0)


def _serialise(element: etree._Element) -> str:
    text = etree.tostring(element, encoding="unicode")
    return re.sub(r' xmlns:\w+="[^"]+"', "", text).replace("ns0:type", "epub:type")


def insert_markers(markup: str, starts: list[PageStart], fmt: str) -> str:
    """The chapter body with a marker before the first character of each page that begins in it."""
    inside = [s for s in starts if s.block >= 0]
    if not inside:
        return markup
    root = etree.fromstring(f'<div xmlns:epub="{EPUB_NS}">{markup}</div>')
    blocks = [e for e in root.iter() if e is not root and _is_block(e)]
    for start in sorted(inside, key=lambda s: (s.block, s.offset), reverse=True):
        if start.block < len(blocks):
            _insert_at(blocks[start.block], start.offset, marker(start.label, fmt))
    text = (root.text or "") + "".join(etree.tostring(c, encoding="unicode") for c in root)
    return text.replace(f' xmlns:epub="{EPUB_NS}"', "")


def _insert_at(block: etree._Element, offset: int, mark: etree._Element) -> None:
    """Insert `mark` before the non-space character number `offset` of the block's counted text."""
    if offset <= 0:
        if _tag(block) in CONTAINED_BLOCKS:  # no marker may stand between list items or table cells
            mark.tail, block.text = block.text, None
            block.insert(0, mark)
        else:
            block.addprevious(mark)
        return
    count = 0
    for node, attr in _text_slots(block):
        text = getattr(node, attr) or ""
        for i, ch in enumerate(text):
            if ch.isspace():
                continue
            if count == offset:
                _split(node, attr, i, mark)
                return
            count += 1
    block.append(mark)  # the page begins after the block's last character


def _text_slots(element: etree._Element):
    """(node, "text"|"tail") in document order, skipping the text print sets elsewhere."""
    classes = set((element.get("class") or "").split())
    if classes & SKIPPED_CLASSES:
        return
    yield element, "text"
    for child in element:
        yield from _text_slots(child)
        yield child, "tail"


def _split(node: etree._Element, attr: str, index: int, mark: etree._Element) -> None:
    text = getattr(node, attr)
    before, after = text[:index], text[index:]
    if attr == "text":
        node.text = before
        node.insert(0, mark)
        mark.tail = after
    else:
        node.tail = before
        node.addnext(mark)
        mark.tail = after
