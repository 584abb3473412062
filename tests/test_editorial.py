"""Editorial apparatus: every bracket classified alike in the manuscript, HTML, EPUB and PDF; brackets
upright in italic text; the generated conventions note; the highlight toggle of the web edition."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import lxml.html
import pytest
from pypdf import PdfReader

from tests.conftest import BOOKS, MANUSCRIPT, run_publish, write_book
from tests.editions import epub_documents, pdf_pages

KINDS = ("insert", "omission", "sic", "note")


def manuscript_counts(slug: str) -> Counter[str]:
    """Editorial brackets counted straight from the Markdown, independently of the parser."""
    counts: Counter[str] = Counter()
    for chapter in (MANUSCRIPT / slug).glob("*.md"):
        text = chapter.read_text("utf-8")
        for m in re.finditer(r"(?<!\\)\[([^\[\]]+)\](?!\()", text):
            inner = m[1].strip()
            if inner.startswith("^") or "@" in inner:
                continue  # footnote references and citations
            if (m.start() == 0 or text[m.start() - 1] == "\n") and text[m.end():m.end() + 1] == ":":
                continue  # a link reference definition
            kind = ("omission" if inner in ("...", "…") else "sic" if inner == "sic"
                    else "note" if re.search(r"[–—-]\s*ed\.$", inner) else "insert")
            counts[kind] += 1
    return counts


def span_counts(roots) -> Counter[str]:
    counts: Counter[str] = Counter()
    for root in roots:
        for span in root.xpath("//*[local-name()='span'][starts-with(@class, 'ed ed-')]"):
            counts[span.get("class").split("ed-")[1]] += 1
    return counts


@pytest.mark.parametrize("slug", BOOKS)
def test_bracket_counts_agree_in_manuscript_html_epub_and_pdf(dist: Path, slug: str):
    expected = manuscript_counts(slug)
    html_root = lxml.html.parse(str(dist / slug / "all.html")).getroot()
    assert span_counts([html_root]) == expected
    assert span_counts([doc for _, doc in epub_documents(dist / f"{slug}.epub")]) == expected
    # The PDF's text: the same brackets, classified by what they contain.
    pdf = " ".join(pdf_pages(dist / f"{slug}.pdf"))
    main = "".join(html_root.find(".//main").itertext())
    assert pdf.count("[") == main.count("[") and pdf.count("]") == main.count("]")
    assert pdf.count("[…]") - main.count("[…]") == 0 and main.count("[…]") >= expected["omission"]
    assert len(re.findall(r"–\s*ed\.\]", pdf)) == expected["note"]
    assert len(re.findall(r"\[sic\]", pdf)) == len(re.findall(r"\[sic\]", main))


def test_trotsky_has_about_180_insertions():
    counts = manuscript_counts("leon-trotsky-speaks")
    assert 175 <= counts["insert"] <= 190 and counts["note"] == 1


def test_bracket_in_italic_text_is_set_upright(tmp_path: Path):
    root = write_book(tmp_path / "book", {"a.md": "# A\n\nIt was *in the [Bolshevik] party* then.\n"}, "title: T\n")
    out = tmp_path / "out"
    assert run_publish("build", root, "--out", out, "--format", "pdf").code == 0
    runs: list[tuple[str, str]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            runs.append((text, str(font.get("/BaseFont")) if font else ""))

    for page in PdfReader(str(out / "book.pdf")).pages:
        page.extract_text(visitor_text=visit)
    fonts = {}
    for text, font in runs:
        for ch in ("[", "]", "Bolshevik", "party"):
            if ch in text:
                fonts.setdefault(ch, set()).add(font)
    assert all(not f.endswith("-Italic") for f in fonts["["] | fonts["]"]), fonts
    assert all(f.endswith("-Italic") for f in fonts["Bolshevik"] | fonts["party"]), fonts


@pytest.mark.parametrize("slug", BOOKS)
def test_no_line_breaks_inside_brackets_in_print(dist: Path, slug: str):
    for number, page in enumerate(pdf_pages(dist / f"{slug}.pdf"), 1):
        for line in page.splitlines():
            assert not line.rstrip().endswith("["), (number, line)
            assert not line.lstrip().startswith("]"), (number, line)


def test_conventions_note_follows_the_editorial_note(dist: Path):
    root = lxml.html.parse(str(dist / "leon-trotsky-speaks" / "all.html")).getroot()
    ids = [s.get("id") for s in root.xpath("//main/section | //main/article/section")]
    assert ids.index("editorial-conventions") == ids.index("editorial-note") + 1
    note = " ".join(root.get_element_by_id("editorial-conventions").text_content().split())
    counts = manuscript_counts("leon-trotsky-speaks")
    assert f"Words in square brackets were supplied by the editor ({counts['insert']} instances)." in note
    assert "CS, Contemporary Socialist; LT, Leon Trotsky." in note
    epub_names = [name for name, _ in epub_documents(dist / "leon-trotsky-speaks.epub")]
    assert epub_names.index("editorial-conventions.xhtml") == epub_names.index("editorial-note.xhtml") + 1
    pdf = " ".join(" ".join(pdf_pages(dist / "leon-trotsky-speaks.pdf")).split())
    assert f"supplied by the editor ({counts['insert']} instances)" in pdf


def test_interview_without_editorial_note_gets_the_note_at_the_end_of_the_front_matter(dist: Path):
    root = lxml.html.parse(str(dist / "lesson-of-the-soviet-union" / "all.html")).getroot()
    sections = root.xpath("//main/section | //main/article/section")
    roles = [(s.get("id"), s.get("class")) for s in sections]
    assert roles[:3] == [("a-note-on-this-edition", "chapter front"),
                         ("editorial-conventions", "chapter front"), ("the-interview", "chapter body first-body")]
    note = sections[1].text_content()
    assert "(1 instance)" in note


def test_web_edition_has_a_keyboard_toggle_for_highlighting(dist: Path):
    page = (dist / "leon-trotsky-speaks" / "all.html").read_text("utf-8")
    assert '<input type="checkbox" id="show-editorial"/>' in page and "<label>" in page
    css = (dist / "leon-trotsky-speaks" / "assets" / "web.css").read_text("utf-8")
    assert "body:has(#show-editorial:checked) .ed" in css
