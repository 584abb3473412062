"""The proof's registry: what a rule reads (`Proof`), what it yields (`Finding`), and
`@rule(id, summary)`, which registers it. The rules modules import this, never the package (which
imports them)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from publish.proof.settings import ProofSettings

if TYPE_CHECKING:
    from publish.proof.layout import Layout, Line, Page
    from publish.proof.sources import SourceMap, Written

@dataclass(frozen=True, order=True)
class Finding:
    """One typographic finding: where it is on the pages, which rule, where its paragraph was written."""

    page: int
    line: int
    rule: str
    message: str
    source: Written = field(compare=False)
    text: str = field(default="", compare=False)  # the line's text


@dataclass
class Proof:
    """What the rules read: the layout, where each line was written, and the thresholds."""

    layout: Layout
    sources: SourceMap
    settings: ProofSettings = field(default_factory=ProofSettings)
    # Chapters set in columns, ragged by design (the indexes): no rule of the page's text is for them.
    in_columns: frozenset[str] = frozenset()

    def text_lines(self, page: Page) -> list[Line]:
        """The lines of a chapter's text on a page (not its footnotes, not the title pages, not an index)."""
        return [line for line in page.text_lines if line.chapter and line.chapter not in self.in_columns]

    def foot_lines(self, page: Page) -> list[Line]:
        """The lines of a page's text and footnotes (not the title pages, not an index)."""
        return [line for line in page.lines if line.chapter and line.chapter not in self.in_columns]

    def where(self, line: Line) -> Written:
        return self.sources.where(line.chapter, line.block, line.note)

    def finding(self, rule_id: str, line: Line, message: str) -> Finding:
        return Finding(line.page, line.number, rule_id, message, self.where(line), line.text)

    def chapter_last_pages(self) -> dict[str, int]:
        """The page each chapter's text ends on."""
        last: dict[str, int] = {}
        for page in self.layout.pages:
            for line in self.text_lines(page):
                last[line.chapter] = page.number
        return last

    def block_lines(self) -> dict[tuple[str, int], list[Line]]:
        """Each block's lines, in order."""
        found: dict[tuple[str, int], list[Line]] = {}
        for page in self.layout.pages:
            for line in self.text_lines(page):
                found.setdefault((line.chapter, line.block), []).append(line)
        return found


Check = Callable[[Proof], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    id: str
    summary: str
    check: Check
    optional: bool = False  # run only when asked for (rivers)


RULES: dict[str, Rule] = {}


def rule(rule_id: str, summary: str, optional: bool = False) -> Callable[[Check], Check]:
    """Register a proof rule; its function takes the book's Proof and yields findings."""
    def register(check: Check) -> Check:
        RULES[rule_id] = Rule(rule_id, summary, check, optional)
        return check
    return register
