"""The index's columns: balanced on its last page, and level at their tops, at the cost of one more
quick layout.

WeasyPrint balances the columns of a multi-column block (`column-fill: balance`) by laying out the
content of its last page again and again, one pixel taller each time it finds no better step: 0.55 s
for the one page of *Leon Trotsky Speaks*' index of names, 80 % of the time the index took to lay out.
So the print stylesheet fills the index's columns one after the other (`column-fill: auto`, as every
page but the last is filled anyway), and the balance of the last page is found here, from that
layout: the column breaks that make its columns the most nearly even (the first ones no shorter than
the later ones), each before an element that may begin a column (an entry with its sub-entries, a
letter group: not the first of its parent, not after an element that holds to it with
`break-after: avoid`). Those elements, and the element at the top of every other column where one
begins there, are given a forced column break and no top margin (inline styles: `break-before:
column; margin-top: 0`), and the document is laid out again. WeasyPrint keeps a block's top margin at
the top of a column, so that a letter group beginning a column would otherwise start a line lower
than the column beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

COLUMNS = "index-columns"  # the class of the index's multi-column block (publish/render/indexes.py)
ENTRY = "index-entry"  # an entry, which keeps its sub-entries with it in the column it begins
BREAK = "break-before: column; margin-top: 0"
AVOID = ("avoid", "avoid-column")  # a break here is to be avoided


@dataclass
class _Start:
    """An element that may begin a column, in the last page's columns stacked one on another: where its
    content begins, and where the content before it ends (the margin between them is lost at a column
    break)."""

    element: Any
    top: float
    end: float


def balance(laid_out: Any) -> bool:
    """Forced column breaks set (as inline styles on the document's elements) where the index's last
    page's columns are uneven, and before every element that begins a column on the pages before
    (where they are: so that it begins with no top margin, level with the columns beside it, which
    WeasyPrint leaves at a break inside a column); whether any was set, and so whether to lay the
    document out again."""
    seen: set[int] = set()
    fragments: dict[int, list[tuple[Any, list[_Start], float, list[Any]]]] = {}  # by the block's element
    for page in laid_out.pages:
        for block in _blocks(page._page_box):
            begins = id(block.element) not in fragments
            fragments.setdefault(id(block.element), []).append((block, *_starts(block, seen, begins)))
    forced = []
    for pieces in fragments.values():
        for block, _, _, tops in pieces[:-1]:
            forced += tops
        block, starts, total, tops = pieces[-1]
        count = block.style["column_count"]
        count = count if isinstance(count, int) else len(block.children)
        heights = [_height(column, block.content_box_y()) for column in block.children]
        best, breaks = _even(starts, total, count) if count > 1 and starts else (max(heights), [])
        if best < max(heights) - 1:  # a line's worth shorter, or at least a pixel
            forced += tops[:1] + [start.element for start in breaks]
        else:
            forced += tops
    for element in forced:
        if element is not None:
            _force_break(element)
    return any(element is not None for element in forced)


def _blocks(box: Any) -> list[Any]:
    """The index's multi-column blocks on a page."""
    element = getattr(box, "element", None)
    if element is not None and COLUMNS in (element.get("class") or "").split() \
            and box.style["column_count"] != "auto" and box.children \
            and all(child.element is element for child in box.children):
        return [box]
    return [found for child in getattr(box, "children", ()) for found in _blocks(child)]


def _starts(block: Any, seen: set[int], begins: bool) -> tuple[list[_Start], float, list[Any]]:
    """The elements that may begin a column that begin in this fragment of a multi-column block (an
    element split between two columns begins in the first), in its columns stacked one on another;
    the stacked columns' height; and the element each column begins with, where it begins one (not
    the first column of the block's first fragment, `begins`, nor one that goes on with an element
    of the column before)."""
    starts: list[_Start] = []
    tops: list[Any] = []
    top = block.content_box_y()
    stacked = 0.0

    def walk(box: Any, before: float) -> None:
        previous = None
        for child in getattr(box, "children", ()):
            if not child.is_in_normal_flow() or getattr(child, "element", None) is None \
                    or type(child).__name__ not in ("BlockBox", "ListItemBox"):
                previous = child
                continue
            first = id(child.element) not in seen
            seen.add(id(child.element))
            if first and previous is not None and child.style["break_before"] not in AVOID \
                    and previous.style["break_after"] not in AVOID:
                starts.append(_Start(child.element, before + _edge(child, 0) - top,
                                     before + _edge(previous, -1) - top))
            if child.style["break_inside"] not in AVOID \
                    and ENTRY not in (child.element.get("class") or "").split():
                walk(child, before)
            previous = child

    for column in block.children:
        tops.append(None if begins and not tops else _first_begun(column, seen))
        walk(column, stacked)
        stacked += _height(column, top)
    return starts, stacked, tops


def _first_begun(column: Any, seen: set[int]) -> Any:
    """The outermost element that begins at the top of a column, or None where the column goes on
    with an element begun before it."""
    box = column
    while True:
        inner = [child for child in getattr(box, "children", ()) if child.is_in_normal_flow()
                 and getattr(child, "element", None) is not None
                 and type(child).__name__ in ("BlockBox", "ListItemBox")]
        if not inner:
            return None
        if id(inner[0].element) not in seen:
            return inner[0].element
        box = inner[0]


def _edge(box: Any, end: int) -> float:
    """Where a box's content begins (`end` 0: the top of its first line or innermost first block) or
    ends (-1: the bottom of its last), its margins and those of its first or last descendants aside."""
    while True:
        inner = [child for child in getattr(box, "children", ()) if child.is_in_normal_flow()
                 and type(child).__name__ in ("BlockBox", "ListItemBox", "LineBox")]
        if not inner or type(box).__name__ == "LineBox":
            break
        box = inner[end]
    return box.border_box_y() + (box.border_height() if end else 0)


def _height(column: Any, top: float) -> float:
    """The height a column's content takes, from the top of its block."""
    bottoms = [_edge(child, -1) for child in column.children if child.is_in_normal_flow()]
    return max(bottoms, default=top) - top


def _even(starts: list[_Start], total: float, count: int) -> tuple[float, list[_Start]]:
    """The least height of the tallest of `count` columns broken before some of `starts`, and the
    breaks that give it, the earlier columns filled first."""
    ends = [s.end for s in starts] + [total]
    begins = [0.0] + [s.top for s in starts]
    heights = sorted({end - begin for begin in begins for end in ends if end > begin})

    def breaks(height: float) -> list[_Start] | None:
        chosen: list[_Start] = []
        begin = 0.0
        for i, start in enumerate(starts):
            if ends[i + 1] - begin > height + 0.01:  # what follows would not fit: the column ends here
                if start.end - begin > height + 0.01:
                    return None
                chosen.append(start)
                begin = start.top
        if total - begin > height + 0.01 or len(chosen) > count - 1:
            return None
        return chosen

    # What fits at a height fits at any greater one: the least that fits, by bisection.
    low, high, best = 0, len(heights) - 1, None
    while low <= high:
        middle = (low + high) // 2
        found = breaks(heights[middle])
        if found is None:
            low = middle + 1
        else:
            high, best = middle - 1, (heights[middle], found)
    return best or (total, [])


def _force_break(element: Any) -> None:
    """A column break before an element, which begins its column with no top margin (nor does its
    first descendant: a letter group's heading)."""
    element.set("style", f"{element.get('style') or ''}; {BREAK}".lstrip("; "))
    child = element[0] if len(element) else None
    while child is not None:
        child.set("style", f"{child.get('style') or ''}; margin-top: 0".lstrip("; "))
        child = child[0] if len(child) else None
