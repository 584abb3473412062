"""The printers' own profiles as the printers and independent tools read them: KDP's plain PDF with
no marks, outline or links; IngramSpark's PDF/X-1a:2001 in CMYK; an offset press's PDF/X-4 with crop
marks; each cover 2 × trim + spine + 2 × bleed for the paper; Ghostscript and qpdf on every file."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from tests.conftest import MANUSCRIPT, TOY_BIBLIOGRAPHY, run_publish, write_book
from tests.test_barcode import decode

INCH, MM = 72.0, 72 / 25.4
A5 = (148 * MM, 210 * MM)
# The printers' paper thicknesses, a page at a time, as their guides give them.
PER_PAGE = {"white-50lb": 0.002252 * INCH, "cream-50lb": 0.0025 * INCH, "80gsm-uncoated": 0.1 * MM / 2}
BLEED = {"kdp": 0.125 * INCH, "ingramspark": 0.125 * INCH, "offset": 3 * MM}
PAMPHLET = "leon-trotsky-speaks"
CHAPTER = "# Chapter {n}\n\n" + "\n\n".join(
    "Planning and the market are not opposites in the transitional economy; the plan is checked by the "
    "market and the market is regulated by the plan, as long as the bureaucracy does not stand above both." * 3
    for _ in range(6)) + "\n"
LONG_CONFIG = """\
    title: A Long Printed Book
    author: [{name: Leon Trotsky}]
    identifier: isbn:978-0-306-40615-7
    publisher: Test Press
    description: A book made by the test suite for the printers' profiles.
    print:
      trim: 6x9in
      printer: ingramspark
      paper: cream-50lb
    """


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A pamphlet for each printer, both for IngramSpark, and a generated long book that names its
    printer and paper in book.yaml (built with `--profile printer`)."""
    base = tmp_path_factory.mktemp("printers")
    outs = {}
    for profile, books in (("kdp", [PAMPHLET]), ("offset", [PAMPHLET]),
                           ("ingramspark", [PAMPHLET, "lesson-of-the-soviet-union"])):
        outs[profile] = base / profile
        result = run_publish("build", *(MANUSCRIPT / b for b in books), "--out", outs[profile], "--profile", profile,
                             "--format", "pdf")
        assert result.code == 0, result.stderr  # the build's own preflight found no error
    chapters = {f"c{n}.md": CHAPTER.format(n=n) for n in range(1, 9)}
    chapters["c1.md"] += "\n![A photograph](photo.png)\n"
    root = write_book(base / "long", chapters, LONG_CONFIG, TOY_BIBLIOGRAPHY)
    photo = Image.new("RGBA", (1500, 990), (40, 90, 160, 255))
    photo.paste((200, 60, 30, 128), (300, 200, 1000, 660))  # half-transparent: a soft mask to flatten
    photo.save(root / "photo.png")
    outs["long"] = base / "long-out"
    result = run_publish("build", root, "--out", outs["long"], "--profile", "printer", "--format", "pdf")
    assert result.code == 0, result.stderr
    return outs


def files(built: dict[str, Path], profile: str) -> list[tuple[Path, Path]]:
    """(interior, cover) of each book built for the profile."""
    dirs = [built[profile]] + ([built["long"]] if profile == "ingramspark" else [])
    return [(p, p.with_name(p.stem + "-cover.pdf")) for d in dirs for p in sorted(d.glob("*.pdf"))
            if not p.stem.endswith("-cover")]


def content_operators(pdf: pikepdf.Pdf) -> list[tuple[str, list]]:
    """Every operator of every page's and form XObject's content stream."""
    found = [(str(op), list(operands)) for page in pdf.pages for operands, op in pikepdf.parse_content_stream(page)]
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == pikepdf.Name.Form:
            found += [(str(op), list(operands)) for operands, op in pikepdf.parse_content_stream(obj)]
    return found


def images(pdf: pikepdf.Pdf) -> list[pikepdf.Stream]:
    return [o for o in pdf.objects if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == pikepdf.Name.Image]


