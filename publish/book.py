"""Load a book: book.yaml -> a validated BookConfig, chapters read as text with their paths."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from publish.diagnostics import Diagnostics, ManuscriptError, fail, position
from publish.geometry import PrintSettings, print_settings
from publish.resources import inside
from publish.yamlfile import load_yaml

ROLES = ("author", "editor", "interviewer", "interviewee", "translator")
# A pragmatic BCP 47 check: language, optional script, region and variants.
LANGUAGE_TAG = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z]{4})?(-([a-zA-Z]{2}|[0-9]{3}))?(-[a-zA-Z0-9]{5,8})*$")
IDENTIFIER = re.compile(r"^(isbn:[0-9Xx-]{10,17}|urn:uuid:[0-9a-fA-F-]{36})$")
BASE_URL = re.compile(r"^https?://[^\s/?#<>\"'`]+(/[^\s<>\"'`]*)?$")
FONT_FAMILY = re.compile(r"^[\w][\w \-]*$")
MAX_CHAPTER_BYTES = 5_000_000
MAX_NESTING = 24
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
NESTING = re.compile(r"(?:[ \t]|>|[*+-][ \t]|\d+[.)][ \t])*")


@dataclass(frozen=True)
class Contributor:
    name: str
    role: str


@dataclass(frozen=True)
class ChapterSource:
    """A chapter file as read from disk: its path and its text (BOM removed, newlines normalised)."""

    path: Path
    text: str


@dataclass
class BookConfig:
    """The keys of book.yaml, typed. Field order is the documented order."""

    title: str
    chapters: list[str]
    subtitle: str = ""
    tagline: str = ""
    author: list[Contributor] = field(default_factory=list)
    language: str = "en"
    identifier: str = ""
    date: str = ""
    version: str = "1.0"
    publisher: str = ""
    rights: str = ""
    description: str = ""
    subjects: list[str] = field(default_factory=list)
    source: str = ""
    bibliography: list[str] = field(default_factory=list)
    csl: str = "chicago-author-date"
    speakers: dict[str, str] = field(default_factory=dict)
    base_url: str = ""
    print: PrintSettings = field(default_factory=PrintSettings)  # trim, margins, body size, paper
    lint: dict[str, list[str]] = field(default_factory=dict)  # {ignore: [rule-id, ...]}
    fallback_fonts: list[str] = field(default_factory=list)  # installed families for what the book face lacks


KNOWN_KEYS = [f for f in BookConfig.__dataclass_fields__]
REQUIRED_KEYS = ("title", "chapters")


@dataclass
class Book:
    """A book as loaded: where it lives, its configuration and its chapter sources."""

    root: Path
    config: BookConfig
    chapters: list[ChapterSource]
    bibliography_paths: list[Path]
    warnings: Diagnostics = field(default_factory=Diagnostics)
    allow_remote: bool = False  # fetch remote images (the command line's --allow-remote)

    @property
    def slug(self) -> str:
        return self.root.name

    @property
    def config_path(self) -> Path:
        return self.root / "book.yaml"


def load_book(root: Path) -> Book:
    """Read and validate a book directory; raise ManuscriptError with every problem found."""
    root = root.resolve()
    config_path = root / "book.yaml"
    if not config_path.is_file():
        raise fail(config_path, "no book.yaml in this directory")
    text = read_text(config_path)
    raw, positions = _parse_yaml(config_path, text)
    found = Diagnostics()
    config = _validate(config_path, raw, positions, found)
    found.raise_if_errors()
    assert config is not None
    chapters = []
    for name in config.chapters:
        line, col = positions.get(("chapters", name), (0, 0))
        path = _inside(root, root / name)
        if path is None:
            found.error(config_path, f"chapter '{name}' lies outside the book directory", line, col)
        elif not path.is_file():
            found.error(config_path, f"chapter '{name}' not found", line, col)
        else:
            try:
                text = read_text(path)
                check_nesting(path, text)
                chapters.append(ChapterSource(path, text))
            except ManuscriptError as error:
                found.extend(error.diagnostics)
    bibliography = _bibliography_paths(root, config, positions, found)
    if config.csl.endswith(".csl") and _inside(root, root / config.csl) is None:
        found.error(config_path, f"'csl': file outside the book refused: {config.csl}", *positions["csl"])
    found.raise_if_errors()
    return Book(root, config, chapters, bibliography, found)


def read_text(path: Path) -> str:
    """A manuscript file as text: UTF-8 (a BOM is dropped), CRLF and CR become LF."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise fail(path, f"cannot read file: {error.strerror}") from None
    if len(data) > MAX_CHAPTER_BYTES:
        raise fail(path, f"file is larger than {MAX_CHAPTER_BYTES} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        good = data[: error.start].decode("utf-8", errors="replace")
        line, col = position(good, len(good))
        raise fail(path, f"not valid UTF-8 (byte offset {error.start})", line, col) from None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    control = CONTROL.search(text)
    if control:
        line, col = position(text, control.start())
        raise fail(path, f"control character U+{ord(control[0]):04X} is not allowed in a manuscript", line, col)
    return text


def check_nesting(path: Path, text: str) -> None:
    """Refuse block nesting deeper than MAX_NESTING (quotes within quotes, lists within lists)."""
    for number, line in enumerate(text.split("\n"), 1):
        prefix = NESTING.match(line)[0]
        markers = len(re.findall(r">|[*+-][ \t]|\d+[.)][ \t]", prefix))
        indent = len(prefix) - len(prefix.lstrip(" \t"))
        depth = markers + len(prefix[:indent].expandtabs(4)) // 4
        if depth > MAX_NESTING:
            raise fail(path, f"blocks nested {depth} deep (at most {MAX_NESTING})", number, 1)


def _parse_yaml(path: Path, text: str) -> tuple[Any, dict[Any, tuple[int, int]]]:
    """Parse YAML and remember where each top-level key and each chapter entry stands."""
    raw, node = load_yaml(path, text)
    positions: dict[Any, tuple[int, int]] = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            positions[key.value] = (key.start_mark.line + 1, key.start_mark.column + 1)
            if key.value == "chapters" and isinstance(value, yaml.SequenceNode):
                for item in value.value:
                    mark = item.start_mark
                    positions[("chapters", item.value)] = (mark.line + 1, mark.column + 1)
    return raw, positions


def _validate(path: Path, raw: Any, positions: dict[Any, tuple[int, int]],
              found: Diagnostics) -> BookConfig | None:
    if not isinstance(raw, dict):
        found.error(path, "book.yaml must be a mapping of keys to values", 1, 1)
        return None
    values: dict[str, Any] = {}
    for key, value in raw.items():
        line, col = positions.get(key, (0, 0))
        if key not in KNOWN_KEYS:
            near = difflib.get_close_matches(str(key), KNOWN_KEYS, n=1)
            hint = f" (did you mean '{near[0]}'?)" if near else ""
            found.error(path, f"unknown key '{key}'{hint}", line, col)
            continue
        try:
            values[key] = _check_value(key, value)
        except _Invalid as error:
            found.error(path, f"'{key}': {error}", line, col)
    for key in REQUIRED_KEYS:
        if key not in raw:
            found.error(path, f"missing required key '{key}'", 1, 1)
    if found.errors:
        return None
    return BookConfig(**values)


class _Invalid(ValueError):
    """A book.yaml value of the wrong form; the message says what was expected."""


def _check_value(key: str, value: Any) -> Any:
    """The value converted to its field's type; raises _Invalid."""
    if key in ("title", "subtitle", "tagline", "identifier", "date", "version", "publisher",
               "rights", "description", "source", "csl", "language", "base_url"):
        if value is None or isinstance(value, (dict, list)):
            raise _Invalid("expected text")
        value = str(value).strip()
        if key == "language" and not LANGUAGE_TAG.match(value):
            raise _Invalid(f"'{value}' is not a BCP 47 language tag (e.g. en, en-GB, fr)")
        if key == "identifier" and not IDENTIFIER.match(value):
            raise _Invalid("expected 'isbn:…' or 'urn:uuid:…'")
        if key == "identifier" and value.startswith("isbn:") and not isbn_valid(value[5:]):
            raise _Invalid(f"'{value[5:]}' is not a valid ISBN (its check digit is wrong)")
        if key == "base_url" and not BASE_URL.match(value):
            raise _Invalid(f"'{value}' is not an http(s) URL (e.g. https://example.org/books/)")
        return value
    if key == "fallback_fonts":
        return _check_fallback_fonts(value)
    if key in ("chapters", "subjects", "bibliography"):
        if isinstance(value, str) and key != "chapters":
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise _Invalid("expected a list of names")
        if key == "chapters" and not value:
            raise _Invalid("a book needs at least one chapter")
        return [v.strip() for v in value]
    if key == "author":
        return _check_contributors(value)
    if key == "lint":
        return _check_lint(value)
    if key == "print":
        try:
            return print_settings(value)
        except ValueError as error:
            raise _Invalid(str(error)) from None
    if key == "speakers":
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise _Invalid("expected a map of speaker label to full name")
        return {str(k): v.strip() for k, v in value.items()}
    return value


def _check_fallback_fonts(value: Any) -> list[str]:
    from publish.glyphs import font_files

    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not all(isinstance(n, str) and FONT_FAMILY.match(n) for n in names):
        raise _Invalid("expected a list of font family names (letters, digits, spaces and hyphens)")
    for name in names:
        if not font_files(name):
            raise _Invalid(f"no installed font family '{name}' (fc-list finds none)")
    return [n.strip() for n in names]


def _check_lint(value: Any) -> dict[str, list[str]]:
    from publish.lint import rule_ids

    if not isinstance(value, dict) or set(value) - {"ignore"}:
        raise _Invalid("expected a map with one key, ignore: a list of rule ids")
    ignore = value.get("ignore") or []
    if isinstance(ignore, str):
        ignore = [ignore]
    if not isinstance(ignore, list) or not all(isinstance(v, str) for v in ignore):
        raise _Invalid("'ignore' expects a list of rule ids")
    known = rule_ids()
    for rule_id in ignore:
        if rule_id not in known:
            near = difflib.get_close_matches(rule_id, known, n=1)
            hint = f" (did you mean '{near[0]}'?)" if near else f" (the rules: {', '.join(known)})"
            raise _Invalid(f"no lint rule '{rule_id}'{hint}")
    return {"ignore": list(ignore)}


def isbn_valid(isbn: str) -> bool:
    """An ISBN-10 or ISBN-13 whose check digit is right (hyphens and spaces ignored)."""
    digits = isbn.replace("-", "").replace(" ", "").upper()
    if len(digits) == 13 and digits.isdigit():
        return sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10 == 0
    if len(digits) == 10 and digits[:9].isdigit() and (digits[9].isdigit() or digits[9] == "X"):
        values = [int(d) for d in digits[:9]] + [10 if digits[9] == "X" else int(digits[9])]
        return sum((10 - i) * v for i, v in enumerate(values)) % 11 == 0
    return False


def _check_contributors(value: Any) -> list[Contributor]:
    if not isinstance(value, list):
        raise _Invalid("expected a list of {name, role}")
    people = []
    for entry in value:
        if isinstance(entry, str):
            entry = {"name": entry, "role": "author"}
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise _Invalid("each author needs a name")
        role = entry.get("role", "author")
        if role not in ROLES or set(entry) - {"name", "role"}:
            raise _Invalid(f"role must be one of {', '.join(ROLES)}; keys are name and role")
        people.append(Contributor(entry["name"].strip(), role))
    return people


def _inside(root: Path, path: Path) -> Path | None:
    """The resolved path if it lies inside one of the book's roots (the book or its parent)."""
    return inside(path, root, [root, root.parent])


def _bibliography_paths(root: Path, config: BookConfig, positions: dict[Any, tuple[int, int]],
                        found: Diagnostics) -> list[Path]:
    """The bibliography files named in book.yaml, else bibliography.yaml in the book or its parent."""
    config_path = root / "book.yaml"
    if config.bibliography:
        line, col = positions.get("bibliography", (0, 0))
        paths = []
        for name in config.bibliography:
            path = _inside(root, root / name)
            if path is None or not path.is_file():
                found.error(config_path, f"bibliography '{name}' not found", line, col)
            else:
                paths.append(path)
        return paths
    for candidate in (root / "bibliography.yaml", root.parent / "bibliography.yaml"):
        if candidate.is_file():
            return [candidate.resolve()]
    return []
