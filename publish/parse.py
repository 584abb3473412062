"""Parse: each chapter's Markdown, once, into the document model (chapters, notes, citations)."""

from __future__ import annotations

import html
import re
from collections import Counter
from pathlib import Path

import lxml.html
from lxml import etree

from publish.anchors import (
    assign_ids,
    check_footnote_definitions,
    check_undefined_footnotes,
    footnote_definitions,
    footnote_references,
)
from publish.book import Book, ChapterSource
from publish.diagnostics import Diagnostics, position
from publish.fonts import body_typeface
from publish.glyphs import book_font_files, check_glyphs
from publish.images import checked_image
from publish.index import raw_marks
from publish.markup import make_markdown, tie_spaced_dashes
from publish.markup.automail import PLACEHOLDER
from publish.markup.bounded import crowding
from publish.markup.frontmatter import split_front_matter
from publish.markup.sanitize import sanitize
from publish.model import Chapter, Citation, Heading, Note, SourcePosition
from publish.resources import IMAGE_TYPES, REMOTE_CACHE, Refused, fetch_remote, image_name, local_file
from publish.resources import roots as resource_roots

ROLES = ("front", "back")
CITATION_INDEX = re.compile(r'data-citation="(\d+)"')
EDITORIAL_MARK = re.compile(r'class="ed ed-(\w+)"')


def parse_book(book: Book, found: Diagnostics) -> tuple[list[Chapter], list[Citation]]:
    """Every chapter of the book parsed in order; problems are added to `found`."""
    md = make_markdown(book.config.speakers)
    chapters: list[Chapter] = []
    citations: list[Citation] = []
    used_ids: set[str] = set()
    fonts = book_font_files(body_typeface(book.config.fonts), tuple(book.config.fallback_fonts))
    for source in book.chapters:
        offset, crowded = crowding(source.text)
        if crowded:
            found.error(source.path, f"{crowded}: split it", *position(source.text, offset))
            continue
        check_glyphs(source, found, fonts)
        md.reset()
        html = sanitize(md.convert(source.text))
        for line, col, severity, message in md.front_matter_problems:
            getattr(found, severity)(source.path, message, line, col)
        if any(severity == "error" for _, _, severity, _ in md.front_matter_problems):
            continue  # the chapter's title may be what is wrong: say nothing more of it
        if leaked_placeholder(html, source, found):
            continue
        chapter_citations = _citations(md.citations, source, len(citations))
        index_marks = raw_marks(source.text, md.index_marks, source.path)
        chapter = _chapter(html, source, used_ids, len([n for c in chapters for n in c.notes]),
                           resource_roots(book.root, book.allow_remote), found)
        if chapter is None:
            continue
        # Citations the chapter still holds (a note left out takes its citations with it).
        markup = chapter.body + "".join(note.html for note in chapter.notes)
        present = {int(index) for index in CITATION_INDEX.findall(markup)}
        _number_citations(chapter, chapter_citations)
        chapter.index_marks = index_marks
        # Counted from what the chapter holds (a note left out takes its marks with it).
        chapter.editorial_counts = dict(Counter(EDITORIAL_MARK.findall(markup)))
        chapters.append(chapter)
        citations.extend(_in_reading_order([c for i, c in enumerate(chapter_citations) if i in present]))
    return chapters, citations


def _citations(parsed: list, source: ChapterSource, first: int) -> list[Citation]:
    """Citation objects for one chapter, in the parser's order, each located in the source by the text
    it was written as; their ids are numbered in the order they stand in the source."""
    cursor: Counter[str] = Counter()
    result = []
    for items, narrative, raw in parsed:
        offset = _nth(source.text, raw, cursor[(raw, narrative)], narrative)
        cursor[(raw, narrative)] += 1
        line, col = position(source.text, offset) if offset >= 0 else (0, 0)
        result.append(Citation("", items, narrative, raw, SourcePosition(source.path, line, col)))
    for number, citation in enumerate(_in_reading_order(result), first + 1):
        citation.id = f"cite-{number}"
    return result


def _in_reading_order(citations: list[Citation]) -> list[Citation]:
    return sorted(citations, key=lambda c: (c.source.line, c.source.col))


def _number_citations(chapter: Chapter, citations: list[Citation]) -> None:
    """Give each citation placeholder the book-wide id of its Citation."""
    seen: set[int] = set()

    def number(match: re.Match[str]) -> str:
        index = int(match[1])
        if index >= len(citations) or index in seen:  # raw HTML can forge a placeholder: it gets no id
            return ""
        seen.add(index)
        return f'id="{citations[index].id}"'

    def renumber(markup: str) -> str:
        return CITATION_INDEX.sub(number, markup)
    chapter.body = renumber(chapter.body)
    for note in chapter.notes:
        note.html = renumber(note.html)


