"""Citations and References through citeproc-js (publish.bibliography.engine) and a CSL style.

The book's citations go to the engine as one document, in reading order, so that disambiguation,
year suffixes, `subsequent-author-substitute` and (in note styles) ibid. and short forms follow from
their positions as in Zotero. Two things are ours, not CSL's:

- narrative citations (`@key`): the author-only form, then the cite without the author, as Pandoc
  prints them: "Trotsky (1937b, 56)";
- a `year-suffix` written in an entry (see `fixed_suffixes`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from lxml import etree

from publish.bibliography import DATE_FIELDS, Bibliography, check_keys, read_style
from publish.bibliography.engine import EngineError, render_book
from publish.bibliography.positions import Cite, positions
from publish.diagnostics import Diagnostics, fail
from publish.markup import tie_spaced_dashes
from publish.model import Citation, CiteItem, Reference

CSL_NS = {"cs": "http://purl.org/net/xbiblio/csl"}


def render_citations(citations: list[Citation], bibliography: Bibliography, style: Path, locale: str,
                     found: Diagnostics, nocite: list[str] | None = None,
                     note_numbers: dict[str, int] | None = None, cache: Any = None) -> list[Reference]:
    """Fill every citation's html and return the References: the works cited (and those of
    `nocite`, a list of keys or ["*"]), in the style's order. `note_numbers` gives the footnote each
    citation stands in (by citation id), for a note style's positions; `cache`, the build's, keeps
    what the engine gave (see `render_book`)."""
    known = [c for c in citations if check_keys(c, bibliography, found)]
    uncited = _uncited(nocite or [], bibliography, {k for c in known for k in c.keys})
    if not known and not uncited:
        return []
    root = read_style(style)
    keys = list(dict.fromkeys([k for c in known for k in c.keys] + uncited))
    items = {key: _item(key, bibliography.entries[key]) for key in keys}
    decode = fixed_suffixes(items)
    notes = [0] * len(known) if note_numbers is None else [note_numbers.get(c.id, 0) for c in known]
    placed = positions([[Cite(i.key, i.locator, i.label) for i in c.items] for c in known], notes)
    in_notes = note_numbers is not None  # a note style: a narrative citation's cite goes whole to its note
    clusters = [json.dumps([_cite_item(i, c.narrative and not in_notes) | p for i, p in zip(c.items, where)],
                           sort_keys=True) for c, where in zip(known, placed)]
    distinct = list(dict.fromkeys(clusters))
    narrative = list(dict.fromkeys(c.items[0].key for c in known if c.narrative))
    try:
        rendered = render_book(etree.tostring(root, encoding="unicode"), locale, items,
                               [json.loads(c) for c in distinct], uncited, narrative, cache)
    except EngineError as error:
        raise fail(style, f"not a usable CSL style: {error}") from None
    text_of = dict(zip(distinct, rendered.citations))
    opening, _ = _layout_affixes(root)
    names = _cites_names(root)
    for citation, cluster in zip(known, clusters):
        text = text_of[cluster]
        if citation.narrative:
            key = citation.items[0].key
            author = rendered.authors[key] if names else _family_names(bibliography.entries[key])
            if in_notes:
                citation.author_html = tie_spaced_dashes(decode(author))
                citation.html = tie_spaced_dashes(decode(text))
                continue
            if not (opening and text.startswith(opening)):
                text = f"({text})"
            text = f"{author} {text}" if author else text
        citation.html = tie_spaced_dashes(decode(text))
    first_cite: dict[str, str] = {}
    for citation in known:
        for key in citation.keys:
            first_cite.setdefault(key, citation.id)
    return [Reference(key, f"ref-{key}", tie_spaced_dashes(decode(text)), first_cite.get(key, ""))
            for key, text in rendered.entries]


def _uncited(nocite: list[str], bibliography: Bibliography, cited: set[str]) -> list[str]:
    keys = list(bibliography.entries) if "*" in nocite else [k for k in nocite if k in bibliography.entries]
    return [k for k in keys if k not in cited]


def _item(key: str, entry: dict[str, Any]) -> dict[str, Any]:
    return {**entry, "id": key}


def _cite_item(item: CiteItem, narrative: bool) -> dict[str, Any]:
    cite: dict[str, Any] = {"id": item.key}
    if item.locator:
        cite["locator"], cite["label"] = item.locator, item.label
    if item.prefix:
        cite["prefix"] = item.prefix + " "
    if item.suffix:
        cite["suffix"] = (" " if item.suffix[0].isalnum() else "") + item.suffix
    if item.suppress_author or narrative:
        cite["suppress-author"] = True
    return cite


def _layout_affixes(root: etree._Element) -> tuple[str, str]:
    layout = root.find("cs:citation/cs:layout", CSL_NS)
    return ("", "") if layout is None else (layout.get("prefix", ""), layout.get("suffix", ""))


def _cites_names(root: etree._Element) -> bool:
    """Whether the style's citations name anyone (a `cs:names` in the layout or a macro it calls):
    if not (the house style), a narrative citation's author comes from the entry."""
    macros = {m.get("name"): m for m in root.findall("cs:macro", CSL_NS)}
    todo, seen = [root.find("cs:citation", CSL_NS)], set()
    while todo:
        element = todo.pop()
        if element is None:
            continue
        if element.find(".//cs:names", CSL_NS) is not None:
            return True
        for call in element.iterfind(".//cs:text[@macro]", CSL_NS):
            if call.get("macro") not in seen:
                seen.add(call.get("macro"))
                todo.append(macros.get(call.get("macro")))
    return False


