"""Parse: each chapter's Markdown, once, into the document model (chapters, notes, citations)."""

from __future__ import annotations

import html
import json
import os
import pickle
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import lxml.html
import markdown
from lxml import etree

from publish.anchors import (
    assign_ids,
    check_footnote_definitions,
    check_undefined_footnotes,
    footnote_definitions,
    footnote_references,
)
from publish.book import Book, ChapterSource
from publish.cache import file_digest, code_digest, digest
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

if TYPE_CHECKING:  # the build's cache (publish/layout/store.py), passed in: parsing imports no layout
    from publish.layout.store import LayoutCache as Store

ROLES = ("front", "back")
CITATION_INDEX = re.compile(r'data-citation="(\d+)"')
EDITORIAL_MARK = re.compile(r'class="ed ed-(\w+)"')


def parse_book(book: Book, found: Diagnostics,
               cache: Store | None = None) -> tuple[list[Chapter], list[Citation]]:
    """Every chapter of the book parsed in order; problems are added to `found`. With a `cache` (the
    build's, publish/layout/store.py), a chapter parsed before in the same circumstances is taken from
    it, with the diagnostics its parse gave, and only the chapters that changed are parsed again."""
    md = make_markdown(book.config.speakers)
    speakers_seen: set[str] = md.treeprocessors["speakers"].seen
    chapters: list[Chapter] = []
    citations: list[Citation] = []
    used_ids: set[str] = set()
    fonts = book_font_files(body_typeface(book.config.fonts), tuple(book.config.fallback_fonts))
    allowed = resource_roots(book.root, book.allow_remote)
    settings = _settings(book, fonts, allowed) if cache is not None else ""
    for source in book.chapters:
        notes_before = sum(len(c.notes) for c in chapters)
        key = ""
        parsed = None
        if cache is not None:
            # What the chapter's parse reads of the chapters before it: the ids they claimed, the
            # speakers they introduced, the numbers of their notes and citations.
            key = digest("chapter parse", settings, str(source.path), str(source.path.resolve()), source.text,
                         "\n".join(sorted(used_ids)), "\n".join(sorted(speakers_seen)), str(notes_before),
                         str(len(citations)))
            parsed = _cached_parse(cache, key, source, allowed)
        if parsed is None:
            parsed = _parse_chapter(md, source, used_ids, speakers_seen, notes_before, len(citations),
                                    fonts, allowed)
            if cache is not None and parsed.cacheable:
                _put_parse(cache, key, parsed)
        used_ids.update(parsed.ids)
        speakers_seen.update(parsed.speakers)
        for severity, path, message, line, col, rule in parsed.diagnostics:
            getattr(found, severity)(path, message, line, col, rule)
        if parsed.chapter is not None:
            chapters.append(parsed.chapter)
            citations.extend(parsed.citations)
    return chapters, citations


@dataclass
class ParsedChapter:
    """One chapter's parse as the cache keeps it: the chapter (None when it is in error) and the
    citations it holds, in reading order; what it adds to the book's state for the chapters after it
    (the ids it claimed, the speakers whose first turn it holds); the diagnostics its parse gave, as
    the calls that made them (so that their paths are shown relative to the directory of each build);
    and the image files it read, (source, file, digest, published file), checked again before an
    entry is used. A parse in error, or one that fetched an image from the network, is not kept."""

    chapter: Chapter | None = None
    citations: list[Citation] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    speakers: set[str] = field(default_factory=set)
    diagnostics: list[tuple[str, str, str, int, int, str | None]] = field(default_factory=list)
    images: list[tuple[str, str, str, str]] = field(default_factory=list)
    remote: bool = False

    @property
    def cacheable(self) -> bool:
        return not self.remote and not any(severity == "error" for severity, *_ in self.diagnostics)


