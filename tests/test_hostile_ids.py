"""Ids that collide: a heading or raw HTML id publish also generates, footnotes defined twice,
referenced twice, undefined, unused or inside one another. Each is a diagnostic at its line; what
builds has every id once in every document of every edition, and passes EPUBCheck."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import TOY_BIBLIOGRAPHY, run_publish, write_book
from tests.test_build import assert_epubcheck_clean
from tests.test_hostile import documents
from tests.test_hostile_files import assert_failed_cleanly


def repeated_ids(out: Path) -> dict[str, list[str]]:
    """By document, the ids that stand more than once in it."""
    repeated = {}
    for name, root in documents(out):
        counts = Counter(e.get("id") for e in root.iter() if isinstance(e.tag, str) and e.get("id"))
        if [i for i, n in counts.items() if n > 1]:
            repeated[name] = [i for i, n in counts.items() if n > 1]
    return repeated


GENERATED = "collides with the generated id"
COLLISIONS = [
    ("# References {#references}\n\nText.\n",
     f"a.md:1:14: error: id 'references' {GENERATED} 'references' (the References section)"),
    ("# A\n\n## Notes {#note-1}\n", f"a.md:3:10: error: id 'note-1' {GENERATED} 'note-N' (a footnote)"),
    ("# A\n\n<span id=\"noteref-2\">x</span>\n", f"a.md:3:7: error: id 'noteref-2' {GENERATED} 'noteref-N'"),
    ("# A\n\nSee [@guevara2018].\n\n## K {#ref-guevara2018}\n",
     f"a.md:5:6: error: id 'ref-guevara2018' {GENERATED} 'ref-KEY' (a References entry)"),
    ("# A\n\n## Toc {#toc}\n", f"a.md:3:8: error: id 'toc' {GENERATED} 'toc'"),
    ("# A\n\n## B {#a-title}\n", f"a.md:3:6: error: id 'a-title' {GENERATED} 'a-title' (the title of chapter 'a')"),
    ("# A\n\n## B {#x}\n\n## C {#x}\n", "a.md:5:6: error: id 'x' collides with an id used before ('x')"),
    ("# A\n\nText[^1] and [^2].\n\n[^1]: One.\n", "a.md:3:14: error: footnote '[^2]' is referenced but never defined"),
    ("# A\n\nText[^1].\n\n[^1]: One.\n[^1]: Again.\n",
     "a.md:6:1: error: footnote '[^1]' is defined twice (first at line 5)"),
    ("# A\n\nText[^1], again[^1].\n\n[^1]: One.\n", "a.md:3:16: error: footnote '[^1]' is referenced twice"),
    ("# A\n\nText[^1] and[^2].\n\n[^1]: One, see [^2].\n[^2]: Two, see [^1].\n",
     "a.md:6:16: error: footnote '[^2]' refers to footnote '[^1]': a note cannot hold a note reference"),
]


@pytest.mark.parametrize(("text", "expected"), COLLISIONS)
def test_a_colliding_id_is_an_error_at_its_line(tmp_path: Path, text: str, expected: str):
    root = write_book(tmp_path / "book", {"a.md": text}, "title: T\n", TOY_BIBLIOGRAPHY)
    result = run_publish("build", root, "--out", tmp_path / "out", "--format", "epub", "--format", "html")
    assert_failed_cleanly(result, tmp_path / "out", expected)


def test_headings_that_repeat_generated_names_build_with_every_id_once(tmp_path: Path):
    chapters = {
        "a.md": "# References\n\nText[^n] cites [@guevara2018].\n\n## Notes\n\n## Contents\n\n## Note 1\n\n"
                "## Page 2\n\n## B title\n\n## Part\n\n## Part\n\n[^n]: A note, before its reference's chapter.\n"
                "[^unused]: Never referenced.\n",
        "b.md": "# B\n\n[^n]: Defined first.\n\nA second chapter's note[^n] and `[^code]`.\n\n## Part\n",
        "c.md": "# References\n\n## Toc\n\n## Title page\n",
    }
    root = write_book(tmp_path / "book", chapters, "title: T\n", TOY_BIBLIOGRAPHY)
    out = tmp_path / "out"
    result = run_publish("build", root, "--out", out, "--format", "epub", "--format", "html")
    assert result.code == 0 and "Traceback" not in result.stderr, result.stderr
    assert "a.md:20:1: warning: footnote '[^unused]' is never referenced; it is left out" in result.stderr
    assert repeated_ids(out) == {}
    assert_epubcheck_clean(out / "book.epub")
    page = (out / "book" / "all.html").read_text("utf-8")
    for renamed in ('id="references-2"', 'id="notes-2"', 'id="contents-2"', 'id="note-1-2"', 'id="page-2-2"',
                    'id="b-2"', 'id="part-2"', 'id="part-3"', 'id="references-3"', 'id="toc-2"',
                    'id="title-page-2"'):
        assert renamed in page, renamed
