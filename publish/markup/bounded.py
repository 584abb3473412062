"""Python-Markdown's link, image and footnote patterns with bounded scans, so that an unclosed `[`,
`[x](` or `[^` costs a bounded look-ahead instead of a scan to the end of the paragraph (which made
a paragraph of them quadratic), and a bound on the inline marks one chapter may hold (the parser
spends a fraction of a millisecond on each, whatever their arrangement)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

import markdown
from markdown import inlinepatterns as patterns
from markdown.blockprocessors import BlockQuoteProcessor
from markdown.extensions.footnotes import FootnoteInlineProcessor

MAX_LINK_TEXT = 2_000  # characters between a link's [ and ]
MAX_DESTINATION = 2_000  # characters between a link's ( and )
MAX_INLINE_MARKS = 5_000  # per chapter: emphasis, brackets, backticks, tags, citations, line breaks
MAX_BLOCK = 20_000  # characters without a blank line: the parser rewrites a paragraph's text at each mark
# A run of `*` or `_` (a rule, a long dash of underscores) is one mark; each bracket and backtick counts.
INLINE_MARK = re.compile(r"([*_])\1*|[`\[\]<@]| {2,}\n")
FOOTNOTE_RE = r"\[\^([^\]\n]{1,200})\]"


class _Bounded:
    """getText and getLink looking at most a bounded window ahead, with a C-speed check first that the
    closing bracket is there at all."""

    def getText(self, data: str, index: int) -> tuple[str, int, bool]:
        if data.find("]", index, index + MAX_LINK_TEXT) < 0:
            return "", index, False
        text, end, handled = super().getText(data[index:index + MAX_LINK_TEXT], 0)
        return text, index + end, handled

    def getLink(self, data: str, index: int) -> tuple[str, str | None, int, bool]:
        if data.find(")", index, index + MAX_DESTINATION) < 0:
            return "", None, index, False
        href, title, end, handled = super().getLink(data[index:index + MAX_DESTINATION], 0)
        return href, title, index + end, handled


class _Link(_Bounded, patterns.LinkInlineProcessor):
    pass


class _Image(_Bounded, patterns.ImageInlineProcessor):
    pass


class _Reference(_Bounded, patterns.ReferenceInlineProcessor):
    pass


class _ShortReference(_Bounded, patterns.ShortReferenceInlineProcessor):
    pass


class _ImageReference(_Bounded, patterns.ImageReferenceInlineProcessor):
    pass


class _ShortImageReference(_Bounded, patterns.ShortImageReferenceInlineProcessor):
    pass


class _BlockQuote(BlockQuoteProcessor):
    """Python-Markdown's block quotation, its `> ` markers removed by one substitution over the block
    instead of a regular expression per line per level (which made deep quotations the slowest thing
    a chapter could hold)."""

    MARKERS = re.compile(r"(?m)^(?:[^\S\n]*>[^\S\n]*$|[ ]{0,3}>[ ]?)")  # clean(), for every line at once

    def run(self, parent: etree.Element, blocks: list[str]) -> None:
        block = blocks.pop(0)
        m = self.RE.search(block)
        if m:
            self.parser.parseBlocks(parent, [block[:m.start()]])  # the lines before the quotation
            block = self.MARKERS.sub("", block[m.start():])
        sibling = self.lastChild(parent)
        if sibling is not None and sibling.tag == "blockquote":
            quote = sibling  # the previous block was a quotation: this one continues it
        else:
            quote = etree.SubElement(parent, "blockquote")
        self.parser.state.set("blockquote")
        self.parser.parseChunk(quote, block)
        self.parser.state.reset()


# Python-Markdown's names, patterns and priorities (markdown.inlinepatterns.build_inlinepatterns).
REPLACED = [
    ("reference", _Reference, patterns.REFERENCE_RE, 170), ("link", _Link, patterns.LINK_RE, 160),
    ("image_link", _Image, patterns.IMAGE_LINK_RE, 150),
    ("image_reference", _ImageReference, patterns.IMAGE_REFERENCE_RE, 140),
    ("short_reference", _ShortReference, patterns.REFERENCE_RE, 130),
    ("short_image_ref", _ShortImageReference, patterns.IMAGE_REFERENCE_RE, 125),
]


class BoundedExtension(markdown.Extension):
    """Replaces the link and image patterns, the footnote pattern (after the footnotes extension) and the
    block quotation processor."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        for name, processor, pattern, priority in REPLACED:
            md.inlinePatterns.register(processor(pattern, md), name, priority)
        if "footnote" in md.inlinePatterns:
            footnotes = md.inlinePatterns["footnote"].footnotes
            md.inlinePatterns.register(FootnoteInlineProcessor(FOOTNOTE_RE, footnotes), "footnote", 175)
        md.parser.blockprocessors.register(_BlockQuote(md.parser), "quote", 20)


BLANK_LINE = re.compile(r"\n[ \t]*\n")


def crowding(text: str) -> tuple[int, str]:
    """Where a chapter holds more inline markup than the parser handles in reasonable time, and why;
    (-1, "") if it does not. A run of one mark (`*****`, a rule) counts once."""
    start = 0
    for blank in [*BLANK_LINE.finditer(text), None]:
        end = blank.start() if blank else len(text)
        if end - start > MAX_BLOCK:
            return start, f"a block of {end - start:,} characters without a blank line (at most {MAX_BLOCK:,})"
        start = blank.end() if blank else end
    for count, match in enumerate(INLINE_MARK.finditer(text), 1):
        if count > MAX_INLINE_MARKS:
            return match.start(), (f"more than {MAX_INLINE_MARKS:,} inline marks (emphasis, brackets, "
                                   "backticks, tags, citations) in one chapter")
    return -1, ""
