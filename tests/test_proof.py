"""`publish proof`: the typographic report read from the layout, and the comparison with an earlier
printing. The books are generated; the pages and lines asserted were checked on the page images
(pdftoppm) once."""

from __future__ import annotations

import json
import random
import re
import subprocess
import textwrap
from pathlib import Path

import pytest

from tests.conftest import MANUSCRIPT, run_publish, write_book

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


def test_measuring_the_gaps_for_rivers_changes_no_other_finding():
    # The interview's speakers are set in letter-spaced small caps: a word space measured in their
    # font is not the body's (a cache keyed on too little once made the loose lines depend on it).
    book = MANUSCRIPT / "lesson-of-the-soviet-union"
    plain = proof_json(book)["findings"]
    with_rivers = [f for f in proof_json(book, "--rivers")["findings"] if f["rule"] != "river"]
    assert with_rivers == plain
    assert any(f["rule"] == "loose-line" for f in plain)


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


VOCABULARY = ("party", "state", "workers", "power", "class", "bureaucracy", "revolution", "congress",
              "soviet", "plan", "industry", "peasants", "question", "struggle", "history", "theory",
              "program", "leaders", "capital", "market", "labour", "wages", "order", "reform", "the", "of",
              "and", "to", "in", "a", "that", "was", "it", "as", "for", "with", "by", "on", "were",
              "which", "its", "their", "from", "this")


def long_chapter(number: int, paragraphs: int = 57) -> str:
    """A chapter of seeded random prose, its paragraphs wrapped at 72 characters as an editor's would be."""
    rng = random.Random(number)
    text = [f"# Chapter {number}"]
    for n in range(paragraphs):
        words = " ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(40, 110)))
        text.append(textwrap.fill(f"{words.capitalize()} (paragraph {number}.{n}).", 72))
    return "\n\n".join(text) + "\n"


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=Editor", "-c", "user.email=editor@example.org", *args], cwd=root,
                   check=True, capture_output=True)


EDITED_LINE = 317  # the third source line of chapter 2's paragraph 39, which ends on a nearly full line


@pytest.fixture(scope="module")
def corrected(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """A 60-page book in git, then one word of chapter 2 made longer so that its paragraph gains a line."""
    repo = tmp_path_factory.mktemp("printing")
    root = write_book(repo / "book", {f"ch{n}.md": long_chapter(n) for n in range(1, 5)}, "title: Long\n")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "first printing")
    lines = (root / "ch2.md").read_text("utf-8").split("\n")
    assert lines[EDITED_LINE - 2] and lines[EDITED_LINE] and " a " in lines[EDITED_LINE - 1]
    lines[EDITED_LINE - 1] = lines[EDITED_LINE - 1].replace(" a ", " bureaucratization ", 1)
    (root / "ch2.md").write_text("\n".join(lines), "utf-8")
    return root, proof_json(root, "--against", "HEAD")


def test_diff_names_the_changed_pages_and_the_edited_line(corrected: tuple[Path, dict]):
    diff = corrected[1]["diff"]
    pages = {page["page"]: page for page in diff["pages"]}
    # Chapter 2 runs from page 21 to page 33; the paragraph stands on page 29 and now ends a line lower.
    changed = [n for n, page in pages.items() if page["status"] == "changed"]
    assert changed == [29]
    assert pages[29]["causes"] == [{"path": str(corrected[0] / "ch2.md"), "line": EDITED_LINE}]
    # Every later page of the chapter holds the lines it held, one line further on: moved, not changed.
    assert [n for n, page in pages.items() if page["status"] == "moved"] == [30, 31, 32, 33]
    assert pages[30]["before"] == [29, 30]
    # Chapter 3 still opens on page 35 (a right-hand page), and from there on nothing changed.
    assert all(pages[n]["status"] == "unchanged" for n in range(34, 61))
    assert all(pages[n]["status"] == "unchanged" for n in range(1, 29))
    assert (diff["pages_before"], diff["pages_after"]) == (60, 60)
    assert diff["spine_before_mm"] == diff["spine_after_mm"] == 3.0


def test_html_report_shows_the_changed_page_before_and_after(corrected: tuple[Path, dict]):
    result = run_publish("proof", corrected[0], "--against", "HEAD", "--format", "html")
    assert result.code == 0, result.stderr
    html = result.stdout
    assert html.count("<h2>Page ") == 1 and f"<h2>Page 29: {corrected[0] / 'ch2.md'}:{EDITED_LINE}</h2>" in html
    section = html.split("<h2>Page 29")[1]
    assert section.count('src="data:image/png;base64,') == 2  # before and after, drawn by pdftoppm
    assert "before: page 29" in section and "after: page 29" in section
    # The paragraph's lines from the edited one to its end: lines 23-29 of the page, highlighted.
    assert corrected[1]["diff"]["pages"][28]["lines"] == [23, 24, 25, 26, 27, 28, 29]
    before, after = section.split("<figcaption>before: page 29</figcaption>")
    assert after.count('class="mark"') == 7
    assert before.count('class="mark"') == 6  # the paragraph's six lines from the edited one, as they were


def test_diff_against_an_earlier_pdf(corrected: tuple[Path, dict], tmp_path: Path):
    root = corrected[0]
    old = tmp_path / "old"
    subprocess.run(["git", "worktree", "add", "-q", str(old), "HEAD"], cwd=root, check=True, capture_output=True)
    built = run_publish("build", old / "book", "--out", tmp_path / "dist", "--format", "pdf")
    assert built.code == 0, built.stderr
    diff = proof_json(root, "--against", tmp_path / "dist" / "book.pdf")["diff"]
    status = {page["page"]: page["status"] for page in diff["pages"]}
    assert [n for n, s in status.items() if s == "changed"] == [29]
    assert [n for n, s in status.items() if s == "moved"] == [30, 31, 32, 33]
    # Without the manuscript's history, the cause is the paragraph: its first line.
    assert diff["pages"][28]["causes"] == [{"path": str(root / "ch2.md"), "line": EDITED_LINE - 2}]


def test_rivers_only_when_asked_for(tmp_path: Path):
    # The same short words on every line: each line's spaces fall where the line above has its own.
    root = write_book(tmp_path / "river", {"river.md": "# River\n\n" + "state " * 60 + "\n"}, A6)
    assert found(proof_json(root), "river") == []
    assert found(proof_json(root, "--rivers"), "river")[0] == (7, 2, "river.md:3")


def test_an_index_in_columns_is_not_proofed_as_text(tmp_path: Path):
    # An index of marks alone (no index.yaml) two A6 pages long: its columns are ragged by design, and
    # no rule of the page's text (short page, facing pages, stranded heading) is for them.
    marks = "\n\n".join(f"Of {chr(65 + n % 26)}name{n:03d}{{^{chr(65 + n % 26)}name {n:03d}}} and the rest of "
                        "a line." for n in range(90))
    root = write_book(tmp_path / "indexed", {"one.md": f"# One\n\n{marks}\n"}, A6)
    report = proof_json(root)
    entry_or_letter = re.compile(r"[A-Z]name \d{3}|[A-Z]$")
    in_index = [f for f in report["findings"] if entry_or_letter.match(f.get("text", "").strip())]
    assert not in_index, in_index
