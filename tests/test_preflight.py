"""`publish preflight` against files made to fail: each fault is found with its rule id at its page,
and a clean file of each printer's kind reports nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from publish.preflight.printers import INCH, PRINTERS, spine_width
from publish.render.pdf import PROFILES, finish
from tests.conftest import run_publish

MM = 72 / 25.4


def interior(tmp: Path, pages: list[str], profile: str = "kdp", even: bool = True, marks: str = "none",
             name: str = "interior.pdf") -> Path:
    """A 6 × 9 in interior, one section a page, written by WeasyPrint and finished as the profile's."""
    from weasyprint import HTML

    bleed = PRINTERS[profile].bleed
    html = (f"<style>@page {{ size: 6in 9in; margin: 0.75in; bleed: {bleed}pt; marks: {marks} }}"
            "section { break-after: page } p { font-size: 10pt } h1 { color: rgb(150, 30, 40) }</style>"
            + "".join(f"<section>{page}</section>" for page in pages))
    data = HTML(string=html, base_url=str(tmp) + "/").write_pdf(pdf_variant=PROFILES[profile])
    path = tmp / name
    path.write_bytes(finish(data, "en", even=even, profile=profile))
    return path


def pages(count: int, **special: str) -> list[str]:
    """`count` pages of plain text; `special` replaces page n's (p3="…")."""
    return [special.get(f"p{n}", f"<p>Page {n} of a book that prints cleanly.</p>") for n in range(1, count + 1)]


def preflight(*args: str | Path, code: int | None = None) -> list[dict]:
    result = run_publish("preflight", *args, "--format", "json")
    findings = json.loads(result.stdout)
    expected = 1 if any(f["severity"] == "error" for f in findings) else 0
    assert result.code == (expected if code is None else code), result.stderr
    return findings


def found(findings: list[dict]) -> set[tuple[str, int]]:
    return {(f["rule"], f["page"]) for f in findings}


def picture(path: Path, pixels: int, mode: str = "RGB") -> Path:
    Image.new(mode, (pixels, pixels), (200, 120, 40) if mode == "RGB" else 128).save(path)
    return path


@pytest.mark.parametrize("printer", ["kdp", "ingramspark", "offset"])
def test_a_clean_file_reports_nothing(tmp_path: Path, printer: str):
    # A coloured heading and a 300-dpi RGB photograph: the PDF/X profiles convert both to CMYK.
    picture(tmp_path / "photo.png", 600)
    marks = "crop cross" if PRINTERS[printer].marks else "none"
    path = interior(tmp_path, pages(24, p1="<h1>Chapter</h1><img src='photo.png' style='width: 2in'>"),
                    printer, marks=marks)
    assert preflight(path, "--printer", printer, code=0) == []


def test_an_rgb_image_in_a_pdf_x1a_file(tmp_path: Path):
    path = interior(tmp_path, pages(24), "ingramspark")
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        image = pdf.make_stream(bytes([200, 30, 30]) * 300 * 300, Type=pikepdf.Name.XObject,
                                Subtype=pikepdf.Name.Image, Width=300, Height=300,
                                ColorSpace=pikepdf.Name.DeviceRGB, BitsPerComponent=8)
        page = pdf.pages[2]
        if "/XObject" not in page.Resources:
            page.Resources.XObject = pikepdf.Dictionary()
        page.Resources.XObject["/Photo"] = image
        page.contents_add(pdf.make_stream(b"q 72 0 0 72 100 100 cm /Photo Do Q"))  # 1 in: 300 dpi
        pdf.save(path)
    findings = preflight(path, "--printer", "ingramspark")
    assert found(findings) == {("colour-space", 3)}
    assert "image /Photo is in DeviceRGB" in findings[0]["message"]
    assert preflight(path, "--printer", "kdp", code=0) == []  # KDP takes RGB


def test_a_72_dpi_image(tmp_path: Path):
    picture(tmp_path / "small.png", 144)
    path = interior(tmp_path, pages(24, p5="<img src='small.png' style='width: 2in; height: 2in'>"))
    findings = preflight(path, "--printer", "kdp")
    assert found(findings) == {("image-resolution", 5)}
    assert findings[0]["severity"] == "warning" and "72 dpi" in findings[0]["message"]
    assert "2.000 in × 2.000 in" in findings[0]["message"]


def test_5_pt_text(tmp_path: Path):
    path = interior(tmp_path, pages(24, p2="<p style='font-size: 5pt'>Small print.</p>"))
    findings = preflight(path, "--printer", "kdp")
    assert found(findings) == {("text-size", 2)}
    assert "text at 5.0 pt" in findings[0]["message"]