def _nth(text: str, needle: str, n: int, narrative: bool) -> int:
    """Offset of the n-th occurrence of a citation's text; a narrative `@key` is not one inside brackets."""
    for match in re.finditer(re.escape(needle), text):
        start = match.start()
        if narrative and (text.rfind("[", 0, start) > text.rfind("]", 0, start)
                          or (start and (text[start - 1].isalnum() or text[start - 1] in "-@."))):
            continue
        if n == 0:
            return start
        n -= 1
    return -1


def _chapter(html: str, source: ChapterSource, used_ids: set[str], notes_before: int, allowed: list[Path],
             found: Diagnostics) -> Chapter | None:
    if not source.text.strip():
        found.error(source.path, "the chapter is empty (it needs at least a '# Title')", 1, 1)
        return None
    root = lxml.html.fragment_fromstring(html or "<p></p>", create_parent="div")
    _tie_spaced_dashes(root)
    first = root[0] if len(root) else None
    if first is None or first.tag != "h1":
        message = "a chapter must begin with a level-1 heading ('# Title')"
        if split_front_matter(source.text.split("\n")) is not None:
            message += "; its front matter gives no 'title' to stand for one"
        found.error(source.path, message, 1, 1)
        return None
    classes = set((first.get("class") or "").split())
    role = next((r for r in ROLES if r in classes), "body")
    if classes - set(ROLES):
        first.set("class", " ".join(sorted(classes - set(ROLES))))
    elif "class" in first.attrib:
        del first.attrib["class"]
    assign_ids(root, used_ids, source, found)
    images = _images(root, source, allowed, found)
    notes = _notes(root, source, notes_before, found)
    _well_nested(root)
    title = _heading(first)
    root.remove(first)
    headings = [_heading(h) for h in root.iter("h2", "h3")]
    body = "".join(etree.tostring(child, encoding="unicode", method="xml") for child in root)
    return Chapter(title.id, role, title, headings, body, notes, source.path, images=images)


LITERAL = {"code", "pre", "kbd", "samp"}


def leaked_placeholder(html: str, source: ChapterSource, found: Diagnostics) -> bool:
    """Whether the parser left one of Python-Markdown's own placeholders (STX … ETX) in the chapter: it
    lost track of a construct (some runs of stray `*` around brackets and citations), and the text
    there would be lost. If so, an error at the paragraph it is in (found by the words before it)."""
    match = PLACEHOLDER.search(html)
    if match is None:
        return False
    before = re.sub(r"<[^>]+>", " ", html[:match.start()]).split()
    line = 0
    for words in (before[-3:], before[-1:]):
        offset = source.text.find(" ".join(words)) if words else -1
        if offset >= 0:
            line = position(source.text, offset)[0]
            break
    found.error(source.path, "the parser lost track of the inline markup here (emphasis marks, brackets or "
                "citations that overlap): escape a stray '*' or '_' as '\\*' or '\\_'", line, 1)
    return True


def _tie_spaced_dashes(root: etree._Element) -> None:
    """`tie_spaced_dashes` in every text of a chapter but code."""
    for element in root.iter():
        literal = any(a.tag in LITERAL for a in element.iterancestors())
        if element.text and not literal and element.tag not in LITERAL:
            element.text = tie_spaced_dashes(element.text)
        if element.tail and not literal:
            element.tail = tie_spaced_dashes(element.tail)


BLOCK = {"address", "blockquote", "div", "dl", "figure", "hr", "ol", "p", "pre", "table", "ul",
         "h1", "h2", "h3", "h4", "h5", "h6"}
PHRASING_ONLY = {"p", "span", "a", "em", "strong", "i", "b", "u", "s", "sup", "sub", "abbr", "small", "code",
                 "q", "cite", "mark", "del", "ins", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "caption"}
VOID = {"br", "hr", "img", "wbr", "col"}
# Blocks whose children are allowed only inside them (a row, a definition, an item).
STRUCTURED = {"table", "dl", "ol", "ul"}


def _well_nested(root: etree._Element) -> None:
    """Raw HTML can leave a block inside a paragraph or a span, which XHTML forbids: such a block gives
    way to its content (a table or a list stays whole: the phrasing around it gives way). Empty elements
    get an empty text, so that none is written `<p/>`."""
    for element in list(root.iter()):
        if element is root or not isinstance(element.tag, str):
            continue
        parent = element.getparent()
        if element.tag == "li" and parent is not None and parent.tag not in ("ul", "ol"):
            element.drop_tag()  # a list item outside a list
        elif element.tag in BLOCK and any(a.tag in PHRASING_ONLY for a in element.iterancestors()):
            if element.tag == "hr":
                element.drop_tree()  # its tail text stays
            elif element.tag in STRUCTURED:  # its rows or items need it: the phrasing around it gives way
                for ancestor in [a for a in element.iterancestors() if a.tag in PHRASING_ONLY]:
                    ancestor.drop_tag()
            else:
                element.drop_tag()
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag not in VOID and element.text is None and not len(element):
            element.text = ""


