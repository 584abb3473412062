"""The CSL engine (citeproc-js): the defects citeproc-py had (issue 21), each as a reader sees it in
the References or the text, and the shipped styles, locales and inputs."""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
import pytest

from publish.build import load_document
from tests.conftest import run_publish, write_book
from tests.editions import epub_documents, letters, pdf_pages

BIBLIOGRAPHY = """\
    references:
    - {id: smith2011, type: book, editor: [{family: Smith, given: Murray E.G.}], title: Leon Trotsky Speaks,
       issued: 2011, publisher: Pathfinder, publisher-place: Toronto}
    - {id: lenin1902, type: book, author: [{family: Lenin, given: V. I.}], title: What Is to Be Done?,
       issued: 1902, publisher-place: Stuttgart}
    - {id: trotsky1937, type: book, author: [{family: Trotsky, given: Leon}], title: The Revolution Betrayed,
       issued: 1970, original-date: 1937, publisher-place: New York}
    - {id: trotsky1940, type: book, author: [{family: Trotsky, given: Leon}], title: In Defense of Marxism,
       issued: 1973, publisher-place: New York}
    """


def references(tmp_path: Path, text: str, style: str = "chicago-author-date", bibliography: str = BIBLIOGRAPHY,
               config: str = "", name: str = "") -> tuple[list[str], list[str]]:
    """The citations' and the References' XHTML of a one-chapter book."""
    root = write_book(tmp_path / "book", {"a.md": f"# A\n\n{text}\n"},
                      f"title: T\ncsl: {style}\n{config}" + (f"bibliography: {name}\n" if name else ""),
                      None if name else bibliography)
    if name:
        (root / name).write_text(bibliography, encoding="utf-8")
    doc, found = load_document(root)
    assert not found.errors
    return [c.html for c in doc.citations], [r.html for r in doc.references]


def test_an_edited_book_names_its_editor_once(tmp_path: Path):
    _, refs = references(tmp_path, "[@smith2011]")
    assert refs == ["Smith, Murray E.G., ed. 2011. <i>Leon Trotsky Speaks</i>. Toronto: Pathfinder."]


def test_a_title_ending_in_a_question_mark_takes_no_full_stop(tmp_path: Path):
    _, refs = references(tmp_path, "[@lenin1902]")
    assert refs == ["Lenin, V. I. 1902. <i>What Is to Be Done?</i> Stuttgart."]


def test_a_spanish_title_is_not_put_in_english_title_case(tmp_path: Path):
    # Title case is for English items: an entry in the language of a Spanish book keeps its case, an
    # entry marked English is title-cased in the same book; a BibTeX `langid` counts as its language.
    bibliography = """\
    references:
    - {id: guevara1964, type: article-journal, author: [{family: Guevara, given: Che}],
       title: Sobre el sistema presupuestario de financiamiento, container-title: Nuestra Industria, issued: 1964}
    - {id: roe1990, type: article-journal, author: [{family: Roe, given: Ann}], title: a reply to the critics,
       container-title: Review, issued: 1990, language: en}
    """
    _, refs = references(tmp_path, "[@guevara1964; @roe1990]", bibliography=bibliography, config="language: es\n")
    assert refs == [("Guevara, Che. 1964. «Sobre el sistema presupuestario de financiamiento». "
                     "<i>Nuestra Industria</i>."),
                    "Roe, Ann. 1990. «A Reply to the Critics». <i>Review</i>."]
    bibtex = ("@article{guevara1964, author = {Guevara, Che}, title = {Sobre el sistema presupuestario de "
              "financiamiento}, journaltitle = {Nuestra Industria}, date = {1964}, langid = {spanish}}\n")
    _, english_book = references(tmp_path / "bib", "[@guevara1964]", bibliography=bibtex, name="refs.bib")
    assert english_book == [("Guevara, Che. 1964. “Sobre el sistema presupuestario de financiamiento.” "
                             "<i>Nuestra Industria</i>.")]


def test_chicago_replaces_a_repeated_author_by_a_dash(tmp_path: Path):
    _, refs = references(tmp_path, "[@trotsky1937; @trotsky1940]")
    assert refs == ["Trotsky, Leon. (1937) 1970. <i>The Revolution Betrayed</i>. New York.",
                    "———. 1973. <i>In Defense of Marxism</i>. New York."]


