"""Load a book: book.yaml -> a validated BookConfig, chapters read as text with their paths."""

from __future__ import annotations

import dataclasses
import datetime
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from publish import design
from publish.design import Identifiers
from publish.diagnostics import Diagnostics, ManuscriptError, fail
from publish.files import Positions, parse_yaml, read_text
from publish.fonts import Typeface
from publish.geometry import PrintSettings, print_settings
from publish.press import BASE_URL, Press, find_press
from publish.proof.settings import ProofSettings, proof_settings
from publish.resources import inside
from publish.stylesheets import Stylesheet

ROLES = ("author", "editor", "interviewer", "interviewee", "translator")
# A pragmatic BCP 47 check: language, optional script, region and variants.
LANGUAGE_TAG = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z]{4})?(-([a-zA-Z]{2}|[0-9]{3}))?(-[a-zA-Z0-9]{5,8})*$")
IDENTIFIER = re.compile(r"^(isbn:[0-9Xx-]{10,17}|urn:uuid:[0-9a-fA-F-]{36})$")
# ISO 8601: a year, a month, a day, or a day with a time of day.
ISO_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01])"
                      r"([T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?)?)?)?$")
# Keys a press's defaults may not set: they are each book's own.
OWN_KEYS = ("title", "chapters")
FONT_FAMILY = re.compile(r"^[\w][\w \-]*$")
MAX_NESTING = 24
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


FONT_MODES = ("subset", "full", "none")


@dataclass(frozen=True)
class EpubSettings:
    """The `epub` key: how the EPUB carries its fonts (subset to the book's characters, whole, or none,
    leaving the text to the reading system's fonts)."""

    fonts: str = "subset"


@dataclass
class BookConfig:
    """The keys of book.yaml, typed. Field order is the documented order."""

    title: str
    chapters: list[str]
    subtitle: str = ""
    tagline: str = ""
    author: list[Contributor] = field(default_factory=list)
    language: str = "en"
    identifier: Identifiers = field(default_factory=Identifiers)  # by format: print, epub
    date: str = ""
    version: str = "1.0"
    publisher: str = ""
    rights: str = ""
    description: str = ""
    subjects: list[str] = field(default_factory=list)
    source: str = ""
    bibliography: list[str] = field(default_factory=list)
    csl: str = "chicago-author-date"
    nocite: list[str] = field(default_factory=list)  # keys listed in the References though not cited; "@*": all
    speakers: dict[str, str] = field(default_factory=dict)
    base_url: str = ""
    print: PrintSettings = field(default_factory=PrintSettings)  # trim, margins, body size, paper
    epub: EpubSettings = field(default_factory=EpubSettings)  # {fonts: subset | full | none}
    lint: dict[str, list[str]] = field(default_factory=dict)  # {ignore: [rule-id, ...]}
    cover: Path | None = None  # the book's own cover image (PNG or JPEG)
    css: dict[str, list[Stylesheet]] = field(default_factory=dict)  # by medium: print, epub, web
    fonts: dict[str, Typeface] = field(default_factory=dict)  # {body: the typeface of the text}
    layouts: Path | None = None  # templates overriding the shipped layouts (default: the book's layouts/)
    proof: ProofSettings = field(default_factory=ProofSettings)  # thresholds of `publish proof`
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
    press: Press | None = None  # the publish.yaml whose defaults it inherits

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
    raw, positions, literals = parse_yaml(config_path, text)
    press = find_press(root)
    found = Diagnostics()
    config = _validate(config_path, raw, positions, literals, found, press)
    found.raise_if_errors()
    assert config is not None
    design.resolve(root, config, positions, found)
    chapters = []
    listed: dict[Path, int] = {}
    for index, name in enumerate(config.chapters):
        line, col = positions.get(("chapters", index), (0, 0))
        path = _inside(root, root / name, press)
        if path is None:
            found.error(config_path, f"chapter '{name}' lies outside the book directory", line, col)
        elif not path.is_file():
            found.error(config_path, f"chapter '{name}' not found", line, col)
        elif path in listed:
            first = positions.get(("chapters", listed[path]), (0, 0))[0]
            found.error(config_path, f"chapter '{name}' is listed twice (first at line {first})", line, col)
        else:
            listed[path] = index
            try:
                text = read_text(path)
                check_nesting(path, text)
                chapters.append(ChapterSource(path, text))
            except ManuscriptError as error:
                found.extend(error.diagnostics)
    bibliography = _bibliography_paths(root, config, positions, found, press)
    if config.csl.endswith(".csl") and _inside(root, root / config.csl, press) is None:
        where = positions.get("csl") or (press.positions.get(("defaults", "csl"), (0, 0)) if press else (0, 0))
        found.error(config_path if "csl" in positions or not press else press.path,
                    f"'csl': file outside the book refused: {config.csl}", *where)
    found.raise_if_errors()
    return Book(root, config, chapters, bibliography, found, press=press)