class _Recorded(Diagnostics):
    """Diagnostics that also keep the calls that made them, for the parse cache to give them again."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, str, str, int, int, str | None]] = []

    def error(self, path: str | os.PathLike[str], message: str, line: int = 0, col: int = 0,
              rule: str | None = None) -> None:
        self.calls.append(("error", str(path), message, line, col, rule))
        super().error(path, message, line, col, rule)

    def warning(self, path: str | os.PathLike[str], message: str, line: int = 0, col: int = 0,
                rule: str | None = None) -> None:
        self.calls.append(("warning", str(path), message, line, col, rule))
        super().warning(path, message, line, col, rule)


def _parse_chapter(md: markdown.Markdown, source: ChapterSource, used_ids: set[str], speakers_seen: set[str],
                   notes_before: int, citations_before: int, fonts: tuple[Path, ...],
                   allowed: list[Path]) -> ParsedChapter:
    """One chapter parsed, after `citations_before` citations and `notes_before` notes; `used_ids` and
    `speakers_seen` are left as they were (the caller adds what the result says the chapter added)."""
    found = _Recorded()
    parsed = ParsedChapter(diagnostics=found.calls)
    ids, speakers = set(used_ids), set(speakers_seen)
    try:
        parsed.chapter, parsed.citations = _parse_one(md, source, ids, notes_before, citations_before, fonts,
                                                      allowed, found, parsed)
    finally:
        parsed.ids, parsed.speakers = ids - used_ids, speakers_seen - speakers
        speakers_seen.intersection_update(speakers)  # as before the parse: the result says what it adds
    return parsed


def _parse_one(md: markdown.Markdown, source: ChapterSource, used_ids: set[str], notes_before: int,
               citations_before: int, fonts: tuple[Path, ...], allowed: list[Path], found: Diagnostics,
               parsed: ParsedChapter) -> tuple[Chapter | None, list[Citation]]:
    offset, crowded = crowding(source.text)
    if crowded:
        found.error(source.path, f"{crowded}: split it", *position(source.text, offset))
        return None, []
    check_glyphs(source, found, fonts)
    md.reset()
    html = sanitize(md.convert(source.text))
    for line, col, severity, message in md.front_matter_problems:
        getattr(found, severity)(source.path, message, line, col)
    if any(severity == "error" for _, _, severity, _ in md.front_matter_problems):
        return None, []  # the chapter's title may be what is wrong: say nothing more of it
    if leaked_placeholder(html, source, found):
        return None, []
    chapter_citations = _citations(md.citations, source, citations_before)
    index_marks = raw_marks(source.text, md.index_marks, source.path)
    chapter = _chapter(html, source, used_ids, notes_before, allowed, found, parsed)
    if chapter is None:
        return None, []
    # Citations the chapter still holds (a note left out takes its citations with it).
    markup = chapter.body + "".join(note.html for note in chapter.notes)
    present = {int(index) for index in CITATION_INDEX.findall(markup)}
    _number_citations(chapter, chapter_citations)
    chapter.index_marks = index_marks
    # Counted from what the chapter holds (a note left out takes its marks with it).
    chapter.editorial_counts = dict(Counter(EDITORIAL_MARK.findall(markup)))
    return chapter, _in_reading_order([c for i, c in enumerate(chapter_citations) if i in present])


# The parse cache's entries: this number, with publish's code, the parser's versions and Python's,
# names the form of an entry; an entry of any other form is never read.
PARSE_FORMAT = "1"


def _settings(book: Book, fonts: tuple[Path, ...], allowed: list[Path]) -> str:
    """Everything a chapter's parse depends on besides its text and the chapters before it: publish's
    code, the versions of the parser, its extensions, lxml and Python (an entry is a pickle of our
    model), the book's speakers, the font files its glyphs are checked in, and the directories its
    images may come from."""
    from importlib.metadata import version

    return digest(PARSE_FORMAT, sys.version, version("markdown"), version("pymdown-extensions"),
                  etree.__version__, code_digest(), json.dumps(book.config.speakers, sort_keys=True),
                  "\n".join(f"{path}:{file_digest(path)}" for path in fonts),
                  "\n".join(str(root) for root in allowed))


def _put_parse(cache: Store, key: str, parsed: ParsedChapter) -> None:
    """The parse kept under `key`: a pickle (ours, read only under a key that names publish's code; the
    store checks its bytes against their digest, so an entry damaged on disk is parsed again)."""
    cache.put(key, {"parse": PARSE_FORMAT}, pickle.dumps(parsed, protocol=pickle.HIGHEST_PROTOCOL))


def _cached_parse(cache: Store, key: str, source: ChapterSource, allowed: list[Path]) -> ParsedChapter | None:
    """The chapter's parse from the cache, if it holds one under `key` that is whole and whose image
    files are still the ones it read; else None (and the chapter is parsed again)."""
    found = cache.get(key)
    if found is None:
        return None
    facts, data = found
    if facts.get("parse") != PARSE_FORMAT:
        return None
    try:
        parsed = pickle.loads(data)
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError, KeyError, TypeError,
            ValueError):  # a damaged entry is not ours to trust: the chapter is parsed again
        return None
    if not isinstance(parsed, ParsedChapter):
        return None
    for src, file, read, published in parsed.images:
        try:
            current = local_file(src, source.path.parent, allowed)
        except Refused:
            return None
        if str(current) != file or file_digest(current) != read or not Path(published).is_file():
            return None
    return parsed


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
             found: Diagnostics, parsed: ParsedChapter) -> Chapter | None:
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
    images = _images(root, source, allowed, found, parsed)
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
    there would be lost. If so, an error at the paragraph it is in: the paragraph of the source that
    shares the most words with the block of the output that holds the placeholder."""
    match = PLACEHOLDER.search(html)
    if match is None:
        return False
    opened = [m.end() for m in BLOCK_OPENS.finditer(html, 0, match.start())]
    closed = BLOCK_CLOSES.search(html, match.end())
    block = html[opened[-1] if opened else 0:closed.start() if closed else len(html)]
    words = set(re.findall(r"\w+", re.sub(r"\x02[^\x03]*\x03|<[^>]+>", " ", block)))
    line, best = 0, 0
    for first, paragraph in _paragraphs(source.text):
        shared = len(words & set(re.findall(r"\w+", paragraph)))
        if shared > best:
            line, best = first, shared
    found.error(source.path, "the parser lost track of the inline markup here (emphasis marks, brackets or "
                "citations that overlap): escape a stray '*' or '_' as '\\*' or '\\_'", line, 1)
    return True