def test_biblatex_origdate_month_and_urldate_are_read(tmp_path: Path):
    bibtex = ("@book{trotsky1937, author = {Trotsky, Leon}, title = {The Revolution Betrayed}, "
              "date = {1970}, origdate = {1937}, location = {New York}}\n"
              "@online{roe2019, author = {Roe, Ann}, title = {A Page}, year = {2019}, month = may, "
              "urldate = {2024-05-01}, url = {https://example.org/page}}\n")
    cites, refs = references(tmp_path, "[@trotsky1937, 5] [@roe2019]", style="apa", bibliography=bibtex,
                             name="refs.bib")
    assert cites == ["(Trotsky, 1937/1970, p. 5)", "(Roe, 2019)"]
    assert refs == ["Roe, A. (2019, May). <i>A Page</i>. https://example.org/page",
                    "Trotsky, L. (1970). <i>The Revolution Betrayed</i>. (Original work published 1937)"]
    _, chicago = references(tmp_path / "chicago", "[@trotsky1937]", bibliography=bibtex, name="refs.bib")
    assert chicago == ["Trotsky, Leon. (1937) 1970. <i>The Revolution Betrayed</i>. New York."]


def test_a_braced_key_is_a_citation(tmp_path: Path):
    bibliography = BIBLIOGRAPHY.rstrip(" ") + """\
    - {id: "doe:2001/a", type: book, author: [{family: Doe, given: Jane}], title: Essays, issued: 2001}
    """
    cites, refs = references(tmp_path, "As [@{doe:2001/a}, 12] shows.", bibliography=bibliography)
    assert cites == ["(Doe 2001, 12)"]
    assert refs == ["Doe, Jane. 2001. <i>Essays</i>."]


def test_nocite_lists_works_not_cited(tmp_path: Path):
    _, refs = references(tmp_path, "[@lenin1902]", config="nocite: ['@trotsky1940']\n")
    assert [r.split(".")[0] for r in refs] == ["Lenin, V", "Trotsky, Leon"]
    _, every = references(tmp_path / "all", "No citation.", config="nocite: ['@*']\n")
    assert len(every) == 4


@pytest.mark.parametrize("language, expected", [
    ("fr", "(Trotsky [1937] 1970, 5‑6; Smith 2011)"),  # fr-FR: a non-breaking hyphen in page ranges
    ("de", "(Trotsky [1937] 1970, 5–6; Smith 2011)"),
])
def test_the_book_language_gives_the_locale(tmp_path: Path, language: str, expected: str):
    cites, refs = references(tmp_path, "[@trotsky1937, 5-6; @smith2011]", config=f"language: {language}\n")
    assert cites == [expected]
    editor = {"fr": "éd.", "de": "Hrsg."}[language]
    assert f"Smith, Murray E.G., {editor} 2011." in refs[0]


IBID_STYLE = """<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="note" version="1.0">
  <info><title>Notes with ibid.</title><id>urn:test:ibid</id><updated>2026-01-01T00:00:00+00:00</updated></info>
  <citation>
    <layout suffix="." delimiter="; ">
      <choose>
        <if position="ibid-with-locator">
          <group delimiter=", "><text term="ibid" text-case="capitalize-first"/><text variable="locator"/></group>
        </if>
        <else-if position="ibid"><text term="ibid" text-case="capitalize-first"/></else-if>
        <else-if position="subsequent">
          <group delimiter=", "><names variable="author"><name form="short"/></names>
            <text variable="title" form="short" font-style="italic"/><text variable="locator"/></group>
        </else-if>
        <else>
          <group delimiter=", "><names variable="author"/><text variable="title" font-style="italic"/>
            <text variable="locator"/></group>
        </else>
      </choose>
    </layout>
  </citation>
  <bibliography><layout><names variable="author"><name name-as-sort-order="first"/></names>
    <text variable="title" prefix=". " font-style="italic"/></layout></bibliography>
</style>
"""
NOTES_TEXT = ("First [@lenin1902, 5]. Again [@lenin1902, 5]. Then [@lenin1902, 7], as @trotsky1937 says.[^1] "
              "Last [@lenin1902, 9].\n\n[^1]: A note of the author's, citing [@trotsky1940, 12].")
