"""The fonts an EPUB embeds: every face subset to the characters its text uses (fontTools' subsetter,
as WeasyPrint does for the PDF), or embedded whole, or none at all (`epub: {fonts: …}` in book.yaml).

A subset keeps every glyph the book's characters reach through the face's OpenType features (small
capitals, ligatures, kerning), and the face's names, copyright and licence records: under the SIL Open
Font License a font subset to the glyphs one document needs is embedded, not distributed (OFL-FAQ 1.11
and 1.12), so it may keep its name, Reserved Font Names included. The licence file travels in the
EPUB beside the faces all the same, and the copyright page names it.
"""

from __future__ import annotations

import contextvars
import functools
import io
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from publish.fonts import Typeface

MEDIA_TYPES = {".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf", ".otf": "font/otf"}
# Characters a reading system may set in the book face without their being in the text: printable
# ASCII (list numbers, a reader's search), the hyphen it breaks words with, list bullets, the quotation
# marks of <q>, the ellipsis of cut-off text, spaces.
ALWAYS = (frozenset(chr(c) for c in range(0x20, 0x7F))
          | frozenset("\u00a0\u00ad\u2010\u2011\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026\u25aa\u25e6"))
# Graphite tables, which fontTools cannot subset: the OpenType tables do the same work in every
# reading system.
GRAPHITE_TABLES = ["Silf", "Silt", "Sill", "Glat", "Gloc", "Feat"]
CSS_CONTENT = re.compile(r"""content\s*:\s*(?:"([^"]*)"|'([^']*)')""")


@dataclass(frozen=True)
class EmbeddedFont:
    """A face as the EPUB carries it: its family, weight and style as the CSS declares them, its file
    name (under fonts/), media type and bytes, and the licence file that goes with it, if any."""

    family: str
    weight: int
    style: str
    name: str
    media_type: str
    data: bytes
    licence: Path | None

# The cache subsets are kept in during a build (a publish.layout.LayoutCache), else None.
SUBSETS: contextvars.ContextVar[Any] = contextvars.ContextVar("font_subsets", default=None)


def embed(typefaces: Iterable[Typeface], mode: str, characters: set[str]) -> list[EmbeddedFont]:
    """The typefaces' faces as the EPUB carries them in `mode`: subset to `characters` (as WOFF2),
    whole (the screen file: a WOFF2 beside a shipped TrueType face), or none."""
    if mode == "none":
        return []
    fonts = []
    for typeface in typefaces:
        for face in typeface.faces:
            if mode == "full":
                whole = face.screen_file
                name, media_type, data = whole.name, MEDIA_TYPES[whole.suffix.lower()], whole.read_bytes()
            else:
                name, media_type = f"{face.print_file.stem}.woff2", "font/woff2"
                data = subset_face(face.print_file, characters)
            fonts.append(EmbeddedFont(typeface.family, face.weight, face.style, name, media_type, data,
                                      typeface.licence_file))
    return fonts


def subset_face(path: Path, characters: set[str]) -> bytes:
    """The face in `path` subset to `characters` and written as WOFF2. Same input, same bytes: the
    subsetter is deterministic and the face's timestamps are kept as they are. A subset takes about a
    quarter of a second a face, so the last few are kept for a process that builds again (`serve`, a
    press's books in one face): by the file's identity and the characters; and, in a build, in the
    build's cache (`SUBSETS`), for the next build."""
    stat = path.stat()
    store = SUBSETS.get()
    if store is None:
        return _subset(path.resolve(), stat.st_mtime_ns, stat.st_size, frozenset(characters))
    from fontTools import version

    from publish.cache import file_digest
    from publish.layout.store import digest

    key = digest("font subset", version, file_digest(path), "".join(sorted(characters)))
    found = store.get(key)
    if found is not None:
        return found[1]
    data = _subset(path.resolve(), stat.st_mtime_ns, stat.st_size, frozenset(characters))
    store.put(key, {}, data)
    return data


@functools.lru_cache(maxsize=16)
def _subset(path: Path, _mtime: int, _size: int, characters: frozenset[str]) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.layout_features = ["*"]  # every feature the text may call on: small capitals, old-style figures
    options.name_IDs = ["*"]  # the names, copyright, licence and licence URL records
    options.name_languages = ["*"]
    options.name_legacy = True
    options.notdef_outline = True
    options.drop_tables = list(options.drop_tables) + GRAPHITE_TABLES
    options.flavor = "woff2"
    font = TTFont(str(path), recalcTimestamp=False, lazy=True)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(ch) for ch in characters))
    previous = logging.getLogger("fontTools").level
    logging.getLogger("fontTools").setLevel(logging.ERROR)  # its notes on dropped tables
    try:
        subsetter.subset(font)
    finally:
        logging.getLogger("fontTools").setLevel(previous)
    out = io.BytesIO()
    font.flavor = "woff2"
    font.save(out, reorderTables=False)
    return out.getvalue()


def text_characters(documents: Iterable[str], css: str = "") -> set[str]:
    """Every character a reader may see set in the book face: the text of the XHTML documents (and
    their images' text alternatives and titles), the strings the stylesheet generates, and ALWAYS."""
    found = set(ALWAYS)
    for document in documents:
        root = etree.fromstring(document.encode("utf-8"))
        found.update("".join(root.itertext()))
        for value in root.xpath("//@alt | //@title"):
            found.update(value)
    for match in CSS_CONTENT.finditer(css):
        found.update(match[1] or match[2] or "")
    return {ch for ch in found if ch not in "\n\r\t"}


def face_rules(fonts: Iterable[EmbeddedFont], directory: str) -> str:
    """@font-face rules for the embedded faces, their files under `directory`."""
    return "\n".join(font_face_rule(f.family, f"{directory}/{f.name}", f.weight, f.style) for f in fonts)


def font_face_rule(family: str, url: str, weight: int, style: str) -> str:
    return (f'@font-face {{ font-family: "{family}"; src: url("{url}"); '
            f"font-weight: {weight}; font-style: {style}; }}")


def licence_files(fonts: Iterable[EmbeddedFont]) -> dict[str, bytes]:
    """The licence of every embedded family, by file name under fonts/ (one per licence file)."""
    files: dict[str, bytes] = {}
    for font in fonts:
        if font.licence is not None:
            slug = re.sub(r"[^a-z0-9]+", "-", font.family.lower()).strip("-")
            files.setdefault(f"{slug}-{font.licence.name}", font.licence.read_bytes())
    return files
