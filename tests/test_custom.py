"""A press's own book: its cover image, stylesheets, layouts, typeface and an ISBN per format, read back
from the PDF, the EPUB, the web edition, the catalogue and the printer's cover."""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import pikepdf
import pytest
from fontTools.ttLib import TTFont
from lxml import etree
from pdfminer.high_level import extract_pages, extract_text
from pdfminer.layout import LTChar, LTFigure, LTImage, LTRect, LTTextLine

from tests.conftest import PROJECT, run_publish, write_book
from tests.test_barcode import decode_bars
from tests.test_build import assert_epubcheck_clean

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
FACES = {"regular": "DejaVuSans.ttf", "italic": "DejaVuSans-Oblique.ttf", "bold": "DejaVuSans-Bold.ttf",
         "bold_italic": "DejaVuSans-BoldOblique.ttf"}
PRINT_ISBN, EPUB_ISBN = "978-0-306-40615-7", "978-1-56619-909-4"
HOUSE_LINE = "Printed by the Small Press collective."
OPF = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
CONFIG = f"""\
    title: Our Own Book
    author: [Ann Writer]
    identifier: {{print: "isbn:{PRINT_ISBN}", epub: "isbn:{EPUB_ISBN}"}}
    publisher: Small Press
    description: A book its press made its own.
    cover: art/cover.png
    css:
      print: [../house-print.css, style/print.css]
      epub: style/epub.css
      web: style/web.css
    fonts:
      body:
        family: House Sans
        regular: fonts/DejaVuSans.ttf
        italic: fonts/DejaVuSans-Oblique.ttf
        bold: fonts/DejaVuSans-Bold.ttf
        bold_italic: fonts/DejaVuSans-BoldOblique.ttf
        licence: Bitstream Vera Fonts licence
    """
CHAPTERS = {"one.md": "# The First Chapter\n\nSome *plain* words of the body text, **set** large.\n"}


def write_own_book(press: Path) -> Path:
    """A small book of the press with every design key; DejaVu Sans, under another family name (so
    that only the book's own files can supply it), is its typeface."""
    from PIL import Image, ImageDraw

    missing = [name for name in FACES.values() if not (DEJAVU / name).is_file()]
    if missing:
        pytest.skip(f"DejaVu Sans is not installed here ({', '.join(missing)} missing in {DEJAVU})")
    root = write_book(press / "own", CHAPTERS, CONFIG)
    for folder in ("fonts", "art", "style", "layouts/partials"):
        (root / folder).mkdir(parents=True)
    for name in FACES.values():
        shutil.copy(DEJAVU / name, root / "fonts" / name)
    cover = Image.new("RGB", (600, 900), (20, 120, 60))
    ImageDraw.Draw(cover).rectangle([50, 50, 550, 850], outline=(250, 250, 0), width=10)
    cover.save(root / "art" / "cover.png")
    Image.new("RGB", (8, 8), (200, 0, 0)).save(root / "style" / "rule.png")
    (press / "house-print.css").write_text("p { font-size: 14pt; }\n")  # shared by the press's books
    (root / "style" / "print.css").write_text(".chapter-title { color: rgb(204, 0, 0); }\n")
    (root / "style" / "epub.css").write_text(".chapter-title { color: #c00; background: url(rule.png) repeat-x bottom; }\n")
    (root / "style" / "web.css").write_text('.chapter-title { color: #c00; background-image: url("rule.png"); }\n')
    shipped = (PROJECT / "styles" / "layouts" / "partials" / "copyright.html").read_text()
    (root / "layouts" / "partials" / "copyright.html").write_text(
        shipped.replace('  <p class="colophon">', f'  <p class="house-line">{HOUSE_LINE}</p>\n  <p class="colophon">'))
    return root