BLOCK_OPENS = re.compile(r"<(?:p|li|h[1-6]|td|th|dt|dd|figcaption|caption)\b[^>]*>")
BLOCK_CLOSES = re.compile(r"</(?:p|li|h[1-6]|td|th|dt|dd|figcaption|caption)>")


def _paragraphs(text: str) -> list[tuple[int, str]]:
    """The source's paragraphs (runs of lines between blank lines), each with the number of its first line."""
    found, first, lines = [], 0, []
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            first = first or number
            lines.append(line)
        elif lines:
            found.append((first, "\n".join(lines)))
            first, lines = 0, []
    if lines:
        found.append((first, "\n".join(lines)))
    return found


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


def _images(root: etree._Element, source: ChapterSource, allowed: list[Path], found: Diagnostics,
            parsed: ParsedChapter) -> dict[str, Path]:
    """Every image checked (alt text, a file the book may read, one that decodes, an SVG cleaned) and
    renamed to its published name; the files read are noted in `parsed`, for the parse cache."""
    images: dict[str, Path] = {}
    for img in list(root.iter("img")):
        src = img.get("src", "")
        offset = source.text.find(src) if src else -1
        line, col = position(source.text, offset) if offset >= 0 else (0, 0)
        if not (img.get("alt") or "").strip():
            found.error(source.path, f"image '{src}' has no alt text (write ![what it shows]({src}))", line, col)
        try:
            if REMOTE_CACHE in allowed and src.lower().startswith(("http://", "https://")):
                parsed.remote = True
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
        parsed.images.append((src, str(path), file_digest(path), str(published)))
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

