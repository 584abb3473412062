"""Diagnostics: the one error type users see, printed as `path:line:col: severity: message`."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One finding about a manuscript, located in a file (line and column are 1-based, 0 if unknown)."""

    path: str
    line: int
    col: int
    severity: str  # "error" or "warning"
    message: str
    rule: str | None = None

    def __str__(self) -> str:
        where = self.path
        if self.line:
            where += f":{self.line}:{max(self.col, 1)}"
        text = f"{where}: {self.severity}: {self.message}"
        return f"{text} [{self.rule}]" if self.rule else text


def display_path(path: str | os.PathLike[str]) -> str:
    """A path as the user would type it: relative to the working directory when inside it."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of a character offset in text."""
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


@dataclass
class Diagnostics:
    """Collects the diagnostics of one stage; errors stop the book, warnings do not."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, path: str | os.PathLike[str], message: str, line: int = 0, col: int = 0,
              rule: str | None = None) -> None:
        self.items.append(Diagnostic(display_path(path), line, col, "error", message, rule))

    def warning(self, path: str | os.PathLike[str], message: str, line: int = 0, col: int = 0,
                rule: str | None = None) -> None:
        self.items.append(Diagnostic(display_path(path), line, col, "warning", message, rule))

    def extend(self, other: Diagnostics) -> None:
        self.items.extend(other.items)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "warning"]

    def raise_if_errors(self) -> None:
        if self.errors:
            raise ManuscriptError(self)


def as_json(diagnostics: Diagnostics) -> str:
    """The diagnostics as a JSON list, one object each, for CI and editors."""
    import json

    items = [{"path": d.path, "line": d.line, "column": d.col, "severity": d.severity, "message": d.message,
              "rule": d.rule} for d in sorted(set(diagnostics.items))]
    return json.dumps(items, ensure_ascii=False, indent=1) + "\n"


def as_github(diagnostics: Diagnostics) -> str:
    """The diagnostics as GitHub Actions workflow commands: annotations on the lines they concern."""
    def escape(text: str, more: str = "") -> str:
        text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return text.replace(":", "%3A").replace(",", "%2C") if more else text

    lines = []
    for d in sorted(set(diagnostics.items)):
        where = f"file={escape(d.path, 'property')}"
        if d.line:
            where += f",line={d.line},col={max(d.col, 1)}"
        title = f",title={escape(d.rule, 'property')}" if d.rule else ""
        lines.append(f"::{d.severity} {where}{title}::{escape(d.message)}\n")
    return "".join(lines)


class ManuscriptError(Exception):
    """A mistake in a manuscript: reported as diagnostics, never as a traceback."""

    def __init__(self, diagnostics: Diagnostics | Diagnostic) -> None:
        if isinstance(diagnostics, Diagnostic):
            diagnostics = Diagnostics([diagnostics])
        self.diagnostics = diagnostics
        super().__init__("\n".join(str(d) for d in diagnostics.items))


def fail(path: str | os.PathLike[str], message: str, line: int = 0, col: int = 0) -> ManuscriptError:
    """A ManuscriptError holding one error, for `raise fail(...)`."""
    found = Diagnostics()
    found.error(path, message, line, col)
    return ManuscriptError(found)
