"""Hostile files inside a book: SVG figures and CSL styles that refer to other files, YAML expansion
bombs and broken images. Nothing is fetched, nothing outside the book leaks, and each either builds
with the references removed or stops with a diagnostic naming the file; nothing is written then."""

from __future__ import annotations

import resource
import struct
import zipfile
import zlib
from pathlib import Path

import pikepdf
import pytest
from pdfminer.high_level import extract_text
from PIL import Image

from tests.conftest import TOY_BIBLIOGRAPHY, run_publish, write_book
from tests.test_build import assert_epubcheck_clean
from tests.test_hostile import SECRET, all_output_bytes

PEAK_MEMORY_KB = 1_000_000  # ru_maxrss is in kilobytes on Linux


def assert_failed_cleanly(result, out: Path, *messages: str) -> None:
    assert result.code == 1, result.stderr
    assert "Traceback" not in result.stderr
    for message in messages:
        assert message in result.stderr
    assert not out.exists() or not any(out.rglob("*.*")), "something was written for a failing book"


def assert_peak_memory_bounded() -> None:
    """The largest build this test process has run so far stayed under 1 GB."""
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss < PEAK_MEMORY_KB


# YAML ------------------------------------------------------------------------

def laughs(levels: int = 9) -> str:
    """The billion laughs: nine aliases of nine aliases of ..., 9**9 values once expanded."""
    lines = ['  a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"  a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]" for n in range(1, levels)]
    return "\n".join(lines) + "\n"


def test_yaml_bomb_in_book_yaml_is_an_error_at_its_line(tmp_path: Path):
    root = write_book(tmp_path / "book", {"a.md": "# A\n\nText.\n"}, "title: T\nsubjects:\n" + laughs())
    result = run_publish("build", root, "--out", tmp_path / "out")
    assert_failed_cleanly(result, tmp_path / "out",
                          "book.yaml:9:7: error: YAML refused: aliases expand to more than 1,000,000 values")


def test_yaml_bomb_and_recursive_alias_in_a_bibliography(tmp_path: Path):
    bomb = "references:\n- id: bomb\n  type: book\n  title: Laughs\n  note:\n" + laughs().replace("  ", "    ")
    root = write_book(tmp_path / "book", {"a.md": "# A\n\nAs [@bomb] says.\n"}, "title: T\n", bomb)
    result = run_publish("build", root, "--out", tmp_path / "out")
    assert_failed_cleanly(result, tmp_path / "out", "bibliography.yaml:12:9: error: YAML refused: aliases expand")
    (root / "bibliography.yaml").write_text("references:\n- &me {id: bomb, type: book, title: [*me]}\n")
    result = run_publish("build", root, "--out", tmp_path / "out")
    assert_failed_cleanly(result, tmp_path / "out", "bibliography.yaml:2:3: error: YAML refused: an alias refers "
                                                    "to a value that contains it")
    (root / "bibliography.yaml").write_text(TOY_BIBLIOGRAPHY.replace("    ", "") + "- &twin {id: bomb, type: book, "
                                            "title: Twice}\n- {<<: *twin, id: twin}\n")
    assert run_publish("build", root, "--out", tmp_path / "ok", "--format", "html").code == 0  # a few aliases are fine
    assert_peak_memory_bounded()


# Images ------------------------------------------------------------------------

def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims `width` × `height` pixels (its data is one row)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * (width + 1)))
            + chunk(b"IEND", b""))


BROKEN_IMAGES = {
    "text.png": (b"this is not a picture\n", "not a readable image: text.png"),
    "empty.jpg": (b"", "image file is empty: empty.jpg"),
    "huge.png": (png_claiming(30_000, 30_000), "image has more than 50,000,000 pixels: huge.png"),
    "big.png": (png_claiming(8000, 8000), "image has more than 50,000,000 pixels (8000 × 8000): big.png"),
    "jpeg.png": (None, "image is JPEG, not the PNG its name says: jpeg.png"),
    "cut.png": (None, "image cannot be decoded"),
}


