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

BRACKET_RE = r"\[(?P<inner>[^\[\]]+)\]"
NOTE = re.compile(r"\s*[–—-]\s*ed\.\s*$")


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
        span = etree.Element("span", {"class": f"ed ed-{kind}"})
        opening = etree.SubElement(span, "span", {"class": "ed-bracket"})
        opening.text = "["
        if kind == "sic":
            word = etree.SubElement(span, "i")
            word.text = inner.strip()
        else:
            opening.tail = inner
        closing = etree.SubElement(span, "span", {"class": "ed-bracket"})
        closing.text = "]"
        return span, m.start(0), m.end(0)


class EditorialExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        md.inlinePatterns.register(_EditorialProcessor(BRACKET_RE, md), "editorial", 40)

