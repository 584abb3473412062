"""Citations and References: every construct in both shipped styles, the three input formats, and the
same text in the PDF, the EPUB and the HTML of both pamphlets."""

from __future__ import annotations

import json
import re
from pathlib import Path

import lxml.html
import pytest

from publish.build import load_document
from tests.conftest import BOOKS, MANUSCRIPT, run_publish, write_book
from tests.editions import epub_documents, letters, pdf_pages

BIBLIOGRAPHY = """\
    references:
    - {id: smith1917a, type: book, author: [{family: Smith, given: John}], title: Early Essays, issued: 1917,
       publisher-place: London}
    - {id: smith1917b, type: book, author: [{family: Smith, given: John}], title: Late Essays, issued: 1917,
       publisher-place: London}
    - {id: doe2001, type: chapter, author: [{family: Doe, given: Jane}], title: A Chapter,
       container-title: A Collection, issued: 2001, publisher-place: Paris}
    """
CONSTRUCTS = [  # (written, Chicago author-date, house style)
    ("[@doe2001]", "(Doe 2001)", "[2001]"),
    ("[@doe2001, 93-4]", "(Doe 2001, 93–94)", "[2001:93–94]"),
    ("[@doe2001, 321-28]", "(Doe 2001, 321–28)", "[2001:321–328]"),
    ("[@doe2001, chap. 3]", "(Doe 2001, chap. 3)", "[2001:chap. 3]"),
    ("[@doe2001, § 4]", "(Doe 2001, sec. 4)", "[2001:sec. 4]"),
    ("[@doe2001, 12, emphasis added]", "(Doe 2001, 12, emphasis added)", "[2001:12, emphasis added]"),
    ("[see @doe2001, 12; also @smith1917a, 3]", "(see Doe 2001, 12; also Smith 1917a, 3)",
     "[see 2001:12; also 1917a:3]"),
    ("@doe2001", "Doe (2001)", "Doe [2001]"),
    ("[-@doe2001, 5]", "(2001, 5)", "[2001:5]"),
    ("[@smith1917a]", "(Smith 1917a)", "[1917a]"),
    ("[@smith1917b]", "(Smith 1917b)", "[1917b]"),
]
REFERENCES = {
    "chicago-author-date": ["Doe, Jane. 2001. “A Chapter.” In <i>A Collection</i>. Paris.",
                            "Smith, John. 1917a. <i>Early Essays</i>. London.",
                            "———. 1917b. <i>Late Essays</i>. London."],  # subsequent-author-substitute
    "house": ["[1917a] <i>Early Essays</i>, London: 1917", "[1917b] <i>Late Essays</i>, London: 1917",
              "[2001] “A Chapter,” <i>A Collection</i>, Paris: 2001"],
}


def small_book(tmp_path: Path, style: str, text: str, bibliography: str = BIBLIOGRAPHY) -> Path:
    return write_book(tmp_path / "book", {"a.md": f"# A\n\n{text}\n"}, f"title: T\ncsl: {style}\n", bibliography)


def test_a_spaced_dash_in_an_entry_is_tied_as_in_the_text(tmp_path: Path):
    # The References come from the CSL processor, not from Markdown: the same no-break space before a
    # spaced dash as the chapters get, so no line of any edition begins with the dash.
    bibliography = BIBLIOGRAPHY.rstrip(" ") + """\
    - {id: roe1990, type: book, author: [{family: Roe, given: Ann}], title: Stalinism – A Reply, issued: 1990}
    """
    doc, _ = load_document(small_book(tmp_path, "chicago-author-date", "[@roe1990]", bibliography))
    assert [r.html for r in doc.references] == ["Roe, Ann. 1990. <i>Stalinism\u00a0– A Reply</i>."]


@pytest.mark.parametrize("style, column", [("chicago-author-date", 1), ("house", 2)])
def test_every_construct_in_both_styles(tmp_path: Path, style: str, column: int):
    text = " ".join(c[0] for c in CONSTRUCTS)
    doc, found = load_document(small_book(tmp_path, style, text))
    assert [c.html for c in doc.citations] == [c[column] for c in CONSTRUCTS]
    assert [r.html for r in doc.references] == REFERENCES[style]
    assert not found.items


def test_references_list_exactly_the_works_cited(tmp_path: Path):
    doc, _ = load_document(small_book(tmp_path, "chicago-author-date", "Only [@doe2001]."))
    assert [r.key for r in doc.references] == ["doe2001"]


def test_one_work_of_a_year_gets_no_letter(tmp_path: Path):
    doc, _ = load_document(small_book(tmp_path, "chicago-author-date", "[@smith1917a]"))
    assert [c.html for c in doc.citations] == ["(Smith 1917)"]


