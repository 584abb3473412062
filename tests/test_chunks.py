"""A long book laid out in chunks of chapters on several processes reads exactly as the same book laid
out in one pass: pages, the text of every page (running heads and folios included), the contents'
page numbers, outline, links and their targets, metadata, and the EPUB's page list."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from tests.conftest import MANUSCRIPT, run_publish, write_book
from tests.test_print import lines, outline, rows

# The Trotsky interview four times over, each copy a chapter with its 55 citations, and the Toussaint
# interview twice, with its footnotes (numbered through the book): about 150 pages. Chunks of about
# 9,000 words put each chapter in a chunk of its own.
ONE_PASS = {"PUBLISH_CHUNK_MIN_WORDS": "1000000000"}
CHUNKED = {"PUBLISH_CHUNK_MIN_WORDS": "1000", "PUBLISH_CHUNK_WORDS": "9000"}


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("chunks")
    source = MANUSCRIPT / "leon-trotsky-speaks"
    book = base / "long"
    book.mkdir()
    (base / "bibliography.yaml").write_bytes((MANUSCRIPT / "bibliography.yaml").read_bytes())
    body = (source / "interview.md").read_text("utf-8").split("\n", 1)[1]
    noted = (MANUSCRIPT / "lesson-of-the-soviet-union" / "interview.md").read_text("utf-8").split("\n", 1)[1]
    names = []
    for n in range(1, 5):
        (book / f"part-{n}.md").write_text(f"# Part {n}: Burying Stalinism\n{body}", encoding="utf-8")
        names.append(f"part-{n}.md")
        if n in (2, 4):
            (book / f"notes-{n}.md").write_text(f"# Interlude {n}\n{noted}", encoding="utf-8")
            names.append(f"notes-{n}.md")
    (book / "note.md").write_text((source / "edition-note.md").read_text("utf-8"), encoding="utf-8")
    config = (source / "book.yaml").read_text("utf-8").split("\nchapters:")[0]
    (book / "book.yaml").write_text(config + "\nchapters: [note.md, " + ", ".join(names) + "]\n", encoding="utf-8")
    outs = {}
    for name, env, jobs in (("one-pass", ONE_PASS, "1"), ("chunked", CHUNKED, "2"), ("chunked-1", CHUNKED, "1")):
        out = base / name
        # --force: laid out again, not taken from the layout cache the build before filled (beside it)
        result = run_publish("build", book, "--out", out, "--jobs", jobs, "--format", "pdf", "--format", "epub",
                             "--force", env=env)
        assert result.code == 0, result.stderr
        outs[name] = out
    return outs


def test_chunks_do_not_depend_on_the_number_of_processes(builds):
    for name in ("long.pdf", "long.epub"):
        assert (builds["chunked"] / name).read_bytes() == (builds["chunked-1"] / name).read_bytes()


def test_every_page_reads_the_same(builds):
    one, chunked = builds["one-pass"] / "long.pdf", builds["chunked"] / "long.pdf"
    assert len(PdfReader(str(one)).pages) == len(PdfReader(str(chunked)).pages) > 100
    for number, (a, b) in enumerate(zip(lines(one), lines(chunked)), start=1):
        assert rows(a) == rows(b), f"page {number}"
    # The second interlude's notes go on from the first's (1-3, then 4-6), in both.
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(str(chunked)).pages)
    assert text.count("Refers to the paper presented") == 2
    assert "1. Refers to the paper presented" in text and "4. Refers to the paper presented" in text


def test_outline_links_and_metadata_are_the_same(builds):
    one, chunked = builds["one-pass"] / "long.pdf", builds["chunked"] / "long.pdf"
    assert outline(one) == outline(chunked)
    found = []
    for path in (one, chunked):
        with pikepdf.open(path) as pdf:
            names = pdf.Root.Names.Dests.Names
            targets = {str(names[i]): (pikepdf.Page(names[i + 1][0]).index, round(float(names[i + 1][3]), 1))
                       for i in range(0, len(names), 2)}
            links = [(page.index, str(annotation.Dest)) for page in pdf.pages
                     for annotation in page.obj.get("/Annots", []) if "/Dest" in annotation]
            assert links and all(target in targets for _, target in links)  # every link resolves
            with pdf.open_metadata() as xmp:
                metadata = (dict(pdf.docinfo.items()), xmp.get("dc:title"), xmp.get("pdfuaid:part"))
            found.append((targets, links, metadata, len(pdf.Root.StructTreeRoot.K[0].K)))
    assert found[0] == found[1]
    from publish.validate import check_pdf
    assert check_pdf(chunked) == []  # qpdf's syntax check, fonts, structure tree, XMP


def test_the_epub_page_list_is_the_same(builds):
    def page_list(path: Path) -> bytes:
        with zipfile.ZipFile(path) as epub:
            return b"".join(epub.read(n) for n in sorted(epub.namelist()) if n.endswith((".xhtml", ".opf")))
    assert page_list(builds["one-pass"] / "long.epub") == page_list(builds["chunked"] / "long.epub")


FOLIO_CSS = """\
@page :right { @top-right { content: string(chapter-title) " · " counter(page); } }
@page :blank { @bottom-center { content: "blank page " counter(page); } }
@page :nth(1 of main) { @bottom-center { content: "— " counter(page) " —"; } }
"""


def test_folios_styled_by_the_books_stylesheet_are_those_of_one_pass(tmp_path: Path):
    """A book's own print stylesheet gives its folios a running head beside them, a style of their own
    on a chapter's first page, and a folio on blank pages: laid out in chunks, every page of the body
    (the blank versos between chunks too) reads as in one pass."""
    lorem = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt. " * 6
    chapters = {f"c{n}.md": f"# Chapter {n}\n\n" + "\n\n".join([lorem] * paragraphs) + "\n"
                for n, paragraphs in zip(range(1, 5), (10, 14, 6, 11))}  # some end on a right-hand page
    config = "title: Folios\nauthor: [{name: A. Writer}]\nlanguage: en\ncss: {print: print.css}\n"
    book = write_book(tmp_path / "book", chapters, config)
    (book / "print.css").write_text(FOLIO_CSS, "utf-8")
    outs = {}
    for name, env in (("one-pass", ONE_PASS), ("chunked", {**CHUNKED, "PUBLISH_CHUNK_WORDS": "500"})):
        outs[name] = tmp_path / name
        result = run_publish("build", book, "--out", outs[name], "--format", "pdf", "--force", env=env)
        assert result.code == 0, result.stderr
    one, chunked = (lines(outs[name] / "book.pdf") for name in ("one-pass", "chunked"))
    assert len(one) == len(chunked)
    first = next(n for n, page in enumerate(one) if rows(page)[0] == "Chapter 1")
    for number in range(first, len(one)):
        assert rows(one[number]) == rows(chunked[number]), f"page {number + 1}"
    folios = [row for page in chunked[first:] for row in rows(page)]
    assert [row for row in folios if re.fullmatch(r"— \d+ —", row)]  # a chapter's first page
    assert [row for row in folios if re.fullmatch(r"(Chapter \d) \1 · \d+", row)]  # a right-hand page
    assert [row for row in folios if re.fullmatch(r"blank page \d+", row)]  # a blank verso between chunks
