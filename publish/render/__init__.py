"""Renderers: one module per format (pdf, epub, html) over one Document, plus the shared Jinja environment."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import jinja2

from publish import __version__
from publish.model import Document

from publish.paths import FONTS, LAYOUTS, STYLES  # noqa: F401 (re-exported for the renderers)
BODY_FONT = "Gentium Book Plus"
FONT_LICENCE = "SIL Open Font License 1.1"
FONT_FACES = (  # file stem, weight, style
    ("GentiumBookPlus-Regular", 400, "normal"),
    ("GentiumBookPlus-Italic", 400, "italic"),
    ("GentiumBookPlus-Bold", 700, "normal"),
    ("GentiumBookPlus-BoldItalic", 700, "italic"),
)
# Code (fenced blocks, code spans) is set in a monospaced face covering Latin, Greek and Cyrillic as the
# book face does (a rarer letter it lacks falls back to the book face). One face: code is literal text.
MONO_FONT = "DejaVu Sans Mono"
MONO_LICENCE = "Bitstream Vera Fonts licence"
MONO_FACES = (("DejaVuSansMono", 400, "normal"),)
CODE = re.compile(r"<(?:code|pre|kbd|samp)\b")


def sets_code(doc: Document) -> bool:
    """Whether the book holds code, which its editions set (and its copyright page names) in MONO_FONT."""
    return any(CODE.search(chapter.body) or any(CODE.search(note.html) for note in chapter.notes)
               for chapter in doc.chapters)


def font_faces(mono: bool) -> tuple[tuple[str, int, str], ...]:
    """The faces an edition carries: the book face's, and with `mono` the code face."""
    return FONT_FACES + (MONO_FACES if mono else ())


@cache
def environment() -> jinja2.Environment:
    """The Jinja environment every layout renders in; every value is escaped unless marked safe."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(LAYOUTS)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["names"] = join_names
    return env


def join_names(names: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def byline(doc: Document) -> str:
    """The title-page credit line: authors, or interviewee(s) with the interviewer, and the editor."""
    parts = []
    authors = doc.contributors("author", "interviewee")
    if authors:
        parts.append(join_names(authors))
    interviewers = doc.contributors("interviewer")
    if interviewers:
        parts.append(f"interviewed by {join_names(interviewers)}")
    editors = doc.contributors("editor")
    if editors:
        parts.append(f"edited by {join_names(editors)}")
    translators = doc.contributors("translator")
    if translators:
        parts.append(f"translated by {join_names(translators)}")
    return ", ".join(parts)


def context(doc: Document, fmt: str, **extra: object) -> dict[str, object]:
    """What every layout receives: the document, its parts, and facts about the edition."""
    from publish.render.markup import page_openings, references_body

    config = doc.config
    return {
        "doc": doc,
        "book": config,
        "fmt": fmt,
        "front_matter": doc.chapters_in("front"),
        "body_matter": doc.chapters_in("body"),
        "back_matter": doc.chapters_in("back"),
        "byline": byline(doc),
        "font_name": BODY_FONT,
        "font_licence": FONT_LICENCE,
        "code_font": MONO_FONT if sets_code(doc) else "",
        "code_font_licence": MONO_LICENCE,
        "generator": f"publish {__version__}",
        "openings": {} if fmt == "pdf" else page_openings(doc.page_map, fmt),
        "references_markup": references_body(doc, fmt),
        **extra,
    }


def font_face_css(directory: Path | str, extension: str, mono: bool = False) -> str:
    """@font-face rules for the book face (and with `mono` the code face), its files under `directory`."""
    rules = []
    for family, faces in ((BODY_FONT, FONT_FACES), (MONO_FONT, MONO_FACES if mono else ())):
        for stem, weight, style in faces:
            rules.append(f'@font-face {{ font-family: "{family}"; src: url("{directory}/{stem}.{extension}"); '
                         f"font-weight: {weight}; font-style: {style}; }}")
    return "\n".join(rules)


def render_template(name: str, **values: object) -> str:
    return environment().get_template(name).render(**values)