def test_a_0_1_pt_rule_drawn_as_a_border_and_as_a_stroke(tmp_path: Path):
    path = interior(tmp_path, pages(24, p4="<p>Above</p><div style='border-top: 0.1pt solid black'></div>"))
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:  # 0.05 × 2: a 0.1-pt stroke
        pdf.pages[5].contents_add(pdf.make_stream(b"q 2 0 0 2 0 0 cm 0.05 w 60 60 m 150 60 l S Q"))
        pdf.save(path)
    findings = preflight(path, "--printer", "kdp")
    assert found(findings) == {("stroke-width", 4), ("stroke-width", 6)}
    assert all("a line 0.10 pt wide" in f["message"] for f in findings)


def test_an_odd_page_count(tmp_path: Path):
    path = interior(tmp_path, pages(25), even=False)
    findings = preflight(path, "--printer", "kdp")
    assert found(findings) == {("page-count", 25)}
    assert findings[0]["severity"] == "error"


def test_too_few_pages_for_kdp(tmp_path: Path):
    assert found(preflight(interior(tmp_path, pages(20)), "--printer", "kdp")) == {("page-count", 0)}


def test_an_outline_in_a_kdp_file(tmp_path: Path):
    path = interior(tmp_path, pages(24))
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        with pdf.open_outline() as outline:
            outline.root.append(pikepdf.OutlineItem("Chapter 1", 2))
        pdf.save(path)
    assert found(preflight(path, "--printer", "kdp")) == {("outline", 3)}
    assert preflight(path, "--printer", "offset", "--format", "json") is not None  # offset keeps outlines


def test_crop_marks_in_a_kdp_file(tmp_path: Path):
    path = interior(tmp_path, pages(24), marks="crop")
    findings = preflight(path, "--printer", "kdp")
    assert found(findings) == {("marks", n) for n in range(1, 25)}


def test_links_and_the_binding_edge_bleed_in_a_kdp_file(tmp_path: Path):
    path = interior(tmp_path, pages(24, p7="<p><a href='#end'>see the end</a></p>", p24="<p id='end'>End</p>"),
                    "offset")  # offset keeps its bleed on the binding edge; KDP cuts it
    findings = preflight(path, "--printer", "kdp")
    assert ("boxes", 2) in found(findings) and ("boxes", 1) in found(findings)
    assert any("binding edge" in f["message"] for f in findings)


def cover(tmp: Path, width: float, profile: str = "kdp", spine_text: bool = False) -> Path:
    """A one-page cover `width` points wide (trim), 9 in high, with the profile's bleed."""
    from weasyprint import HTML

    bleed = PRINTERS[profile].bleed
    middle = f"<p style='position: absolute; left: {width / 2}pt; top: 3in'>Spine</p>" if spine_text else ""
    html = (f"<style>@page {{ size: {width}pt 9in; margin: 0; bleed: {bleed}pt; marks: none }}</style>"
            f"<p>Back</p>{middle}")
    path = tmp / "cover.pdf"
    path.write_bytes(finish(HTML(string=html).write_pdf(pdf_variant=PROFILES[profile]), "en", profile=profile,
                            cover=True))
    return path


def test_a_cover_2_mm_too_narrow(tmp_path: Path):
    path = interior(tmp_path, pages(24))
    right = 2 * 6 * INCH + spine_width(24, "white-50lb")
    assert preflight(path, "--printer", "kdp", "--cover", cover(tmp_path, right), code=0) == []
    findings = preflight(path, "--printer", "kdp", "--cover", cover(tmp_path, right - 2 * MM))
    assert found(findings) == {("cover-size", 1)}
    assert findings[0]["file"].endswith("cover.pdf")
    # The spine follows the paper: 24 pages of 115 gsm coated make a spine 0.8 pt thinner than white's.
    assert spine_width(24, "white-50lb") - spine_width(24, "115gsm-coated") > 0.5
    assert found(preflight(path, "--printer", "kdp", "--cover", cover(tmp_path, right), "--paper",
                           "115gsm-coated")) == {("cover-size", 1)}


def test_spine_text_on_too_thin_a_book(tmp_path: Path):
    path = interior(tmp_path, pages(24))
    findings = preflight(path, "--printer", "kdp", "--cover",
                         cover(tmp_path, 2 * 6 * INCH + spine_width(24, "white-50lb"), spine_text=True))
    assert found(findings) == {("cover-spine-text", 1)}


def test_text_report_and_a_file_that_is_not_a_pdf(tmp_path: Path):
    path = interior(tmp_path, pages(25), even=False)
    result = run_publish("preflight", path, "--printer", "kdp")
    assert result.code == 1
    assert f"{path}:page 25: error: 25 pages: a book has an even number [page-count]" in result.stderr
    (tmp_path / "not.pdf").write_text("no", "utf-8")
    result = run_publish("preflight", tmp_path / "not.pdf")
    assert result.code == 1 and "not a readable PDF" in result.stderr and "Traceback" not in result.stderr
