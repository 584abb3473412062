"""The preflight's registry: what a rule reads (`Check`), what it yields (`Finding`), and
`@rule(id, summary)`, which registers it. The rules module imports this, never the package (which
imports it)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property

import pikepdf

from publish.preflight.content import PageContent, page_content
from publish.preflight.printers import Printer


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