def test_csl_json_and_bibtex_read_like_csl_yaml(tmp_path: Path):
    expected = load_document(small_book(tmp_path / "yaml", "chicago-author-date", "[@doe2001, 4]"))[0]
    entries = [{"id": "doe2001", "type": "chapter", "author": [{"family": "Doe", "given": "Jane"}],
                "title": "A Chapter", "container-title": "A Collection", "issued": {"date-parts": [[2001]]},
                "publisher-place": "Paris"}]
    bibtex = ("@incollection{doe2001,\n  author = {Doe, Jane},\n  title = {A Chapter},\n"
              "  booktitle = {A Collection},\n  year = {2001},\n  address = {Paris}\n}\n")
    for name, content in (("refs.json", json.dumps(entries)), ("refs.bib", bibtex)):
        root = write_book(tmp_path / name, {"a.md": "# A\n\n[@doe2001, 4]\n"},
                          f"title: T\nbibliography: {name}\n")
        (root / name).write_text(content, encoding="utf-8")
        doc, _ = load_document(root)
        assert [c.html for c in doc.citations] == [c.html for c in expected.citations], name
        assert [r.html for r in doc.references] == [r.html for r in expected.references], name


@pytest.mark.parametrize("name, content, message", [
    ("refs.yaml", "references:\n- id: a\n  title: [unclosed\n", "refs.yaml:4:1: error: malformed YAML"),
    ("refs.json", '[{"id": "a",\n "title": }]', "refs.json:2:11: error: malformed JSON: Expecting value"),
    ("refs.bib", "@book{a,\n  title = {Unclosed\n@book{b, title={B}}\n", "refs.bib:1:1: error: malformed BibTeX"),
])
def test_bibliography_parse_errors_name_file_and_line(tmp_path: Path, name: str, content: str, message: str):
    root = write_book(tmp_path / "book", {"a.md": "# A\n\n[@a]\n"}, f"title: T\nbibliography: {name}\n")
    (root / name).write_text(content, encoding="utf-8")
    result = run_publish("check", root)
    assert result.code == 1 and "Traceback" not in result.stderr
    assert message in result.stderr, result.stderr


def test_duplicate_ids_across_files_are_an_error(tmp_path: Path):
    root = write_book(tmp_path / "book", {"a.md": "# A\n\n[@doe2001]\n"},
                      "title: T\nbibliography: [one.yaml, two.yaml]\n")
    entry = "references:\n- {id: doe2001, type: book, title: T, issued: 2001}\n"
    (root / "one.yaml").write_text(entry, encoding="utf-8")
    (root / "two.yaml").write_text("references:\n- {id: other, type: book, title: O, issued: 1}\n"
                                   "- {id: Doe2001, type: book, title: U, issued: 2001}\n", encoding="utf-8")
    result = run_publish("check", root)
    assert result.code == 1
    assert "two.yaml:3:3: error: duplicate bibliography id 'Doe2001' (first at one.yaml:2)" in result.stderr


def test_incomplete_entry_is_a_warning_naming_it(tmp_path: Path):
    bib = "references:\n- {id: doe2001, type: book, author: [{family: Doe}], title: A Book}\n"
    root = small_book(tmp_path, "chicago-author-date", "[@doe2001]", bib)
    result = run_publish("check", root)
    assert result.code == 0
    assert ("bibliography.yaml:2:3: warning: entry 'doe2001' (book) has no issued "
            "[bibliography-incomplete]") in result.stderr


# The two pamphlets ---------------------------------------------------------------------------------

def _html_citations(page: Path) -> list[str]:
    root = lxml.html.parse(str(page)).getroot()
    return [" ".join(span.text_content().split()) for span in root.find_class("citation")]


def _epub_citations(epub: Path) -> list[str]:
    texts = []
    for _, doc in epub_documents(epub):
        for span in doc.xpath("//*[local-name()='span'][@class='citation']"):
            texts.append(" ".join("".join(span.itertext()).split()))
    return texts


def test_all_55_trotsky_citations_resolve_to_the_shared_bibliography():
    doc, found = load_document(MANUSCRIPT / "leon-trotsky-speaks")
    assert len(doc.citations) == 55 and all(c.html for c in doc.citations)
    assert not found.errors
    text = (MANUSCRIPT / "leon-trotsky-speaks" / "interview.md").read_text("utf-8")
    assert not re.search(r"\[\d{4}[a-d]?(-\d+)?:", text), "a citation typed as plain text"


def test_interview_notes_cite_the_shared_bibliography():
    doc, _ = load_document(MANUSCRIPT / "lesson-of-the-soviet-union")
    cited_in_notes = {key for note in doc.notes for key in re.findall(r'data-cites="([^"]+)"', note.html)}
    assert cited_in_notes == {"toussaint2019", "guevara2018"}
    assert {r.key for r in doc.references} == {"toussaint2019", "guevara2018", "rakovsky1928", "trotsky1937b"}


