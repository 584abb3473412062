"""Bibliography files -> CSL JSON entries with the line each entry starts on.

CSL YAML (`.yaml`, `.yml`, as Pandoc and Zotero write it), CSL JSON (`.json`) and BibTeX (`.bib`),
chosen by extension. Parse errors name the file and line.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

from publish.diagnostics import fail
from publish.files import read_text
from publish.yamlfile import load_yaml

Located = tuple[dict[str, Any], int, int]  # entry, line, column

BIBTEX_TYPES = {
    "article": "article-journal", "book": "book", "booklet": "pamphlet", "inbook": "chapter",
    "incollection": "chapter", "inproceedings": "paper-conference", "conference": "paper-conference",
    "manual": "report", "mastersthesis": "thesis", "phdthesis": "thesis", "techreport": "report",
    "report": "report", "unpublished": "manuscript", "online": "webpage", "misc": "document",
    "thesis": "thesis", "collection": "book", "proceedings": "book",
}
BIBTEX_DATES = {"origdate": "original-date", "urldate": "accessed", "eventdate": "event-date"}
MONTHS = {name: n for n, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
BIBTEX_FIELDS = {
    "title": "title", "journal": "container-title", "journaltitle": "container-title",
    "booktitle": "container-title", "publisher": "publisher", "address": "publisher-place",
    "location": "publisher-place", "volume": "volume", "number": "issue", "pages": "page",
    "edition": "edition", "doi": "DOI", "url": "URL", "isbn": "ISBN", "issn": "ISSN", "note": "note",
    "series": "collection-title", "school": "publisher", "institution": "publisher",
    "abstract": "abstract", "language": "language", "langid": "language", "chapter": "chapter-number",
    "origtitle": "original-title", "origlocation": "original-publisher-place",
    "origpublisher": "original-publisher", "pagetotal": "number-of-pages", "issue": "issue",
}
# BibLaTeX's `langid` names (babel's) as the BCP 47 tags CSL's `language` holds, as Pandoc maps them.
LANGIDS = {"english": "en-US", "american": "en-US", "british": "en-GB", "french": "fr-FR", "german": "de-DE",
           "ngerman": "de-DE", "spanish": "es-ES", "russian": "ru-RU", "italian": "it-IT",
           "portuguese": "pt-PT", "brazil": "pt-BR", "dutch": "nl-NL", "polish": "pl-PL"}


def read_entries(path: Path) -> list[Located]:
    """The entries of one bibliography file, by its extension."""
    suffix = path.suffix.lower()
    text = read_text(path)
    if suffix in (".yaml", ".yml"):
        return _yaml_entries(path, text)
    if suffix == ".json":
        return _json_entries(path, text)
    if suffix == ".bib":
        return _bibtex_entries(path, text)
    raise fail(path, "unsupported bibliography format (use .yaml, .yml, .json or .bib)")


def _yaml_entries(path: Path, text: str) -> list[Located]:
    data, node = load_yaml(path, text)
    if isinstance(data, dict) and isinstance(data.get("references"), list):
        items = data["references"]
        nodes = next(v for k, v in node.value if k.value == "references").value
    elif isinstance(data, list):
        items, nodes = data, node.value
    else:
        raise fail(path, "expected a list of entries under 'references:'", 1, 1)
    return [(item, n.start_mark.line + 1, n.start_mark.column + 1)
            for item, n in zip(items, nodes) if isinstance(item, dict)]


def _json_entries(path: Path, text: str) -> list[Located]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise fail(path, f"malformed JSON: {error.msg}", error.lineno, error.colno) from None
    if isinstance(data, dict):
        data = data.get("references", data.get("items"))
    if not isinstance(data, list):
        raise fail(path, "expected a list of CSL JSON entries", 1, 1)
    # Each entry's line: where its "id" is written (JSON carries no positions of its own).
    located = []
    for item in (i for i in data if isinstance(i, dict)):
        match = re.search(r'"id"\s*:\s*' + re.escape(json.dumps(item.get("id"))), text)
        line = text.count("\n", 0, match.start()) + 1 if match else 0
        located.append((item, line, 1 if match else 0))
    return located


def _bibtex_entries(path: Path, text: str) -> list[Located]:
    import bibtexparser
    from bibtexparser import middlewares

    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)  # its failures become our diagnostics
    library = bibtexparser.parse_string(text, append_middleware=[
        middlewares.LatexDecodingMiddleware(), middlewares.SeparateCoAuthors(), middlewares.SplitNameParts()])
    if library.failed_blocks:
        block = library.failed_blocks[0]
        lines = [line.strip() for line in str(getattr(block, "error", "")).splitlines() if line.strip()]
        reason = lines[-1] if lines else "an entry could not be read"
        raise fail(path, f"malformed BibTeX: {reason}", block.start_line + 1, 1)
    return [(_from_bibtex(entry), entry.start_line + 1, 1) for entry in library.entries]


def _from_bibtex(entry: Any) -> dict[str, Any]:
    """A BibTeX entry as CSL JSON, the common fields mapped as Pandoc maps them."""
    fields = {f.key.lower(): f.value for f in entry.fields}
    csl: dict[str, Any] = {"id": entry.key, "type": BIBTEX_TYPES.get(entry.entry_type.lower(), "document")}
    for role in ("author", "editor", "translator"):
        if role in fields:
            csl[role] = [_name(n) for n in fields.pop(role)]
    issued = _bibtex_date(fields.pop("date", None) or fields.pop("year", None), fields.pop("month", None))
    if issued:
        csl["issued"] = issued
    for name, variable in BIBTEX_DATES.items():
        if name in fields:
            csl[variable] = _bibtex_date(fields.pop(name), None)
    for key, value in fields.items():
        if key in BIBTEX_FIELDS and isinstance(value, str):
            csl[BIBTEX_FIELDS[key]] = value.replace("--", "–")
    if isinstance(fields.get("subtitle"), str) and csl.get("title"):
        csl["title"] = f"{csl['title']}: {fields['subtitle']}"
    if "language" in csl:
        csl["language"] = LANGIDS.get(csl["language"].strip().lower(), csl["language"])
    return csl


def _bibtex_date(value: Any, month: Any) -> dict[str, Any] | None:
    """A BibLaTeX date (`1937`, `1937-05`, `1937-05-01`, a range `1937/1938`), with BibTeX's `month`
    (`may`, `5`) when the date is a bare year."""
    if not value:
        return None
    ranges = []
    for part in str(value).split("/")[:2]:
        numbers = [int(n) for n in re.findall(r"\d+", part)[:3]]
        if numbers:
            ranges.append(numbers)
    if not ranges:
        return {"literal": str(value)}
    if month and len(ranges) == 1 and len(ranges[0]) == 1:
        number = MONTHS.get(str(month).strip().lower()[:3]) or (int(month) if str(month).strip().isdigit() else 0)
        if 1 <= number <= 12:
            ranges[0].append(number)
    return {"date-parts": ranges}


def _name(parts: Any) -> dict[str, str]:
    if isinstance(parts, str):
        return {"literal": parts}
    given = " ".join(parts.first)
    family = " ".join(parts.von + parts.last)
    name = {"family": family, "given": given} if given else {"literal": family}
    if parts.jr:
        name["suffix"] = " ".join(parts.jr)
    return name
