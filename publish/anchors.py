"""Ids in a chapter and where they were written: every heading gets an id unique in the book, an id
the manuscript writes may be neither one used before nor one publish generates, and footnotes are
located in the source for their diagnostics (undefined, defined twice, referenced twice, unused)."""

from __future__ import annotations

import re
from collections import Counter

from lxml import etree
from markdown.extensions.toc import slugify

from publish.book import ChapterSource
from publish.diagnostics import Diagnostics, position

HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# The ids the layouts and renderers write, and what each names.
GENERATED = {
    "references": "the References section", "references-title": "the References heading",
    "toc": "the table of contents", "toc-title": "the table of contents' heading",
    "contents": "the contents page", "contents-title": "the contents page's heading",
    "title-page": "the title page", "copyright": "the copyright page", "landmarks": "the EPUB landmarks",
    "page-list": "the EPUB page list", "main": "the web edition's main text", "notes": "the notes",
    "show-pages": "the web edition's page switch", "show-editorial": "the web edition's editorial switch",
}
GENERATED_PATTERNS = [
    (re.compile(r"note-\d+"), "note-N", "a footnote"), (re.compile(r"noteref-\d+"), "noteref-N", "a note reference"),
    (re.compile(r"cite-\d+"), "cite-N", "a citation"), (re.compile(r"page-\d+"), "page-N", "a print page marker"),
    (re.compile(r"ref-.+"), "ref-KEY", "a References entry"),
    (re.compile(r"fn(ref\d*)?-.+"), "fn-LABEL", "a footnote being parsed"),
]
PARSER_FOOTNOTE_ID = re.compile(r"fn(ref\d*)?-.+")  # Python-Markdown's, replaced by publish.parse._notes


def generated(value: str, used: set[str]) -> str:
    """What an id collides with, as a phrase naming the generated id ('' if nothing)."""
    if value in GENERATED:
        return f"the generated id '{value}' ({GENERATED[value]})"
    for pattern, name, what in GENERATED_PATTERNS:
        if pattern.fullmatch(value):
            return f"the generated id '{name}' ({what})"
    if value.endswith("-title") and value[:-6] in used:
        return f"the generated id '{value}' (the title of chapter '{value[:-6]}')"
    return ""


def assign_ids(root: etree._Element, used: set[str], source: ChapterSource, found: Diagnostics) -> None:
    """Every heading given an id (its text slugified, unless written `{#id}`) unique in the whole book:
    the web edition is one page. A written id that collides is an error at its line."""
    written: Counter[str] = Counter()
    suffix: dict[str, int] = {}  # the last number tried for a slug, so that a thousand "Part"s cost a thousand
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        value = element.get("id")
        if value is not None and not (element.tag in ("sup", "li") and PARSER_FOOTNOTE_ID.fullmatch(value)):
            clash = generated(value, used) or (f"an id used before ('{value}')" if value in used else "")
            if clash:
                found.error(source.path, f"id '{value}' collides with {clash}",
                            *locate_id(source.text, value, written[value]))
            written[value] += 1
            _claim(element, value, used)
        elif element.tag in HEADINGS:
            base = slugify(element.text_content(), "-") or "section"
            new, n = base, suffix.get(base, 1)
            while generated(new, used) or new in used or (element.tag == "h1" and f"{new}-title" in used):
                n += 1
                new = f"{base}-{n}"
            suffix[base] = n
            if base in used and element.tag != "h1":
                found.warning(source.path, f"duplicate heading id '{base}' renamed '{new}'")
            element.set("id", new)
            _claim(element, new, used)


def _claim(element: etree._Element, value: str, used: set[str]) -> None:
    used.add(value)
    if element.tag == "h1":
        used.add(f"{value}-title")  # the chapter's title carries it in every layout


def locate_id(text: str, value: str, nth: int = 0) -> tuple[int, int]:
    """Where the n-th `{#id}` or `id="id"` of a value is written (0, 0 if it cannot be found)."""
    escaped = re.escape(value)
    pattern = re.compile(r"\{[^}\n]*#" + escaped + r"(?=[\s}])|\bid\s*=\s*[\"']?" + escaped + r"(?=[\"'\s>/])")
    return _nth_position(text, pattern, nth)


def _nth_position(text: str, pattern: re.Pattern[str], nth: int) -> tuple[int, int]:
    for n, match in enumerate(pattern.finditer(text)):
        if n == nth:
            return position(text, match.start())
    return 0, 0


def footnote_definitions(text: str, label: str) -> list[tuple[int, int]]:
    """Where each `[^label]:` definition is written."""
    pattern = re.compile(r"(?m)^ {0,3}\[\^" + re.escape(label) + r"\]:")
    return [position(text, m.start()) for m in pattern.finditer(text)]


def footnote_references(text: str, label: str) -> list[tuple[int, int]]:
    """Where each `[^label]` reference (not a definition, not escaped) is written."""
    pattern = re.compile(r"(?<!\\)\[\^" + re.escape(label) + r"\](?!:)")
    return [position(text, m.start()) for m in pattern.finditer(text)]


def check_footnote_definitions(text: str, labels: list[str], source: ChapterSource, found: Diagnostics) -> None:
    """A footnote defined twice is an error at its second definition."""
    for label in labels:
        places = footnote_definitions(text, label)
        if len(places) > 1:
            found.error(source.path, f"footnote '[^{label}]' is defined twice (first at line {places[0][0]})",
                        *places[1])


REFERENCE = re.compile(r"(?<!\\)\[\^([^\]\s]+)\](?!:)")


def check_undefined_footnotes(defined: set[str], source: ChapterSource, found: Diagnostics) -> None:
    """A footnote reference outside code whose label has no definition is an error at its line
    (Python-Markdown leaves it as text)."""
    from publish.lint import mask

    for match in REFERENCE.finditer(mask(source.text)[0]):
        if match[1] not in defined:
            found.error(source.path, f"footnote '[^{match[1]}]' is referenced but never defined",
                        *position(source.text, match.start()))
