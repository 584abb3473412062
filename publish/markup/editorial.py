"""Editorial brackets: `[text]` insertion, `[...]`/`[…]` omission, `[sic]`, `[text – ed.]` note.

Links, images, footnote references and citations have higher priority and are taken first;
`\\[` and `\\]` are literal. The bracket characters stay inside the span, so copied text keeps them, each
in a `span.ed-bracket` of its own so that a layout can set them upright inside italic text.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Extension, Markdown
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor

BRACKET_RE = r"\[(?P<inner>[^\[\]]+)\]"
NOTE = re.compile(r"\s*[–—-]\s*ed\.\s*$")
SQUARE = re.compile(r"[\[\]]")  # found by the regex engine: a block's plain text is skipped at C speed


def _mark(kind: str) -> etree.Element:
    return etree.Element("span", {"class": f"ed ed-{kind}"})


def _bracket(char: str) -> etree.Element:
    bracket = etree.Element("span", {"class": "ed-bracket"})
    bracket.text = char
    return bracket


def classify(inner: str) -> str:
    """The kind of an editorial bracket from its content."""
    text = inner.strip()
    if text in ("...", "…", ". . ."):
        return "omission"
    if text.lower() == "sic":
        return "sic"
    if NOTE.search(text):
        return "note"
    return "insert"


class _EditorialProcessor(InlineProcessor):
    # Python-Markdown re-reads the text of nested elements; a bracket already wrapped is left alone.
    ANCESTOR_EXCLUDES = ("span",)

    def handleMatch(self, m: re.Match[str], data: str):
        inner = m["inner"]
        kind = classify(inner)
        span = _mark(kind)
        opening = _bracket("[")
        span.append(opening)
        if kind == "sic":
            word = etree.SubElement(span, "i")
            word.text = inner.strip()
        else:
            opening.tail = inner
        span.append(_bracket("]"))
        return span, m.start(0), m.end(0)


# Inline elements a bracket may cross (`the *state [was* very]`); it never crosses anything else.
CROSSABLE = ("em", "strong", "i", "b")
BLOCKS = ("p", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd")


class _CrossingBrackets(Treeprocessor):
    """A bracket whose `[` and `]` lie on either side of an emphasis boundary: the inline pattern cannot
    see it, so it is marked here, after the inline patterns, by splitting the emphasis it crosses:
    `the <em>state </em><span class="ed ed-insert">[<em>was</em> very]</span>`."""

    def run(self, root: etree.Element) -> None:
        for block in [element for element in root.iter() if element.tag in BLOCKS]:
            while self._mark_one(block):
                pass

    @staticmethod
    def _events(element: etree.Element) -> list[tuple[str, object]]:
        events: list[tuple[str, object]] = [("text", element.text or "")]
        for child in element:
            if child.tag in CROSSABLE:
                events += [("open", child)] + _CrossingBrackets._events(child) + [("close", child)]
            else:
                events.append(("atom", child))  # links, citations, marked brackets: taken whole
            events.append(("text", child.tail or ""))
        return events

    def _mark_one(self, block: etree.Element) -> bool:
        events = self._events(block)
        # The first bracket pair whose two halves are in different runs of text.
        opened: list[tuple[int, int]] = []
        pair = None
        for i, (kind, value) in enumerate(events):
            if kind != "text":
                continue
            for found in SQUARE.finditer(value):  # type: ignore[arg-type]
                j, char = found.start(), found[0]
                if char == "[":
                    opened.append((i, j))
                elif opened:
                    start = opened.pop()
                    if start[0] != i:
                        pair = (start, (i, j))
                        break
            if pair:
                break
        if pair is None:
            return False
        (si, sj), (ei, ej) = pair
        inner = "".join(v for k, v in events[si:ei + 1] if k == "text")  # type: ignore[misc]
        inner = inner[sj + 1:len(inner) - (len(events[ei][1]) - ej)]  # type: ignore[arg-type]
        mark = _mark(classify(re.sub(r"\s+", " ", inner)))
        # Split the text runs at the brackets, then rebuild the block with the span, closing and
        # reopening each emphasis that crosses one of its edges.
        start_text, end_text = events[si][1], events[ei][1]
        new: list[tuple[str, object]] = events[:si] + [("text", start_text[:sj]), ("begin", mark),
                                                       ("atom", _bracket("[")), ("text", start_text[sj + 1:])]
        new += events[si + 1:ei] if si != ei else []
        new += [("text", end_text[:ej]), ("atom", _bracket("]")), ("end", mark), ("text", end_text[ej + 1:])]
        new += events[ei + 1:]
        self._rebuild(block, new)
        return True

    @staticmethod
    def _rebuild(block: etree.Element, events: list[tuple[str, object]]) -> None:
        for child in list(block):
            block.remove(child)
        block.text = None
        stack: list[etree.Element] = [block]
        current: list[etree.Element] = []  # open emphasis, outermost first
        outside: list[etree.Element] = []  # emphasis open where the mark began

        def add_text(text: str) -> None:
            parent = stack[-1]
            if len(parent):
                parent[-1].tail = (parent[-1].tail or "") + text
            else:
                parent.text = (parent.text or "") + text

        def open_element(template: etree.Element) -> None:
            element = etree.SubElement(stack[-1], template.tag, dict(template.attrib))
            stack.append(element)

        for kind, value in events:
            if kind == "text":
                add_text(value)  # type: ignore[arg-type]
            elif kind == "atom":
                stack[-1].append(value)  # type: ignore[arg-type]
                value.tail = None  # type: ignore[union-attr]
            elif kind == "open":
                open_element(value)  # type: ignore[arg-type]
                current.append(value)  # type: ignore[arg-type]
            elif kind == "close":
                current.pop()
                stack.pop()
            elif kind == "begin":
                # Emphasis open now stays outside the mark: close it, open the mark, reopen it inside.
                outside = list(current)
                del stack[len(stack) - len(outside):]
                stack[-1].append(value)  # type: ignore[arg-type]
                stack.append(value)  # type: ignore[arg-type]
                for template in outside:
                    open_element(template)
            elif kind == "end":
                # Close what is open inside the mark, close it, reopen what is still open after it.
                inside = list(current)
                del stack[stack.index(value):]  # type: ignore[arg-type]
                for template in inside:
                    open_element(template)
        # A split may leave an emphasis with nothing in it (`*[...* it]`): drop it.
        for parent in [block, *block.iter()]:
            for child in list(parent):
                if child.tag in CROSSABLE and not child.text and not len(child):
                    index = list(parent).index(child)
                    if child.tail:
                        if index:
                            parent[index - 1].tail = (parent[index - 1].tail or "") + child.tail
                        else:
                            parent.text = (parent.text or "") + child.tail
                    parent.remove(child)


class EditorialExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        md.inlinePatterns.register(_EditorialProcessor(BRACKET_RE, md), "editorial", 40)
        md.treeprocessors.register(_CrossingBrackets(md), "editorial-crossing", 19)

