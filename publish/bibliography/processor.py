"""Citations and References through citeproc-py and a CSL style, with the smallest extensions
citeproc-py needs to behave as the CSL specification (and Pandoc) do:

- cites keep the order they were written in unless the style sorts them (`cs:citation/cs:sort`);
- year-suffix disambiguation (1937a, 1937b), the letter set after the first date of a cite;
- locators' page ranges in the style's `page-range-format` (citeproc-py only formats `page`);
- narrative (`@key`) and author-suppressed (`[-@key]`) citations, shaped from the parenthetical.

A year suffix written in an entry is always shown, so that a work cited by two books reads the same
in both; other works are lettered per book, as CSL processors do.
"""

from __future__ import annotations

import html
import io
import re
import string
import warnings
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any

from citeproc import Citation as CslCitation
from citeproc import CitationItem, CitationStylesBibliography, CitationStylesStyle, Locator, formatter, model
from citeproc.source.json import CiteProcJSON
from lxml import etree

from publish.bibliography import Bibliography, check_keys
from publish.bibliography.ranges import format_ranges
from publish.diagnostics import Diagnostics, fail
from publish.markup import tie_spaced_dashes
from publish.model import Citation, CiteItem, Reference
from publish.resources import Refused
from publish.xmlfiles import parse_xml


def render_citations(citations: list[Citation], bibliography: Bibliography, style: Path,
                     locale: str, found: Diagnostics) -> list[Reference]:
    """Fill every citation's html and return the References: exactly the works cited, in style order."""
    known = [c for c in citations if check_keys(c, bibliography, found)]
    if not known:
        return []
    csl = _style(str(style), locale)
    suffixes = year_suffixes(bibliography, csl, [k for c in known for k in c.keys])
    processor = _processor(csl, bibliography, suffixes)
    range_form = csl.root.get("page-range-format", "expanded")
    groups = [CslCitation([_csl_item(i, suffixes, range_form) for i in c.items]) for c in known]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for group in groups:
            processor.register(group)
        processor.sort()
        for citation, group in zip(known, groups):
            text = str(processor.cite(group, lambda item: None))
            citation.html = tie_spaced_dashes(_quoted_punctuation(_shape(text, citation, bibliography, csl), locale))
        entries = [tie_spaced_dashes(_quoted_punctuation(str(e), locale)) for e in processor.bibliography()]
    keys = [_original_key(k, bibliography) for k in processor.keys]
    first_cite = {}
    for citation in known:
        for key in citation.keys:
            first_cite.setdefault(key, citation.id)
    return [Reference(key, f"ref-{key}", text, first_cite.get(key, "")) for key, text in zip(keys, entries)]


