"""The book's typeface: the shipped Gentium Book Plus or the face a book ships (`fonts:` in book.yaml).
The one place that knows the faces, their files, family name and licence, writes their @font-face
rules and names the family in the shipped stylesheets."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from publish.paths import CSS, FONTS

FONT_TYPES = {".ttf": "font/ttf", ".otf": "font/otf", ".woff2": "font/woff2"}
# The faces a typeface may have, by their book.yaml key: (weight, style).
FACES = {"regular": (400, "normal"), "italic": (400, "italic"), "bold": (700, "normal"),
         "bold_italic": (700, "italic")}


@dataclass(frozen=True)
class FontFace:
    """One face of a typeface: the file WeasyPrint embeds in the PDF and the one an EPUB or a web page
    carries (the shipped face has a TrueType and a WOFF2 file; a book's face is one file for both)."""

    weight: int
    style: str
    print_file: Path
    screen_file: Path


@dataclass(frozen=True)
class Typeface:
    family: str
    faces: tuple[FontFace, ...]
    licence: str  # its name, as the copyright page gives it
    licence_file: Path | None = None  # the licence's text, carried with the faces in an EPUB


SHIPPED = Typeface("Gentium Book Plus", tuple(
    FontFace(weight, style, FONTS / f"GentiumBookPlus-{stem}.ttf", FONTS / f"GentiumBookPlus-{stem}.woff2")
    for stem, (weight, style) in zip(("Regular", "Italic", "Bold", "BoldItalic"), FACES.values())),
    "SIL Open Font License 1.1", FONTS / "OFL.txt")
# Code (fenced blocks, code spans) is set in a monospaced face covering Latin, Greek and Cyrillic as the
# book face does (a rarer letter it lacks falls back to the book face). One face: code is literal text.
MONO = Typeface("DejaVu Sans Mono", (FontFace(400, "normal", FONTS / "DejaVuSansMono.ttf",
                                              FONTS / "DejaVuSansMono.woff2"),), "Bitstream Vera Fonts licence",
                FONTS / "DejaVuSansMono-LICENSE.txt")


def body_typeface(fonts: dict[str, Typeface]) -> Typeface:
    """The typeface of the text: the book's `fonts.body`, else the shipped one."""
    return fonts.get("body", SHIPPED)


def font_family(path: Path) -> str:
    """The family name a font file gives itself (its typographic family, else its family); ValueError
    if the file is not a TrueType, OpenType or WOFF2 font."""
    from fontTools.ttLib import TTFont, TTLibError

    try:
        with TTFont(str(path), lazy=True) as font:
            name = font["name"].getBestFamilyName()
    except (TTLibError, KeyError, OSError, AssertionError, ValueError) as error:
        raise ValueError(f"'{path.name}' is not a TrueType, OpenType or WOFF2 font ({error})") from None
    if not name:
        raise ValueError(f"'{path.name}' names no font family")
    return name


def published_fonts(typeface: Typeface) -> dict[str, Path]:
    """The files an EPUB or a web edition carries, by their name in its fonts directory."""
    return {face.screen_file.name: face.screen_file for face in typeface.faces}


def font_face_css(typeface: Typeface, directory: str | None = None) -> str:
    """@font-face rules for the typeface: for the print edition (no `directory`: each face's print file
    by its file URL) or for a screen edition (its published file under `directory`)."""
    rules = []
    for face in typeface.faces:
        url = face.print_file.as_uri() if directory is None else f"{directory}/{face.screen_file.name}"
        rules.append(f'@font-face {{ font-family: "{typeface.family}"; src: url("{url}"); '
                     f"font-weight: {face.weight}; font-style: {face.style}; }}")
    return "\n".join(rules)


def shipped_css(medium: str, typeface: Typeface) -> str:
    """A shipped stylesheet (print, epub or web) with the text set in `typeface`: the shipped CSS
    names the shipped family, which the book's own takes the place of."""
    css = (CSS / f"{medium}.css").read_text("utf-8") + "\n" + (CSS / "index.css").read_text("utf-8")
    if typeface.family == SHIPPED.family:
        return css
    return css.replace(f'"{SHIPPED.family}"', f'"{typeface.family}"')
