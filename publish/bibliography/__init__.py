"""Bibliography: CSL YAML, CSL JSON or BibTeX files -> one set of entries -> citeproc-js.

`load_bibliography` reads and checks the files; `publish.bibliography.processor.render_citations`
formats a book's citations and its References through a CSL style.
"""

from __future__ import annotations

import copy
import datetime
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from publish.bibliography.sources import read_entries
from publish.diagnostics import Diagnostics, fail
from publish.model import Citation
from publish.paths import CSL as STYLES_DIR
from publish.resources import Refused

DATE_FIELDS = ("issued", "original-date", "accessed", "event-date", "submitted")
# What an entry of each type needs to be cited at all.
REQUIRED = {"book": ("title", "issued"), "chapter": ("title", "container-title", "issued"),
            "article-journal": ("title", "container-title", "issued"), "thesis": ("title", "issued")}


@dataclass
class Bibliography:
    """The entries of a book's bibliography files, by id, and where each entry stands."""

    entries: dict[str, dict[str, Any]]
    where: dict[str, tuple[Path, int, int]]
    warnings: Diagnostics = field(default_factory=Diagnostics)


_loaded: dict[tuple, Bibliography] = {}


def load_bibliography(paths: list[Path], keep_empty: bool = False) -> Bibliography:
    """Read every file; duplicate ids (compared without case, as citeproc does) are errors. Fields
    written empty are dropped unless `keep_empty` (checks read them as "the source has none").
    Files read once per process while unchanged (several books share one bibliography)."""
    signature = (keep_empty, tuple((p, p.stat().st_mtime_ns, p.stat().st_size) for p in paths))
    if signature not in _loaded:
        _loaded[signature] = _load(paths, keep_empty)
    return copy.deepcopy(_loaded[signature])


def _load(paths: list[Path], keep_empty: bool) -> Bibliography:
    found = Diagnostics()
    entries: dict[str, dict[str, Any]] = {}
    where: dict[str, tuple[Path, int, int]] = {}
    lower: dict[str, str] = {}
    for path in paths:
        for entry, line, col in read_entries(path):
            key = str(entry.get("id", "")).strip()
            if not key:
                found.error(path, "bibliography entry without an id", line, col)
            elif key.lower() in lower:
                first_path, first_line, _ = where[lower[key.lower()]]
                found.error(path, f"duplicate bibliography id '{key}' (first at "
                                  f"{first_path.name}:{first_line})", line, col)
            else:
                lower[key.lower()] = key
                entries[key] = normalise(entry if keep_empty else
                                         {k: v for k, v in entry.items() if v not in (None, "")})
                where[key] = (path, line, col)
                _check_required(key, entry, path, line, col, found)
    found.raise_if_errors()
    return Bibliography(entries, where, found)


def _check_required(key: str, entry: dict[str, Any], path: Path, line: int, col: int,
                    found: Diagnostics) -> None:
    missing = [f for f in REQUIRED.get(str(entry.get("type")), ("title",)) if not entry.get(f)]
    if missing:
        found.warning(path, f"entry '{key}' ({entry.get('type', 'no type')}) has no "
                            f"{' or '.join(missing)}", line, col, rule="bibliography-incomplete")


def normalise(entry: dict[str, Any]) -> dict[str, Any]:
    """CSL JSON as a CSL processor reads it: dates as date-parts, other scalars as text (citeproc-js
    escapes text for HTML itself, and reads CSL's few tags, `<i>` or `<span class="nocase">`, in it)."""
    result: dict[str, Any] = {}
    for name, value in entry.items():
        if name in DATE_FIELDS:
            result[name] = _date(value)
        else:
            result[name] = _text(value)
    return result


def _text(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_text(v) for v in value]
    if isinstance(value, (datetime.date, int, float)) and not isinstance(value, bool):
        return str(value)
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


def check_style(style: Path, config_path: Path) -> None:
    if not style.is_file():
        shipped = ", ".join(sorted(p.stem for p in STYLES_DIR.glob("*.csl")))
        raise fail(config_path, f"citation style '{style.name}' not found (shipped: {shipped})")


def check_keys(citation: Citation, bibliography: Bibliography, found: Diagnostics) -> bool:
    """Whether every key of the citation is in the bibliography; an unknown one is an error at the
    citation, suggesting the nearest key."""
    ok = True
    for key in citation.keys:
        if key not in bibliography.entries:
            near = difflib.get_close_matches(key, list(bibliography.entries), n=1)
            hint = f" (did you mean '{near[0]}'?)" if near else ""
            where = citation.source
            found.error(where.path, f"unknown citation key '{key}'{hint}", where.line, where.col)
            ok = False
    return ok


def read_style(style: Path) -> Any:
    """The root element of a CSL style file, parsed safely (no DTD, entity or network: publish.xmlfiles);
    a file that is not CSL is an error at the file."""
    from publish.xmlfiles import parse_xml

    try:
        root = parse_xml(style.read_bytes(), f"CSL style {style.name}")
    except Refused as refused:
        raise fail(style, f"not a usable CSL style: {refused}") from None
    if root.tag != "{http://purl.org/net/xbiblio/csl}style":
        raise fail(style, "not a usable CSL style: its root element is not a CSL <style>")
    return root


def is_note_style(style: Path) -> bool:
    """Whether a style puts citations in notes (`<style class="note">`)."""
    return read_style(style).get("class") == "note"


def check_citations(citations: list[Citation], bibliography: Bibliography, style: Path,
                    found: Diagnostics) -> None:
    """What formatting would find wrong, without the CSL processor: unknown keys, a style file that
    is not CSL."""
    read_style(style)
    for citation in citations:
        check_keys(citation, bibliography, found)