def _family_names(entry: dict[str, Any]) -> str:
    people = [p for p in entry.get("author") or entry.get("editor") or [] if isinstance(p, dict)]
    families = [p.get("family") or p.get("literal", "") for p in people]
    if len(families) > 3:
        return f"{families[0]} et al."
    return " and ".join([", ".join(families[:-1]), families[-1]]) if len(families) > 1 else "".join(families)


def fixed_suffixes(items: dict[str, dict[str, Any]]) -> Any:
    """Our `year-suffix` field (not CSL's): a letter written in an entry is always shown after the
    year of its `original-date` (else of `issued`), in every book and style, so that a work keeps its
    original edition's label (1937b) whatever else a book cites.

    citeproc-js assigns year suffixes itself and reads none from the data. So, when an entry cited
    has one, every year of every item is handed to it as year * 100 + the letter's rank (a = 1, none
    = 0): the order of dates is kept, works with a letter no longer look alike to the engine, and the
    numbers are turned back into "1937b" and "1970" in its output. Returns that decoder (a no-op
    when no cited entry has a letter); the items are changed in place."""
    letters = {key: str(item.pop("year-suffix", "")).strip().lower() for key, item in items.items()}
    if not any(re.fullmatch("[a-z]", letter) for letter in letters.values()):
        return lambda text: text
    shown: dict[str, str] = {}
    for key, item in items.items():
        letter = letters[key] if re.fullmatch("[a-z]", letters[key]) else ""
        carrier = "original-date" if _years(item.get("original-date")) else "issued"
        for name in DATE_FIELDS:
            parts = item.get(name, {}).get("date-parts") if isinstance(item.get(name), dict) else None
            if not _years(item.get(name)):
                continue
            scaled = []
            for n, part in enumerate(parts):
                year = int(part[0])
                rank = ord(letter) - ord("a") + 1 if letter and name == carrier and n == 0 else 0
                shown[str(year * 100 + rank)] = f"{year}{letter if rank else ''}"
                scaled.append([year * 100 + rank, *part[1:]])
            item[name] = {**item[name], "date-parts": scaled}
    pattern = re.compile(r"(?<![\d])(\d{3,8})(?![\d])")
    return lambda text: pattern.sub(lambda m: shown.get(m[1], m[1]), text)


def _years(date: Any) -> bool:
    parts = date.get("date-parts") if isinstance(date, dict) else None
    return bool(parts) and all(isinstance(p, list) and p and str(p[0]).lstrip("-").isdigit() for p in parts)