def year_suffixes(bibliography: Bibliography, csl: CitationStylesStyle, cited: list[str]) -> dict[str, str]:
    """Letters that tell apart works whose citations would read alike (same author, same year).

    A `year-suffix` given in an entry is part of that work's label and always shown (it keeps an
    original edition's lettering, the same in every book). Other cited works are lettered, in the
    style's bibliography order, where the style disambiguates by year suffix and their citations
    would otherwise read alike."""
    fixed = {k: str(e["year-suffix"]) for k, e in bibliography.entries.items() if e.get("year-suffix")}
    citation = csl.root.find("cs:citation", csl.root.nsmap)
    if citation is None or citation.get("disambiguate-add-year-suffix") != "true":
        return fixed
    processor = _processor(csl, bibliography, {})
    lone = {key: CslCitation([CitationItem(key)]) for key in dict.fromkeys(cited)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for group in lone.values():
            processor.register(group)
        processor.sort()
        alike: dict[str, list[str]] = defaultdict(list)
        for key in processor.keys:
            key = _original_key(key, bibliography)
            alike[str(processor.cite(lone[key], lambda item: None))].append(key)
    suffixes = dict(fixed)
    for keys in (ks for ks in alike.values() if len(ks) > 1):
        taken = {fixed[k] for k in keys if k in fixed}
        free = iter(letter for letter in string.ascii_lowercase if letter not in taken)
        for key in keys:
            suffixes.setdefault(key, next(free))
    return suffixes


@cache
def _style(path: str, locale: str) -> CitationStylesStyle:
    """The style as citeproc reads it, from the file as parsed safely (no DTD, entity or network)."""
    try:
        safe = etree.tostring(parse_xml(Path(path).read_bytes(), f"CSL style {Path(path).name}"))
    except Refused as refused:
        raise fail(Path(path), f"not a usable CSL style: {refused}") from None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return CitationStylesStyle(io.BytesIO(safe), locale=locale, validate=False)
        except (etree.XMLSyntaxError, ValueError, KeyError, AttributeError) as error:
            raise fail(Path(path), f"not a usable CSL style: {error}") from None


def _processor(csl: CitationStylesStyle, bibliography: Bibliography,
               suffixes: dict[str, str]) -> CitationStylesBibliography:
    """A processor over every entry; `year-suffix` holds the letters in force (a sort key for styles)."""
    entries = []
    for key, entry in bibliography.entries.items():
        entry = {k: v for k, v in entry.items() if k != "year-suffix"} | {"id": key}
        if key in suffixes:
            entry["year-suffix"] = suffixes[key]
        entries.append(entry)
    return CitationStylesBibliography(csl, CiteProcJSON(entries), formatter.html)


def _alternate_quotes(text: str) -> str:
    """Quotation marks inside quotation marks become single ones: “The “X” of Y” -> “The ‘X’ of Y”."""
    out, depth = [], 0
    for ch in text:
        if ch == "“":
            out.append("‘" if depth % 2 else "“")
            depth += 1
        elif ch == "”" and depth:
            depth -= 1
            out.append("’" if depth % 2 else "”")
        else:
            out.append(ch)
    return "".join(out)


# Locales whose style puts a period or comma inside closing quotation marks ("American" style).
PUNCTUATION_IN_QUOTE = ("en-US",)
QUOTE_END = re.compile(r"([?!])[.,]?”[.,]?|”([.,])")


def _quoted_punctuation(text: str, locale: str) -> str:
    """The locale's punctuation-in-quote rule, which citeproc-py does not apply: “Title”. -> “Title.”
    and no period after a question or exclamation mark that ends a quotation."""
    text = _alternate_quotes(text)
    if locale not in PUNCTUATION_IN_QUOTE:
        return text
    return QUOTE_END.sub(lambda m: f"{m[1]}”" if m[1] else f"{m[2]}”", text)


def _csl_item(item: CiteItem, suffixes: dict[str, str], range_form: str) -> CitationItem:
    options: dict[str, Any] = {}
    if item.locator:
        options["locator"] = Locator(item.label, format_ranges(item.locator, range_form))
    if item.prefix:
        options["prefix"] = html.escape(item.prefix, quote=False) + " "
    if item.suffix:
        space = " " if item.suffix[0].isalnum() else ""
        options["suffix"] = space + html.escape(item.suffix, quote=False)
    result = CitationItem(item.key, **options)
    result["year_suffix"] = suffixes.get(item.key, "")
    return result


def _original_key(key: str, bibliography: Bibliography) -> str:
    """citeproc-py lower-cases keys; the bibliography's own spelling of one."""
    return key if key in bibliography.entries else next(k for k in bibliography.entries if k.lower() == key)


def _shape(text: str, citation: Citation, bibliography: Bibliography, csl: CitationStylesStyle) -> str:
    """Narrative (`@key`) and author-suppressed (`[-@key]`) forms from the parenthetical one."""
    item = citation.items[0]
    if not (citation.narrative or item.suppress_author) or len(citation.items) != 1:
        return text
    layout = csl.root.find("cs:citation/cs:layout", csl.root.nsmap)
    before, after = layout.get("prefix", ""), layout.get("suffix", "")
    inner = text[len(before): len(text) - len(after)] if text.startswith(before) and text.endswith(after) else text
    names = _author_names(bibliography.entries[item.key])
    if names and inner.startswith(names + " "):
        inner = inner[len(names) + 1:]
    elif names and inner.startswith(names + ", "):
        inner = inner[len(names) + 2:]
    if citation.narrative:
        opening, closing = (before, after) if before and after else ("(", ")")
        return f"{names} {opening}{inner}{closing}" if names else text
    return f"{before}{inner}{after}"


def _author_names(entry: dict[str, Any]) -> str:
    people = entry.get("author") or entry.get("editor") or []
    families = [p.get("family") or p.get("literal", "") for p in people if isinstance(p, dict)]
    if len(families) > 3:
        return f"{families[0]} et al."
    if len(families) > 1:
        return ", ".join(families[:-1]) + " and " + families[-1]
    return families[0] if families else ""


# The extensions to citeproc-py ------------------------------------------------------------------

def _render_citation(self: Any, citation: Any, callback: Any) -> Any:
    """citeproc-py's Layout.render_citation, keeping the written order of cites (it sorted them into
    bibliography order even when the style has no cs:sort) and setting each cite's year suffix."""
    good = [cite for cite in citation.cites if not cite.is_bad()]
    bad = [cite for cite in citation.cites if cite.is_bad()]
    if self.getparent().sort is not None:
        good = self.getparent().sort.sort(good, self)
    out = []
    for item in good:
        self.repressed = {}
        _pending_suffix[0] = item.get("year_suffix", "")
        try:
            output = self.render_children(item)
        except model.VariableError:
            continue
        if output is not None:
            out.append(item.get("prefix", "") + output + item.get("suffix", ""))
            self.getparent().cites.append(item)
    for item in bad:
        out.append(callback(item) or f"{item.key}?")
    return self.format(self.wrap(self.join(out)))


def _render_bibliography(self: Any, citation_items: Any) -> list[Any]:
    output = []
    for item in citation_items:
        self.repressed = {}
        _pending_suffix[0] = item.get("year_suffix", "")
        text = self.format(self.wrap(self.render_children(item)))
        if text is not None:
            output.append(text)
    return output


# The cite being rendered (rendering is synchronous; citeproc's lxml elements cannot carry state).
_pending_suffix: list[str] = [""]
_date_wrap = model.Date.wrap


def _wrap_date(self: Any, text: Any) -> Any:
    """The first date of a cite carries its year suffix, inside the date's own affixes."""
    if _pending_suffix[0] and text:
        text = text + _pending_suffix[0]
        _pending_suffix[0] = ""
    return _date_wrap(self, text)


model.Layout.render_citation = _render_citation
model.Layout.render_bibliography = _render_bibliography
model.Date.wrap = _wrap_date


# citeproc-py looks the same things up in the style again and again (macros, terms, the enclosing
# layout: 4,900 XPath queries for the Trotsky pamphlet's 73 cites). A style is not changed while it
# renders, so each element's answers are kept; keys hold their element, so no id is reused.
_XPATH_ANSWERS: dict[tuple[Any, str], list[Any]] = {}


def _xpath_search(self: Any, expression: str) -> list[Any]:
    key = (self, expression)
    found = _XPATH_ANSWERS.get(key)
    if found is None:
        found = _XPATH_ANSWERS[key] = self.xpath(expression, namespaces=self.nsmap)
    return found


model.CitationStylesElement.xpath_search = _xpath_search