def _heading(element: etree._Element) -> Heading:
    text = " ".join(element.text_content().split())
    return Heading(int(element.tag[1]), element.get("id") or "", text, inner_xml(element))


def inner_xml(element: etree._Element) -> str:
    """An element's content as XHTML: its text, escaped, and its children with their tails."""
    return html.escape(element.text or "", quote=False) + "".join(
        etree.tostring(child, encoding="unicode", method="xml") for child in element)


def _images(root: etree._Element, source: ChapterSource, allowed: list[Path],
            found: Diagnostics) -> dict[str, Path]:
    """Every image checked (alt text, a file the book may read, one that decodes, an SVG cleaned) and
    renamed to its published name."""
    images: dict[str, Path] = {}
    for img in list(root.iter("img")):
        src = img.get("src", "")
        offset = source.text.find(src) if src else -1
        line, col = position(source.text, offset) if offset >= 0 else (0, 0)
        if not (img.get("alt") or "").strip():
            found.error(source.path, f"image '{src}' has no alt text (write ![what it shows]({src}))", line, col)
        try:
            if REMOTE_CACHE in allowed and src.lower().startswith(("http://", "https://")):
                path = fetch_remote(src)
            else:
                path = local_file(src, source.path.parent, allowed)
            if path.suffix.lower() not in IMAGE_TYPES:
                raise Refused(f"not an image type a book can carry (PNG, JPEG, GIF, SVG, WebP): {src}")
            published = checked_image(path, src)
        except Refused as refused:
            found.error(source.path, str(refused), line, col)
            _drop(img)
            continue
        name = image_name(published, path.name)
        images[name] = published
        img.set("src", name)
    return images


def _notes(root: etree._Element, source: ChapterSource, notes_before: int, found: Diagnostics) -> list[Note]:
    """Lift Python-Markdown's footnotes out of the body into Note objects numbered through the book.
    A reference to no definition, a second definition, a second reference or one inside a note is an
    error at its line; a note never referenced is left out with a warning at its definition."""
    block = root.find(".//div[@class='footnote']")  # raw HTML left unclosed may have wrapped it
    check_undefined_footnotes({li.get("id", "")[3:] for li in block.iter("li")} if block is not None else set(),
                              source, found)
    if block is None:
        return []
    block.drop_tree()  # out of the body; any text after it stays
    _well_nested(block)
    numbers: dict[str, int] = {}
    notes = []
    for li in block.iter("li"):
        number = notes_before + len(notes) + 1
        numbers[li.get("id")] = number
        for backref in li.xpath(".//a[contains(@class, 'footnote-backref')]"):
            _drop(backref)
        for inner in li.xpath(".//sup[a[contains(@class, 'footnote-ref')]]"):
            label, inner_label = li.get("id")[3:], inner[0].get("href", "#fn-")[4:]
            where = footnote_references(source.text, inner_label)
            found.error(source.path, f"footnote '[^{label}]' refers to footnote '[^{inner_label}]': a note "
                        "cannot hold a note reference", *(where[-1] if where else (0, 0)))
        notes.append(Note(number, f"note-{number}", f"noteref-{number}", inner_xml(li).strip()))
    check_footnote_definitions(source.text, [li.get("id")[3:] for li in block.iter("li")], source, found)
    referenced: set[int] = set()
    for sup in root.xpath(".//sup[a[contains(@class, 'footnote-ref')]]"):
        link = sup[0]
        label = link.get("href", "#fn-")[4:]
        number = numbers.get(link.get("href", "#")[1:])
        if number is None:
            continue
        if number in referenced:
            where = footnote_references(source.text, label)
            found.error(source.path, f"footnote '[^{label}]' is referenced twice: a note has one place in "
                        "the text", *(where[1] if len(where) > 1 else (0, 0)))
        referenced.add(number)
        ref = etree.Element("a", {"class": "noteref", "id": f"noteref-{number}", "href": f"#note-{number}"})
        ref.text = str(number)
        ref.tail = sup.tail
        sup.getparent().replace(sup, ref)
    labels = {number: label[3:] for label, number in numbers.items()}
    for note in [n for n in notes if n.number not in referenced]:
        where = footnote_definitions(source.text, labels[note.number])
        found.warning(source.path, f"footnote '[^{labels[note.number]}]' is never referenced; it is left out",
                      *(where[0] if where else (0, 0)))
        notes.remove(note)
    return notes


def _drop(element: etree._Element) -> None:
    """Remove an element, keeping its tail text and trimming the space before it."""
    parent = element.getparent()
    previous = element.getprevious()
    tail = element.tail or ""
    if previous is not None:
        previous.tail = ((previous.tail or "").rstrip("\xa0 ") + tail) or None
    else:
        parent.text = ((parent.text or "").rstrip("\xa0 ") + tail) or None
    parent.remove(element)

