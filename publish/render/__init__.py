"""Renderers: one module per format (pdf, epub, html) over one Document and its print layout, each
behind the one `Renderer` interface (as mdBook's `Renderer` trait, Sphinx's builders); plus the shared
Jinja environment."""

from __future__ import annotations

import datetime
import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PurePath
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from publish import __version__
from publish.diagnostics import ManuscriptError, fail
from publish.fonts import MONO, Typeface, body_typeface
from publish.model import Document, Layout
from publish.paths import FONTS, LAYOUTS, STYLES  # noqa: F401 (re-exported for the renderers)

CODE = re.compile(r"<(?:code|pre|kbd|samp)\b")
FORMATS = ("pdf", "epub", "html")  # each the module publish.render.NAME, whose RENDERER renders it


@dataclass(frozen=True)
class Edition:
    """What every renderer is given besides the document: the print layout (page map, page count, the
    laid-out PDF when one was asked for), the build's date, the build's cache, and its formats."""

    layout: Layout
    when: datetime.datetime
    cache: Any = None  # a publish.layout.LayoutCache a renderer may keep costly pieces in (font subsets)
    formats: tuple[str, ...] = ("pdf", "epub", "html")  # what this build makes: the web edition links to them


@dataclass
class Rendered:
    """What a renderer made: its files by path relative to the output directory, and for each file
    the facts the manifest records of it."""

    files: dict[str, bytes] = field(default_factory=dict)
    facts: dict[str, dict[str, Any]] = field(default_factory=dict)

    def update(self, other: Rendered) -> None:
        self.files.update(other.files)
        self.facts.update(other.facts)


@dataclass(frozen=True)
class Renderer:
    """One output format: its name, `render(doc, edition) -> Rendered`, whether it needs the laid-out
    PDF itself (not only the page map), and whether building it writes the press's catalogue and feeds."""

    name: str
    render: Callable[[Document, Edition], Rendered]
    prints: bool = False
    catalogued: bool = False


def renderer(name: str) -> Renderer:
    """The renderer of a format in FORMATS."""
    if name not in FORMATS:
        raise ValueError(f"unknown format '{name}'")
    return importlib.import_module(f"publish.render.{name}").RENDERER


def sets_code(doc: Document) -> bool:
    """Whether the book holds code, which its editions set (and its copyright page names) in the code face."""
    return any(CODE.search(chapter.body) or any(CODE.search(note.html) for note in chapter.notes)
               for chapter in doc.chapters)


def typefaces(doc: Document) -> list[Typeface]:
    """The typefaces an edition carries: the book's, and the code face when the book holds code."""
    return [body_typeface(doc.config.fonts), *([MONO] if sets_code(doc) else [])]


@cache
def environment(layouts: Path | None = None) -> jinja2.Environment:
    """The Jinja environment layouts render in, one per layouts directory: the shipped layouts, or a
    book's own `layouts` before them (those run sandboxed: see `BookSandbox`). Every value is escaped
    unless marked safe."""
    loader: jinja2.BaseLoader = jinja2.FileSystemLoader(str(LAYOUTS))
    kind = jinja2.Environment
    if layouts is not None:
        loader = jinja2.ChoiceLoader([BookLayouts(layouts), loader])
        kind = BookSandbox
    env = kind(
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["names"] = join_names
    return env


class BookLayouts(jinja2.FileSystemLoader):
    """A book's layouts directory; a template whose file (through a link) lies outside it is refused."""

    def __init__(self, directory: Path) -> None:
        super().__init__(str(directory))
        self.directory = directory.resolve()

    def get_source(self, environment: jinja2.Environment, template: str):
        source, filename, uptodate = super().get_source(environment, template)
        if not Path(filename).resolve().is_relative_to(self.directory):
            raise jinja2.TemplateNotFound(template)
        return source, filename, uptodate


class BookSandbox(ImmutableSandboxedEnvironment):
    """Jinja's sandbox for layouts a book supplies: no private attributes, no changing the values it is
    given, and no file paths' methods (a path of the book could otherwise open any file)."""

    def is_safe_attribute(self, obj: object, attr: str, value: object) -> bool:
        if isinstance(obj, PurePath):
            return False
        return super().is_safe_attribute(obj, attr, value)


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
        "font_name": body_typeface(config.fonts).family,
        "font_licence": body_typeface(config.fonts).licence,
        "code_font": MONO.family if sets_code(doc) else "",
        "code_font_licence": MONO.licence,
        "generator": f"publish {__version__}",
        "openings": {} if fmt == "pdf" else page_openings(doc.page_map, fmt),
        "references_markup": references_body(doc, fmt),
        **extra,
    }


def render_template(name: str, layouts: Path | None = None, **values: object) -> str:
    """A layout rendered: the book's own of that name if its `layouts` directory has one, else ours. A
    mistake in a book's layout (its syntax, an undefined value, what the sandbox refuses) is an error
    at its line."""
    try:
        return environment(layouts).get_template(name).render(**values)
    except jinja2.TemplateError as error:
        if layouts is None:
            raise
        raise _layout_error(error, layouts) from None


def _layout_error(error: jinja2.TemplateError, layouts: Path) -> ManuscriptError:
    """Where in the book's layouts the error arose: the syntax error's line, else the innermost frame
    of the book's templates in the traceback (Jinja maps template lines into it)."""
    import traceback

    path, line = Path(getattr(error, "filename", None) or layouts), getattr(error, "lineno", 0) or 0
    if not isinstance(error, jinja2.TemplateSyntaxError):
        for frame in traceback.extract_tb(error.__traceback__):
            if Path(frame.filename).resolve().is_relative_to(layouts):
                path, line = Path(frame.filename), frame.lineno or 0
    return fail(path, f"in the book's layout: {error.message or type(error).__name__}", line, 1)
