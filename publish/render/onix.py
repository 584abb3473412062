"""The catalogue as ONIX for Books 3.0 (`onix.xml`, reference tags), the feed distributors and shops
read: one product per edition and format (EPUB, PDF) with its identifiers, title, contributors and their
roles, language, extent from the real page count, subjects, publisher, publishing date and, for the
EPUB, the accessibility features its package declares, as codes of ONIX list 196."""

from __future__ import annotations

import re

import pycountry
from lxml import etree

from publish.render.catalogue import Listing, by_title
from publish.render.feeds import book_urn

NS = "http://ns.editeur.org/onix/3.0/reference"
# Codes of the ONIX code lists (issue 75), named where they are used.
CONTRIBUTOR_ROLES = {"author": "A01", "interviewee": "A44", "interviewer": "A43", "editor": "B01",
                     "translator": "B06"}  # list 17
FORMATS = {"epub": ("E101", "E200"), "pdf": ("E107", "E201")}  # list 175: EPUB reflowable, PDF fixed
ACCESSIBILITY = ["04", "81", "85", "10", "36", "11", "13", "14", "22", "30", "32", "52"]  # list 196
PAGE_NAVIGATION = ["19", "41"]  # list 196: print-equivalent page numbering, page list navigation
DATE_FORMATS = {8: "00", 6: "01", 4: "05"}  # list 55 by digits: YYYYMMDD, YYYYMM, YYYY