@pytest.mark.parametrize("name", BROKEN_IMAGES)
def test_a_broken_image_is_an_error_at_its_line_naming_the_file(tmp_path: Path, name: str):
    root = write_book(tmp_path / "book", {"a.md": f"# A\n\nText.\n\n![A figure]({name})\n"}, "title: T\n")
    data, message = BROKEN_IMAGES[name]
    if name == "jpeg.png":
        Image.new("RGB", (20, 20), "red").save(root / name, "JPEG")
    elif name == "cut.png":
        Image.effect_noise((200, 200), 50).save(root / name, "PNG")
        (root / name).write_bytes((root / name).read_bytes()[:2000])
    else:
        (root / name).write_bytes(data)
    result = run_publish("build", root, "--out", tmp_path / "out")
    assert_failed_cleanly(result, tmp_path / "out", f"a.md:5:13: error: {message}")
    assert_peak_memory_bounded()


# SVG ---------------------------------------------------------------------------

HOSTILE_SVG = """<?xml version="1.0"?>
<?xml-stylesheet href="{url}/pi.css"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="40" height="40"
     onload="alert(1)">
  <style>@import url({url}/import.css); rect.x {{ fill: url({url}/fill#p); stroke: url(#grad) }}</style>
  <defs><linearGradient id="grad"><stop offset="0" stop-color="#800"/></linearGradient>
        <circle id="dot" r="3" fill="#080"/></defs>
  <script>alert(2)</script>
  <rect class="x" width="40" height="40" fill="url(#grad)" style="background: url({url}/bg.png); fill: #008"
        onclick="alert(3)"/>
  <image href="{url}/image.png" width="10" height="10"/><image xlink:href="file://{secret}" width="9"/>
  <use href="#dot" x="10" y="10"/><use xlink:href="{url}/sprite.svg#x"/><use href="../secret.txt#x"/>
  <a href="javascript:alert(4)"><text x="5" y="30">Drawn text</text></a>
  <foreignObject width="10" height="10"><p xmlns="http://www.w3.org/1999/xhtml">HTML</p></foreignObject>
  <feImage href="{url}/fe.png"/>
</svg>
"""


def test_svg_is_cleaned_and_the_cleaned_file_is_what_every_edition_ships(tmp_path: Path, listener):
    url, requests = listener
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    root = write_book(tmp_path / "book", {"a.md": "# A\n\n![A drawing](figure.svg)\n"}, "title: T\n")
    (root / "figure.svg").write_text(HOSTILE_SVG.format(url=url, secret=secret))
    out = tmp_path / "out"
    result = run_publish("build", root, "--out", out)
    assert result.code == 0 and "Traceback" not in result.stderr, result.stderr
    assert requests == []
    data = all_output_bytes(out)
    assert SECRET.encode() not in data
    shipped = [p.read_bytes() for p in (out / "book" / "images").iterdir()]
    with zipfile.ZipFile(out / "book.epub") as epub:
        shipped += [epub.read(n) for n in epub.namelist() if n.endswith(".svg")]
    assert len(shipped) == 2 and shipped[0] == shipped[1]
    svg = shipped[0].decode()
    for gone in ("127.0.0.1", "alert", "<script", "foreignObject", "<image", "@import", "onload", "onclick",
                 "secret", "xml-stylesheet", "feImage", "HTML"):
        assert gone not in svg, gone
    for kept in ('fill="url(#grad)"', 'href="#dot"', "stroke: url(#grad)", "fill: #008", "Drawn text"):
        assert kept in svg, kept
    assert_epubcheck_clean(out / "book.epub")
    assert "Drawn text" in extract_text(out / "book.pdf")  # WeasyPrint drew the cleaned drawing


@pytest.mark.parametrize("entity", ['<!ENTITY x SYSTEM "file://{secret}">', '<!ENTITY x SYSTEM "{url}/x">',
                                    '<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'])
