"""The manuscript syntax, construct by construct: what each one becomes in the document model."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from publish.book import load_book
from publish.diagnostics import Diagnostics
from publish.markup import make_markdown
from publish.markup.citations import parse_items
from publish.markup.editorial import classify
from publish.parse import parse_book
from tests.conftest import write_book
from tests.editions import ed

SPEAKERS = {"CS": "Contemporary Socialist", "LT": "Leon Trotsky"}


def render(source: str) -> str:
    return make_markdown(SPEAKERS).convert(source)


# Citations -----------------------------------------------------------------

def test_bracketed_citation_with_locator():
    md = make_markdown({})
    html = md.convert("Text [@trotsky1937b, 56-57].")
    assert html == ('<p>Text <span class="citation" data-citation="0" data-cites="trotsky1937b"></span>.</p>')
    [(items, narrative, raw)] = md.citations
    assert (items[0].key, items[0].locator, items[0].label, narrative) == ("trotsky1937b", "56-57", "page", False)
    assert raw == "[@trotsky1937b, 56-57]"


def test_citation_group_with_prefixes_and_labels():
    items = parse_items("see @a, 3; also @b, chap. 12 and passim")
    assert [(i.key, i.prefix, i.locator, i.label, i.suffix) for i in items] == [
        ("a", "see", "3", "page", ""), ("b", "also", "12", "chapter", "and passim")]


def test_locator_list_is_kept_whole():
    [item] = parse_items("@trotsky1937a, 13, 14, 15")
    assert item.locator == "13, 14, 15"


def test_author_suppressed_and_narrative_citations():
    md = make_markdown({})
    md.convert("As @trotsky1929 wrote [-@trotsky1933].")
    kinds = [(items[0].key, narrative, items[0].suppress_author) for items, narrative, _ in md.citations]
    assert sorted(kinds) == [("trotsky1929", True, False), ("trotsky1933", False, True)]


def test_email_address_is_not_a_citation():
    md = make_markdown({})
    assert "citation" not in md.convert("Write to publications@globalresearch.ca today.")
    assert md.citations == []


def test_key_with_internal_punctuation():
    [item] = parse_items("@trotsky1939-40, 6-7")
    assert (item.key, item.locator) == ("trotsky1939-40", "6-7")


# Editorial brackets --------------------------------------------------------

@pytest.mark.parametrize("inner, kind", [
    ("was", "insert"), ("...", "omission"), ("…", "omission"), ("sic", "sic"),
    ("in *The German Ideology* – ed.", "note"), ("see above —ed.", "note"), ("the state", "insert"),
])
def test_bracket_classification(inner, kind):
    assert classify(inner) == kind


def test_insertion_keeps_its_brackets_inside_the_span():
    assert render("the state [was] strong") == '<p>the state ' + ed("insert", 'was') + ' strong</p>'


def test_omission_sic_and_note_spans():
    html = render("a [...] b [sic] c [in *The German Ideology* – ed.] d")
    assert ed("omission", '…') in html
    assert ed("sic", '<i>sic</i>') in html
    assert ed("note", 'in <em>The German Ideology</em> – ed.') in html


def test_bracket_inside_emphasis_is_wrapped_once():
    md = make_markdown({})
    html = md.convert("*the [Bolshevik] party*")
    assert html == '<p><em>the ' + ed("insert", 'Bolshevik') + ' party</em></p>'
    assert html.count('class="ed ed-insert"') == 1


@pytest.mark.parametrize("written, expected", [
    # `[` inside the emphasis, `]` after it: the emphasis is split at the bracket, the words keep it.
    ("the *state [was* very] strong",
     '<p>the <em>state </em><span class="ed ed-insert"><em><span class="ed-bracket">[</span>was</em> very'
     '<span class="ed-bracket">]</span></span> strong</p>'),
    # `[` before the emphasis, `]` inside it.
    ("[was *very] strong* end",
     '<p><span class="ed ed-insert"><span class="ed-bracket">[</span>was <em>very<span class="ed-bracket">]'
     '</span></em></span><em> strong</em> end</p>'),
    # An omission that begins in italic text, and a bold phrase crossed twice.
    ("*a [...* b] **c [d** e] f",
     '<p><em>a </em><span class="ed ed-insert"><em><span class="ed-bracket">[</span>…</em> b'
     '<span class="ed-bracket">]</span></span> <strong>c </strong><span class="ed ed-insert"><strong>'
     '<span class="ed-bracket">[</span>d</strong> e<span class="ed-bracket">]</span></span> f</p>'),
])
def test_bracket_across_an_emphasis_boundary(written: str, expected: str):
    html = render(written)
    assert html == expected
    # Nothing lost: the text reads as written, less the asterisks.
    assert re.sub(r"<[^>]+>", "", html) == written.replace("*", "").replace("...", "…")


def test_an_unclosed_bracket_across_emphasis_stays_literal():
    assert render("a [no close *b* c") == "<p>a [no close <em>b</em> c</p>"


def test_escaped_brackets_are_literal():
    assert render(r"a \[b\] c") == "<p>a [b] c</p>"


def test_links_and_footnote_references_are_not_editorial():
    html = render("[text](http://example.org) and a note[^1]\n\n[^1]: The note.")
    assert "ed-insert" not in html
    assert '<a href="http://example.org">text</a>' in html


# Interview turns -----------------------------------------------------------

def test_speaker_full_name_first_then_label():
    html = render("**CS:** First question.\n\n**LT:** Answer.\n\n**CS:** Second question.")
    assert ('<p class="turn" data-speaker="CS"><span class="speaker">Contemporary Socialist '
            '(<abbr title="Contemporary Socialist">CS</abbr>):</span> First question.</p>') in html
    assert ('<p class="turn" data-speaker="CS"><span class="speaker"><abbr title="Contemporary Socialist">'
            'CS</abbr>:</span> Second question.</p>') in html


def test_bold_text_that_is_not_a_speaker_stays_bold():
    assert render("**Note:** this is bold.") == "<p><strong>Note:</strong> this is bold.</p>"


# Chapters, headings and notes in the model ---------------------------------

def test_chapter_model_roles_headings_and_notes(tmp_path: Path):
    root = write_book(tmp_path / "book", {
        "a.md": "# Preface {.front}\n\nText.\n",
        "b.md": "# Chapter\n\nBody.[^x] More.\n\n## Part\n\nText.[^y]\n\n[^x]: First note.\n[^y]: Second note.\n",
        "c.md": "# About {.back}\n\nText.[^z]\n\n[^z]: Third note.\n",
    }, "title: T\n")
    found = Diagnostics()
    chapters, _ = parse_book(load_book(root), found)
    assert [(c.id, c.role, c.title.text) for c in chapters] == [
        ("preface", "front", "Preface"), ("chapter", "body", "Chapter"), ("about", "back", "About")]
    assert [h.text for h in chapters[1].headings] == ["Part"]
    notes = [(n.number, n.html) for c in chapters for n in c.notes]
    assert notes == [(1, "<p>First note.</p>"), (2, "<p>Second note.</p>"), (3, "<p>Third note.</p>")]
    assert '<a class="noteref" id="noteref-1" href="#note-1">1</a>' in chapters[1].body
    assert not found.items


def test_chapter_without_title_heading_is_an_error(tmp_path: Path):
    root = write_book(tmp_path / "book", {"a.md": "No heading here.\n"}, "title: T\n")
    found = Diagnostics()
    parse_book(load_book(root), found)
    assert [str(d) for d in found.errors] == [
        f"{root / 'a.md'}:1:1: error: a chapter must begin with a level-1 heading ('# Title')"]
