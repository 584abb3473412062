"""The linter's rules for index marks (`{^term}`) and the book's `index.yaml` (see publish/index.py)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher

from publish.index import DEFAULT, parse_mark
from publish.lint.registry import Finding, Manuscript, Source, rule
from publish.markup.index import MARK

SIMILAR = 0.85  # `Bukharin` / `Bucharin`: 0.875; `Lenin` / `Stalin`: 0.55


@dataclass(frozen=True)
class Use:
    """A term named by a mark or by index.yaml, where it is written."""

    index: str
    path: tuple[str, ...]
    action: str
    target: tuple[str, ...]
    source: Source
    offset: int
    declared: bool = False


def _uses(manuscript: Manuscript) -> list[Use]:
    config = manuscript.index
    names = config.names if config else []
    uses = []
    for source in manuscript.sources:
        for match in MARK.finditer(source.code_free):
            try:
                index, path, action, target, _ = parse_mark(match["body"], names)
            except ValueError:
                continue  # the parser reports it
            if path:
                uses.append(Use(index, path, action, target, source, match.start()))
    if config is not None and config.path is not None and manuscript.index_source is not None:
        yaml_source = manuscript.index_source
        for term in config.terms:
            offset = _line_offset(yaml_source.text, term.line)
            uses.append(Use(term.index, term.path, "place", (), yaml_source, offset, declared=True))
            for target in term.see:
                uses.append(Use(term.index, term.path, "see", target, yaml_source, offset, declared=True))
            for target in term.see_also:
                uses.append(Use(term.index, term.path, "see-also", target, yaml_source, offset, True))
    return uses


def _line_offset(text: str, line: int) -> int:
    offset = 0
    for _ in range(max(line - 1, 0)):
        offset = text.find("\n", offset) + 1
    return offset


@rule("index-spelling", "an index mark naming a term spelled nearly as another term of the index")
def variant_spellings(manuscript: Manuscript) -> Iterator[Finding]:
    uses = [u for u in _uses(manuscript) if u.action in ("place", "start", "end")]
    counts = Counter((u.index, u.path[0]) for u in uses)
    declared = {(u.index, u.path[0]) for u in uses if u.declared}
    heads = sorted(counts)
    reported = set()
    for use in uses:
        key = (use.index, use.path[0])
        if use.declared or key in declared or key in reported:
            continue
        for other in heads:
            if other == key or other[0] != key[0]:
                continue
            if SequenceMatcher(None, key[1].lower(), other[1].lower()).ratio() >= SIMILAR and (
                    other in declared or counts[other] > counts[key]
                    or (counts[other] == counts[key] and other < key)):
                reported.add(key)
                known = "a term of index.yaml" if other in declared else f"{counts[other]} marks"
                yield Finding(use.source, use.offset, f"index term '{key[1]}' is spelled nearly as "
                              f"'{other[1]}' ({known}): the same entry?")
                break


@rule("index-see-missing", "a see or see-also reference to a term that has no entry in its index")
def missing_see_targets(manuscript: Manuscript) -> Iterator[Finding]:
    uses = _uses(manuscript)
    entries = {(u.index, u.path[:n]) for u in uses if u.action in ("place", "start", "end")
               for n in range(1, len(u.path) + 1)}
    for use in uses:
        if use.action in ("see", "see-also") and (use.index, use.target) not in entries:
            word = "see" if use.action == "see" else "see also"
            yield Finding(use.source, use.offset, f"index: '{word} {', '.join(use.target)}' refers to a term "
                          f"with no entry in the index '{use.index}'")


@rule("index-empty", "an index of index.yaml that no mark and no term found in the text fills")
def empty_indexes(manuscript: Manuscript) -> Iterator[Finding]:
    config = manuscript.index
    if config is None or config.path is None or manuscript.index_source is None:
        return
    filled = {u.index for u in _uses(manuscript) if not u.declared}
    for term in config.terms:
        pattern = re.compile("|".join(term.finds)) if term.finds else None
        if pattern and any(pattern.search(s.masked) for s in manuscript.sources):
            filled.add(term.index)
    for name, title, line in config.indexes or [(DEFAULT, "Index", 1)]:
        if name not in filled:
            yield Finding(manuscript.index_source, _line_offset(manuscript.index_source.text, line),
                          f"the index '{name}' ({title}) has no entries: no mark names it and no term of it "
                          "is found in the text")
