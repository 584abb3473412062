"""Nested lists as CommonMark and Pandoc users write them: a sub-list indented by two, three or four spaces.

Python-Markdown nests a block under a list item only when it is indented by four spaces per level, so
`- a` / `  - b` comes out as two items of one list. A block processor, tried before the list processors,
re-indents a list (and the blocks after it that continue its items) to that form and hands it on:

- a marker line nests under the item before it when it stands at least two spaces right of that item's
  marker (`- a` / `  - b`, `1. a` / `   - b`, or four spaces as before); otherwise it closes the items it
  does not reach;
- a block after a blank line belongs to the innermost open item whose text it reaches (CommonMark's
  rule), keeping its indentation relative to that text (four more spaces still make code);
- a line continuing a paragraph (no blank line before it) is left as written;
- an item that closes the one a block continues starts a block of its own (Python-Markdown hands a
  block that begins indented, whole, to the item before it).

Re-indenting text already in Python-Markdown's form changes nothing, so nested parsing (the list
processors parse each item's text again) is not disturbed. tests/test_markdown.py compares the
structure of generated lists with a CommonMark parser's.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass

from markdown import Extension, Markdown
from markdown.blockprocessors import BlockProcessor

MARKER = re.compile(r"(?P<indent> *)(?P<marker>[-*+]|\d{1,9}\.)(?P<space> +|$)")
RULE = re.compile(r" {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$")
TAB = 4  # Python-Markdown's indentation of one level


@dataclass
class _Item:
    marker_col: int  # where its marker stands in the written text
    content_col: int  # where its text begins in the written text
    out_col: int  # where its text begins once re-indented


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _marker(line: str) -> re.Match[str] | None:
    m = MARKER.match(line)
    return m if m and not RULE.match(line) else None


def starts_list(block: str) -> bool:
    """Whether a block begins with a list item (its marker indented at most three spaces)."""
    first = block.split("\n", 1)[0]
    m = _marker(first)
    return m is not None and len(m["indent"]) <= 3


class ListReindenter:
    """Re-indents the lines of one list, block by block, keeping the items open between blocks."""

    def __init__(self) -> None:
        self.open: list[_Item] = []

    def block(self, block: str, after_blank: bool) -> tuple[str, str | None] | None:
        """The block re-indented, and the rest of it to read as a block of its own (an item that
        closes the item this block continues), or None when the block does not continue the list."""
        lines = block.split("\n")
        first = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
        out: list[str] = lines[:first]  # the block split can leave a newline before the text
        shift: int | None = None  # for the lines of a block that continues an item's text
        continued: _Item | None = None  # that item
        for i in range(first, len(lines)):
            line = lines[i]
            n = _indent(line)
            m = _marker(line)
            if m and self._takes_marker(n):
                if continued is not None and n < continued.marker_col + 2:
                    # Python-Markdown gives a block that begins indented to the item before it,
                    # whole: the item that closes this one must begin a block.
                    return "\n".join(out), "\n".join(lines[i:])
                out.append(self._item(line, n, m))
                shift, continued = None, None
            elif i == first and after_blank:
                while self.open and n < self.open[-1].content_col:
                    self.open.pop()
                if not self.open:
                    return None
                continued = self.open[-1]
                shift = continued.out_col + (n - continued.content_col) - n
                out.append(" " * (n + shift) + line[n:])
            elif shift is not None:
                out.append(" " * max(0, n + shift) + line[n:])
            else:
                out.append(line)  # a paragraph's continuation: lazy, as written
        return "\n".join(out), None

    def _takes_marker(self, n: int) -> bool:
        """Whether a marker indented `n` spaces starts an item (not code, nor text of a deeper item)."""
        if not self.open:
            return n <= 3
        if n >= self.open[-1].content_col + TAB:
            return False
        reached = [item for item in self.open if n >= item.marker_col + 2]
        return bool(reached) or n <= 3

    def _item(self, line: str, n: int, m: re.Match[str]) -> str:
        while self.open and n < self.open[-1].marker_col + 2:
            self.open.pop()
        level = self.open[-1].out_col if self.open else 0
        marker = m["marker"]
        spaces = len(m["space"])
        text = line[m.end():] if 1 <= spaces <= 4 else line[n + len(marker) + 1:]
        content_col = n + len(marker) + (spaces if 1 <= spaces <= 4 else 1)
        out_col = level + max(TAB, len(marker) + 1)
        self.open.append(_Item(n, content_col, out_col))
        return " " * level + marker + " " * (out_col - level - len(marker)) + text


class _NestedListProcessor(BlockProcessor):
    """Re-indents the list that begins at this block, then lets the list processors read it."""

    def test(self, parent: etree.Element, block: str) -> bool:
        return starts_list(block)

    def run(self, parent: etree.Element, blocks: list[str]) -> bool:
        reindent = ListReindenter()
        index = 0
        while index < len(blocks):
            reindented = reindent.block(blocks[index], after_blank=index > 0)
            if reindented is None:
                break
            blocks[index], rest = reindented
            if rest is not None:
                blocks.insert(index + 1, rest)
            index += 1
        return False  # not handled: the list processors take the block from here


class NestedListExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        # Before the indented-code (80) and list (40, 30) processors, after the empty-line one (100).
        md.parser.blockprocessors.register(_NestedListProcessor(md.parser), "nested-lists", 99)
