"""Reading the built editions back as a reader's software would: the EPUB unzipped, the HTML parsed,
the PDF's text and fonts read with pypdf."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import lxml.html
from lxml import etree
from pypdf import PdfReader

XHTML = "{http://www.w3.org/1999/xhtml}"


def letters(text: str) -> str:
    """Only the letters, lower-cased: robust to hyphenation, typography, line breaks and numbering."""
    return "".join(ch for ch in text.lower() if ch.isalpha())


def text_without_apparatus(root: etree._Element, joiner: str = " ") -> str:
    """Text of a page with citations and note references removed (they are checked elsewhere); its
    text nodes joined by `joiner` ("" keeps only the spaces the markup holds)."""
    for element in root.xpath(".//*[local-name()='span'][@class='citation'] | .//*[local-name()='a'][@class='noteref']"):
        tail = element.tail
        parent = element.getparent()
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + (tail or "")
        else:
            parent.text = (parent.text or "") + (tail or "")
        parent.remove(element)
    return joiner.join(root.itertext())


def html_text(path: Path) -> str:
    return text_without_apparatus(lxml.html.parse(str(path)).getroot())


def epub_documents(path: Path) -> list[tuple[str, etree._Element]]:
    """The EPUB's content documents in spine order, parsed as XML."""
    with zipfile.ZipFile(path) as epub:
        container = etree.fromstring(epub.read("META-INF/container.xml"))
        opf_path = container.xpath("//*[local-name()='rootfile']/@full-path")[0]
        opf = etree.fromstring(epub.read(opf_path))
        base = opf_path.rsplit("/", 1)[0] + "/" if "/" in opf_path else ""
        manifest = {i.get("id"): i.get("href") for i in opf.xpath("//*[local-name()='item']")}
        spine = [manifest[r.get("idref")] for r in opf.xpath("//*[local-name()='itemref']")]
        return [(href, etree.fromstring(epub.read(base + href))) for href in spine]


def epub_text(path: Path) -> str:
    return " ".join(text_without_apparatus(root) for _, root in epub_documents(path))


def pdf_pages(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(str(path)).pages]


def pdf_fonts(path: Path) -> list[tuple[str, bool]]:
    """(base font name, embedded?) for every font the PDF uses."""
    fonts = []
    for page in PdfReader(str(path)).pages:
        resources = page.get("/Resources")
        if not resources or "/Font" not in resources:
            continue
        for font in resources["/Font"].get_object().values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor else {}
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts.append((str(font["/BaseFont"]), embedded))
    return sorted(set(fonts))


def contains_with_gap(haystack: str, needle: str, gap: int = 2500) -> bool:
    """`needle` occurs in `haystack`, whole or split once with at most `gap` letters between the parts
    (a sentence running across a PDF page break has the page's footnotes and running heads in between)."""
    if needle in haystack:
        return True
    for cut in range(3, len(needle) - 3):
        head, tail = needle[:cut], needle[cut:]
        for match in re.finditer(re.escape(head), haystack):
            end = match.end()
            if haystack.find(tail, end, end + gap + len(tail)) >= 0:
                return True
    return False


def ed(kind: str, inner: str) -> str:
    """The markup of an editorial bracket of `kind` around `inner`, as every format carries it."""
    return (f'<span class="ed ed-{kind}"><span class="ed-bracket">[</span>{inner}'
            f'<span class="ed-bracket">]</span></span>')
