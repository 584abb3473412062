"""A press repository: `publish.yaml` at its root names where the books are, the default output, the
catalogue's title and address, and the defaults every book.yaml there inherits."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from publish.diagnostics import Diagnostics
from publish.files import Positions, parse_yaml, read_text

PRESS_FILE = "publish.yaml"
KEYS = ("books", "output", "catalogue", "base_url", "defaults", "cache_size")
CATALOGUE_KEYS = ("title",)
# Without a repository around the book, publish.yaml is looked for this many directories above it.
LEVELS_WITHOUT_GIT = 2
CACHE_SIZE = 1 << 30  # the layout cache's default bound: 1 GB
SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)b?\s*$", re.IGNORECASE)
BASE_URL = re.compile(r"^https?://[^\s/?#<>\"'`]+(/[^\s<>\"'`]*)?$")


@dataclass
class Press:
    """publish.yaml, read: `defaults` are book.yaml keys (checked where a book inherits them)."""

    root: Path
    books: list[str] = field(default_factory=lambda: ["manuscript/*"])
    output: str = "dist"
    catalogue_title: str = ""
    base_url: str = ""
    defaults: dict[str, Any] = field(default_factory=dict)
    cache_size: int = CACHE_SIZE  # bytes the layout cache (.publish-cache/ beside the output) may hold
    positions: Positions = field(default_factory=dict)
    literals: dict[Any, str] = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return self.root / PRESS_FILE

    def book_dirs(self) -> list[Path]:
        """Every directory its `books` patterns match that holds a book.yaml, in name order."""
        found = {p.parent.resolve() for pattern in self.books
                 for p in self.root.glob(pattern.rstrip("/") + "/book.yaml")}
        return sorted(found)


def press_root(start: Path) -> Path | None:
    """The directory of the publish.yaml that governs `start` (a book or the working directory): the
    nearest one at or above it, not beyond the enclosing git repository (or, outside a repository,
    not more than two directories up)."""
    start = start.resolve()
    for level, directory in enumerate([start, *start.parents]):
        if (directory / PRESS_FILE).is_file():
            return directory
        if (directory / ".git").exists() or (level >= LEVELS_WITHOUT_GIT and not _in_repository(start)):
            return None
    return None


@lru_cache(maxsize=64)
def _in_repository(start: Path) -> bool:
    return any((d / ".git").exists() for d in [start, *start.parents])


def load_press(root: Path) -> Press:
    """publish.yaml in `root`, checked; raises ManuscriptError with every problem found."""
    path = root / PRESS_FILE
    raw, positions, literals = parse_yaml(path, read_text(path))
    found = Diagnostics()
    press = Press(root.resolve(), positions=positions, literals=literals)
    if raw is None:
        return press
    if not isinstance(raw, dict):
        found.error(path, "publish.yaml must be a mapping of keys to values", 1, 1)
        found.raise_if_errors()
    for key, value in raw.items():
        line, col = positions.get(key, (0, 0))
        if key not in KEYS:
            found.error(path, f"unknown key '{key}'{_near(key, KEYS)}", line, col)
            continue
        problem = _set(press, key, value)
        if problem:
            found.error(path, f"'{key}': {problem}", line, col)
    found.raise_if_errors()
    return press


def _set(press: Press, key: str, value: Any) -> str:
    """Store one key's value on the press; the problem with it, if any."""
    if key == "books":
        value = [value] if isinstance(value, str) else value
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            return "expected a list of directory patterns (e.g. [books/*])"
        if any(Path(v).is_absolute() or ".." in Path(v).parts for v in value):
            return "patterns are relative to publish.yaml and stay inside its directory"
        press.books = [v.strip() for v in value]
    elif key == "output":
        if not isinstance(value, str) or not value.strip():
            return "expected a directory name"
        press.output = value.strip()
    elif key == "catalogue":
        if not isinstance(value, dict) or set(value) - set(CATALOGUE_KEYS):
            unknown = sorted(set(value) - set(CATALOGUE_KEYS)) if isinstance(value, dict) else []
            return (f"unknown key '{unknown[0]}'{_near(unknown[0], CATALOGUE_KEYS)}" if unknown
                    else "expected a map with a title")
        if not isinstance(value.get("title", ""), str):
            return "'title' expects text"
        press.catalogue_title = value.get("title", "").strip()
    elif key == "base_url":
        if not isinstance(value, str) or not BASE_URL.match(value.strip()):
            return f"'{value}' is not an http(s) URL (e.g. https://example.org/books/)"
        press.base_url = value.strip()
    elif key == "cache_size":
        size = parse_size(value)
        if size is None:
            return f"'{value}' is not a size (e.g. 500 MB, 2 GB, or a number of bytes)"
        press.cache_size = size
    elif key == "defaults":
        if not isinstance(value, dict):
            return "expected a map of book.yaml keys to the values every book inherits"
        press.defaults = value
    return ""


def parse_size(value: Any) -> int | None:
    """A size in bytes from a number of bytes or text such as `500 MB` or `2GB` (powers of 1024)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    match = SIZE.match(value) if isinstance(value, str) else None
    if not match:
        return None
    return int(float(match.group(1)) * 1024 ** " kmgt".index((match.group(2) or " ").lower()))


def _near(key: object, known: tuple[str, ...] | list[str]) -> str:
    near = difflib.get_close_matches(str(key), list(known), n=1)
    return f" (did you mean '{near[0]}'?)" if near else ""


def find_press(start: Path) -> Press | None:
    """The press governing `start`, loaded, or None; raises ManuscriptError for a bad publish.yaml."""
    root = press_root(start)
    return load_press(root) if root is not None else None

