"""The print edition as a printer and an editor check it: page size, fonts, chapter openings, the TOC's
numbers, outline, running heads, the text block, the printer profile's bleed and cover, PDF/UA and PDF/A."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pikepdf
import pytest
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTChar, LTTextBox, LTTextLine
from pypdf import PdfReader

from tests.conftest import BOOKS, MANUSCRIPT, TOY_BIBLIOGRAPHY, run_publish, write_book

MM = 72 / 25.4
A5 = (148 * MM, 210 * MM)
# The default A5 page (publish/geometry.py): top, bottom, inner (with the 3 mm gutter), outer margins.
A5_MARGINS = (18 * MM, 20 * MM, 20 * MM, 15 * MM)


def outline(path: Path) -> list[tuple[str, int, int]]:
    """(title, level, page index) of every bookmark, in order."""
    reader = PdfReader(str(path))
    found = []

    def walk(items, level):
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                found.append((item.title, level, reader.get_destination_page_number(item)))
    walk(reader.outline, 1)
    return found


def lines(path: Path) -> list[list[tuple[str, float, float, float, float]]]:
    """Each page's text lines as (text, x0, x1, y0, y1), read by pdfminer from the glyph boxes."""
    pages = []
    for layout in extract_pages(str(path)):
        found = []
        for element in layout:
            if isinstance(element, (LTTextBox, LTTextLine)):
                for line in element if isinstance(element, LTTextBox) else [element]:
                    text = line.get_text().strip()
                    chars = [c for c in line if isinstance(c, LTChar) and c.get_text().strip()]
                    if text and chars:
                        found.append((text, min(c.x0 for c in chars), max(c.x1 for c in chars),
                                      min(c.y0 for c in chars), max(c.y1 for c in chars)))
        pages.append(found)
    return pages


def rows(page_lines: list[tuple[str, float, float, float, float]]) -> list[str]:
    """The texts set on one baseline joined left to right (a TOC entry's title, leader and number; a
    running head's folio and title), top to bottom."""
    by_row: dict[float, list[tuple[float, str]]] = {}
    for text, x0, _, y0, _ in page_lines:
        row = next((y for y in by_row if abs(y - y0) < 1), y0)
        by_row.setdefault(row, []).append((x0, text))
    return [" ".join(text for _, text in sorted(by_row[y])) for y in sorted(by_row, reverse=True)]


def manuscript_titles(slug: str) -> list[str]:
    """The chapter titles as the manuscript writes them (first line of each chapter file, in order)."""
    import yaml
    config = yaml.safe_load((MANUSCRIPT / slug / "book.yaml").read_text("utf-8"))
    titles = []
    for name in config["chapters"]:
        first = (MANUSCRIPT / slug / name).read_text("utf-8").splitlines()[0]
        titles.append(re.sub(r"\s*\{[^}]*\}\s*$", "", first.lstrip("# ")).replace("&amp;", "&"))
    return titles


# The two pamphlets, default profile ------------------------------------------------------------

@pytest.mark.parametrize("slug", BOOKS)
def test_page_size_is_the_trim_size(dist: Path, slug: str):
    for page in PdfReader(str(dist / f"{slug}.pdf")).pages:
        box = page.mediabox
        assert math.isclose(float(box.width), A5[0], abs_tol=0.01)
        assert math.isclose(float(box.height), A5[1], abs_tol=0.01)


