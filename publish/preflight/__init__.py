"""The print preflight: what a printer's upload would reject in a PDF, found before the upload.

A rule is a function registered with `@rule(id, summary)`; it receives a `Check` (the open PDF, the
printer's requirements, each page's drawing read once) and yields `Finding`s, each with its page
(1-based; 0 for the document as a whole), severity (error or warning) and message. `preflight` runs
every rule; any error means the printer would refuse the file (`publish preflight` exits 1)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path

import pikepdf

from publish.preflight.content import PageContent, page_content
from publish.preflight.printers import PAPERS, PRINTERS, Printer


@dataclass(frozen=True, order=True)
class Finding:
    file: str
    page: int
    rule: str
    severity: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:page {self.page}" if self.page else self.file
        return f"{where}: {self.severity}: {self.message} [{self.rule}]"


@dataclass
class Check:
    """One PDF as the rules read it: an interior, or a cover with the interior's page count."""

    pdf: pikepdf.Pdf
    printer: Printer
    file: str
    paper: str
    interior_pages: int | None = None  # set when this is a cover
    interior_trim: tuple[float, float] | None = None
    _content: dict[int, PageContent] = field(default_factory=dict)

    @property
    def is_cover(self) -> bool:
        return self.interior_pages is not None

    def content(self, index: int) -> PageContent:
        """What page `index` (0-based) draws, read once."""
        if index not in self._content:
            page = self.pdf.pages[index]
            self._content[index] = page_content(page, box(page, "/TrimBox"))
        return self._content[index]

    @cached_property
    def info(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in self.pdf.docinfo.items()} if self.pdf.trailer.get("/Info") else {}

    def finding(self, rule_id: str, page: int, severity: str, message: str) -> Finding:
        return Finding(self.file, page, rule_id, severity, message)


def box(page: pikepdf.Page, name: str) -> tuple[float, float, float, float] | None:
    """A page box as (x0, y0, x1, y1), inherited boxes included; None when the page has none."""
    value = page.obj.get(name)
    if value is None and name == "/MediaBox":
        value = page.mediabox
    if value is None:
        return None
    x0, y0, x1, y1 = (float(v) for v in value)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


Rule = Callable[[Check], Iterable[Finding]]
RULES: dict[str, tuple[str, Rule, str]] = {}  # id -> (summary, rule, "interior" | "cover" | "both")


def rule(rule_id: str, summary: str, applies: str = "interior") -> Callable[[Rule], Rule]:
    """Register a rule for interiors, covers or both."""
    def register(check: Rule) -> Rule:
        RULES[rule_id] = (summary, check, applies)
        return check
    return register


def preflight(path: Path, printer: str = "kdp", cover: Path | None = None,
              paper: str | None = None) -> list[Finding]:
    """Every finding in the interior at `path` (and the cover, when given) for `printer`."""
    from publish.preflight import rules  # noqa: F401 (registers the rules)

    spec = PRINTERS[printer]
    paper = paper or spec.paper
    with pikepdf.open(path) as pdf:
        interior = Check(pdf, spec, str(path), paper)
        found = _run(interior, "interior")
        pages, first = len(pdf.pages), pdf.pages[0] if len(pdf.pages) else None
        trim = box(first, "/TrimBox") if first is not None else None
    if cover is not None:
        with pikepdf.open(cover) as pdf:
            size = (trim[2] - trim[0], trim[3] - trim[1]) if trim else None
            found += _run(Check(pdf, spec, str(cover), paper, pages, size), "cover")
    return sorted(found)


def _run(check: Check, kind: str) -> list[Finding]:
    return [finding for _, run, applies in RULES.values() if applies in (kind, "both") for finding in run(check)]


def report(findings: list[Finding], output_format: str = "text") -> str:
    """The findings as text lines or a JSON list."""
    if output_format == "json":
        return json.dumps([asdict(f) for f in findings], indent=2, ensure_ascii=False) + "\n"
    return "".join(f"{f}\n" for f in findings)


__all__ = ["PAPERS", "PRINTERS", "Check", "Finding", "preflight", "report", "rule"]
