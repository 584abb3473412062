"""Renderers: one module per format (pdf, epub, html) over one Document, plus the shared Jinja environment."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2

from publish import __version__
from publish.model import Document
from publish.paths import FONTS, LAYOUTS, STYLES  # noqa: F401 (re-exported for the renderers)
from publish.render.fonts import FontFace, font_face_rule

BODY_FONT = "Gentium Book Plus"
FONT_LICENCE = "SIL Open Font License 1.1"
FONT_FACES = (  # file stem, weight, style
    ("GentiumBookPlus-Regular", 400, "normal"),
    ("GentiumBookPlus-Italic", 400, "italic"),
    ("GentiumBookPlus-Bold", 700, "normal"),
    ("GentiumBookPlus-BoldItalic", 700, "italic"),
)

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
        "generator": f"publish {__version__}",
        "openings": {} if fmt == "pdf" else page_openings(doc.page_map, fmt),
        "references_markup": references_body(doc, fmt),
        **extra,
    }


def font_face_css(directory: Path | str, extension: str) -> str:
    """@font-face rules for the book face, its files found under `directory`."""
    return "\n".join(font_face_rule(BODY_FONT, f"{directory}/{stem}.{extension}", weight, style)
                     for stem, weight, style in FONT_FACES)


def book_faces() -> list[FontFace]:
    """The faces the book is set in, each read from its TrueType file."""
    return [FontFace(BODY_FONT, weight, style, FONTS / f"{stem}.ttf", FONTS / "OFL.txt")
            for stem, weight, style in FONT_FACES]


def render_template(name: str, **values: object) -> str:
    return environment().get_template(name).render(**values)