@pytest.mark.parametrize("slug", BOOKS)
def test_every_font_embedded_and_subset(dist: Path, slug: str):
    with pikepdf.open(dist / f"{slug}.pdf") as pdf:
        fonts = {}
        for page in pdf.pages:
            for font in page.Resources.get("/Font", {}).values():
                descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
                descriptor = descendant.get("/FontDescriptor")
                fonts[str(font.BaseFont)] = descriptor is not None and any(
                    key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
    assert fonts and all(fonts.values()), fonts
    # A subset font's name carries a six-letter tag: ABCDEF+Name.
    assert all(re.match(r"^/[A-Z]{6}\+", name) for name in fonts), fonts


@pytest.mark.parametrize("slug", BOOKS)
def test_outline_lists_every_chapter_and_each_opens_on_a_right_hand_page(dist: Path, slug: str):
    marks = outline(dist / f"{slug}.pdf")
    chapters = [(title, page) for title, level, page in marks if level == 1]
    titles = [title for title, _ in chapters]
    for title in manuscript_titles(slug) + ["Contents", "Editorial Conventions", "References"]:
        assert title in titles, (title, titles)
    for title, page in chapters:
        assert page % 2 == 0, f"{title} opens on page {page + 1}, a left-hand page"


def folio(page_lines: list[tuple[str, float, float, float, float]], height: float) -> str | None:
    """The page number printed on a page: the lone number in its head line or at its foot."""
    for text, _, _, y0, _ in page_lines:
        if y0 > height - A5_MARGINS[0] or y0 < A5_MARGINS[1] - 1:  # in the top or bottom margin
            for word in text.split():
                if re.fullmatch(r"\d+|[ivxlc]+", word):
                    return word
    return None


@pytest.mark.parametrize("slug", BOOKS)
def test_toc_numbers_are_the_folios_of_the_pages_the_headings_are_on(dist: Path, slug: str):
    path = dist / f"{slug}.pdf"
    pages = lines(path)
    marks = {title: page for title, _, page in outline(path)}
    toc_page = marks["Contents"]
    entries = []
    for text in rows(pages[toc_page]) + rows(pages[toc_page + 1]):
        m = re.fullmatch(r"(.+?)\s*\.{3,}\s*(\d+|[ivxlc]+)", text)
        if m:
            entries.append((m[1].strip(), m[2]))
    assert len(entries) >= 5, entries
    for title, number in entries:
        page = marks[title]
        assert folio(pages[page], A5[1]) == number, f"TOC says {title} is on {number}"


@pytest.mark.parametrize("slug", BOOKS)
def test_running_heads_book_title_left_chapter_title_right(dist: Path, slug: str):
    path = dist / f"{slug}.pdf"
    pages = lines(path)
    marks = outline(path)
    openings = {page for _, level, page in marks if level == 1}
    chapters = [(page, title) for title, level, page in marks if level == 1]
    book_title = PdfReader(str(path)).metadata.title.split(":")[0]
    checked = 0
    for index, page_lines in enumerate(pages):
        current = [title for start, title in chapters if start <= index]
        if index in openings or not page_lines or not current or index < marks[0][2]:
            continue
        head = rows([line for line in page_lines if line[3] > A5[1] - A5_MARGINS[0]])
        assert len(head) == 1, (index + 1, head)
        words = re.sub(r"\s*\b(\d+|[ivxlc]+)\b\s*", " ", head[0]).strip()
        expected = book_title if index % 2 else current[-1]
        assert words == expected, f"page {index + 1}: head {head[0]!r}, expected {expected!r}"
        checked += 1
    assert checked >= 8


@pytest.mark.parametrize("slug", BOOKS)
def test_openings_and_blank_pages_carry_no_running_head(dist: Path, slug: str):
    path = dist / f"{slug}.pdf"
    pages = lines(path)
    for title, level, index in outline(path):
        if level == 1:
            assert not [t for t, _, _, y0, _ in pages[index] if y0 > A5[1] - A5_MARGINS[0]], title
    blank = [i for i, page in enumerate(pages) if len(page) <= 1 and i > 3]
    for index in blank:
        assert pages[index] == [], f"page {index + 1} is blank but for {pages[index]}"


@pytest.mark.parametrize("slug", BOOKS)
def test_no_text_outside_the_text_block(dist: Path, slug: str):
    top, bottom, inner, outer = A5_MARGINS
    width, height = A5
    for index, page_lines in enumerate(lines(dist / f"{slug}.pdf")):
        left, right = (inner, width - outer) if index % 2 == 0 else (outer, width - inner)
        for text, x0, x1, y0, y1 in page_lines:
            where = f"page {index + 1}: {text[:40]!r}"
            assert x0 >= left - 0.5 and x1 <= right + 0.5, f"{where} runs into the margin ({x0:.1f}–{x1:.1f})"
            # Glyph boxes reach the font's ascent and descent, beyond the line box: 3 pt of tolerance.
            if y1 > height - top + 3:  # above the text block: the running head only
                assert y0 > height - top, where
            elif y0 < bottom - 3:  # below it: the folio only
                assert re.fullmatch(r"\d+|[ivxlc]+", text), where


def test_hyphenation_breaks_words_where_the_dictionary_allows(dist: Path):
    import pyphen
    # print.css: hyphenate-limit-chars: 6 2 3 (TeX's English minimums: two letters before, three after).
    dictionary = pyphen.Pyphen(lang="en_US", left=2, right=3)
    breaks = []
    for text in (page.extract_text() for page in PdfReader(str(dist / "leon-trotsky-speaks.pdf")).pages):
        # A word broken at a line's end; not one broken at a page's end before the folio.
        breaks += [(a, b) for a, b in re.findall(r"([A-Za-z]+)\u2010\n([a-z]+)\b", text)
                   if not re.fullmatch(r"[ivxlc]+", b)]
    assert len(breaks) > 50
    bad = [f"{a}-{b}" for a, b in breaks if len(a) not in dictionary.positions(a + b)]
    assert not bad, bad


def word_gaps(path: Path) -> list[tuple[int, float, str]]:
    """(page, widest gap between two glyphs in points, the line) for every line of the text block,
    glyphs gathered by baseline across pdfminer's boxes (it splits a line at a wide gap)."""
    found = []
    for number, layout in enumerate(extract_pages(str(path)), start=1):
        rows: dict[int, list[LTChar]] = {}
        for box in layout:
            if isinstance(box, LTTextBox):
                for line in box:
                    for char in line:
                        if isinstance(char, LTChar) and A5_MARGINS[1] < char.y0 < A5[1] - A5_MARGINS[0]:
                            rows.setdefault(round(char.y0), []).append(char)
        for chars in rows.values():
            chars.sort(key=lambda c: c.x0)
            gaps = [b.x0 - a.x1 for a, b in zip(chars, chars[1:])]
            if gaps:
                found.append((number, max(gaps), "".join(c.get_text() for c in chars)))
    return found


@pytest.mark.parametrize("slug", BOOKS)
def test_no_justified_line_is_stretched_into_rivers(dist: Path, slug: str):
    # Greedy justification on a pamphlet's measure stretches some spaces; a gap of more than about an em
    # (10.5 pt type) is a defect an editor would send back.
    gaps = word_gaps(dist / f"{slug}.pdf")
    # An index is set in two columns: the gap between them is no river.
    index = min([page for page, _, text in gaps if re.fullmatch(r"Index of \w+", text)] or [len(gaps) + 1])
    wide = [(page, round(gap, 1), text) for page, gap, text in gaps if gap > 10 and page < index]
    assert not wide, wide


@pytest.mark.parametrize("slug", BOOKS)
def test_no_line_begins_with_a_spaced_dash(dist: Path, slug: str):
    starts = [line for page in PdfReader(str(dist / f"{slug}.pdf")).pages
              for line in page.extract_text().split("\n") if re.match(r"[–—]\s", line)]
    assert not starts, starts


@pytest.mark.parametrize("slug", BOOKS)
def test_default_pdf_is_tagged_pdf_ua(dist: Path, slug: str):
    with pikepdf.open(dist / f"{slug}.pdf") as pdf:
        root = pdf.Root
        assert "/StructTreeRoot" in root and root.MarkInfo.Marked
        assert str(root.Lang) == "en"
        assert root.ViewerPreferences.DisplayDocTitle
        with pdf.open_metadata() as xmp:
            assert xmp.get("pdfuaid:part") == "1"
            assert xmp.get("dc:title") and xmp.get("dc:creator") and xmp.get("dc:description")
            assert set(xmp.get("dc:language")) == {"en"} and xmp.get("pdf:Keywords")
        info = pdf.docinfo
        assert all(key in info for key in ("/Title", "/Author", "/Subject", "/Keywords"))
    from publish.validate import check_pdf
    assert check_pdf(dist / f"{slug}.pdf") == []


# Print settings and the printer profile ---------------------------------------------------------

LONG_CHAPTER = "# Chapter {n}\n\n" + "\n\n".join(
    "The workers' state was a transitional regime between capitalism and socialism, and its fate "
    "depended on the international revolution as much as on its own economy. " * 4 for _ in range(14)) + "\n"
PRINTER_CONFIG = """\
    title: A Printed Book
    author: [{name: Leon Trotsky}]
    identifier: isbn:978-0-306-40615-7
    publisher: Test Press
    description: A book made by the test suite to try the printer's profile, with a blurb on its back.
    print:
      trim: 6x9in
      margins: {top: 0.75in, bottom: 0.8in, inner: 0.7in, outer: 0.6in}
      gutter: 0.125in
      font_size: 11pt
      caliper: 0.4mm
    """


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("printer")
    chapters = {f"c{n}.md": LONG_CHAPTER.format(n=n) for n in range(1, 6)}
    root = write_book(base / "printed", chapters, PRINTER_CONFIG, TOY_BIBLIOGRAPHY)
    out = base / "out"
    result = run_publish("build", root, "--out", out, "--profile", "printer", "--format", "pdf")
    assert result.code == 0, result.stderr
    return out


def test_print_settings_set_the_page_and_the_body_size(printed: Path):
    reader = PdfReader(str(printed / "printed.pdf"))
    bleed = 0.125 * 72  # an inch trim gets the inch bleed
    for page in reader.pages:
        trim = page.trimbox
        assert math.isclose(float(trim.width), 6 * 72, abs_tol=0.01)
        assert math.isclose(float(trim.height), 9 * 72, abs_tol=0.01)
        assert math.isclose(float(page.mediabox.width), 6 * 72 + 2 * bleed, abs_tol=0.01)
        assert math.isclose(float(page.mediabox.height), 9 * 72 + 2 * bleed, abs_tol=0.01)
    assert len(reader.pages) % 2 == 0, "a printer's book has an even number of pages"
    sizes = [round(c.size, 1) for layout in extract_pages(str(printed / "printed.pdf"), page_numbers=[8])
             for box in layout if isinstance(box, LTTextBox) for line in box for c in line
             if isinstance(c, LTChar)]
    assert max(set(sizes), key=sizes.count) == 11.0


def test_printer_files_pass_the_structure_checks(printed: Path):
    from publish.validate import check_pdf
    assert check_pdf(printed / "printed.pdf") == []
    assert check_pdf(printed / "printed-cover.pdf", cover=True) == []
    with pikepdf.open(printed / "printed.pdf") as pdf, pdf.open_metadata() as xmp:
        assert xmp.get("dc:title") == "A Printed Book" and set(xmp.get("dc:language")) == {"en"}


def test_printer_cover_is_back_spine_and_front_with_bleed(printed: Path):
    pages = len(PdfReader(str(printed / "printed.pdf")).pages)
    spine = pages / 2 * 0.4 * MM
    bleed = 0.125 * 72
    [cover] = PdfReader(str(printed / "printed-cover.pdf")).pages
    assert abs(float(cover.mediabox.width) - (2 * 6 * 72 + spine + 2 * bleed)) < 0.5
    assert abs(float(cover.mediabox.height) - (9 * 72 + 2 * bleed)) < 0.5
    assert abs(float(cover.trimbox.width) - (2 * 6 * 72 + spine)) < 0.5
    text = " ".join(cover.extract_text().split())
    assert "with a blurb on its back" in text
    assert "ISBN 978-0-306-40615-7" in text
    # The spine (pages × 0.4 mm / 2 > 6 mm) is wide enough for its title.
    assert spine > 6 * MM and text.count("A Printed Book") >= 3  # back, spine, front


def test_narrow_spine_carries_no_text(dist: Path, tmp_path: Path):
    out = tmp_path / "out"
    result = run_publish("build", MANUSCRIPT / "lesson-of-the-soviet-union", "--out", out, "--profile", "printer",
                         "--format", "pdf")
    assert result.code == 0, result.stderr
    [cover] = PdfReader(str(out / "lesson-of-the-soviet-union-cover.pdf")).pages
    pages = len(PdfReader(str(out / "lesson-of-the-soviet-union.pdf")).pages)
    spine = pages / 2 * 0.1 * MM  # the default paper: 80 gsm uncoated, 0.1 mm a leaf
    assert abs(float(cover.mediabox.width) - (2 * A5[0] + spine + 2 * 3 * MM)) < 0.5
    assert cover.extract_text().count("The Lesson of the Soviet Union") == 2  # back and front only


def test_archive_profile_is_pdf_a(tmp_path: Path):
    out = tmp_path / "out"
    result = run_publish("build", MANUSCRIPT / "lesson-of-the-soviet-union", "--out", out, "--profile", "archive",
                         "--format", "pdf")
    assert result.code == 0, result.stderr
    with pikepdf.open(out / "lesson-of-the-soviet-union.pdf") as pdf:
        with pdf.open_metadata() as xmp:
            assert (xmp.get("pdfaid:part"), xmp.get("pdfaid:conformance")) == ("3", "B")
        assert "/OutputIntents" in pdf.Root and "/Encrypt" not in pdf.trailer
    # pikepdf's PDF/A validator, built on veraPDF's rules, approves the file (and check_pdf runs it).
    from pikepdf import pdfa
    report = pdfa.validate_written(out / "lesson-of-the-soviet-union.pdf", "3b")
    assert report.passed, report.findings
    from publish.validate import check_pdf
    assert check_pdf(out / "lesson-of-the-soviet-union.pdf") == []


@pytest.mark.parametrize("settings, message", [
    ("print: {trim: A7x}", "'print': trim: 'A7x' is not a trim size"),
    ("print: {trim: A5, caliper: 2mm}", "'print': caliper: 2mm is not a paper thickness per leaf"),
    ("print: {trim: A5, margins: {inner: 80mm}}", "'print': margins: the margins leave less than 40 %"),
    ("print: {size: A5}", "'print': unknown key 'size'"),
])
def test_bad_print_settings_are_errors_at_their_line(tmp_path: Path, settings: str, message: str):
    root = write_book(tmp_path / "bad", {"a.md": "# A\n\nText.\n"}, f"title: Bad\n{settings}\n")
    result = run_publish("check", root)
    assert result.code == 1 and "Traceback" not in result.stderr
    assert f"{root / 'book.yaml'}:2:1: error: {message}" in result.stderr, result.stderr


def test_changing_profile_replaces_the_outputs(tmp_path: Path):
    out = tmp_path / "out"
    book = MANUSCRIPT / "lesson-of-the-soviet-union"
    assert run_publish("build", book, "--out", out, "--profile", "printer", "--format", "pdf").code == 0
    assert (out / "lesson-of-the-soviet-union-cover.pdf").is_file()
    assert run_publish("build", book, "--out", out, "--format", "pdf").code == 0
    # The reader's PDF replaces the printer's, and the printer's cover is gone with it.
    assert not (out / "lesson-of-the-soviet-union-cover.pdf").exists()
    import json
    [artifact] = json.loads((out / "manifest.json").read_text())["books"]["lesson-of-the-soviet-union"]["artifacts"]
    assert (artifact["profile"], artifact["variant"]) == ("default", "pdf/ua-1")
    assert PdfReader(str(out / "lesson-of-the-soviet-union.pdf")).pages[0].mediabox.width < A5[0] + 0.01
