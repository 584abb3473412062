"""The catalogue for readers' apps and shops: covers on the catalogue page, an OPDS 1.2 acquisition feed
and an Atom feed of releases (validated against the OPDS RELAX NG schema, read by feedparser), and an
ONIX for Books 3.0 feed (validated by onixcheck against the ONIX 3.0 schema)."""

from __future__ import annotations

import copy
import zipfile
from pathlib import Path

import feedparser
import lxml.html
import pytest
from lxml import etree
from onixcheck import validate
from PIL import Image
from pypdf import PdfReader

from tests.conftest import BOOKS

SCHEMAS = Path(__file__).parent / "schemas"
ATOM = {"a": "http://www.w3.org/2005/Atom", "dc": "http://purl.org/dc/terms/"}
ONIX = {"o": "http://ns.editeur.org/onix/3.0/reference"}
ACQUISITION = "http://opds-spec.org/acquisition"
SOURCE_DATE = "2023-11-14T22:13:20Z"  # SOURCE_DATE_EPOCH=1700000000, as the tests build


def opds_schema() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(SCHEMAS / "opds.rng")))


# The catalogue page ---------------------------------------------------------------------------------

def test_the_catalogue_shows_each_books_cover_in_two_sizes(dist: Path):
    page = lxml.html.parse(str(dist / "index.html")).getroot()
    covers = page.xpath("//article[@class='book-card']//img[@class='cover']")
    assert len(covers) == len(BOOKS)
    for img in covers:
        candidates = [part.split() for part in img.get("srcset").split(",")]
        assert [width for _, width in candidates] == ["200w", "400w"] and img.get("src") == candidates[0][0]
        assert img.get("alt").startswith("Cover of ") and img.get("sizes")
        for name, width in candidates:
            image = Image.open(dist / name)
            assert image.format == "JPEG" and image.size == (int(width[:-1]), int(width[:-1]) * 3 // 2)
    feeds = {link.get("href"): link.get("type") for link in page.xpath("//head/link[@rel='alternate']")}
    assert feeds == {"opds.xml": "application/atom+xml;profile=opds-catalog;kind=acquisition",
                     "releases.xml": "application/atom+xml"}


@pytest.mark.parametrize("slug", BOOKS)
def test_the_whole_cover_beside_the_web_edition_is_the_epubs(dist: Path, slug: str):
    with zipfile.ZipFile(dist / f"{slug}.epub") as epub:
        assert (dist / slug / "cover.png").read_bytes() == epub.read("EPUB/images/cover.png")


# OPDS -------------------------------------------------------------------------------------------------

def test_the_opds_feed_is_valid_opds(dist: Path):
    schema = opds_schema()
    feed = etree.parse(str(dist / "opds.xml"))
    assert schema.validate(feed), schema.error_log
    # The schema is no formality: an entry without its id, or a buy link without a price, fails it.
    for broken in ("//a:entry/a:id", "//a:link[@rel='" + ACQUISITION + "']"):
        wrong = copy.deepcopy(feed)
        element = wrong.xpath(broken, namespaces=ATOM)[0]
        if broken.endswith("']"):
            element.set("rel", ACQUISITION + "/buy")
        else:
            element.getparent().remove(element)
        assert not schema.validate(wrong), broken


def test_an_opds_client_reads_every_book_and_its_downloads(dist: Path):
    feed = feedparser.parse(str(dist / "opds.xml"))
    assert not feed.bozo and feed.version == "atom10"
    assert feed.feed.updated == SOURCE_DATE  # the books' source date, not the time of the build
    assert sorted(entry.title.split(":")[0] for entry in feed.entries) == [
        "Leon Trotsky Speaks", "The Lesson of the Soviet Union Is that the Bureaucracy Chooses Capitalist Restoration"]
    for entry in feed.entries:
        slug = next(s for s in BOOKS if f"{s}.epub" in {link.href for link in entry.links})
        links = {(link.rel, link.type): link.href for link in entry.links}
        assert links[(ACQUISITION, "application/epub+zip")] == f"{slug}.epub"
        assert links[(ACQUISITION, "application/pdf")] == f"{slug}.pdf"
        assert links[("http://opds-spec.org/image", "image/png")] == f"{slug}/cover.png"
        assert links[("http://opds-spec.org/image/thumbnail", "image/jpeg")] == f"{slug}/cover-400.jpg"
        assert links[("alternate", "text/html")] == f"{slug}/index.html"
        assert entry.summary and entry.authors and entry.updated == SOURCE_DATE
        assert entry.id.startswith("urn:uuid:") and entry.dcterms_identifier == entry.id
        assert entry.dcterms_language == "en" and entry.tags and entry.published  # dc:issued


def test_the_releases_feed_lists_each_edition_with_its_files(dist: Path):
    schema = opds_schema()  # an Atom feed: the OPDS schema includes Atom's
    assert schema.validate(etree.parse(str(dist / "releases.xml"))), schema.error_log
    feed = feedparser.parse(str(dist / "releases.xml"))
    assert not feed.bozo and feed.version == "atom10" and len(feed.entries) == len(BOOKS)
    for entry in feed.entries:
        assert ", edition 1.0" in entry.title and entry.updated == SOURCE_DATE
        assert sorted(e.type for e in entry.enclosures) == ["application/epub+zip", "application/pdf"]


@pytest.mark.parametrize("name", ["opds.xml", "releases.xml"])
def test_every_link_of_the_feeds_resolves_to_a_file(dist: Path, name: str):
    links = etree.parse(str(dist / name)).xpath("//a:link", namespaces=ATOM)
    assert len(links) >= 4 * len(BOOKS)
    for link in links:
        target = dist / link.get("href")
        assert target.is_file(), link.get("href")
        if link.get("length"):
            assert int(link.get("length")) == target.stat().st_size


# ONIX -------------------------------------------------------------------------------------------------

def test_the_onix_feed_passes_onixcheck(dist: Path):
    assert validate(str(dist / "onix.xml")) == []


def products(dist: Path) -> dict[str, etree._Element]:
    onix = etree.parse(str(dist / "onix.xml"))
    return {p.findtext("o:RecordReference", namespaces=ONIX): p for p in onix.xpath("//o:Product", namespaces=ONIX)}


def values(product: etree._Element, path: str) -> list[str]:
    return [e.text for e in product.xpath(path, namespaces=ONIX)]


def test_one_onix_product_per_book_and_format(dist: Path):
    assert sorted(products(dist)) == sorted(f"{slug}.{fmt}" for slug in BOOKS for fmt in ("epub", "pdf"))
    for name, product in products(dist).items():
        form = values(product, ".//o:ProductFormDetail")
        assert form == (["E101", "E200"] if name.endswith(".epub") else ["E107", "E201"])
        assert values(product, ".//o:Language/o:LanguageCode") == ["eng"]
        pages = len(PdfReader(str(dist / (name.rsplit(".", 1)[0] + ".pdf"))).pages)
        assert values(product, ".//o:Extent/o:ExtentValue") == [str(pages)]  # the real page count
        assert values(product, ".//o:Subject/o:SubjectHeadingText")
        assert values(product, ".//o:TitleText")[0].startswith(("Leon Trotsky Speaks", "The Lesson"))


def test_onix_contributors_dates_and_publishers(dist: Path):
    found = products(dist)
    roles = lambda name: [(c.findtext("o:ContributorRole", namespaces=ONIX), c.findtext("o:PersonName", namespaces=ONIX))
                          for c in found[name].xpath(".//o:Contributor", namespaces=ONIX)]
    assert roles("leon-trotsky-speaks.epub") == [("A01", "Leon Trotsky"), ("B01", "Murray E.G. Smith")]
    assert roles("lesson-of-the-soviet-union.pdf") == [("A44", "Eric Toussaint"), ("A43", "Wilder Pérez Varona")]
    date = lambda name: found[name].xpath(".//o:PublishingDate/o:Date", namespaces=ONIX)[0]
    assert (date("leon-trotsky-speaks.pdf").text, date("leon-trotsky-speaks.pdf").get("dateformat")) == ("201108", "01")
    assert (date("lesson-of-the-soviet-union.epub").text,
            date("lesson-of-the-soviet-union.epub").get("dateformat")) == ("20190605", "00")
    assert values(found["lesson-of-the-soviet-union.epub"], ".//o:PublisherName") == ["Global Research"]


@pytest.mark.parametrize("slug", BOOKS)
def test_onix_gives_the_epubs_accessibility_as_it_declares_it(dist: Path, slug: str):
    found = products(dist)
    codes = set(values(found[f"{slug}.epub"], ".//o:ProductFormFeature[o:ProductFormFeatureType='09']"
                                               "/o:ProductFormFeatureValue"))
    with zipfile.ZipFile(dist / f"{slug}.epub") as epub:
        opf = etree.fromstring(epub.read("EPUB/content.opf"))
    declared = set(opf.xpath("//*[@property='schema:accessibilityFeature']/text()"))
    conforms = opf.xpath("//*[@property='dcterms:conformsTo']/text()")
    assert conforms == ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"] and {"04", "81", "85"} <= codes
    # schema.org features -> ONIX list 196
    for feature, code in (("tableOfContents", "11"), ("readingOrder", "13"), ("alternativeText", "14"),
                          ("printPageNumbers", "19"), ("pageNavigation", "41"),
                          ("displayTransformability", "36")):
        assert (feature in declared) == (code in codes), (feature, code)
    summary = values(found[f"{slug}.epub"], ".//o:ProductFormFeature[o:ProductFormFeatureValue='00']"
                                            "/o:ProductFormFeatureDescription")
    assert summary == opf.xpath("//*[@property='schema:accessibilitySummary']/text()")
    assert not values(found[f"{slug}.pdf"], ".//o:ProductFormFeature")  # the PDF claims nothing
    related = found[f"{slug}.epub"].xpath(".//o:RelatedProduct[o:ProductRelationCode='13']//o:IDValue",
                                          namespaces=ONIX)
    assert [e.text for e in related] == [f"{slug}.pdf"]  # the source of its page numbers


def test_the_feeds_hold_no_time_of_the_build(dist: Path):
    for name in ("opds.xml", "releases.xml", "onix.xml"):
        text = (dist / name).read_text("utf-8")
        assert "2023-11-14T22:13:20Z" in text or "20231114T2213Z" in text, name
