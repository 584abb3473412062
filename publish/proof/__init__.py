"""Proofs: a typographic report on the laid-out pages (`publish proof`).

A rule is a function registered with `@rule(id, summary)`. It receives the book's `Proof` (its print
layout read line by line, where each block was written, the `proof:` thresholds) and yields `Finding`s,
each at a page, a line of that page and the manuscript line of its paragraph. The rules are in
`publish.proof.rules`; the comparison with an earlier printing in `publish.proof.diff`.
"""

from __future__ import annotations

from publish.proof.registry import (  # noqa: F401 (re-exported: the rules' registry)
    RULES,
    Check,
    Finding,
    Proof,
    Rule,
    rule,
)


def rule_ids() -> list[str]:
    import publish.proof.rules  # noqa: F401 (registers the rules)
    return sorted(RULES)


def run_rules(proof: Proof, rivers: bool = False) -> list[Finding]:
    """Every finding of every rule the settings do not switch off, in page and line order."""
    import publish.proof.rules  # noqa: F401 (registers the rules)

    found: set[Finding] = set()
    for rule_id, registered in RULES.items():
        if rule_id in proof.settings.ignore:
            continue
        if registered.optional and not (rivers or proof.settings.rivers):
            continue
        found.update(registered.check(proof))
    return sorted(found)
