"""The EPUB's fonts: subset to the characters of the book (a tenth of the size), still covering every
character the text sets in them, with their names and licence; or whole, or none (`epub: {fonts: …}`)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from lxml import etree

from publish.paths import FONTS
from tests.conftest import BOOKS, run_publish, write_book
from tests.test_build import assert_epubcheck_clean
from tests.test_errors import assert_one_error

OPF = {"opf": "http://www.idpf.org/2007/opf"}
CONTROL = set("\n\r\t")


def manifest_items(epub: zipfile.ZipFile, media_prefix: str) -> dict[str, str]:
    """href -> media type of the package's items whose media type starts with `media_prefix`."""
    opf = etree.fromstring(epub.read("EPUB/content.opf"))
    return {item.get("href"): item.get("media-type") for item in opf.xpath("//opf:item", namespaces=OPF)
            if item.get("media-type").startswith(media_prefix)}


def embedded_fonts(path: Path) -> dict[str, TTFont]:
    with zipfile.ZipFile(path) as epub:
        return {href: TTFont(io.BytesIO(epub.read(f"EPUB/{href}")))
                for href in manifest_items(epub, "font/")}


def text_of_every_document(path: Path) -> set[str]:
    """Every character of the EPUB's XHTML documents, generated ones (title page, copyright page,
    navigation with its page list, References) included."""
    found: set[str] = set()
    with zipfile.ZipFile(path) as epub:
        for name in epub.namelist():
            if name.endswith(".xhtml"):
                found.update("".join(etree.fromstring(epub.read(name)).itertext()))
    return found - CONTROL


@pytest.mark.parametrize("slug", BOOKS)
def test_the_epub_is_a_fraction_of_its_former_size(dist: Path, slug: str):
    assert (dist / f"{slug}.epub").stat().st_size <= 350_000  # 1.48 MB and 1.45 MB with the faces whole


@pytest.mark.parametrize("slug", BOOKS)
def test_every_embedded_face_covers_every_character_of_the_text(dist: Path, slug: str):
    text = text_of_every_document(dist / f"{slug}.epub")
    assert {"’", "“", "”", "é"} <= text and text & {"–", "—"}, "smart typography and accents are checked"
    assert set("ivx") <= text and set("0123456789") <= text  # page labels, numbers
    fonts = embedded_fonts(dist / f"{slug}.epub")
    assert sorted(fonts) == [f"fonts/GentiumBookPlus-{face}.woff2"
                             for face in ("Bold", "BoldItalic", "Italic", "Regular")]
    for href, font in fonts.items():
        whole = TTFont(FONTS / (Path(href).stem + ".ttf"))
        # The note and reference back-links' arrow is the one character Gentium Book Plus lacks whole.
        assert text - {chr(code) for code in whole.getBestCmap()} == {"↩"}
        cmap = {chr(code) for code in font.getBestCmap()}
        assert text - {"↩"} <= cmap, (href, sorted(text - cmap))
        assert len(font.getGlyphOrder()) < len(whole.getGlyphOrder()) / 5, "a subset, not the whole face"


@pytest.mark.parametrize("slug", BOOKS)
def test_the_subset_keeps_the_face_names_and_its_licence(dist: Path, slug: str):
    for href, font in embedded_fonts(dist / f"{slug}.epub").items():
        names = font["name"]
        assert names.getDebugName(1) == "Gentium Book Plus"
        assert "SIL International" in names.getDebugName(0)
        assert "SIL Open Font License" in names.getDebugName(13)
        whole = TTFont(FONTS / (Path(href).stem + ".ttf"))["name"]
        standard = lambda table: {(n.nameID, n.toUnicode()) for n in table.names if n.nameID < 256}
        assert standard(names) == standard(whole)  # (names of features it no longer has are dropped)
    with zipfile.ZipFile(dist / f"{slug}.epub") as epub:
        assert manifest_items(epub, "text/plain") == {"fonts/gentium-book-plus-OFL.txt": "text/plain"}
        assert epub.read("EPUB/fonts/gentium-book-plus-OFL.txt") == (FONTS / "OFL.txt").read_bytes()
        colophon = etree.fromstring(epub.read("EPUB/copyright.xhtml"))
    assert "Set in Gentium Book Plus (SIL Open Font License 1.1)" in "".join(colophon.itertext())


BOOK = {"a.md": """\
    # The Opening

    Plain “quoted” text — with *italic*, **bold** and ***both***; Ἡ ἐπανάστασις, Преданная.
    """}


@pytest.fixture(scope="module")
def modes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One small book built with each `epub: {fonts: …}`."""
    base = tmp_path_factory.mktemp("font-modes")
    built = {}
    for mode in ("subset", "full", "none"):
        root = write_book(base / mode / "fonts", BOOK, f"title: Fonts\nepub: {{fonts: {mode}}}\n")
        result = run_publish("build", root, "--out", base / mode / "out", "--format", "epub")
        assert result.code == 0, result.stderr
        built[mode] = base / mode / "out" / "fonts.epub"
    return built


def test_a_subset_covers_greek_and_cyrillic_text(modes: dict[str, Path]):
    text = text_of_every_document(modes["subset"])
    assert {"Ἡ", "П"} <= text
    for href, font in embedded_fonts(modes["subset"]).items():
        assert text <= {chr(code) for code in font.getBestCmap()}, href  # the book has no notes: no ↩


def test_full_embeds_the_shipped_faces_unchanged(modes: dict[str, Path]):
    with zipfile.ZipFile(modes["full"]) as epub:
        for href in manifest_items(epub, "font/"):
            assert epub.read(f"EPUB/{href}") == (FONTS / Path(href).name).read_bytes(), href
    assert modes["full"].stat().st_size > 4 * modes["subset"].stat().st_size


def test_none_embeds_no_font_and_names_none(modes: dict[str, Path]):
    with zipfile.ZipFile(modes["none"]) as epub:
        assert manifest_items(epub, "font/") == {} and manifest_items(epub, "text/plain") == {}
        css = epub.read("EPUB/css/epub.css").decode()
        colophon = "".join(etree.fromstring(epub.read("EPUB/copyright.xhtml")).itertext())
    assert "@font-face" not in css and "serif" in css
    assert "Set in" not in colophon and "Made with publish" in colophon


@pytest.mark.parametrize("mode", ["subset", "full", "none"])
def test_every_mode_passes_epubcheck(modes: dict[str, Path], mode: str):
    assert_epubcheck_clean(modes[mode])


@pytest.mark.parametrize("value, message", [
    ("{fonts: some}", "'epub': 'fonts' is one of subset, full, none, not 'some'"),
    ("{font: subset}", "'epub': unknown key 'font' (did you mean 'fonts'?)"),
    ("subset", "'epub': expected a map, e.g. {fonts: subset}"),
])
def test_a_wrong_epub_key_is_an_error_at_its_place(tmp_path: Path, value: str, message: str):
    root = write_book(tmp_path / "book", {"a.md": "# A\n\nText.\n"}, f"title: T\nepub: {value}\n")
    assert_one_error(run_publish("check", root), f"{root / 'book.yaml'}:2:1: error: {message}")
