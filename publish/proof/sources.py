"""Where each block of the laid-out book was written: the chapter file and line of its first words.

Python-Markdown keeps no source lines, so each block's first words (letters and digits only, which
survive smart quotes, emphasis and citations alike) are looked for in the chapter's source, each search
starting where the previous block was found."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from publish.book import Book
from publish.model import Document
from publish.render.pagemap import _is_block

WORD = re.compile(r"[^\W_]+")
PROBES = 6  # a block is looked for by its first words, else by those after its first, second ... word
PROBE_LETTERS = 24
PREFIXES = (40, 20, 10)  # letters of a footnote's beginning tried in turn


@dataclass(frozen=True)
class Written:
    """A place in the manuscript: a file (as the user names it) and a 1-based line (0: unknown)."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass
class SourceMap:
    """Block (chapter id, block index) -> where it was written, and the lines it spans."""

    blocks: dict[tuple[str, int], Written] = field(default_factory=dict)
    spans: dict[tuple[str, int], range] = field(default_factory=dict)
    notes: dict[str, Written] = field(default_factory=dict)  # footnote id -> its definition
    note_chapters: dict[str, str] = field(default_factory=dict)  # footnote id -> chapter id

    def where(self, chapter: str, block: int, note: str = "") -> Written:
        if note:
            return self.notes.get(note, Written("", 0))
        return self.blocks.get((chapter, block), Written("", 0))


class _Letters:
    """A text reduced to its letters and digits, casefolded, with each one's offset in the text."""

    def __init__(self, text: str) -> None:
        self.offsets: list[int] = []
        chars: list[str] = []
        for match in WORD.finditer(text):
            for i, ch in enumerate(match[0].casefold()):
                chars.append(ch)
                self.offsets.append(match.start() + i)
        self.text = "".join(chars)

    def find(self, needle: str, start: int = 0) -> int:
        """The offset in the original text of `needle`'s first letter at or after letter `start`, or -1."""
        at = self.text.find(needle, start) if needle else -1
        return self.offsets[at] if at >= 0 else -1

    def letter_at(self, offset: int) -> int:
        import bisect
        return bisect.bisect_left(self.offsets, offset)


def source_map(book: Book, doc: Document, shown_as: Path) -> SourceMap:
    """Where every block and footnote of the document was written, each file named as it would be in
    the book directory `shown_as`."""
    from publish.diagnostics import display_path

    texts = {source.path: source.text for source in book.chapters}
    found = SourceMap()
    for chapter in doc.chapters:
        text = texts.get(chapter.source, "")
        path = display_path(shown_as / chapter.source.relative_to(book.root))
        letters = _Letters(text)
        title = _locate(text, letters, chapter.title.text, 0)
        if title < 0:  # a chapter the book makes itself (the editorial conventions): no line of its own
            path, text, letters = display_path(shown_as / "book.yaml"), "", _Letters("")
        lines = [line_of(text, title) if title >= 0 else 0]
        cursor = 0
        for index, block_text in enumerate(_block_texts(chapter.body)):
            offset = _locate(text, letters, block_text, cursor)
            if offset >= 0:
                cursor = letters.letter_at(offset) + 1
            line = _block_start(text, offset) if offset >= 0 else lines[-1]
            lines.append(line)
            found.blocks[(chapter.id, index)] = Written(path, line)
        found.blocks[(chapter.id, -1)] = Written(path, lines[0])
        ends = sorted(set(lines)) + [text.count("\n") + 2]
        for (chapter_id, index), written in list(found.blocks.items()):
            if chapter_id == chapter.id:
                following = next(n for n in ends if n > written.line) if written.line else 0
                found.spans[(chapter_id, index)] = range(written.line, following)
        for note in chapter.notes:
            found.note_chapters[note.id] = chapter.id
            found.notes[note.id] = Written(path, _note_line(text, letters, note.html))
    _reference_entries(book, doc, shown_as, found)
    return found


def _reference_entries(book: Book, doc: Document, shown_as: Path, found: SourceMap) -> None:
    """Each entry of the References at its work's record in the bibliography (CSL YAML or JSON, BibTeX)."""
    from publish.diagnostics import display_path

    texts = {path: path.read_text("utf-8") for path in book.bibliography_paths if path.is_file()}
    for index, reference in enumerate(doc.references):
        key = re.escape(reference.key)
        record = re.compile(rf"""(?m)^[\s-]*["']?id["']?\s*:\s*["']?{key}["']?\s*,?\s*$|@\w+\{{\s*{key}\s*,""")
        for path, text in texts.items():
            match = record.search(text)
            if match:
                shown = path if not path.is_relative_to(book.root.parent) else \
                    shown_as.parent / path.relative_to(book.root.parent)
                found.blocks[("references", index)] = Written(display_path(shown), line_of(text, match.start()))
                break


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1 if offset >= 0 else 0


def _letters(text: str) -> str:
    return "".join(m[0].casefold() for m in WORD.finditer(text))


def _locate(text: str, letters: _Letters, block_text: str, cursor: int) -> int:
    """Where a block's text stands in the source at or after letter `cursor`: its first words, or (for
    a block that begins with what the source does not spell out, such as a speaker's full name) the
    words after them; -1 if none is found."""
    words = [_letters(word) for word in block_text.split()]
    words = [word for word in words if word]
    for skip in range(min(PROBES, len(words))):
        probe = "".join(words[skip:])[:PROBE_LETTERS]
        offset = letters.find(probe, cursor)
        if offset >= 0:
            return offset
    return -1


BLOCK_START = re.compile(r"\s{0,3}([-*+]\s|\d+[.)]\s|#|>|\[\^|\|)")


def _block_start(text: str, offset: int) -> int:
    """The line where the Markdown block holding `offset` begins: after a blank line, or at a list item,
    heading, quotation or note definition."""
    lines = text.split("\n")
    number = line_of(text, offset)
    while number > 1 and lines[number - 2].strip() and not BLOCK_START.match(lines[number - 1]):
        number -= 1
    return number


def _block_texts(body: str) -> list[str]:
    """The text of each block of a chapter body, numbered as the print layout numbers them."""
    root = etree.fromstring(f"<div>{body}</div>")
    return [_own_text(e) for e in root.iter() if e is not root and _is_block(e)]


def _own_text(element: etree._Element) -> str:
    """A block's text without its notes' (which the print edition sets at the foot of the page)."""
    parts = [element.text or ""]
    for child in element:
        if "noteref" not in (child.get("class") or ""):
            parts.append(_own_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _note_line(text: str, letters: _Letters, note_html: str) -> int:
    """The line of a footnote's definition (`[^n]: …`), found by its first words."""
    wanted = _letters(re.sub(r"<[^>]+>", " ", note_html))
    for size in PREFIXES:
        start, first = 0, -1
        while (offset := letters.find(wanted[:size], start)) >= 0:
            line = line_of(text, offset)
            first = line if first < 0 else first
            if text.split("\n")[line - 1].startswith(("[^", " ", "\t")):
                return line
            start = letters.letter_at(offset) + 1
        if first > 0:
            return first
    return 0

