"""The EPUB in reading software beyond EPUBCheck: DAISY Ace finds no accessibility violation, and epub.js
(in Chromium) opens every chapter on a first page that shows the chapter's heading; and a novel-sized
book's EPUB stays small and valid. (Of the other test books, the book of every construct and the book of
code and tables are read where they are built: tests/test_build.py, tests/test_markdown.py.)"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import BOOKS, run_publish
from tests.editions import epub_text
from tests.novel import CHAPTERS, WORDS, write_novel
from tests.reading_systems import (
    assert_ace_finds_no_violation,
    assert_each_chapter_opens_on_its_heading,
    chapter_headings,
    contents,
)
from tests.test_build import assert_epubcheck_clean


@pytest.fixture(scope="module")
def pamphlets(dist: Path) -> list[Path]:
    return [dist / f"{slug}.epub" for slug in BOOKS]


def test_ace_finds_no_violation_in_either_pamphlet(pamphlets: list[Path]):
    assert_ace_finds_no_violation(pamphlets)


def test_epubjs_opens_each_chapter_of_either_pamphlet_on_its_heading(pamphlets: list[Path]):
    headings = chapter_headings(pamphlets[0])  # Leon Trotsky Speaks
    assert headings["burying-stalinism-defending-socialism.xhtml"] == ("Burying Stalinism & Defending "
                                                                       "Socialism")
    assert headings["introductory-note.xhtml"] == "Introductory Note"  # front matter too
    assert_each_chapter_opens_on_its_heading(pamphlets)


# A novel-sized book: about 105,000 words in 12 chapters (tests/novel.py). Its build, EPUBCheck, Ace and
# epub.js take about a minute together, so it runs when PUBLISH_NOVEL=1.

novel = pytest.mark.skipif(os.environ.get("PUBLISH_NOVEL") != "1",
                           reason="the novel-sized book runs with PUBLISH_NOVEL=1 (about a minute)")


@pytest.fixture(scope="module")
def novel_epub(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("novel")
    root = write_novel(base / "the-long-winter")
    result = run_publish("build", root, "--format", "epub", "--out", base / "out")
    assert result.code == 0, result.stderr
    return base / "out" / "the-long-winter.epub"


@novel
def test_a_novel_sized_epub_is_at_most_600_kb(novel_epub: Path):
    assert len(epub_text(novel_epub).split()) >= WORDS * 0.98
    chapters = [f"chapter-{n}.xhtml" for n in range(1, CHAPTERS + 1)]
    assert contents(novel_epub) == ["titlepage.xhtml", *chapters]
    assert novel_epub.stat().st_size <= 600_000


@novel
def test_a_novel_sized_epub_passes_epubcheck(novel_epub: Path):
    assert_epubcheck_clean(novel_epub)


@novel
def test_a_novel_sized_epub_reads_in_ace_and_epubjs(novel_epub: Path):
    assert_ace_finds_no_violation([novel_epub])
    assert_each_chapter_opens_on_its_heading([novel_epub])
