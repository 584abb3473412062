"""Bibliography: CSL YAML/JSON files -> citeproc-py -> rendered citations and the References list."""

from __future__ import annotations

import datetime
import difflib
import html
import json
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from publish.book import read_text
from publish.diagnostics import Diagnostics, fail
from publish.model import Citation, CiteItem, Reference

STYLES_DIR = Path(__file__).resolve().parent.parent / "styles" / "csl"
DATE_FIELDS = ("issued", "original-date", "accessed", "event-date", "submitted")


@dataclass
class Bibliography:
    """The entries of a book's bibliography files, by id, and where each entry stands."""

    entries: dict[str, dict[str, Any]]
    where: dict[str, tuple[Path, int, int]]


def load_bibliography(paths: list[Path]) -> Bibliography:
    """Read CSL YAML or CSL JSON files (by extension); duplicate ids are errors."""
    found = Diagnostics()
    entries: dict[str, dict[str, Any]] = {}
    where: dict[str, tuple[Path, int, int]] = {}
    for path in paths:
        for entry, line, col in _read_entries(path):
            key = str(entry.get("id", "")).strip()
            if not key:
                found.error(path, "bibliography entry without an id", line, col)
            elif key.lower() in {k.lower() for k in entries}:
                first = where[next(k for k in entries if k.lower() == key.lower())]
                found.error(path, f"duplicate bibliography id '{key}' (first at line {first[1]})", line, col)
            else:
                entries[key] = _normalise(entry)
                where[key] = (path, line, col)
    found.raise_if_errors()
    return Bibliography(entries, where)


def _read_entries(path: Path) -> list[tuple[dict[str, Any], int, int]]:
    text = read_text(path)
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise fail(path, f"malformed JSON: {error.msg}", error.lineno, error.colno) from None
        items = data if isinstance(data, list) else []
        return [(item, 0, 0) for item in items if isinstance(item, dict)]
    if path.suffix.lower() not in (".yaml", ".yml"):
        raise fail(path, "unsupported bibliography format (use .yaml or .json)")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        raise fail(path, f"malformed YAML: {error.problem}", mark.line + 1 if mark else 0,
                   mark.column + 1 if mark else 0) from None
    if isinstance(data, dict) and isinstance(data.get("references"), list):
        items = data["references"]
        item_nodes = next(v for k, v in node.value if k.value == "references").value
    elif isinstance(data, list):
        items, item_nodes = data, node.value
    else:
        raise fail(path, "expected a list of entries under 'references:'", 1, 1)
    return [(item, n.start_mark.line + 1, n.start_mark.column + 1)
            for item, n in zip(items, item_nodes) if isinstance(item, dict)]


def _normalise(entry: dict[str, Any]) -> dict[str, Any]:
    """CSL JSON as citeproc-py reads it: dates as date-parts, everything else as text, escaped for
    HTML (citeproc-py's HTML formatter inserts field values as they are)."""
    result: dict[str, Any] = {}
    for field, value in entry.items():
        if field in DATE_FIELDS:
            result[field] = _date(value)
        elif field == "id":
            result[field] = str(value)
        else:
            result[field] = _escaped(value)
    return result


def _escaped(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _escaped(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    if isinstance(value, (datetime.date, int, float, str)):
        return html.escape(str(value), quote=False)
    return value


def _date(value: Any) -> Any:
    if isinstance(value, dict):
        return value
    if isinstance(value, datetime.date):
        return {"date-parts": [[value.year, value.month, value.day]]}
    parts = [int(p) for p in re.findall(r"\d+", str(value))[:3]]
    return {"date-parts": [parts]} if parts else {"literal": str(value)}


def style_path(name: str, book_root: Path) -> Path:
    """A shipped style by name, or a `.csl` file relative to the book."""
    if name.endswith(".csl"):
        return (book_root / name).resolve()
    return STYLES_DIR / f"{name}.csl"


def render_citations(citations: list[Citation], bibliography: Bibliography, style: Path,
                     locale: str, found: Diagnostics) -> list[Reference]:
    """Fill every citation's html and return the References: exactly the works cited, in style order."""
    from citeproc import (Citation as CslCitation, CitationItem, CitationStylesBibliography,
                          CitationStylesStyle, Locator, formatter)
    from citeproc.source.json import CiteProcJSON

    known = [c for c in citations if _check_keys(c, bibliography, found)]
    if not known:
        return []
    source = CiteProcJSON([dict(e, id=k) for k, e in bibliography.entries.items()])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        csl_style = CitationStylesStyle(str(style), locale=locale, validate=False)
        processor = CitationStylesBibliography(csl_style, source, formatter.html)

        def csl_item(item: CiteItem) -> CitationItem:
            options: dict[str, Any] = {}
            if item.locator:
                options["locator"] = Locator(item.label, item.locator)
            if item.prefix:
                options["prefix"] = html.escape(item.prefix, quote=False) + " "
            if item.suffix:
                space = " " if item.suffix[0].isalnum() else ""
                options["suffix"] = space + html.escape(item.suffix, quote=False)
            return CitationItem(item.key, **options)

        groups = [CslCitation([csl_item(i) for i in c.items]) for c in known]
        for group in groups:
            processor.register(group)
        processor.sort()
        for citation, group in zip(known, groups):
            text = str(processor.cite(group, lambda item: None))
            citation.html = _shape(text, citation, bibliography)
        entries = [str(e) for e in processor.bibliography()]
    by_lower = {k.lower(): k for k in bibliography.entries}
    keys = [by_lower[k] for k in processor.keys]
    return [Reference(key, f"ref-{key}", text) for key, text in zip(keys, entries)]


def _check_keys(citation: Citation, bibliography: Bibliography, found: Diagnostics) -> bool:
    ok = True
    for key in citation.keys:
        if key not in bibliography.entries:
            near = difflib.get_close_matches(key, list(bibliography.entries), n=1)
            hint = f" (did you mean '{near[0]}'?)" if near else ""
            where = citation.source
            found.error(where.path, f"unknown citation key '{key}'{hint}", where.line, where.col)
            ok = False
    return ok


def _shape(text: str, citation: Citation, bibliography: Bibliography) -> str:
    """Narrative (`@key`) and author-suppressed (`[-@key]`) forms from the parenthetical one."""
    item = citation.items[0]
    if not (citation.narrative or item.suppress_author) or len(citation.items) != 1:
        return text
    names = _author_names(bibliography.entries[item.key])
    inner = text[1:-1] if text.startswith("(") and text.endswith(")") else text
    if names and inner.startswith(names + " "):
        inner = inner[len(names) + 1:]
    if citation.narrative:
        return f"{html.escape(names)} ({inner})" if names else text
    return f"({inner})"


def _author_names(entry: dict[str, Any]) -> str:
    people = entry.get("author") or entry.get("editor") or []
    families = [p.get("family") or p.get("literal", "") for p in people if isinstance(p, dict)]
    if len(families) > 3:
        return f"{families[0]} et al."
    if len(families) > 1:
        return ", ".join(families[:-1]) + " and " + families[-1]
    return families[0] if families else ""


def uncited(bibliography: Bibliography, citations: list[Citation]) -> list[str]:
    cited = {k for c in citations for k in c.keys}
    return [k for k in bibliography.entries if k not in cited]


def check_style(style: Path, config_path: Path) -> None:
    if not style.is_file():
        raise fail(config_path, f"citation style '{style.name}' not found")