@pytest.fixture(scope="module")
def own(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """The book, its default build (every format) and its printer's build (the PDFs)."""
    base = tmp_path_factory.mktemp("custom")
    root = write_own_book(base / "press")
    out, printed = base / "dist", base / "printed"
    for args in (("--out", out), ("--out", printed, "--profile", "printer", "--format", "pdf")):
        result = run_publish("build", root, *args)
        assert result.code == 0, result.stderr
    return root, out, printed


def embedded_fonts(path: Path) -> dict[str, str]:
    """For each font the PDF's pages use, by its /BaseFont (subset prefix removed), the family that its
    embedded font program names itself ('' if none is embedded)."""
    from fontTools.ttLib import TTFont

    found = {}
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            for font in page.Resources.get("/Font", {}).values():
                descriptor = font.DescendantFonts[0].FontDescriptor if "/DescendantFonts" in font else \
                    font.FontDescriptor
                program = descriptor.get("/FontFile2")
                family = TTFont(io.BytesIO(program.read_bytes()))["name"].getBestFamilyName() if program else ""
                found[str(font.BaseFont).split("+")[-1]] = family
    return found


def text_lines(path: Path, begins: str) -> list[list[LTChar]]:
    """The characters of each line of the PDF's text that begins with `begins`."""
    def walk(item):
        if isinstance(item, LTTextLine):
            yield item
        elif hasattr(item, "__iter__"):
            for child in item:
                yield from walk(child)
    return [[char for char in line if isinstance(char, LTChar)] for page in extract_pages(path)
            for line in walk(page) if line.get_text().startswith(begins)]


def opf(epub: Path) -> etree._Element:
    with zipfile.ZipFile(epub) as z:
        return etree.fromstring(z.read("EPUB/content.opf"))


def test_the_pdf_embeds_the_books_own_font(own):
    _, out, _ = own
    fonts = embedded_fonts(out / "own.pdf")
    # WeasyPrint names a font by its CSS family (which only the book's @font-face rules define here);
    # the program embedded is the book's DejaVu Sans.
    assert {"House-Sans", "House-Sans-Italic", "House-Sans-Bold"} <= set(fonts), fonts
    assert set(fonts.values()) == {"DejaVu Sans"}, fonts


def test_the_print_stylesheets_follow_the_shipped_one(own):
    _, out, _ = own
    [body] = text_lines(out / "own.pdf", "Some plain words")
    assert {round(c.size, 1) for c in body} == {14.0}, "the press's shared stylesheet sets the body at 14pt"
    contents, title = text_lines(out / "own.pdf", "The First Chapter")
    assert {c.graphicstate.ncolor for c in title} == {(0.8, 0, 0)}, "the book's stylesheet colours the title"
    assert {c.graphicstate.ncolor for c in contents} != {(0.8, 0, 0)}


def test_the_books_layout_overrides_the_shipped_one_in_every_edition(own):
    _, out, _ = own
    assert HOUSE_LINE in " ".join(extract_text(out / "own.pdf").split())
    with zipfile.ZipFile(out / "own.epub") as z:
        assert HOUSE_LINE in z.read("EPUB/copyright.xhtml").decode()
    assert HOUSE_LINE in (out / "own" / "index.html").read_text()


def test_every_edition_names_the_typeface_and_its_licence(own):
    _, out, _ = own
    colophon = "Set in House Sans (Bitstream Vera Fonts licence)."
    assert colophon in " ".join(extract_text(out / "own.pdf").split())
    assert colophon in (out / "own" / "index.html").read_text()


def test_the_epub_cover_is_the_books_own_image(own):
    root, out, _ = own
    package = opf(out / "own.epub")
    [item] = package.xpath("//opf:item[@properties='cover-image']", namespaces=OPF)
    assert item.get("media-type") == "image/png"
    with zipfile.ZipFile(out / "own.epub") as z:
        assert z.read(f"EPUB/{item.get('href')}") == (root / "art" / "cover.png").read_bytes()
        assert f'src="{item.get("href")}"' in z.read("EPUB/cover.xhtml").decode()


def test_the_epub_carries_the_font_and_the_stylesheets_files(own):
    root, out, _ = own
    items = {i.get("href"): i.get("media-type") for i in opf(out / "own.epub").xpath("//opf:item", namespaces=OPF)}
    with zipfile.ZipFile(out / "own.epub") as z:
        for name in FACES.values():  # each face subset to the book's characters (epub: {fonts: subset})
            woff2 = name.replace(".ttf", ".woff2")
            assert items[f"fonts/{woff2}"] == "font/woff2"
            subset = TTFont(io.BytesIO(z.read(f"EPUB/fonts/{woff2}")))
            assert subset["name"].getBestFamilyName() == "DejaVu Sans"
            assert len(subset.getBestCmap()) < len(TTFont(root / "fonts" / name).getBestCmap()) / 10
        css = z.read("EPUB/css/epub.css").decode()
        [rule] = [href for href in items if href.endswith("-rule.png")]
        assert z.read(f"EPUB/{rule}") == (root / "style" / "rule.png").read_bytes()
    assert '@font-face { font-family: "House Sans"; src: url("../fonts/DejaVuSans.woff2")' in css
    assert "Gentium" not in css
    assert css.index(".ed-note") < css.index(f'url("../{rule}")'), "the book's rules come after ours"
    assert_epubcheck_clean(out / "own.epub")


def test_each_format_has_its_own_identifier(own):
    _, out, _ = own
    [identifier] = opf(out / "own.epub").xpath("//dc:identifier", namespaces=OPF)
    assert identifier.text == f"isbn:{EPUB_ISBN}"
    lines = [f"ISBN {PRINT_ISBN} (paperback)", f"ISBN {EPUB_ISBN} (EPUB)"]
    pdf_text = " ".join(extract_text(out / "own.pdf").split())
    with zipfile.ZipFile(out / "own.epub") as z:
        epub_text = z.read("EPUB/copyright.xhtml").decode()
    for line in lines:
        assert line in pdf_text and line in epub_text
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>',
                                (out / "own" / "index.html").read_text(), re.DOTALL)[1])
    assert data["isbn"] == PRINT_ISBN and data["workExample"][0]["isbn"] == EPUB_ISBN


