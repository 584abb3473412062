"""The linter's registry: what a rule reads (`Source`, `Block`, `Manuscript`), what it yields
(`Finding`), and `@rule(id, summary)`, which registers it. The rules modules import this, never the
package (which imports them)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Block:
    """A run of non-blank lines: a paragraph, heading, list, quotation, table or note definition."""

    start: int  # offset of its first character in the chapter text
    end: int  # offset just past its last character
    kind: str  # text, quote, heading, list, table, note, html, code, rule


MASK = "\x00"  # stands in for every character of what the rules do not read


@dataclass
class Source:
    """One chapter as the rules read it."""

    path: str
    text: str  # the chapter as written
    code_free: str  # the same length: code and comments masked
    masked: str  # the same length: code, comments, tags and link destinations masked
    language: str = "en"
    blocks: list[Block] = field(default_factory=list)

    def block_text(self, block: Block) -> str:
        return self.masked[block.start:block.end]


@dataclass
class Manuscript:
    """The chapters of one book, and every id its editions hold (None when not known)."""

    sources: list[Source]
    ids: set[str] | None = None


@dataclass(frozen=True)
class Finding:
    source: Source
    offset: int
    message: str


Check = Callable[[Manuscript], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    id: str
    summary: str
    check: Check


RULES: dict[str, Rule] = {}


def rule(rule_id: str, summary: str) -> Callable[[Check], Check]:
    """Register a rule; its function takes the book's manuscript and yields findings."""
    def register(check: Check) -> Check:
        RULES[rule_id] = Rule(rule_id, summary, check)
        return check
    return register


def per_chapter(check: Callable[[Source], Iterable[tuple[int, str]]]) -> Check:
    """A rule that looks at one chapter at a time, yielding (offset, message)."""
    def over_book(manuscript: Manuscript) -> Iterator[Finding]:
        for source in manuscript.sources:
            for offset, message in check(source):
                yield Finding(source, offset, message)
    over_book.__doc__ = check.__doc__
    return over_book
