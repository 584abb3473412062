"""What makes a book its press's own, from book.yaml: its cover image, stylesheets per medium, typeface,
layouts overriding the shipped ones, and an identifier per format. The forms of the keys are checked
here (book.py calls these for `cover`, `css`, `fonts`, `layouts` and `identifier`), then their files are
found through publish.resources, inside the book's roots, once the book's directory is known."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from publish import resources
from publish.diagnostics import Diagnostics
from publish.fonts import FACES, FONT_TYPES, FontFace, Typeface, font_family
from publish.stylesheets import Stylesheet, check_stylesheet

MEDIA = ("print", "epub", "web")
FORMATS = {"print": "paperback", "epub": "EPUB"}  # identifier keys, and how the copyright page names them
COVER_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}
FAMILY_FORBIDDEN = set("\"'\\;{}<>&\n")


@dataclass(frozen=True)
class Identifiers:
    """The book's identifiers by format (`isbn:…` or `urn:uuid:…`); one value in book.yaml serves both."""

    print: str = ""
    epub: str = ""

    @property
    def shared(self) -> bool:
        return self.print == self.epub

    @property
    def main(self) -> str:
        """The book's identifier where one stands for every edition (the web's metadata, the palette)."""
        return self.print or self.epub

    def __bool__(self) -> bool:
        return bool(self.print or self.epub)

    def labelled(self) -> list[tuple[str, str]]:
        """(identifier, the format it names) for the copyright page, print first."""
        return [(value, FORMATS[fmt]) for fmt, value in (("print", self.print), ("epub", self.epub)) if value]


def identifiers(value: Any, check: Any) -> Identifiers:
    """`identifier:` as one value for both formats or a map {print, epub}; `check` validates one value
    (raises ValueError) and returns it cleaned."""
    if not isinstance(value, dict):
        one = check(value)
        return Identifiers(one, one)
    if not value or set(value) - set(FORMATS):
        raise ValueError("expected one identifier, or a map of print and epub to identifiers")
    found = {}
    for fmt, given in value.items():
        try:
            found[fmt] = check(given)
        except ValueError as error:
            raise ValueError(f"{fmt}: {error}") from None
    if len(found) == 2 and found["print"] == found["epub"]:
        raise ValueError("print and epub name the same identifier: give one value for both, or one per format")
    return Identifiers(found.get("print", ""), found.get("epub", ""))


def _path(value: Any, what: str) -> Path:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what}: expected a path relative to book.yaml")
    return Path(value.strip())


def cover(value: Any) -> Path:
    return _path(value, "cover")


def layouts(value: Any) -> Path:
    return _path(value, "layouts")


def stylesheets(value: Any) -> dict[str, list[Stylesheet]]:
    """`css:` a map of medium (print, epub, web) to a stylesheet or a list of them."""
    if not isinstance(value, dict) or not value or set(value) - set(MEDIA):
        raise ValueError(f"expected a map of {', '.join(MEDIA)} to a stylesheet or a list of stylesheets")
    sheets = {}
    for medium, paths in value.items():
        paths = [paths] if isinstance(paths, str) else paths
        if not isinstance(paths, list) or not paths:
            raise ValueError(f"{medium}: expected a stylesheet or a list of stylesheets")
        sheets[medium] = [Stylesheet(_path(path, medium)) for path in paths]
    return sheets


def typefaces(value: Any) -> dict[str, Typeface]:
    """`fonts:` {body: {family, regular, italic, bold, bold_italic, licence}}; the files are checked later."""
    if not isinstance(value, dict) or set(value) != {"body"}:
        raise ValueError("expected a map with one key, body: the typeface of the text")
    spec = value["body"]
    keys = ("family", *FACES, "licence")
    if not isinstance(spec, dict) or set(spec) - set(keys):
        raise ValueError(f"body: expected a map of {', '.join(keys)}")
    if "regular" not in spec or not isinstance(spec.get("licence"), str) or not spec["licence"].strip():
        raise ValueError("body: needs at least a regular face and its licence (e.g. SIL Open Font License 1.1)")
    family = spec.get("family", "")
    if not isinstance(family, str) or FAMILY_FORBIDDEN & set(family):
        raise ValueError("body: family: expected a font family name (no quotes, braces or semicolons)")
    faces = tuple(FontFace(*FACES[key], _path(spec[key], f"body.{key}"), _path(spec[key], f"body.{key}"))
                  for key in FACES if key in spec)
    return {"body": Typeface(family.strip(), faces, spec["licence"].strip())}