@pytest.mark.parametrize("slug", BOOKS)
def test_citations_read_the_same_in_pdf_epub_and_html(dist: Path, slug: str):
    html = _html_citations(dist / slug / "all.html")
    assert html and html == _epub_citations(dist / f"{slug}.epub")
    pdf = letters(" ".join(pdf_pages(dist / f"{slug}.pdf")))
    at = 0
    for text in html:  # in reading order; footnotes' citations stand at the foot of their page
        found = pdf.find(letters(text), at)
        if found < 0:
            found = pdf.find(letters(text))
        assert found >= 0, text
        at = found


def test_revolution_betrayed_reads_the_same_everywhere(dist: Path):
    # The same entry in every edition of every book; only its author may be Chicago's "———" (the
    # style's subsequent-author-substitute) where the entry before it is Trotsky's too.
    entries = set()
    for slug in BOOKS:
        root = lxml.html.parse(str(dist / slug / "all.html")).getroot()
        entries.add(root.get_element_by_id("ref-trotsky1937b").text_content().replace("↩", "").strip())
        for name, doc in epub_documents(dist / f"{slug}.epub"):
            for div in doc.xpath("//*[@id='ref-trotsky1937b']"):
                entries.add("".join(div.itertext()).replace("↩", "").strip())
        pdf = " ".join(" ".join(pdf_pages(dist / f"{slug}.pdf")).split())
        assert ". (1937b) 1970. The Revolution Betrayed. New York." in pdf
    assert {e.split(". ", 1)[1] for e in entries} == {"(1937b) 1970. The Revolution Betrayed. New York."}
    assert {e.split(". ", 1)[0] for e in entries} <= {"Trotsky, Leon", "———"}


def test_switching_style_changes_citations_and_references_only(tmp_path: Path):
    pages = {}
    for style in ("chicago-author-date", "house"):
        base = tmp_path / style
        root = base / "leon-trotsky-speaks"
        root.mkdir(parents=True)
        for source in (MANUSCRIPT / "leon-trotsky-speaks").iterdir():
            (root / source.name).write_bytes(source.read_bytes())
        (base / "bibliography.yaml").write_bytes((MANUSCRIPT / "bibliography.yaml").read_bytes())
        with (root / "book.yaml").open("a", encoding="utf-8") as config:
            config.write(f"csl: {style}\n")
        assert run_publish("build", root, "--out", base / "out", "--format", "html").code == 0
        pages[style] = (base / "out" / "leon-trotsky-speaks" / "all.html").read_text("utf-8")
    chicago, house = (_html_citations_from(pages[s]) for s in ("chicago-author-date", "house"))
    assert len(chicago) == len(house) == 55
    assert all(a != b for a, b in zip(chicago, house))
    assert house[:2] == ["[1937a:13, 14, 15]", "[1937b:56–57]"]
    assert _without_apparatus(pages["chicago-author-date"]) == _without_apparatus(pages["house"])


def _html_citations_from(page: str) -> list[str]:
    root = lxml.html.fromstring(page)
    return [" ".join(span.text_content().split()) for span in root.find_class("citation")]


def _without_apparatus(page: str) -> str:
    """The page without citations, References entries, print page markers and the index (the print
    layout, whose page numbers these give, moves with the length of the citations)."""
    page = re.sub(r'<section class="chapter back index".*?</section>', "", page, flags=re.DOTALL)
    page = re.sub(r'<span class="citation".*?</span>', "", page)
    page = re.sub(r'<span id="page-\w+" role="doc-pagebreak"[^>]*></span>', "", page)
    return re.sub(r'<div class="csl-bib-body">.*?</section>', "", page, flags=re.DOTALL)


def test_check_warns_of_uncited_and_inconsistent_entries(tmp_path: Path):
    bib = "references:\n" + "".join(
        f"- {{id: b{n}, type: book, author: [{{family: A}}], title: T{n}, issued: 190{n}"
        + (", publisher-place: London" if n != 4 else "") + "}\n" for n in range(1, 6))
    root = write_book(tmp_path / "book", {"a.md": "# A\n\n[@b1] [@b2] [@b3] [@b4]\n"}, "title: T\n", bib)
    result = run_publish("check", root)
    assert result.code == 0, result.stderr
    warnings = [line.split("bibliography.yaml:")[1] for line in result.stderr.splitlines() if "warning" in line]
    assert warnings == [
        "5:3: warning: entry 'b4' has no publisher-place, unlike 4 of the 5 book entries [bibliography-form]",
        "6:3: warning: entry 'b5' is cited by no book [uncited-entry]"]
    assert not (root.parent / "dist").exists()
    assert run_publish("check", root, "--strict").code == 1  # an unused entry fails a strict check


def test_shared_bibliography_counts_the_citations_of_every_book_beside_it():
    result = run_publish("check", MANUSCRIPT / "leon-trotsky-speaks")
    assert result.code == 0 and result.stderr == ""