def assert_cmyk_only(pdf: pikepdf.Pdf, transparency: bool) -> None:
    operators = content_operators(pdf)
    assert not [op for op, _ in operators if op in ("rg", "RG")], "RGB colour operators"
    assert not [o for op, o in operators if op in ("cs", "CS") and o[0] == pikepdf.Name.DeviceRGB]
    assert {op for op, _ in operators} & {"k", "K"}, "no CMYK colour at all"
    for image in images(pdf):
        assert image.ColorSpace in (pikepdf.Name.DeviceCMYK, pikepdf.Name.DeviceGray), image.ColorSpace
        assert transparency or "/SMask" not in image
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary) and "/Group" in obj:
            assert transparency, "a transparency group in PDF/X-1a"
            assert obj.Group.get("/CS") != pikepdf.Name.DeviceRGB


def assert_output_intent(pdf: pikepdf.Pdf) -> None:
    [intent] = pdf.Root.OutputIntents
    assert intent.S == pikepdf.Name("/GTS_PDFX") and str(intent.OutputConditionIdentifier)
    profile = intent.DestOutputProfile
    assert int(profile.N) == 4 and profile.read_bytes()[16:20] == b"CMYK"


def assert_boxes(pdf: pikepdf.Pdf, trim: tuple[float, float], bleed: float, binding_bleed: bool) -> None:
    for number, page in enumerate(pdf.pages, 1):
        x0, y0, x1, y1 = (float(v) for v in page.TrimBox)
        assert abs(x1 - x0 - trim[0]) < 0.01 and abs(y1 - y0 - trim[1]) < 0.01
        b0, c0, b1, c1 = (float(v) for v in page.BleedBox)
        inner = bleed if binding_bleed else 0
        left, right = (inner, bleed) if number % 2 else (bleed, inner)  # right-hand pages bind on the left
        assert [round(v, 2) for v in (x0 - b0, c1 - y1, b1 - x1, y0 - c0)] == [round(v, 2) for v in
                                                                              (left, bleed, right, bleed)]
        m0, n0, m1, n1 = (float(v) for v in page.MediaBox)
        assert m0 <= b0 and n0 <= c0 and m1 >= b1 and n1 >= c1


def test_kdp_is_plain_pdf_without_marks_outline_or_links(built: dict[str, Path]):
    [(interior, _)] = files(built, "kdp")
    with pikepdf.open(interior) as pdf:
        assert pdf.pdf_version == "1.7" and "/GTS_PDFXVersion" not in pdf.docinfo
        assert "/Outlines" not in pdf.Root
        assert not [n for n, page in enumerate(pdf.pages) if "/Annots" in page.obj]
        assert_boxes(pdf, A5, BLEED["kdp"], binding_bleed=False)
        for page in pdf.pages:  # no slug for marks: the sheet is the trim and its bleed
            assert [float(v) for v in page.MediaBox] == [float(v) for v in page.BleedBox]
    assert page_margin_is_blank(interior, 5)  # nothing drawn in the bleed of a text page


def test_ingramspark_is_pdf_x1a_2001_in_cmyk(built: dict[str, Path]):
    for interior, cover in files(built, "ingramspark"):
        for path in (interior, cover):
            with pikepdf.open(path) as pdf:
                assert pdf.pdf_version == "1.3"
                assert str(pdf.docinfo.GTS_PDFXVersion) == "PDF/X-1:2001"
                assert str(pdf.docinfo.GTS_PDFXConformance) == "PDF/X-1a:2001"
                assert pdf.docinfo.Trapped == pikepdf.Name("/False")
                assert_output_intent(pdf)
                assert_cmyk_only(pdf, transparency=False)
                assert not [n for n, page in enumerate(pdf.pages) if "/Annots" in page.obj]
        with pikepdf.open(interior) as pdf:
            trim = (6 * INCH, 9 * INCH) if "long" in str(interior) else A5
            assert_boxes(pdf, trim, BLEED["ingramspark"], binding_bleed=False)


def test_the_long_books_photograph_is_cmyk_without_its_soft_mask(built: dict[str, Path]):
    [interior] = built["long"].glob("long.pdf")
    with pikepdf.open(interior) as pdf:
        [photo] = [i for i in images(pdf) if int(i.Width) == 1500]
        assert photo.ColorSpace == pikepdf.Name.DeviceCMYK and "/SMask" not in photo
        pixels = pikepdf.PdfImage(photo).as_pil_image()
        assert pixels.mode == "CMYK"
        c, m, y, _ = pixels.getpixel((10, 10))  # blue (40, 90, 160): mostly cyan
        assert c > m > y