def resolve(root: Path, config: Any, positions: dict[Any, tuple[int, int]], found: Diagnostics) -> None:
    """The book's own files found and checked: `config`'s relative paths become the files themselves;
    each problem is an error at its key in book.yaml (or, for a stylesheet's content, in the stylesheet)."""
    config_path = root / "book.yaml"
    allowed = resources.roots(root)

    def where(key: str) -> tuple[int, int]:
        return positions.get(key, (0, 0))

    def file(key: str, path: Path) -> Path | None:
        try:
            return resources.local_file(str(path), root, allowed)
        except resources.Refused as refused:
            found.error(config_path, f"'{key}': {refused}", *where(key))
            return None

    if config.cover is not None:
        config.cover = file("cover", config.cover)
        if config.cover is not None and not _is_cover_image(config.cover):
            found.error(config_path, f"'cover': '{config.cover.name}' is not a PNG or JPEG image", *where("cover"))
    sheets: dict[str, list[Stylesheet]] = {}
    for medium, given in config.css.items():
        sheets[medium] = []
        for path in filter(None, (file("css", sheet.path) for sheet in given)):
            named, problems = check_stylesheet(path, allowed)
            found.extend(problems)
            sheets[medium].append(Stylesheet(path, named))
    config.css = sheets
    config.fonts = {role: _typeface(face, file, found, config_path, where("fonts"))
                    for role, face in config.fonts.items()}
    config.layouts = _layouts(root, config.layouts, allowed, found, config_path, where("layouts"))


def _is_cover_image(path: Path) -> bool:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            return image.format in COVER_TYPES and path.suffix.lower() in (".png", ".jpg", ".jpeg")
    except (UnidentifiedImageError, OSError):
        return False


def _typeface(face: Typeface, file: Any, found: Diagnostics, config_path: Path,
              where: tuple[int, int]) -> Typeface:
    faces, families = [], []
    for one in face.faces:
        path = file("fonts", one.print_file)
        if path is None:
            continue
        if path.suffix.lower() not in FONT_TYPES:
            found.error(config_path, f"'fonts': '{path.name}' is not a .ttf, .otf or .woff2 font file", *where)
            continue
        try:
            families.append(font_family(path))
        except ValueError as error:
            found.error(config_path, f"'fonts': {error}", *where)
            continue
        if any(f.print_file.name == path.name and f.print_file != path for f in faces):
            found.error(config_path, f"'fonts': two faces' files are named '{path.name}'", *where)
            continue
        faces.append(dataclasses.replace(one, print_file=path, screen_file=path))
    return Typeface(face.family or (families[0] if families else ""), tuple(faces), face.licence)


def _layouts(root: Path, given: Path | None, allowed: list[Path], found: Diagnostics, config_path: Path,
             where: tuple[int, int]) -> Path | None:
    """The book's layouts directory: `layouts:` if given, else `layouts/` in the book if it has one."""
    if given is None:
        default = root / "layouts"
        return default.resolve() if default.is_dir() and default.resolve().is_relative_to(root) else None
    path = (root / given).resolve()
    if not any(path.is_relative_to(r) for r in allowed if r != resources.STYLES):
        found.error(config_path, f"'layouts': directory outside the book refused: {given}", *where)
    elif not path.is_dir():
        found.error(config_path, f"'layouts': no directory {given}", *where)
    else:
        return path
    return None