def check_nesting(path: Path, text: str) -> None:
    """Refuse block nesting deeper than MAX_NESTING (quotes within quotes, lists within lists)."""
    for number, line in enumerate(text.split("\n"), 1):
        prefix = NESTING.match(line)[0]
        markers = len(re.findall(r">|[*+-][ \t]|\d+[.)][ \t]", prefix))
        indent = len(prefix) - len(prefix.lstrip(" \t"))
        depth = markers + len(prefix[:indent].expandtabs(4)) // 4
        if depth > MAX_NESTING:
            raise fail(path, f"blocks nested {depth} deep (at most {MAX_NESTING})", number, 1)


def _validate(path: Path, raw: Any, positions: Positions, literals: dict[Any, str], found: Diagnostics,
              press: Press | None = None) -> BookConfig | None:
    if not isinstance(raw, dict):
        found.error(path, "book.yaml must be a mapping of keys to values", 1, 1)
        return None
    values = _inherited(press, found) if press else {}
    for key, value in raw.items():
        line, col = positions.get(key, (0, 0))
        if key not in KNOWN_KEYS:
            found.error(path, f"unknown key '{key}'{_near(key, KNOWN_KEYS)}", line, col)
            continue
        inherited = press.defaults.get(key) if press else None
        if key == "print" and isinstance(inherited, dict) and isinstance(value, dict):
            value = {**inherited, **value}  # the book's print settings over the press's
        try:
            values[key] = _check_value(key, value)
        except _Invalid as error:
            found.error(path, f"'{key}': {error}", line, col)
            continue
        if key == "version" and isinstance(value, float) and literals.get(key, str(value)) != str(value):
            found.warning(path, f"'version: {literals[key]}' is read by YAML as the number {value}; "
                          f"write it in quotes (version: \"{literals[key]}\")", line, col)
            values[key] = literals[key]
    for key in REQUIRED_KEYS:
        if key not in raw:
            found.error(path, f"missing required key '{key}'", 1, 1)
    if found.errors:
        return None
    return BookConfig(**values)


def _inherited(press: Press, found: Diagnostics) -> dict[str, Any]:
    """The press's defaults as BookConfig values; a problem is reported at its line in publish.yaml."""
    values: dict[str, Any] = {}
    if press.base_url:
        values["base_url"] = press.base_url
    for key, value in press.defaults.items():
        line, col = press.positions.get(("defaults", key), (0, 0))
        if key in OWN_KEYS or key not in KNOWN_KEYS:
            why = ("is each book's own key" if key in OWN_KEYS
                   else f"is not a book.yaml key{_near(key, KNOWN_KEYS)}")
            found.error(press.path, f"defaults: '{key}' {why}", line, col)
            continue
        try:
            values[key] = _check_value(key, value)
        except _Invalid as error:
            found.error(press.path, f"defaults: '{key}': {error}", line, col)
            continue
        values[key] = _relative_to(press.root, key, values[key])
    return values


def _relative_to(base: Path, key: str, value: Any) -> Any:
    """An inherited value whose files are named relative to publish.yaml, with those files' paths made
    absolute (a book's own values are relative to its book.yaml)."""
    if key == "bibliography":
        return [str(base / name) for name in value]
    if key == "csl":
        return str(base / value) if value.endswith(".csl") else value
    if key in ("cover", "layouts"):
        return base / value
    if key == "css":
        return {medium: [dataclasses.replace(sheet, path=base / sheet.path) for sheet in sheets]
                for medium, sheets in value.items()}
    if key == "fonts":
        return {role: dataclasses.replace(face, faces=tuple(
            dataclasses.replace(one, print_file=base / one.print_file, screen_file=base / one.screen_file)
            for one in face.faces)) for role, face in value.items()}
    return value


def _near(key: object, known: list[str]) -> str:
    near = difflib.get_close_matches(str(key), known, n=1)
    return f" (did you mean '{near[0]}'?)" if near else ""


class _Invalid(ValueError):
    """A book.yaml value of the wrong form; the message says what was expected."""


