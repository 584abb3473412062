"""Pathological inline markup up to the chapter size limit: runs of brackets, emphasis marks,
underscores, link openers, backticks and nested quotation markers, as one block and as paragraphs.
Each parses within the time budget to a model or to a diagnostic, never a traceback."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from publish.book import ChapterSource, load_book
from publish.diagnostics import Diagnostics, ManuscriptError
from publish.files import MAX_CHAPTER_BYTES
from publish.parse import leaked_placeholder
from publish.resolve import resolve_book
from tests.conftest import TOY_BIBLIOGRAPHY, run_publish, write_book
from tests.test_build import assert_epubcheck_clean

BUDGET = 10  # seconds of this process's time, on this machine, for the parse stage of one chapter (the
# other xdist worker and other processes on the two cores not counted)
UNITS = {"brackets": "[", "closers": "]", "stars": "*", "underscores": "_", "link-openers": "[x](",
         "image-openers": "![x](", "backticks": "`", "mixed": "[*_`", "notes": "[^", "citations": "[@",
         "emphasis": "*a* ", "links": "[x](y) ", "code": "`a` ", "tags": "<b>", "breaks": "a  \n"}
QUOTES = "> " * 20 + "quoted\n"


def chapter(unit: str, paragraphs: bool) -> str:
    """The unit repeated up to the size limit: as one block, or in paragraphs just under the block bound."""
    room = MAX_CHAPTER_BYTES - 100
    if not paragraphs:
        return "# A\n\n" + unit * (room // len(unit)) + "\n"
    paragraph = unit * (19_000 // len(unit))
    return "# A\n\n" + "\n\n".join([paragraph] * (room // (len(paragraph) + 2))) + "\n"


@pytest.mark.parametrize("paragraphs", [False, True], ids=["one-block", "paragraphs"])
@pytest.mark.parametrize("shape", [*UNITS, "quotes"])
def test_adversarial_inline_markup_parses_within_the_budget(tmp_path: Path, shape: str, paragraphs: bool):
    text = chapter(QUOTES if shape == "quotes" else UNITS[shape], paragraphs and shape != "quotes")
    root = write_book(tmp_path / "book", {"a.md": "# A\n"}, "title: T\n")
    (root / "a.md").write_text(text, encoding="utf-8")
    start = time.process_time()
    try:
        resolve_book(load_book(root), format_citations=False)
    except ManuscriptError as error:
        assert all(d.line for d in error.diagnostics.items)  # each one at its line
    assert time.process_time() - start < BUDGET


def test_characters_no_font_of_the_book_has_are_a_warning_at_their_first_place(tmp_path: Path):
    root = write_book(tmp_path / "book", {"ch.md": "# A\n\nÉtude, ß, Ж and “quotes” are set.\n\n"
                                                   "The name 毛泽东, the word שלום and 😀; again 毛泽东.\n"},
                      "title: T\n")
    result = run_publish("check", root)
    assert result.code == 0 and "Traceback" not in result.stderr, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "[missing-glyph]" in line]
    assert [w.split("/book/")[1] for w in warnings] == [
        "ch.md:5:10: warning: no font of this book has 毛泽东 (U+6BDB U+6CFD U+4E1C) [missing-glyph]",
        "ch.md:5:24: warning: no font of this book has שלום (U+05E9 U+05DC U+05D5 …) [missing-glyph]",
        "ch.md:5:33: warning: no font of this book has 😀 (U+1F600) [missing-glyph]",
    ]


def test_a_tag_left_open_before_a_table_or_a_list_keeps_them_whole(tmp_path: Path):
    # The HTML parser opens an unclosed <b> again around the blocks after it; the table's and the
    # definition list's own tags then gave way, leaving rows and definitions loose (EPUBCheck: RSC-005).
    chapter = "# T\n\nSome <b>bold left open.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nTerm\n: its definition\n"
    root = write_book(tmp_path / "book", {"a.md": chapter}, "title: T\n")
    out = tmp_path / "out"
    result = run_publish("build", root, "--out", out, "--format", "epub")
    assert result.code == 0, result.stderr
    assert_epubcheck_clean(out / "book.epub")
    with zipfile.ZipFile(out / "book.epub") as archive:
        page = etree.fromstring(archive.read("EPUB/t.xhtml"))
    xhtml = "{http://www.w3.org/1999/xhtml}"
    table, = page.iter(f"{xhtml}table")
    assert [td.text for td in table.iter(f"{xhtml}td")] == ["1", "2"]
    definitions, = page.iter(f"{xhtml}dl")
    assert [dd.text for dd in definitions.iter(f"{xhtml}dd")] == ["its definition"]


LOST = "*: [in *Capital* – ed.] * [@trotsky1937b] *emphasis*\n"


def test_markup_the_parser_once_lost_track_of_is_set_with_every_word(tmp_path: Path):
    # Python-Markdown up to 3.11.3 left its own placeholder characters in the output for this run of
    # stray `*` around an editorial note and a citation (found by the property test): the text there
    # would have been lost (publish refused the chapter, below). 3.11.4, the oldest publish accepts,
    # sets it whole.
    root = write_book(tmp_path / "book", {"a.md": "# C\n\nIntro.\n\n" + LOST}, "title: T\n", TOY_BIBLIOGRAPHY)
    result = run_publish("build", root, "--out", tmp_path / "out", "--format", "epub")
    assert result.code == 0, result.stderr
    with zipfile.ZipFile(tmp_path / "out" / "book.epub") as epub:
        chapter = etree.fromstring(epub.read("EPUB/c.xhtml"))
    last = chapter.findall(".//{http://www.w3.org/1999/xhtml}p")[-1]
    assert " ".join("".join(last.itertext()).split()) == "*: [in Capital – ed.] * (Trotsky [1937] 1970) emphasis"


def test_markup_the_parser_loses_track_of_is_an_error_at_the_paragraph_that_holds_it():
    # Should the parser leave its placeholder (STX … ETX) in a chapter again, as Python-Markdown 3.11.3
    # did for the paragraph above, the error is at the source paragraph of the output's block that holds
    # it: not placed by the words before the placeholder (a lone "]" found first in line 3's "[is]").
    text = '# C\n\nIt says "the rule [is] to leave the text alone".\n\nMore words.\n\n' + LOST
    html = ("<p>It says “the rule [is] to leave the text alone”.</p>\n<p>More words.</p>\n"
            "<p>*: [in <em>Capital</em> – ed.] * \x02klzzwxh:0001\x03 <em>emphasis</em></p>")
    found = Diagnostics()
    assert leaked_placeholder(html, ChapterSource(Path("a.md"), text), found)
    assert [(d.line, d.col) for d in found.errors] == [(7, 1)]
    assert found.errors[0].message.startswith("the parser lost track of the inline markup here")
    assert not leaked_placeholder(html.replace("\x02klzzwxh:0001\x03", "x"), ChapterSource(Path("a.md"), text),
                                  found)


def test_an_index_term_with_a_backslash_escape_is_the_term_as_read(tmp_path: Path):
    # The mark's term kept Python-Markdown's placeholder for `\*`, which XML cannot hold: an internal
    # error (found by the long property run).
    root = write_book(tmp_path / "book", {"a.md": "# A\n\nOne {^a\\*b} and {^\\> } mark.\n"}, "title: T\n")
    out = tmp_path / "out"
    result = run_publish("build", root, "--out", out, "--format", "epub", "--format", "html")
    assert result.code == 0 and "Traceback" not in result.stderr, result.stderr
    assert_epubcheck_clean(out / "book.epub")
    assert "a*b" in (out / "book" / "all.html").read_text("utf-8")
