"""`publish proof`: the typographic report read from the layout, and the comparison with an earlier
printing. The books are generated; the pages and lines asserted were checked on the page images
(pdftoppm) once."""

from __future__ import annotations

import json
import random
import subprocess
import textwrap
from pathlib import Path

import pytest

from tests.conftest import run_publish, write_book

A6 = "title: Planted\nprint: {trim: A6}\n"
# A grey block nearly as tall as an A6 text block (311 pt): its line and the next cannot share a page.
TALL = ('<svg xmlns="http://www.w3.org/2000/svg" width="150pt" height="290pt" viewBox="0 0 150 290">'
        '<rect width="150" height="290" fill="#888"/></svg>')
BEFORE = "Before the figure there is a paragraph of ordinary length that runs over several lines of the page. "
FILLER = "\n\n".join(f"Line {i} of the filler." for i in range(10))
PLANTED = {
    # The figure's line fills a page by itself: the paragraph's last line cannot join it (a widow).
    "widow.md": f"# Widow\n\n{BEFORE * 3}\n\nThe figure ![a tall grey block](tall.svg) and the words that end "
                "the paragraph.\n\nA last paragraph.\n",
    # Long words on a narrow measure: four hyphenated line ends in a row.
    "hyphens.md": "# Hyphens\n\nInternationalization characteristically incomprehensibility responsibilities "
                  "representatives counterrevolutionary institutionalization bureaucratization "
                  "nationalization intellectualization.\n",
    # A heading whose text (the figure) cannot follow it on the same page.
    "heading.md": f"# Heading\n\n{FILLER}\n\n## A heading\n\n![a tall grey block](tall.svg)\n\nText after it.\n",
    # Three short words and a number that cannot be broken: the short words are spread over the line.
    "loose.md": "# Loose\n\nIt is so 1234567890123456789012345678901234 and the rest of the paragraph follows it.\n",
}


def proof_json(*args: str | Path) -> dict:
    result = run_publish("proof", *args, "--format", "json")
    assert result.code == 0, result.stderr
    return json.loads(result.stdout)["books"][0]


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = write_book(tmp_path_factory.mktemp("planted") / "planted", PLANTED, A6)
    (root / "tall.svg").write_text(TALL, encoding="utf-8")
    return proof_json(root)


def found(report: dict, rule: str) -> list[tuple[int, int, str]]:
    return [(f["page"], f["line"], f"{Path(f['path']).name}:{f['source_line']}")
            for f in report["findings"] if f["rule"] == rule]


# Pages count the PDF's pages from 1 (the half title); each chapter opens on a right-hand page.

def test_planted_widow_is_found_at_its_page_and_line(planted: dict):
    # Page 8 holds "The figure", the grey block and "and the"; page 9 opens with the paragraph's last line.
    assert found(planted, "widow") == [(9, 1, "widow.md:5")]
    assert not found(planted, "orphan")


def test_planted_hyphen_stack_is_found_at_its_first_line(planted: dict):
    # Page 11: "in-", "represen-", "institutional-", "in-" end four lines in a row.
    assert found(planted, "hyphen-stack") == [(11, 2, "hyphens.md:3")]
    assert "4 hyphenated line ends" in next(f["message"] for f in planted["findings"] if f["rule"] == "hyphen-stack")


def test_planted_stranded_heading_is_found(planted: dict):
    # The heading is pushed off page 13 and stands alone on page 14; its figure is on page 15.
    assert found(planted, "stranded-heading") == [(14, 1, "heading.md:23")]


def test_planted_loose_line_is_found(planted: dict):
    # "It is so" spread over the measure, the number on the next line.
    assert (17, 2, "loose.md:3") in found(planted, "loose-line")
    line = next(f for f in planted["findings"] if f["rule"] == "loose-line" and f["page"] == 17)
    assert line["text"] == "It is so"


def test_findings_are_in_page_and_line_order(planted: dict):
    places = [(f["page"], f["line"], f["rule"]) for f in planted["findings"]]
    assert places == sorted(places)


CLEAN = ("The cat sat on the mat and the dog sat by the door of the old red barn. " * 6).strip()


def test_a_clean_book_reports_none_of_the_planted_kinds(tmp_path: Path):
    root = write_book(tmp_path / "clean", {"one.md": f"# One\n\n{CLEAN}\n\n## Two\n\n{CLEAN}\n\n{CLEAN}\n"},
                      "title: Clean\n")
    report = proof_json(root)
    kinds = {f["rule"] for f in report["findings"]}
    assert not kinds & {"widow", "orphan", "hyphen-stack", "stranded-heading", "loose-line", "tight-line"}, \
        report["findings"]


def test_text_and_github_forms_name_the_manuscript_line(tmp_path: Path):
    root = write_book(tmp_path / "loose", {"loose.md": PLANTED["loose.md"]}, A6)
    text = run_publish("proof", root)
    assert text.code == 0, text.stderr
    assert "loose.md:3:1: warning: page 7, line 2: word spaces stretched" in text.stdout
    assert text.stdout.rstrip().endswith("loose: 2 finding(s) on 7 pages")
    github = run_publish("proof", root, "--format", "github")
    assert "::warning file=" in github.stdout and ",line=3,col=1,title=loose-line::page 7, line 2" in github.stdout


def test_thresholds_come_from_book_yaml(tmp_path: Path):
    root = write_book(tmp_path / "loose", {"loose.md": PLANTED["loose.md"]},
                      A6 + "proof: {loose: 50, ignore: [last-page-short]}\n")
    assert found(proof_json(root), "loose-line") == []


@pytest.mark.parametrize(("settings", "message"), [
    ("proof: {lose: 2}", "'proof': unknown key 'lose' (did you mean 'loose'?)"),
    ("proof: {hyphens: two}", "'proof': hyphens: expected a whole number of lines"),
    ("proof: {ignore: [widows]}", "'proof': ignore: no proof rule 'widows'"),
    ("proof: {loose: 1.0, tight: 1.5}", "'proof': tight: must be less than loose"),
])
def test_bad_proof_settings_are_errors_at_their_line(tmp_path: Path, settings: str, message: str):
    root = write_book(tmp_path / "bad", {"one.md": "# One\n\nText.\n"}, f"title: Bad\n{settings}\n")
    result = run_publish("proof", root)
    assert result.code == 1
    assert f"book.yaml:2:1: error: {message}" in result.stderr
    assert "Traceback" not in result.stderr