def test_the_web_edition_serves_the_font_and_the_books_stylesheet(own):
    root, out, _ = own
    web = out / "own"
    css = (web / "assets" / "web.css").read_text()
    assert '@font-face { font-family: "House Sans"; src: url("fonts/DejaVuSans.ttf")' in css
    assert (web / "assets" / "fonts" / "DejaVuSans.ttf").read_bytes() == (root / "fonts" / "DejaVuSans.ttf").read_bytes()
    [url] = re.findall(r'background-image: url\("\.\./(images/[^"]+)"\)', css)
    assert (web / url).read_bytes() == (root / "style" / "rule.png").read_bytes()


def test_the_catalogue_shows_the_books_cover(own):
    root, out, _ = own
    assert (out / "own" / "cover.png").read_bytes() == (root / "art" / "cover.png").read_bytes()
    catalogue = (out / "index.html").read_text()
    assert '<img class="cover" src="own/cover-200.jpg" srcset="own/cover-200.jpg 200w, own/cover-400.jpg 400w"' in catalogue
    from PIL import Image
    with Image.open(out / "own" / "cover-200.jpg") as thumbnail, Image.open(root / "art" / "cover.png") as own_cover:
        # the thumbnail is the book's own cover, made small (its colour at the centre), not the generated one
        centre = (thumbnail.width // 2, thumbnail.height // 2)
        expected = own_cover.convert("RGB").getpixel((own_cover.width // 2, own_cover.height // 2))
        assert all(abs(a - b) < 24 for a, b in zip(thumbnail.getpixel(centre), expected))


def test_the_printers_cover_has_the_image_on_the_front_and_the_print_isbn_in_its_bars(own):
    _, _, printed = own
    with pikepdf.open(printed / "own-cover.pdf") as pdf:
        page = pdf.pages[0]
        trim = [float(v) for v in page.trimbox]
        bleed = [float(v) for v in page.bleedbox]
        pages = len(pikepdf.open(printed / "own.pdf").pages)
    [sheet] = list(extract_pages(printed / "own-cover.pdf"))
    offset = trim[0] - bleed[0]  # pdfminer measures from the bleed box's corner
    spine = pages / 2 * 0.1 * 72 / 25.4
    trim_width = (trim[2] - trim[0] - spine) / 2
    items = [i for item in sheet for i in (item if isinstance(item, LTFigure) else [item])]
    [image] = [i for i in items if isinstance(i, LTImage)]
    assert abs(image.x0 - (offset + trim_width + spine)) < 1  # from the spine's edge
    assert image.x1 >= bleed[2] - bleed[0] - 0.5 and image.y0 <= 0.5 and image.y1 >= bleed[3] - bleed[1] - 0.5
    text = " ".join(extract_text(printed / "own-cover.pdf").split())
    assert f"ISBN{PRINT_ISBN}" in text.replace(" ", "")  # the barcode's label (pdfminer loses its space)
    assert text.count("Our Own Book") == 1  # on the back: the front is the image
    bars = [(r.x0, r.x1 - r.x0) for r in items if isinstance(r, LTRect) and r.non_stroking_color == (0, 0, 0)]
    assert decode_bars(bars, 0.33 * 72 / 25.4) == PRINT_ISBN.replace("-", "")


def test_the_cache_covers_a_stylesheet_shared_beside_the_book(own, tmp_path: Path):
    root, _, _ = own
    out = tmp_path / "dist"
    assert run_publish("build", root, "--out", out, "--format", "pdf").code == 0
    assert "1 unchanged" in run_publish("build", root, "--out", out, "--format", "pdf").stderr
    shared = root.parent / "house-print.css"
    before = shared.read_text()
    try:
        shared.write_text("p { font-size: 12pt; }\n")
        assert "1 built" in run_publish("build", root, "--out", out, "--format", "pdf").stderr
    finally:
        shared.write_text(before)


@pytest.mark.parametrize("key, setup, message", [
    ("cover", lambda root: (root / "cover.png").write_text("not an image"),
     "'cover': 'cover.png' is not a PNG or JPEG image"),
    ("css", lambda root: (root.parent.parent / "outside.css").write_text("p {}"),
     "'css': file outside the book refused: ../../outside.css"),
    ("fonts", lambda root: (root / "face.ttf").write_text("not a font"),
     "'fonts': 'face.ttf' is not a TrueType, OpenType or WOFF2 font"),
])
def test_a_bad_design_file_is_an_error_at_its_key(tmp_path: Path, key: str, setup, message: str):
    value = {"cover": "cover.png", "css": "{print: ../../outside.css}",
             "fonts": "{body: {regular: face.ttf, licence: OFL}}"}[key]
    root = write_book(tmp_path / "press" / "bad", CHAPTERS, f"title: Bad\nlanguage: en\n{key}: {value}\n")
    setup(root)
    result = run_publish("build", root, "--out", tmp_path / "dist")
    assert result.code == 1
    assert f"book.yaml:3:1: error: {message}" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "dist" / "bad.pdf").exists()


def test_a_stylesheet_may_not_import_or_reach_outside_the_book(tmp_path: Path):
    root = write_book(tmp_path / "press" / "bad", CHAPTERS, "title: Bad\ncss: {epub: bad.css}\n")
    (tmp_path / "secret.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (root / "bad.css").write_text('@import "other.css";\np {\n  background: url(../../secret.png);\n}\n')
    result = run_publish("check", root)
    assert result.code == 1
    assert "bad.css:1:1: error: a book's stylesheet may not @import" in result.stderr, result.stderr
    assert "bad.css:3:15: error: url(../../secret.png): file outside the book refused" in result.stderr


def test_a_books_layout_runs_sandboxed(tmp_path: Path):
    root = write_book(tmp_path / "press" / "nosy", CHAPTERS, "title: Nosy\n")
    (root / "layouts" / "partials").mkdir(parents=True)
    (root / "layouts" / "partials" / "copyright.html").write_text(
        "<p>fine</p>\n<p>{{ doc.chapters[0].source.read_text() }}</p>\n")
    result = run_publish("build", root, "--out", tmp_path / "dist", "--format", "html")
    assert result.code == 1
    assert re.search(r"layouts/partials/copyright\.html:2:1: error: in the book's layout: .*read_text",
                     result.stderr), result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("value, message", [
    ('{print: "isbn:978-0-306-40615-7", epub: "isbn:978-0-306-40615-7"}',
     "'identifier': print and epub name the same identifier"),
    ('{print: "isbn:978-0-306-40615-8"}', "'identifier': print: '978-0-306-40615-8' is not a valid ISBN"),
    ('{pdf: "isbn:978-0-306-40615-7"}', "'identifier': expected one identifier, or a map of print and epub"),
])
def test_identifiers_per_format_are_checked(tmp_path: Path, value: str, message: str):
    root = write_book(tmp_path / "ids", CHAPTERS, f"title: Ids\nidentifier: {value}\n")
    result = run_publish("check", root)
    assert result.code == 1
    assert f"book.yaml:2:1: error: {message}" in result.stderr, result.stderr