def test_offset_is_pdf_x4_with_crop_marks_and_3_mm_bleed(built: dict[str, Path]):
    [(interior, cover)] = files(built, "offset")
    for path in (interior, cover):
        with pikepdf.open(path) as pdf, pdf.open_metadata() as xmp:
            assert pdf.pdf_version <= "1.6"
            assert xmp.get("pdfxid:GTS_PDFXVersion") == "PDF/X-4"
            assert pdf.docinfo.Trapped == pikepdf.Name("/False")
            assert_output_intent(pdf)
            assert_cmyk_only(pdf, transparency=True)
    with pikepdf.open(interior) as pdf:
        assert_boxes(pdf, A5, BLEED["offset"], binding_bleed=True)
        assert "/Outlines" in pdf.Root  # an offset press has no quarrel with bookmarks
    assert not page_margin_is_blank(interior, 5)  # crop marks in the slug outside the bleed


def page_margin_is_blank(path: Path, page: int) -> bool:
    """Whether everything outside the TrimBox (bleed and slug) of a page renders white (pdftoppm)."""
    with pikepdf.open(path) as pdf:
        media = [float(v) for v in pdf.pages[page - 1].MediaBox]
        trim = [float(v) for v in pdf.pages[page - 1].TrimBox]
    out = path.parent / f"margin-{path.stem}"
    subprocess.run(["pdftoppm", "-r", "36", "-f", str(page), "-l", str(page), "-gray", "-singlefile", path, out],
                   check=True)
    image = Image.open(f"{out}.pgm")
    scale = image.width / (media[2] - media[0])
    inner = (round((trim[0] - media[0]) * scale) + 1, round((media[3] - trim[3]) * scale) + 1,
             round((trim[2] - media[0]) * scale) - 1, round((media[3] - trim[1]) * scale) - 1)
    dark = [(x, y) for x in range(image.width) for y in range(image.height)
            if not (inner[0] <= x <= inner[2] and inner[1] <= y <= inner[3]) and image.getpixel((x, y)) < 160]
    return not dark


@pytest.mark.parametrize("profile", ["kdp", "ingramspark", "offset"])
def test_cover_is_two_trims_a_spine_and_bleed_and_its_barcode_decodes_in_the_barcode_area(
        built: dict[str, Path], profile: str):
    from publish.preflight import box
    from publish.preflight.content import page_content

    for interior, cover in files(built, profile):
        long = "long" in str(interior)
        paper = "cream-50lb" if long else "80gsm-uncoated" if profile == "offset" else "white-50lb"
        trim = (6 * INCH, 9 * INCH) if long else A5
        with pikepdf.open(interior) as pdf:
            spine = len(pdf.pages) * PER_PAGE[paper]
        with pikepdf.open(cover) as pdf:
            [page] = pdf.pages
            bleed = [float(v) for v in page.BleedBox]
            assert abs(bleed[2] - bleed[0] - (2 * trim[0] + spine + 2 * BLEED[profile])) < 0.5
            assert abs(bleed[3] - bleed[1] - (trim[1] + 2 * BLEED[profile])) < 0.5
            if not long:
                continue
            rects = page_content(page, box(page, "/TrimBox")).filled_rects
        bars = [r for r in rects if r[3] - r[1] > 15 and r[2] - r[0] < 4]
        module = min(r[2] - r[0] for r in bars)
        svg = "<svg xmlns='http://www.w3.org/2000/svg'>" + "".join(
            f"<rect x='{r[0]}' width='{r[2] - r[0]}' fill='#000'/>" for r in bars) + "</svg>"
        assert decode(svg, module) == "9780306406157"
        spine_edge = bleed[0] + BLEED[profile] + trim[0]  # the back cover's edge at the spine
        left, bottom = min(r[0] for r in bars), min(r[1] for r in bars)
        right, top = max(r[2] for r in bars), max(r[3] for r in bars)
        # IngramSpark's and KDP's barcode area: 2 × 1.2 in, a quarter inch from the spine and the foot.
        assert spine_edge - 0.25 * INCH - 2 * INCH <= left and right <= spine_edge - 0.25 * INCH
        foot = bleed[1] + BLEED[profile]
        assert foot + 0.25 * INCH <= bottom and top <= foot + 0.25 * INCH + 1.2 * INCH


