"""An index's chapter body for each format: entries in the collation order of the book's language (the
Unicode Collation Algorithm, by ICU), letter groups, sub-entries nested, each locator a link to its
place; page numbers folded and merged into ranges in the book's page-range form; see and see also in
italic, as the Chicago Manual of Style sets them. The EPUB's follows EPUB Indexes 1.0."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from html import escape

from publish.bibliography.ranges import EN_DASH, format_range
from publish.index import BookIndex, Mark
from publish.model import PageStart


@dataclass
class Entry:
    term: str
    places: list[tuple[PageStart, str, PageStart, str, bool]] = field(default_factory=list)
    see: list[tuple[str, ...]] = field(default_factory=list)
    see_also: list[tuple[str, ...]] = field(default_factory=list)
    children: dict[str, Entry] = field(default_factory=dict)


def entries(index: BookIndex) -> dict[str, Entry]:
    """The index's entries by term, each with its places (first page and anchor, last page and anchor,
    passim) and cross-references; a range's start is paired with the next end of the same entry."""
    top: dict[str, Entry] = {}
    open_ranges: dict[tuple[str, ...], list[Mark]] = {}
    for mark in index.marks:
        entry = _entry(top, mark.path)
        if mark.action in ("see", "see-also"):
            targets = entry.see if mark.action == "see" else entry.see_also
            if mark.target not in targets:
                targets.append(mark.target)
            continue
        page = index.pages.get(mark.anchor)
        if page is None:
            continue
        if mark.action == "start":
            open_ranges.setdefault(mark.path, []).append(mark)
        elif mark.action == "end" and open_ranges.get(mark.path):
            start = open_ranges[mark.path].pop()
            first = index.pages[start.anchor]
            entry.places.append((first, start.anchor, page, mark.anchor, start.passim))
        else:  # a place, or an end without its start
            entry.places.append((page, mark.anchor, page, mark.anchor, False))
    for path, starts in open_ranges.items():  # a start without its end: its page alone
        for start in starts:
            page = index.pages[start.anchor]
            _entry(top, path).places.append((page, start.anchor, page, start.anchor, False))
    return top


def _entry(top: dict[str, Entry], path: tuple[str, ...]) -> Entry:
    level = top
    entry = None
    for term in path:
        entry = level.setdefault(term, Entry(term))
        level = entry.children
    assert entry is not None
    return entry


Place = tuple[PageStart, str, PageStart, str, bool]  # first page and anchor, last page and anchor, passim


def merged(places: list[Place]) -> list[Place]:
    """Places in page order, the same page once, consecutive and overlapping pages one range."""
    def key(place: Place) -> tuple[bool, int, int]:
        return (not place[0].front, place[0].number, place[2].number)

    result: list[Place] = []
    for place in sorted(places, key=key):
        if result:
            first, first_anchor, last, last_anchor, passim = result[-1]
            if place[0].front == last.front and place[0].number <= last.number + 1:
                if place[2].number > last.number:
                    last, last_anchor = place[2], place[3]
                result[-1] = (first, first_anchor, last, last_anchor, passim or place[4])
                continue
        result.append(place)
    return result


@cache
def _collation(language: str):
    import icu

    locale = icu.Locale(language.replace("-", "_"))
    collator = icu.Collator.createInstance(locale)
    buckets = icu.AlphabeticIndex(locale).buildImmutableIndex()
    return collator, buckets


def sort_key(language: str, text: str) -> bytes:
    return _collation(language)[0].getSortKey(text)


def letter(language: str, text: str) -> str:
    """The letter group of a term in the book's language: `Ł` in Polish, `L` in English."""
    buckets = _collation(language)[1]
    return buckets.getBucket(buckets.getBucketIndex(text))[0]


def index_markup(index: BookIndex, fmt: str) -> str:
    """The index chapter's body in a format: `pdf`, `epub` or `html`."""
    top = entries(index)
    groups: dict[str, list[Entry]] = {}
    for entry in _sorted(index, top, ()):
        groups.setdefault(letter(index.language, _sort_form(index, (entry.term,))), []).append(entry)
    parts = []
    for label, members in groups.items():
        items = "".join(_item(index, e, (e.term,), fmt) for e in members)
        parts.append(f'<div class="index-group"{_type(fmt, "index-group")}>'
                     f'<h2 class="index-letter">{escape(label)}</h2>'
                     f'<ul class="index-entries"{_type(fmt, "index-entry-list")}>{items}</ul></div>')
    return f'<div class="index-columns">{"".join(parts)}</div>'


def _sorted(index: BookIndex, level: dict[str, Entry], path: tuple[str, ...]) -> list[Entry]:
    return sorted(level.values(), key=lambda e: sort_key(index.language, _sort_form(index, path + (e.term,))))


def _sort_form(index: BookIndex, path: tuple[str, ...]) -> str:
    """What a term sorts by: index.yaml's `sort`, else the term without its italics' asterisks."""
    return index.sorting.get(path, path[-1].replace("*", ""))


def _type(fmt: str, kind: str) -> str:
    return f' epub:type="{kind}"' if fmt == "epub" else ""


def term_markup(term: str) -> str:
    """A term as set: escaped, `*a title*` in italic."""
    return re.sub(r"\*([^*]+)\*", r"<i>\1</i>", escape(term, quote=False))


def _item(index: BookIndex, entry: Entry, path: tuple[str, ...], fmt: str) -> str:
    text = f'<span class="index-term"{_type(fmt, "index-term")}>{term_markup(entry.term)}</span>'
    locators = [_locator(index, place, fmt) for place in merged(entry.places)]
    if locators:
        text += ", " + ", ".join(locators)
    sub = len(path) > 1
    for targets, kind, word in ((entry.see, "index-xref-preferred", "see"),
                                (entry.see_also, "index-xref-related", "see also")):
        if not targets:
            continue
        # A sub-entry as Chicago names it: "See planning: and the market".
        names = "; ".join(term_markup(": ".join(t)) for t in targets)
        if sub:
            text += f' (<span class="index-xref"{_type(fmt, kind)}><i>{word}</i> {names}</span>)'
        else:
            text += f'. <span class="index-xref"{_type(fmt, kind)}><i>{word.capitalize()}</i> {names}</span>'
    if entry.children:
        items = "".join(_item(index, e, path + (e.term,), fmt) for e in _sorted(index, entry.children, path))
        text += f'<ul class="index-entries"{_type(fmt, "index-entry-list")}>{items}</ul>'
    return f'<li class="index-entry"{_type(fmt, "index-entry")}>{text}</li>'


def _locator(index: BookIndex, place: tuple[PageStart, str, PageStart, str, bool], fmt: str) -> str:
    first, first_anchor, last, last_anchor, passim = place
    link = f'<a class="index-locator"{_type(fmt, "index-locator")} href="#{first_anchor}">{first.label}</a>'
    if first.number == last.number and first.front == last.front:
        return link
    second = last.label
    if not first.front and not last.front:
        second = format_range(first.label, last.label, index.range_form).split(EN_DASH, 1)[1]
    end = f'<a class="index-locator"{_type(fmt, "index-locator")} href="#{last_anchor}">{second}</a>'
    text = f"{link}{EN_DASH}{end}"
    if fmt == "epub":
        text = f'<span epub:type="index-locator-range">{text}</span>'
    return text + (" <i>passim</i>" if passim else "")