def render_onix(listings: list[Listing]) -> bytes:
    """The ONIX message for every book of the catalogue."""
    message = etree.Element(f"{{{NS}}}ONIXMessage", release="3.0", nsmap={None: NS})
    header = _add(message, "Header")
    sender = _add(header, "Sender")
    publishers = sorted({listing.doc.config.publisher for listing in listings if listing.doc.config.publisher})
    _add(sender, "SenderName", ", ".join(publishers) or "publish")
    newest = max(listing.updated for listing in listings)
    _add(header, "SentDateTime", newest.strftime("%Y%m%dT%H%MZ"))
    for listing in by_title(listings):
        for fmt in FORMATS:
            if listing.has(f"{listing.slug}.{fmt}"):
                message.append(_product(listing, fmt))
    return etree.tostring(message, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _product(listing: Listing, fmt: str) -> etree._Element:
    config = listing.doc.config
    product = etree.Element(f"{{{NS}}}Product")
    _add(product, "RecordReference", _record(listing, fmt))
    _add(product, "NotificationType", "03")  # confirmed on publication
    _identifier(product, "ProductIdentifier", "ProductIDType", _record(listing, fmt))
    own = config.identifier.epub if fmt == "epub" and not config.identifier.shared else ""
    if own.startswith("isbn:") and len(own[5:].replace("-", "")) == 13:  # the EPUB's own ISBN
        _identifier(product, "ProductIdentifier", "ProductIDType", own[5:].replace("-", ""), "15")
    detail = _add(product, "DescriptiveDetail")
    _add(detail, "ProductComposition", "00")  # a single-component retail product
    _add(detail, "ProductForm", "ED")  # digital download
    for code in FORMATS[fmt]:
        _add(detail, "ProductFormDetail", code)
    if fmt == "epub":
        _accessibility(detail, listing)
    _add(detail, "EpubTechnicalProtection", "00")  # none
    title_detail = _add(detail, "TitleDetail")
    _add(title_detail, "TitleType", "01")  # the distinctive title
    title = _add(title_detail, "TitleElement")
    _add(title, "TitleElementLevel", "01")
    _add(title, "TitleText", config.title)
    if config.subtitle:
        _add(title, "Subtitle", config.subtitle)
    for n, person in enumerate(config.author, 1):
        contributor = _add(detail, "Contributor")
        _add(contributor, "SequenceNumber", str(n))
        _add(contributor, "ContributorRole", CONTRIBUTOR_ROLES[person.role])
        _add(contributor, "PersonName", person.name)
    if not config.author:
        _add(detail, "NoContributor")
    _add(detail, "EditionStatement", f"Edition {config.version}")
    language = _add(detail, "Language")
    _add(language, "LanguageRole", "01")
    _add(language, "LanguageCode", onix_language(config.language))
    if listing.pages:
        extent = _add(detail, "Extent")
        # The PDF's pages, every one counted; for the EPUB, the pages of its print counterpart.
        _add(extent, "ExtentType", "07" if fmt == "pdf" else "08")
        _add(extent, "ExtentValue", str(listing.pages))
        _add(extent, "ExtentUnit", "03")
    for subject in config.subjects:
        entry = _add(detail, "Subject")
        _add(entry, "SubjectSchemeIdentifier", "20")  # keywords
        _add(entry, "SubjectHeadingText", subject)
    if config.description:
        text = _add(_add(product, "CollateralDetail"), "TextContent")
        _add(text, "TextType", "03")  # description
        _add(text, "ContentAudience", "00")  # unrestricted
        _add(text, "Text", " ".join(config.description.split()), textformat="06")  # plain text
    _publishing(product, listing)
    _related(product, listing, fmt)
    return product


def _accessibility(detail: etree._Element, listing: Listing) -> None:
    """The EPUB's accessibility, as it declares it in its package (publish.render.epub._accessibility)."""
    from publish.render.epub import accessibility_summary

    codes = ACCESSIBILITY + (PAGE_NAVIGATION if listing.doc.chapters_in("body") else [])  # as its page map
    for code in ["00", *codes]:
        feature = _add(detail, "ProductFormFeature")
        _add(feature, "ProductFormFeatureType", "09")  # e-publication accessibility detail
        _add(feature, "ProductFormFeatureValue", code)
        if code == "00":  # the summary
            _add(feature, "ProductFormFeatureDescription", accessibility_summary(listing.doc))


def _publishing(product: etree._Element, listing: Listing) -> None:
    config = listing.doc.config
    publishing = _add(product, "PublishingDetail")
    publisher = _add(publishing, "Publisher")
    _add(publisher, "PublishingRole", "01")
    _add(publisher, "PublisherName", publisher_name(listing))
    _add(publishing, "PublishingStatus", "04")  # active
    date = _add(publishing, "PublishingDate")
    _add(date, "PublishingDateRole", "01")  # publication date
    digits = re.sub(r"\D", "", config.date) or listing.updated.strftime("%Y%m%d")
    _add(date, "Date", digits, dateformat=DATE_FORMATS.get(len(digits), "00"))


def publisher_name(listing: Listing) -> str:
    """The publisher, which ONIX requires: the book's, else (a book its editor made) the first editor,
    else its first contributor."""
    config = listing.doc.config
    people = listing.doc.contributors("editor") or [person.name for person in config.author]
    return config.publisher or (people[0] if people else "publish")


def _related(product: etree._Element, listing: Listing, fmt: str) -> None:
    """The work (the book's own identifier) and, for the EPUB, the PDF its page numbers come from."""
    related = _add(product, "RelatedMaterial")
    work = _add(related, "RelatedWork")
    _add(work, "WorkRelationCode", "01")  # a manifestation of
    config = listing.doc.config
    isbn = config.identifier.main[5:].replace("-", "") if config.identifier.main.startswith("isbn:") else ""
    if len(isbn) == 13:
        _identifier(work, "WorkIdentifier", "WorkIDType", isbn, "15")
    else:
        _identifier(work, "WorkIdentifier", "WorkIDType", book_urn(config, listing.slug))
    if fmt == "epub" and listing.has(f"{listing.slug}.pdf"):
        other = _add(related, "RelatedProduct")
        _add(other, "ProductRelationCode", "13")  # e-publication based on (the source of its page numbers)
        _identifier(other, "ProductIdentifier", "ProductIDType", _record(listing, "pdf"))


def _identifier(parent: etree._Element, tag: str, type_tag: str, value: str, code: str = "01") -> None:
    """An identifier: a standard one (`code`), or by default one of ours (01, proprietary)."""
    identifier = _add(parent, tag)
    _add(identifier, type_tag, code)
    if code == "01":
        _add(identifier, "IDTypeName", "publish")
    _add(identifier, "IDValue", value)


def _record(listing: Listing, fmt: str) -> str:
    return f"{listing.slug}.{fmt}"


def onix_language(tag: str) -> str:
    """The ISO 639-2/B code ONIX uses (list 74) for a BCP 47 tag's language: `en` -> `eng`, `fr` -> `fre`."""
    primary = tag.split("-")[0].lower()
    language = (pycountry.languages.get(alpha_2=primary) if len(primary) == 2
                else pycountry.languages.get(alpha_3=primary))
    if language is None:
        return "und"
    return getattr(language, "bibliographic", None) or language.alpha_3


def _add(parent: etree._Element, tag: str, text: str | None = None, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{NS}}}{tag}", **attributes)
    if text is not None:
        element.text = text
    return element
