"""The `proof:` settings of book.yaml: the thresholds of the typographic report (`publish proof`)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


@dataclass(frozen=True)
class ProofSettings:
    """What the proof rules accept. Word spacing is the width of a line's word spaces over the font's
    natural space (1.0: not stretched); lengths are in points."""

    loose: float = 2.0  # a justified line whose spaces are stretched beyond this is loose
    tight: float = 0.8  # ... squeezed below this, tight
    hyphens: int = 2  # hyphenated line ends allowed in a row
    short_page: int = 2  # lines a page's text may fall short of the text block, except at a chapter's end
    last_page_lines: int = 3  # lines a chapter's last page holds at least
    facing_tolerance: float = 1.0  # how far the last lines of facing pages may differ (points)
    rivers: bool = False  # look for rivers (also `publish proof --rivers`)
    ignore: tuple[str, ...] = field(default_factory=tuple)  # rule ids not reported


KEYS = [f.name for f in fields(ProofSettings)]


def proof_settings(value: Any, rule_ids: list[str] | None = None) -> ProofSettings:
    """The `proof:` mapping of book.yaml as settings (`rule_ids`: the proof's rules, which `ignore` may
    name); raises ValueError naming the bad entry."""
    from publish.geometry import length

    if value is None:
        return ProofSettings()
    if not isinstance(value, dict):
        raise ValueError(f"expected a map of {', '.join(KEYS)}")  # noqa: TRY004 (book.py reports ValueError)
    unknown = sorted(set(value) - set(KEYS))
    if unknown:
        import difflib
        near = difflib.get_close_matches(str(unknown[0]), KEYS, n=1)
        hint = f"did you mean '{near[0]}'?" if near else f"known: {', '.join(KEYS)}"
        raise ValueError(f"unknown key '{unknown[0]}' ({hint})")
    settings: dict[str, Any] = {}
    for key in ("loose", "tight"):
        if key in value:
            number = value[key]
            if isinstance(number, bool) or not isinstance(number, (int, float)) or not 0 < number <= 100:
                raise ValueError(f"{key}: expected a ratio of the natural word space, e.g. 2.0")
            settings[key] = float(number)
    for key in ("hyphens", "short_page", "last_page_lines"):
        if key in value:
            number = value[key]
            if isinstance(number, bool) or not isinstance(number, int) or number < 0:
                raise ValueError(f"{key}: expected a whole number of lines")
            settings[key] = number
    if "facing_tolerance" in value:
        settings["facing_tolerance"] = length(value["facing_tolerance"], "facing_tolerance")
    if "rivers" in value:
        if not isinstance(value["rivers"], bool):
            raise ValueError("rivers: expected true or false")
        settings["rivers"] = value["rivers"]
    if "ignore" in value:
        settings["ignore"] = _rule_ids(value["ignore"], rule_ids or [])
    result = ProofSettings(**settings)
    if result.tight >= result.loose:
        raise ValueError("tight: must be less than loose")
    return result


def _rule_ids(value: Any, known: list[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("ignore: expected a list of proof rule ids")
    for rule_id in value:
        if rule_id not in known:
            raise ValueError(f"ignore: no proof rule '{rule_id}' (the rules: {', '.join(known)})")
    return tuple(value)
