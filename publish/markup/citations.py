"""Citations in Pandoc's syntax: `[see @a, 3; also @b, 12]`, `[-@key]`, narrative `@key`, and
`@{key}` for a key with characters a bare key cannot hold (`[@{doe:2001/a}]`).

Each citation becomes an empty `<span class="citation">` placeholder with an id; the resolve stage
renders its text through the CSL processor. The parsed citations are kept on `md.citations`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Extension, Markdown
from markdown.inlinepatterns import InlineProcessor

from publish.model import CiteItem

# A key as Pandoc reads one: word characters with inner punctuation, or anything but braces in `@{...}`.
KEY = r"(?:\{[^{}\s]+\}|[\w](?:[\w]|[:.#$%&+?<>~/-](?=[\w]))*)"
# A bracketed citation: each ';'-separated part holds one @key, preceded by start, space or '-'.
BRACKETED_RE = r"\[(?P<body>[^\[\]]*?(?:^|(?<=[\s\[;-]))@" + KEY + r"[^\[\]]*)\]"
# `@` first, then the look-behind (over it), so that the regex engine scans for `@` at C speed.
NARRATIVE_RE = r"@(?<![\w@.]@)(?P<key>" + KEY + r")"
ITEM = re.compile(r"^(?P<prefix>.*?)(?P<suppress>-?)@(?P<key>" + KEY + r")(?P<rest>.*)$", re.DOTALL)
LABELS = {
    "p.": "page", "pp.": "page", "page": "page", "pages": "page",
    "chap.": "chapter", "chaps.": "chapter", "chapter": "chapter", "ch.": "chapter",
    "§": "section", "§§": "section", "sec.": "section", "section": "section",
    "vol.": "volume", "vols.": "volume", "n.": "note", "nn.": "note", "para.": "paragraph",
}
LOCATOR = re.compile(r"^\s*(?:(?P<label>[^\s\d]+)\s*)?(?P<value>[\dIVXLCivxlc]+(?:\s*[-–,]\s*[\dIVXLCivxlc]+)*)(?P<suffix>.*)$", re.DOTALL)


def parse_items(body: str) -> list[CiteItem] | None:
    """The items of a bracketed citation's text, or None when a part holds no @key."""
    items = []
    for part in body.split(";"):
        m = ITEM.match(part.strip())
        if not m:
            return None
        item = CiteItem(key=_unbraced(m["key"]), prefix=m["prefix"].strip(), suppress_author=bool(m["suppress"]))
        rest = m["rest"].strip()
        if rest.startswith(","):
            rest = rest[1:].strip()
            loc = LOCATOR.match(rest)
            if loc and (loc["label"] is None or loc["label"].lower() in LABELS):
                item.label = LABELS.get((loc["label"] or "p.").lower(), "page")
                item.locator = loc["value"].replace(" ", "") if "," not in loc["value"] else loc["value"]
                item.suffix = loc["suffix"].strip()
            else:
                item.suffix = rest
        else:
            item.suffix = rest
        items.append(item)
    return items


def _unbraced(key: str) -> str:
    return key[1:-1] if key.startswith("{") else key


class _CitationProcessor(InlineProcessor):
    def __init__(self, pattern: str, md: Markdown, narrative: bool) -> None:
        super().__init__(pattern, md)
        self.narrative = narrative

    def handleMatch(self, m: re.Match[str], data: str):
        if self.narrative:
            items = [CiteItem(key=_unbraced(m["key"]))]
        else:
            items = parse_items(m["body"])
            if items is None:
                return None, None, None
        index = len(self.md.citations)
        self.md.citations.append((items, self.narrative, m.group(0)))
        span = etree.Element("span", {"class": "citation", "data-cites": " ".join(i.key for i in items),
                                      "data-citation": str(index)})
        return span, m.start(0), m.end(0)


class CitationExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        self.md = md
        md.citations = []
        md.registerExtension(self)
        md.inlinePatterns.register(_CitationProcessor(BRACKETED_RE, md, False), "citation", 178)
        md.inlinePatterns.register(_CitationProcessor(NARRATIVE_RE, md, True), "citation-narrative", 105)

    def reset(self) -> None:
        self.md.citations = []
