"""The EPUB for readers: package metadata, accessibility metadata, navigation, the cover, and the print
edition's pages carried into the EPUB from the real layout of the PDF."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image
from pypdf import PdfReader

from publish.model import roman_numeral
from tests.conftest import BOOKS
from tests.editions import epub_documents, letters
from tests.test_build import construct_book  # noqa: F401 (a fixture: the book of every construct)

OPF = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
XHTML = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}


def package(epub: Path) -> etree._Element:
    with zipfile.ZipFile(epub) as z:
        return etree.fromstring(z.read("EPUB/content.opf"))


def nav(epub: Path) -> etree._Element:
    with zipfile.ZipFile(epub) as z:
        return etree.fromstring(z.read("EPUB/nav.xhtml"))


def metas(opf: etree._Element, prop: str) -> list[str]:
    return [m.text for m in opf.xpath(f"//opf:meta[@property='{prop}']", namespaces=OPF)]


def test_package_metadata_of_the_interview(dist: Path):
    opf = package(dist / "lesson-of-the-soviet-union.epub")
    dc = lambda name: [e.text for e in opf.xpath(f"//dc:{name}", namespaces=OPF)]
    assert dc("title") == [("The Lesson of the Soviet Union Is that the Bureaucracy Chooses Capitalist "
                            "Restoration"), "An Interview"]
    assert metas(opf, "title-type") == ["subtitle"]
    creators = {e.text: opf.xpath(f"//opf:meta[@refines='#{e.get('id')}'][@property='role']/text()",
                                  namespaces=OPF) for e in opf.xpath("//dc:creator", namespaces=OPF)}
    assert creators == {"Eric Toussaint": ["ive"], "Wilder Pérez Varona": ["ivr"]}
    assert dc("language") == ["en"] and dc("identifier")[0].startswith("urn:uuid:")
    assert dc("publisher") == ["Global Research"] and dc("rights")[0].startswith("Copyright ©")
    assert dc("description") and dc("subject") and dc("source")
    assert metas(opf, "dcterms:modified") == ["2023-11-14T22:13:20Z"]  # SOURCE_DATE_EPOCH=1700000000


def test_editor_and_author_roles(dist: Path):
    opf = package(dist / "leon-trotsky-speaks.epub")
    assert sorted(opf.xpath("//opf:meta[@property='role']/text()", namespaces=OPF)) == ["aut", "edt"]


@pytest.mark.parametrize("slug", BOOKS)
def test_accessibility_metadata(dist: Path, slug: str):
    opf = package(dist / f"{slug}.epub")
    assert set(metas(opf, "schema:accessMode")) == {"textual", "visual"}
    assert metas(opf, "schema:accessModeSufficient") == ["textual"]
    features = set(metas(opf, "schema:accessibilityFeature"))
    assert {"structuralNavigation", "tableOfContents", "readingOrder", "printPageNumbers",
            "pageBreakMarkers", "alternativeText"} <= features
    assert metas(opf, "schema:accessibilityHazard") == ["none"]
    assert metas(opf, "schema:accessibilitySummary")[0].startswith("This publication meets WCAG 2.1")
    assert metas(opf, "dcterms:conformsTo") == ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]
    assert metas(opf, "pageBreakSource")[0].endswith("(PDF, publish)")


@pytest.mark.parametrize("slug", BOOKS)
def test_every_document_declares_its_language(dist: Path, slug: str):
    for name, doc in epub_documents(dist / f"{slug}.epub"):
        assert doc.get("lang") == "en" and doc.get("{http://www.w3.org/XML/1998/namespace}lang") == "en", name


@pytest.mark.parametrize("slug", BOOKS)
def test_generated_cover_is_marked_and_described(dist: Path, slug: str):
    opf = package(dist / f"{slug}.epub")
    [item] = opf.xpath("//opf:item[@properties='cover-image']", namespaces=OPF)
    with zipfile.ZipFile(dist / f"{slug}.epub") as z:
        image = Image.open(io.BytesIO(z.read("EPUB/" + item.get("href"))))
        cover = etree.fromstring(z.read("EPUB/cover.xhtml"))
    assert image.size == (1600, 2400)
    [img] = cover.xpath("//x:img", namespaces=XHTML)
    assert img.get("alt").startswith("Cover: ") and img.get("src") == item.get("href")


@pytest.mark.parametrize("slug", BOOKS)
def test_navigation_has_contents_landmarks_and_page_list(dist: Path, slug: str):
    document = nav(dist / f"{slug}.epub")
    kinds = lambda kind: document.xpath(f"//x:nav[@epub:type='{kind}']//x:a", namespaces=XHTML)
    assert len(kinds("toc")) >= 4
    landmarks = [a.get("{http://www.idpf.org/2007/ops}type") for a in kinds("landmarks")]
    assert landmarks == ["cover", "titlepage", "toc", "bodymatter", "bibliography"]
    labels = [a.text for a in kinds("page-list")]
    body = labels[labels.index("1"):]
    assert body == [str(n) for n in range(1, len(body) + 1)]
    front = [roman_numeral(n) for n in range(1, 40)]
    assert labels[:labels.index("1")] == sorted(labels[:labels.index("1")], key=front.index), "in page order"


def printed_pages(pdf: Path) -> list[tuple[str, str]]:
    """(the page's number as printed, its text) for every page of the PDF: the pages before the one
    whose folio is 1 (the first of the body) are counted from the first page, in roman numerals."""
    texts = [page.extract_text() or "" for page in PdfReader(str(pdf)).pages]
    body = next(i for i, text in enumerate(texts) if text.split()[-1:] == ["1"])  # its folio
    return [(roman_numeral(i + 1) if i < body else str(i - body + 1), text) for i, text in enumerate(texts)]


def pages_the_epub_holds(pdf: Path) -> dict[str, str]:
    """By label, the text of every printed page whose text the EPUB holds: every page with text but the
    half title (the first page) and the printed contents (the EPUB has its navigation document)."""
    return {label: text for n, (label, text) in enumerate(printed_pages(pdf))
            if n and text.strip() and not text.strip().isdigit() and not text.startswith("Contents")}


def _text_after_markers(epub: Path) -> dict[str, str]:
    """For each page-break marker, by its label, the EPUB's text that follows it (note numbers left out)."""
    following = {}
    for _, doc in epub_documents(epub):
        for mark in doc.xpath("//*[@epub:type='pagebreak']", namespaces=XHTML):
            texts = mark.xpath("following::text()[not(ancestor::*[@class='noteref'])]")
            following[mark.get("aria-label")] = letters("".join(texts[:60]))
    return following


def assert_markers_stand_before_each_page(pdf: Path, epub: Path) -> None:
    """A marker for every printed page whose text the EPUB holds, front matter included, followed by
    the first words printed on that page; the other markers are those of blank pages."""
    held = pages_the_epub_holds(pdf)
    after = _text_after_markers(epub)
    blank = {label for label, text in printed_pages(pdf) if not text.strip() or text.strip().isdigit()}
    assert set(held) <= set(after), sorted(set(held) - set(after))
    assert set(after) - set(held) <= blank, sorted(set(after) - set(held) - blank)
    for label, text in held.items():
        first_line = letters(text.splitlines()[0])[:25]
        assert after[label].startswith(first_line), (label, first_line, after[label][:40])


@pytest.mark.parametrize("slug", BOOKS)
def test_page_markers_stand_before_the_first_words_of_each_printed_page(dist: Path, slug: str):
    assert_markers_stand_before_each_page(dist / f"{slug}.pdf", dist / f"{slug}.epub")
    held = pages_the_epub_holds(dist / f"{slug}.pdf")
    front = {"leon-trotsky-speaks": ["iii", "iv", "vii", "viii", "ix", "xi", "xiii", "xv", "xvi"],
             "lesson-of-the-soviet-union": ["iii", "iv", "vii", "viii", "ix"]}[slug]
    assert [label for label in held if not label.isdigit()] == front  # title, copyright, front matter


def test_page_list_of_a_book_with_front_matter(construct_book):  # noqa: F811 (the fixture imported)
    _, out = construct_book
    assert_markers_stand_before_each_page(out / "every-construct.pdf", out / "every-construct.epub")


@pytest.mark.skipif(not shutil.which("calibre-debug"), reason="calibre (a real reading engine) is not installed")
@pytest.mark.parametrize("slug", BOOKS)
def test_calibre_reads_the_navigation_and_the_text(dist: Path, slug: str, tmp_path: Path):
    script = ("import sys\nfrom calibre.ebooks.oeb.polish.container import get_container\n"
              "from calibre.ebooks.oeb.polish.toc import get_toc, get_landmarks\n"
              "c = get_container(sys.argv[1], tweak_mode=True)\n"
              "print('|'.join(n.title for n in get_toc(c).iterdescendants()))\n"
              "print('|'.join(l['type'] for l in get_landmarks(c)))\n")
    done = subprocess.run(["calibre-debug", "-c", script, str(dist / f"{slug}.epub")], capture_output=True,
                          text=True, timeout=300, check=True)
    toc, landmarks = done.stdout.strip().splitlines()[-2:]
    assert toc.split("|")[0] == "Title page" and toc.split("|")[-1] == "References"
    assert landmarks == "cover|titlepage|toc|bodymatter|bibliography"
    text = tmp_path / "book.txt"
    subprocess.run(["ebook-convert", str(dist / f"{slug}.epub"), str(text)], capture_output=True, timeout=300,
                   check=True)
    assert "Trotsky, Leon. (1937b) 1970. The Revolution Betrayed. New York." in text.read_text("utf-8")