def test_preflight_passes_every_printers_file(built: dict[str, Path]):
    for profile in ("kdp", "ingramspark", "offset"):
        for interior, cover in files(built, profile):
            paper = ["--paper", "cream-50lb"] if "long" in str(interior) else []
            result = run_publish("preflight", interior, "--printer", profile, "--cover", cover, *paper)
            assert result.code == 0, result.stderr
            assert " 0 error(s)" in result.stderr


def test_ghostscript_renders_every_page_and_x1a_text_pages_are_black_ink_only(built: dict[str, Path]):
    for profile in ("kdp", "ingramspark", "offset"):
        for path in [p for pair in files(built, profile) for p in pair]:
            done = subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=nullpage", path],
                                  capture_output=True, text=True, check=False)
            assert done.returncode == 0 and not done.stderr.strip() and "Error" not in done.stdout, done.stdout
            check = subprocess.run(["qpdf", "--check", path], capture_output=True, text=True, check=False)
            assert check.returncode == 0, check.stdout + check.stderr
    [(interior, _), *_] = files(built, "ingramspark")
    done = subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-o", "-", "-sDEVICE=inkcov", interior],
                          capture_output=True, text=True, check=True)
    coverage = [tuple(float(v) for v in line.split()[:4]) for line in done.stdout.splitlines()
                if re.match(r"\s*[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+CMYK OK", line)]
    with pikepdf.open(interior) as pdf:
        assert len(coverage) == len(pdf.pages)
    inked = [page for page in coverage if page[3] > 0]
    assert len(inked) > len(coverage) / 2
    # Black text converted from RGB black stays black ink only: no cyan, magenta or yellow under it.
    assert all(c == m == y == 0 for c, m, y, _ in coverage)


@pytest.mark.parametrize("laid_out", ["in one pass", "before its index", "in chunks"])
def test_an_image_under_300_dpi_is_a_warning_at_its_chapter_line(tmp_path: Path, laid_out: str):
    chapter = "# One\n\nA paragraph before the picture.\n\nAnother one.\n\n![A small picture](small.png)\n"
    chapters = {"c1.md": chapter + ("\nAn indexed word{^word}.\n" if laid_out == "before its index" else "")}
    if laid_out == "in chunks":
        chapters["c2.md"] = "# Two\n\n" + "Words enough to be a chunk of their own. " * 200 + "\n"
    root = write_book(tmp_path / "small", chapters, "title: Small\nauthor: [{name: A. Writer}]\n")
    Image.new("RGB", (300, 200), (90, 140, 60)).save(root / "small.png")
    chunked = {"PUBLISH_CHUNK_MIN_WORDS": "100", "PUBLISH_CHUNK_WORDS": "100"} if laid_out == "in chunks" else {}
    result = run_publish("build", root, "--out", tmp_path / "out", "--profile", "offset", "--format", "pdf",
                         env=chunked)
    assert result.code == 0, result.stderr
    [warning] = [line for line in result.stderr.splitlines() if "small.png prints at" in line]
    match = re.search(r"c1\.md:7:\d+: warning: image small\.png prints at (\d+) dpi \(([\d.]+) in wide", warning)
    assert match, warning
    assert abs(int(match[1]) - 300 / float(match[2])) <= 1 and int(match[1]) < 300


@pytest.mark.parametrize("profile", ["ingramspark", "offset"])
def test_pdf_x_files_are_the_same_bytes_for_the_same_input(profile: str):
    # WeasyPrint's PDF/X metadata carries a random document id; the finished file must not.
    from weasyprint import HTML

    from publish.render.pdf import PROFILES, finish

    html = ("<html><head><title>T</title><meta name='dcterms.created' content='2020-01-01T00:00:00Z'>"
            "<meta name='dcterms.modified' content='2020-01-01T00:00:00Z'></head><body>"
            "<style>@page { size: 6in 9in; bleed: 9pt }</style><h1 style='color: #a02030'>Title</h1></body></html>")
    made = [finish(HTML(string=html).write_pdf(pdf_variant=PROFILES[profile]), "en", even=True, profile=profile)
            for _ in range(2)]
    assert made[0] == made[1]