def _check_value(key: str, value: Any) -> Any:
    """The value converted to its field's type; raises _Invalid."""
    if key == "identifier":
        return _check_identifier_map(value)
    if key == "date" and isinstance(value, (datetime.date, datetime.datetime)):
        value = value.isoformat()
    if key in ("title", "subtitle", "tagline", "date", "version", "publisher",
               "rights", "description", "source", "csl", "language", "base_url"):
        if value is None or isinstance(value, (dict, list)):
            raise _Invalid("expected text")
        value = str(value).strip()
        if key == "language" and not LANGUAGE_TAG.match(value):
            raise _Invalid(f"'{value}' is not a BCP 47 language tag (e.g. en, en-GB, fr)")
        if key == "date" and not ISO_DATE.match(value):
            raise _Invalid(f"'{value}' is not an ISO 8601 date (e.g. 2019-06-05, 2011-08 or 2011)")
        if key == "base_url" and not BASE_URL.match(value):
            raise _Invalid(f"'{value}' is not an http(s) URL (e.g. https://example.org/books/)")
        return value
    if key == "fallback_fonts":
        return _check_fallback_fonts(value)
    if key in ("chapters", "subjects", "bibliography", "nocite"):
        if isinstance(value, str) and key != "chapters":
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise _Invalid("expected a list of names")
        if key == "chapters" and not value:
            raise _Invalid("a book needs at least one chapter")
        if key == "nocite":  # Pandoc's form: "@key" or "@*"
            return [v.strip().removeprefix("@") for v in value]
        return [v.strip() for v in value]
    if key == "author":
        return _check_contributors(value)
    if key == "lint":
        return _check_lint(value)
    if key == "epub":
        return _check_epub(value)
    if key in ("print", "proof"):
        try:
            return print_settings(value) if key == "print" else proof_settings(value, _proof_rule_ids(value))
        except ValueError as error:
            raise _Invalid(str(error)) from None
    if key in ("cover", "css", "fonts", "layouts"):
        check = {"cover": design.cover, "css": design.stylesheets, "fonts": design.typefaces,
                 "layouts": design.layouts}[key]
        try:
            return check(value)
        except ValueError as error:
            raise _Invalid(str(error)) from None
    if key == "speakers":
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise _Invalid("expected a map of speaker label to full name")
        return {str(k): v.strip() for k, v in value.items()}
    return value


def _check_identifier_map(value: Any) -> Identifiers:
    """One identifier for every format, or one per format: {print: isbn:…, epub: isbn:…}."""
    try:
        return design.identifiers(value, _check_identifier)
    except ValueError as error:
        raise _Invalid(str(error)) from None


def _check_identifier(value: Any) -> str:
    if value is None or isinstance(value, (dict, list)):
        raise _Invalid("expected 'isbn:…' or 'urn:uuid:…'")
    value = str(value).strip()
    if not IDENTIFIER.match(value):
        raise _Invalid("expected 'isbn:…' or 'urn:uuid:…'")
    if value.startswith("isbn:") and not isbn_valid(value[5:]):
        raise _Invalid(f"'{value[5:]}' is not a valid ISBN (its check digit is wrong)")
    return value


def _proof_rule_ids(value: Any) -> list[str]:
    """The proof's rule ids, when the `proof:` settings name rules to ignore (loading the rules)."""
    if not isinstance(value, dict) or "ignore" not in value:
        return []
    from publish.proof import rule_ids
    return rule_ids()


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


def _check_epub(value: Any) -> EpubSettings:
    known = list(EpubSettings.__dataclass_fields__)
    if not isinstance(value, dict):
        raise _Invalid("expected a map, e.g. {fonts: subset}")
    for key in value:
        if key not in known:
            near = difflib.get_close_matches(str(key), known, n=1)
            raise _Invalid(f"unknown key '{key}'" + (f" (did you mean '{near[0]}'?)" if near else ""))
    fonts = value.get("fonts", EpubSettings.fonts)
    if fonts not in FONT_MODES:
        raise _Invalid(f"'fonts' is one of {', '.join(FONT_MODES)}, not '{fonts}'")
    return EpubSettings(fonts=fonts)


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


def _inside(root: Path, path: Path, press: Press | None = None) -> Path | None:
    """The resolved path if it lies inside one of the book's roots (the book, its parent, the press)."""
    return inside(path, root, [root, root.parent, *([press.root] if press else [])])


def _bibliography_paths(root: Path, config: BookConfig, positions: Positions, found: Diagnostics,
                        press: Press | None = None) -> list[Path]:
    """The bibliography files named in book.yaml, else bibliography.yaml in the book or its parent."""
    config_path = root / "book.yaml"
    if config.bibliography:
        line, col = positions.get("bibliography", (0, 0))
        paths = []
        for name in config.bibliography:
            path = _inside(root, root / name, press)
            if path is None or not path.is_file():
                where = (config_path, line, col) if "bibliography" in positions or not press else (
                    press.path, *press.positions.get(("defaults", "bibliography"), (0, 0)))
                found.error(where[0], f"bibliography '{name}' not found", where[1], where[2])
            else:
                paths.append(path)
        return paths
    for candidate in (root / "bibliography.yaml", root.parent / "bibliography.yaml"):
        if candidate.is_file():
            return [candidate.resolve()]
    return []