NOTES_EXPECTED = {  # note number -> its text
    "ibid.csl": ["V. I. Lenin, What Is to Be Done?, 5.", "Ibid.", "Ibid., 7.",
                 "Leon Trotsky, The Revolution Betrayed.",
                 "A note of the author’s, citing Leon Trotsky, In Defense of Marxism, 12.",
                 "Lenin, What Is to Be Done?, 9."],
    "chicago-notes-bibliography": [
        "V. I. Lenin, What Is to Be Done? (Stuttgart, 1902), 5.", "Lenin, 5.", "Lenin, 7.",
        "Leon Trotsky, The Revolution Betrayed (1937; New York, 1970).",
        "A note of the author’s, citing Leon Trotsky, In Defense of Marxism (New York, 1973), 12.",
        "Lenin, What Is to Be Done?, 9."],
    # The same edition's variant that writes ibid. (CMOS 17, 14.34, allows it), shipped beside it.
    "chicago-notes-bibliography-ibid": [
        "V. I. Lenin, What Is to Be Done? (Stuttgart, 1902), 5.", "Ibid.", "Ibid., 7.",
        "Leon Trotsky, The Revolution Betrayed (1937; New York, 1970).",
        "A note of the author’s, citing Leon Trotsky, In Defense of Marxism (New York, 1973), 12.",
        "Lenin, What Is to Be Done?, 9."],
}


def notes_book(tmp_path: Path, style: str) -> Path:
    root = write_book(tmp_path / "book", {"a.md": f"# A\n\n{NOTES_TEXT}\n"}, f"title: T\ncsl: {style}\n",
                      BIBLIOGRAPHY)
    (root / "ibid.csl").write_text(IBID_STYLE, encoding="utf-8")
    return root


@pytest.mark.parametrize("style", list(NOTES_EXPECTED))
def test_a_note_style_puts_every_citation_in_a_numbered_footnote(tmp_path: Path, style: str):
    # Ibid. and the short forms come from each citation's note: the author's own note (1 in the
    # source) is numbered among them. The Chicago style (17th ed.) writes its ibid. position as a
    # short author form ("Lenin, 5"), as CMOS 17 (14.34) prefers to "Ibid."
    doc, found = load_document(notes_book(tmp_path, style))
    assert not found.errors
    body = doc.chapters[0].body
    assert 'class="citation"' not in body
    assert "First.<a class=\"noteref\" id=\"noteref-1\"" in body
    assert "as <span class=\"citation-author\"><span>" in body
    assert [note_text(n.html) for n in doc.notes] == NOTES_EXPECTED[style]
    assert [n.number for n in doc.notes] == [1, 2, 3, 4, 5, 6]


def note_text(markup: str) -> str:
    return " ".join(lxml.html.fromstring(markup).text_content().split())


@pytest.mark.parametrize("style", ["ibid.csl", "chicago-notes-bibliography-ibid"])
def test_a_notes_book_builds_with_its_citations_as_footnotes_in_every_edition(tmp_path: Path, style: str):
    root = notes_book(tmp_path, style)
    out = tmp_path / "dist"
    done = run_publish("build", root, "--out", out)
    assert done.code == 0, done.stderr
    html = lxml.html.parse(str(out / "book" / "all.html")).getroot()
    notes = [re.sub(r"^\d+\.? ", "", " ".join(html.get_element_by_id(f"note-{n}").text_content()
                                               .replace("↩", "").split())) for n in range(1, 7)]
    assert notes == NOTES_EXPECTED[style]
    epub = {n.get("id"): re.sub(r"^\d+\.? ", "", " ".join("".join(n.itertext()).replace("↩", "").split()))
            for _, doc in epub_documents(out / "book.epub") for n in doc.xpath("//*[starts-with(@id, 'note-')]")}
    assert [epub[f"note-{n}"] for n in range(1, 7)] == notes
    pdf = letters(" ".join(pdf_pages(out / "book.pdf")))
    for text in notes:
        assert letters(text) in pdf, text