def test_svg_and_csl_declaring_entities_are_refused(tmp_path: Path, listener, entity: str):
    url, requests = listener
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    doctype = f"<!DOCTYPE svg [{entity.format(secret=secret, url=url)}]>"
    root = write_book(tmp_path / "book", {"a.md": "# A\n\n![A drawing](figure.svg)\n"}, "title: T\n")
    (root / "figure.svg").write_text(f'<?xml version="1.0"?>{doctype}<svg xmlns="http://www.w3.org/2000/svg">'
                                     '<text>&x;</text></svg>'.replace("&x;", "&" + entity.split()[1] + ";"))
    result = run_publish("build", root, "--out", tmp_path / "out")
    assert_failed_cleanly(result, tmp_path / "out", "a.md:3:14: error: SVG image figure.svg declares a DTD")
    style = (Path(__file__).parent.parent / "styles" / "csl" / "chicago-author-date.csl").read_text("utf-8")
    style = style.replace("<style ", doctype.replace("svg", "style", 1) + "<style ", 1)
    style = style.replace("</info>", "</info><macro name='leak'><text value='&" + entity.split()[1] + ";'/></macro>")
    book = write_book(tmp_path / "cited", {"a.md": "# A\n\nAs [@guevara2018] says.\n"},
                      "title: T\ncsl: own.csl\n", TOY_BIBLIOGRAPHY)
    (book / "own.csl").write_text(style)
    for command in ("build", "check"):
        result = run_publish(command, book, "--out", tmp_path / "out2") if command == "build" \
            else run_publish(command, book)
        assert_failed_cleanly(result, tmp_path / "out2", "own.csl: error: not a usable CSL style: CSL style own.csl ")
        assert "declares a DTD" in result.stderr or "references external entity" in result.stderr
    assert requests == []


def test_csl_outside_the_book_is_refused_at_its_line(tmp_path: Path):
    style = Path(__file__).parent.parent / "styles" / "csl" / "chicago-author-date.csl"
    elsewhere = tmp_path / "far" / "away"
    elsewhere.mkdir(parents=True)
    (elsewhere / "style.csl").write_bytes(style.read_bytes())
    book = write_book(tmp_path / "shelf" / "book", {"a.md": "# A\n\nAs [@guevara2018] says.\n"},
                      f"title: T\ncsl: {elsewhere / 'style.csl'}\n", TOY_BIBLIOGRAPHY)
    result = run_publish("build", book, "--out", tmp_path / "out")
    assert_failed_cleanly(result, tmp_path / "out",
                          f"book.yaml:2:1: error: 'csl': file outside the book refused: {elsewhere / 'style.csl'}")


def test_a_fallback_font_covers_what_the_book_face_lacks_and_is_embedded(tmp_path: Path):
    chapters = {"ch.md": "# A\n\nThe word שלום, in Hebrew.\n"}
    root = write_book(tmp_path / "book", chapters, "title: T\n")
    result = run_publish("build", root, "--out", tmp_path / "out", "--format", "pdf")
    assert "ch.md:3:10: warning: no font of this book has שלום (U+05E9 U+05DC U+05D5 …) [missing-glyph]" \
        in result.stderr
    root = write_book(tmp_path / "fallback", chapters, "title: T\nfallback_fonts: [Noto Sans Hebrew]\n")
    result = run_publish("build", root, "--out", tmp_path / "out2", "--format", "pdf")
    assert result.code == 0 and "missing-glyph" not in result.stderr, result.stderr
    with pikepdf.open(tmp_path / "out2" / "fallback.pdf") as pdf:
        fonts = {str(font.get("/BaseFont")) for page in pdf.pages for font in page.Resources.Font.values()}
    assert any(name.endswith("+Noto-Sans-Hebrew") for name in fonts), fonts
    assert "םולש" in extract_text(tmp_path / "out2" / "fallback.pdf")  # in visual order: right to left
    missing = write_book(tmp_path / "missing", chapters, "title: T\nfallback_fonts: [No Such Family]\n")
    assert_failed_cleanly(run_publish("build", missing, "--out", tmp_path / "out3"), tmp_path / "out3",
                          "book.yaml:2:1: error: 'fallback_fonts': no installed font family 'No Such Family'")
