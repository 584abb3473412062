"""The manuscripts against their sources: every sentence of both seeds (boilerplate aside) is in every
edition, and no paragraph starts in lower case because of an old page break."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import MANUSCRIPT, SOURCES
from tests.editions import contains_with_gap, epub_text, html_text, letters, pdf_pages

# Lines of the web page and the title block that are not part of the text (kept, where they matter,
# in book.yaml: rights, source, title page).
BOILERPLATE = {
    "lesson-of-the-soviet-union": (
        "toussaint-perez-varona-interview-2019.txt",
        re.compile(r"^(“The Lesson|An Interview$|By \[|Global Research, June|Region:|Theme:|\*$"
                   r"|Note to readers|The original source|Copyright ©|\[Comment on|\[Become a Member"
                   r"|Articles by:|and \[Wilder|Disclaimer:|www\.globalresearch\.ca|For media inquiries"
                   r"|Notes$|<http|\[\d\] See for example|\[2\] See Che)"),
    ),
    "leon-trotsky-speaks": (
        "leon-trotsky-speaks-2011.txt",
        re.compile(r"^(\*TWENTY|# \*\*LEON|\*\*BURYING|\*\*Conceived|\*\*by\*\*|\*\*Murray|\*\*August"
                   r"|## References|- \[19|\[19\d\d)"),
    ),
}
# Sentences this edition changed on purpose, each recorded in the book's "A Note on This Edition":
# the seed's wording -> what stands in the edition instead.
REWORDED = {
    # A lost link "(see here)" dropped from the biography.
    "Neoliberal Ideology From its Origins to the Present*, Haymarket books, Chicago, 2012 (see here), etc.":
        "Neoliberal Ideology From its Origins to the Present, Haymarket books, Chicago, 2012, etc.",
    # Note 1: the paper is now a citation of the shared bibliography (title and English URL there).
    "See the paper: Eric Toussaint, « Lenin and Trotsky versus the bureaucracy and Stalin.":
        "See the paper: .",
    "English: <http://www.internationalviewpoint.org/spip.php?article4900>": "Spanish: http://rebellion.org",
}
CITATION = re.compile(r"\[\d{4}[a-d]?(?:-\d+)?: ?[\d, -]+\]")
LOST_LINK_CITATION = re.compile(r",? ?\(see \[this\]\(#\)\)")


def seed_paragraphs(slug: str) -> list[str]:
    """The seed's paragraphs with page-break splits rejoined, boilerplate dropped."""
    name, boilerplate = BOILERPLATE[slug]
    lines = SOURCES[name].read_text("utf-8").split("\n\n")
    paragraphs: list[str] = []
    for block in (b.strip() for b in lines):
        if not block or boilerplate.match(block):
            continue
        if paragraphs and block[0].islower():
            paragraphs[-1] += " " + block  # an old page break
        else:
            paragraphs.append(block)
    return paragraphs


def seed_sentences(slug: str) -> list[str]:
    sentences = []
    for paragraph in seed_paragraphs(slug):
        text = LOST_LINK_CITATION.sub("", paragraph)
        text = CITATION.sub(" ", text)
        text = re.sub(r"\[([^\]]*)\]\(#\)", r"\1", text)  # links whose targets were lost
        text = re.sub(r"\[(\d)\]", "", text)  # note markers
        text = re.sub(r"^\*\*[^*]+:\*\*|^[A-Z][\w é]+ \([A-Z]+\):|^[A-Z]{2,3}:", "", text)  # speaker labels
        for sentence in re.split(r"(?<=[.?!])\s+(?=[A-Z“\"(\[])", text):
            if len(letters(sentence)) >= 12:
                sentences.append(REWORDED.get(sentence, sentence))
    return sentences


def missing(sentences: list[str], edition_text: str) -> list[str]:
    haystack = letters(edition_text)
    return [s for s in sentences if not contains_with_gap(haystack, letters(s))]


@pytest.fixture(scope="module", params=sorted(BOILERPLATE))
def book(request) -> str:
    return request.param


def test_sources_are_kept_with_their_manuscripts():
    for name, path in SOURCES.items():
        assert path.is_file() and path.stat().st_size > 10_000, f"{name} is expected at {path}"
        assert "source.txt" in (path.parent / "edition-note.md").read_text("utf-8")


def test_every_sentence_in_the_html(dist: Path, book: str):
    assert missing(seed_sentences(book), html_text(dist / book / "all.html")) == []


def test_every_sentence_in_the_epub(dist: Path, book: str):
    assert missing(seed_sentences(book), epub_text(dist / f"{book}.epub")) == []


def test_every_sentence_in_the_pdf(dist: Path, book: str):
    assert missing(seed_sentences(book), " ".join(pdf_pages(dist / f"{book}.pdf"))) == []


def test_no_paragraph_starts_in_lower_case(book: str):
    for chapter in sorted((MANUSCRIPT / book).glob("*.md")):
        for n, block in enumerate(chapter.read_text("utf-8").split("\n\n")):
            text = re.sub(r"^(\*\*[^*]+:\*\*|[#>*\s\[\]_“\"‘'(-]|\d+\.)+", "", block.strip())
            if text and not text.startswith(("http", "<")):
                assert not text[0].islower(), f"{chapter.name}, paragraph {n + 1}: {block[:60]!r}"


def test_title_page_and_notices_in_every_edition(dist: Path, book: str):
    import yaml

    config = yaml.safe_load((MANUSCRIPT / book / "book.yaml").read_text("utf-8"))
    editions = {"html": html_text(dist / book / "all.html"), "epub": epub_text(dist / f"{book}.epub"),
                "pdf": " ".join(pdf_pages(dist / f"{book}.pdf"))}
    for name, text in editions.items():
        for field in ("title", "subtitle", "tagline", "rights", "source"):
            if config.get(field):
                assert contains_with_gap(letters(text), letters(config[field])), (name, field)


def test_every_editorial_bracket_of_the_trotsky_seed_is_kept():
    """The seed's square brackets that are not citations ([1937b:56-57]) nor reference labels are the
    editor's alterations; the manuscript carries each of them, and adds none."""
    from tests.test_editorial import manuscript_counts

    seed = SOURCES["leon-trotsky-speaks-2011.txt"].read_text("utf-8")
    editorial = [m for m in re.findall(r"\[([^\]]*)\]", seed) if not re.match(r"\d{4}", m)]
    assert len(editorial) == 180
    assert sum(manuscript_counts("leon-trotsky-speaks").values()) == len(editorial)
