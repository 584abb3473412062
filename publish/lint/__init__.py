"""The manuscript linter: rules over each chapter's Markdown source, every finding at its line and column.

A rule is a function registered with `@rule(id, summary)`. It receives the book's chapters as `Source`s
(the text with code and link destinations blanked out, cut into blocks) and yields `Finding`s; the
linter turns them into diagnostics `path:line:col: warning: message [rule-id]`. `lint: {ignore: [...]}`
in book.yaml switches rules off for that book.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from publish.diagnostics import Diagnostics, position
from publish.lint.registry import (  # noqa: F401 (re-exported: the rules' registry)
    MASK,
    RULES,
    Block,
    Check,
    Finding,
    Manuscript,
    Rule,
    Source,
    per_chapter,
    rule,
)
from publish.markup.frontmatter import front_matter_end

if TYPE_CHECKING:
    from publish.book import Book


# What the rules never read: code and HTML comments; then tags, link and image destinations, autolinks.
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,}).*?(?:^[ \t]*\1[^\n]*$|\Z)", re.M | re.S)
_CODE = re.compile(r"<!--.*?(?:-->|\Z)|(`+)[^`].*?\1(?!`)", re.S)
_HIDDEN = re.compile(
    r"(?<=\])\((?:<[^>\n]*>|[^()\s]*(?:\([^()\s]*\)[^()\s]*)*)(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'))?\s*\)"
    r"|<(?:https?|mailto|ftp):[^>\s]*>"
    r"|</?[A-Za-z][\w-]*(?:\s[^<>]*)?/?>",
    re.S)


def _blank(match: re.Match[str]) -> str:
    return re.sub(r"[^\n]", MASK, match[0])


def mask(text: str) -> tuple[str, str]:
    """The text without code and comments, and without tags and link destinations too; each masked
    character replaced by MASK, newlines kept, so that offsets stay."""
    end = front_matter_end(text)  # YAML, not prose
    text = re.sub(r"[^\n]", MASK, text[:end]) + text[end:]
    code_free = _CODE.sub(_blank, _FENCE.sub(_blank, text))
    return code_free, _HIDDEN.sub(_blank, code_free)


_KINDS = [
    ("code", re.compile(r"(?: {4}|\t)")),
    ("heading", re.compile(r"#{1,6}(?:\s|$)")),
    ("quote", re.compile(r" {0,3}>")),
    ("rule", re.compile(r" {0,3}(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,})$")),
    ("list", re.compile(r" {0,3}(?:[-*+]|\d{1,9}[.)])(?:\s|$)")),
    ("table", re.compile(r" {0,3}\|")),
    ("note", re.compile(r" {0,3}\[[^\]]+\]:")),
    ("html", re.compile(r" {0,3}</?(?:address|article|aside|blockquote|details|div|dl|fieldset|figure|footer|"
                        r"form|h[1-6]|header|hr|ol|p|pre|section|table|ul)\b", re.I)),
]


_SETEXT_UNDERLINE = re.compile(r" {0,3}(?:=+|-+)[ \t]*")


def blocks(text: str, masked: str) -> list[Block]:
    """The blocks of a chapter: runs of lines that are not blank in the written text."""
    found = []
    start = None
    offset = 0
    for line in text.split("\n") + [""]:
        if line.strip(" \t>"):  # a line of only '>' separates the paragraphs of a block quotation
            if start is None:
                start = offset
            end = offset + len(line)
        elif start is not None:
            newline = text.find("\n", start, end)
            first = text[start:newline if newline >= 0 else end]
            kind = next((k for k, pattern in _KINDS if pattern.match(first)), "text")
            if kind == "text" and newline >= 0 and _SETEXT_UNDERLINE.fullmatch(text, newline + 1, end):
                kind = "heading"  # a title underlined with === or ---
            if not masked[start:end].strip(" \t\n" + MASK):
                kind = "code"  # a fenced code block, or a comment standing alone
            found.append(Block(start, end, kind))
            start = None
        offset += len(line) + 1
    return found


def source(path: str, text: str, language: str = "en") -> Source:
    code_free, masked = mask(text)
    return Source(path, text, code_free, masked, language, blocks(text, masked))


def lint(sources: list[Source], ignore: Iterable[str] = (), ids: set[str] | None = None) -> Diagnostics:
    """Run every rule not ignored over the chapters of one book. With `ids` (every id the book's
    editions hold), links to a fragment are checked against them."""
    _register_rules()
    found = Diagnostics()
    manuscript = Manuscript(sources, ids)
    skipped = set(ignore)
    quiet = {id(source): _suppressions(source, found) for source in sources}
    for rule_id, registered in RULES.items():
        if rule_id in skipped:
            continue
        for finding in registered.check(manuscript):
            if any(start <= finding.offset < end and rule_id in rules
                   for start, end, rules in quiet[id(finding.source)]):
                continue
            line, col = position(finding.source.text, finding.offset)
            found.warning(finding.source.path, finding.message, line, col, rule_id)
    return found


_IGNORE_COMMENT = re.compile(r"<!--\s*lint-ignore\b(?P<rules>[^>]*?)\s*-->")


def _suppressions(source: Source, found: Diagnostics) -> list[tuple[int, int, set[str]]]:
    """Where `<!-- lint-ignore rule-id, ... -->` switches rules off (all of them without ids): in the
    paragraph that holds the comment, or in the next one when the comment stands alone."""
    spans = []
    # Comments as the code mask finds them (one shown in a code span or a fenced block is no comment).
    unfenced = _FENCE.sub(_blank, source.text)
    comments = (_IGNORE_COMMENT.fullmatch(unfenced, c.start(), c.end()) for c in _CODE.finditer(unfenced))
    for m in (c for c in comments if c):
        named = {r for r in re.split(r"[\s,]+", m["rules"]) if r}
        for rule_id in sorted(named - set(RULES)):
            line, col = position(source.text, m.start())
            found.warning(source.path, f"lint-ignore names no rule '{rule_id}'", line, col, "lint-ignore")
        holder = next((b for b in source.blocks if b.start <= m.start() < b.end), None)
        if holder is not None and holder.kind == "code":  # the comment stands alone
            holder = next((b for b in source.blocks if b.start >= m.end()), None)
        if holder is not None:
            spans.append((holder.start, holder.end, named & set(RULES) if named else set(RULES)))
    return spans


def lint_book(book: Book, ids: set[str] | None = None) -> Diagnostics:
    """The linter's findings for a loaded book, less the rules its book.yaml ignores."""
    sources = [source(str(chapter.path), chapter.text, book.config.language) for chapter in book.chapters]
    return lint(sources, book.config.lint.get("ignore", []), ids)


def _register_rules() -> None:
    """Import the modules whose rules register themselves (they import this one, so not at its top)."""
    from publish.lint import rules, unsupported  # noqa: F401


def rule_ids() -> list[str]:
    _register_rules()

    return list(RULES)
