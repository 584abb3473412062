"""Font coverage: every character of a chapter looked up in the fonts the book is set in (their cmap,
through fontTools); a run of characters no font has is a warning at its first place, since the PDF
would print it as empty boxes or nothing."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from publish.book import ChapterSource
from publish.diagnostics import Diagnostics, position
from publish.paths import FONTS

BOOK_FONTS = ("GentiumBookPlus-Regular", "GentiumBookPlus-Italic", "GentiumBookPlus-Bold",
              "GentiumBookPlus-BoldItalic")
NOT_DRAWN = {"Cc", "Cf", "Zl", "Zp"}  # controls and format characters (zero-width joiners, marks of direction)


@cache
def covered() -> frozenset[int]:
    """The code points at least one of the book's fonts has a glyph for."""
    from fontTools.ttLib import TTFont

    points: set[int] = set()
    for stem in BOOK_FONTS:
        with TTFont(FONTS / f"{stem}.ttf", lazy=True) as font:
            points |= set(font.getBestCmap())
    return frozenset(points)


def check_glyphs(source: ChapterSource, found: Diagnostics) -> None:
    """A warning at the first place of each run of characters no font of the book has."""
    have = covered()
    missing = {c for c in set(source.text) if ord(c) not in have and unicodedata.category(c) not in NOT_DRAWN
               and not c.isspace()}
    if not missing:
        return
    reported: set[str] = set()
    for run in re.finditer("[" + re.escape("".join(sorted(missing))) + "]+", source.text):
        new = [c for c in run[0] if c not in reported]
        if not new:
            continue
        reported |= set(run[0])
        names = [f"U+{ord(c):04X}" for c in dict.fromkeys(run[0])]
        points = " ".join(names[:3]) + (" …" if len(names) > 3 else "")
        found.warning(source.path, f"no font of this book has {run[0][:20]} ({points})",
                      *position(source.text, run.start()), rule="missing-glyph")
