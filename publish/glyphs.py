"""Font coverage: every character of a chapter looked up in the fonts the book is set in (their cmap,
through fontTools); a run of characters no font has is a warning at its first place, since the PDF
would print it as empty boxes or nothing."""

from __future__ import annotations

import re
import subprocess
import unicodedata
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from publish.diagnostics import Diagnostics, position
from publish.fonts import MONO, Typeface

if TYPE_CHECKING:  # book.py calls this module: it may not import book.py back
    from publish.book import ChapterSource

NOT_DRAWN = {"Cc", "Cf", "Zl", "Zp"}  # controls and format characters (zero-width joiners, marks of direction)


@cache
def font_files(family: str) -> tuple[Path, ...]:
    """The files of an installed font family, as fontconfig knows them (none if it is not installed)."""
    try:
        listed = subprocess.run(["fc-list", "--format", "%{file}\n", f":family={family}"], capture_output=True,
                                text=True, timeout=30, check=False).stdout
    except OSError:
        return ()
    return tuple(sorted(Path(line) for line in listed.splitlines() if line.strip()))


def book_font_files(typeface: Typeface, fallbacks: tuple[str, ...] = ()) -> tuple[Path, ...]:
    """The font files a book's text may be set in: its typeface's, the code face's and its fallbacks'."""
    return (*(face.print_file for face in typeface.faces), *(face.print_file for face in MONO.faces),
            *(f for name in fallbacks for f in font_files(name)))


@cache
def covered(files: tuple[Path, ...]) -> frozenset[int]:
    """The code points at least one of the fonts has a glyph for."""
    from fontTools.ttLib import TTCollection, TTFont

    points: set[int] = set()
    for path in files:
        fonts = TTCollection(path, lazy=True).fonts if path.suffix.lower() == ".ttc" else [TTFont(path, lazy=True)]
        for font in fonts:
            points |= set(font.getBestCmap() or {})
    return frozenset(points)


def fallback_css(family: str, fallbacks: list[str]) -> str:
    """The print edition's font stack: the book's face (`family`), then its fallback families."""
    if not fallbacks:
        return ""
    families = ", ".join(f'"{name}"' for name in fallbacks)  # names are checked at load: no quotes
    return f'\nhtml {{ font-family: "{family}", {families}, serif; }}'


def check_glyphs(source: ChapterSource, found: Diagnostics, files: tuple[Path, ...]) -> None:
    """A warning at the first place of each run of characters none of the font `files` has."""
    have = covered(files)
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
