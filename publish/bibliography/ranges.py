"""Page ranges in the forms CSL names (expanded, minimal, minimal-two, chicago), with an en dash.

Written against the CSL 1.0.2 specification, appendix "Page Range Formats"; citeproc-py formats the
`page` variable but passes locators through, so locators are formatted here before rendering.
"""

from __future__ import annotations

import re

RANGE = re.compile(r"(?<![\w.])(\d+)\s*[-–—]\s*(\d+)(?![\w.])")
EN_DASH = "–"


def expand(first: str, last: str) -> str:
    """The full second number of a range: 93-4 -> 94, 321-28 -> 328."""
    if len(last) < len(first):
        return first[: len(first) - len(last)] + last
    return last


def _minimal(first: str, last: str, keep: int = 1) -> str:
    if len(first) != len(last):
        return last
    common = 0
    while common < len(first) and first[common] == last[common]:
        common += 1
    return last[min(common, max(len(last) - keep, 0)):]


def _chicago(first: str, last: str) -> str:
    """Chicago Manual of Style 15th ed. rules, as CSL's `chicago` (`chicago-15`) defines them."""
    start = int(first)
    if start < 100 or start % 100 == 0:
        return last
    if start % 100 < 10:
        return _minimal(first, last)
    if len(first) == 4 and len(last) == 4 and first[0] == last[0] and first[1] != last[1]:
        return last  # three digits change: 1496–1504
    return _minimal(first, last, keep=2)


def format_range(first: str, last: str, form: str) -> str:
    full = expand(first, last)
    if int(full) <= int(first):
        return f"{first}{EN_DASH}{last}"  # not a range we understand: keep it, dash aside
    if form == "minimal":
        second = _minimal(first, full)
    elif form == "minimal-two":
        second = _minimal(first, full, keep=2) if len(full) > 1 else full
    elif form in ("chicago", "chicago-15"):
        second = _chicago(first, full)
    else:
        second = full
    return f"{first}{EN_DASH}{second}"


def format_ranges(text: str, form: str) -> str:
    """Every numeric range in a locator ("93-4", "13, 14, 15", "5-7 and 9") put in the style's form."""
    return RANGE.sub(lambda m: format_range(m[1], m[2], form), text)
