"""Index marks: `{^term}` leaves an anchor for an index entry at its place in the text.

The mark prints nothing. Its content names the entry, sub-entries after `!`, and what the mark does
after `|`: `{^planning!and the market}`, `{^Thermidor|(}` … `{^Thermidor|)}` (a range),
`{^Stalinism|see Bureaucracy}`, `{^Stalinism|see also Bureaucracy}`; a leading `name:` picks one of
the book's indexes (`{^names: Bukharin, Nikolai}`). Braces never hold editorial text, so a mark
cannot be taken for an editorial bracket (`[was]`), and a Pandoc user's `{…}` attributes never begin
with `^`. Marks are read by publish/index.py; this extension only leaves the placeholders.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Extension, Markdown
from markdown.inlinepatterns import InlineProcessor

from publish.markup.automail import PLACEHOLDER, restored

MARK_RE = r"\{\^(?P<body>[^{}\n]+)\}"
MARK = re.compile(MARK_RE)


class _IndexMarkProcessor(InlineProcessor):
    def handleMatch(self, m: re.Match[str], data: str):
        marks = self.md.index_marks  # type: ignore[attr-defined]
        span = etree.Element("span", {"class": "ix", "data-ix": str(len(marks))})
        span.text = ""
        marks.append(PLACEHOLDER.sub("", restored(self, m["body"])))  # `{^a\\*b}` is the term a*b
        return span, m.start(0), m.end(0)


class IndexMarkExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        md.registerExtension(self)
        self.md = md
        md.index_marks = []  # type: ignore[attr-defined]
        # Before the editorial brackets (40) and links (160 and below need `[`): a mark holds neither.
        md.inlinePatterns.register(_IndexMarkProcessor(MARK_RE, md), "index-mark", 45)

    def reset(self) -> None:
        self.md.index_marks = []  # type: ignore[attr-defined]
