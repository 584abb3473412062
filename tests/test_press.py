"""Books outside this repository: worked on from inside, gathered by a press's publish.yaml, and the
stumbles a new user met (a book called '.', two books of one name, a broken bibliography, a bad date)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from publish.book import BookConfig
from publish.schema import schema_text
from tests.conftest import MANUSCRIPT, PROJECT, TOY_BIBLIOGRAPHY, run_publish, write_book
from tests.test_errors import assert_one_error

CHAPTER = {"a.md": "# A\n\nText [@guevara2018].\n"}


def tree(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_dot_is_the_book_in_the_working_directory(tmp_path: Path):
    book = write_book(tmp_path / "essays", CHAPTER, "title: Essays\n", TOY_BIBLIOGRAPHY)
    result = run_publish("build", ".", "--format", "epub", cwd=book)
    assert result.code == 0, result.stderr
    assert "built essays" in result.stderr
    manifest = json.loads((book / "dist" / "manifest.json").read_text("utf-8"))
    assert list(manifest["books"]) == ["essays"] and (book / "dist" / "essays.epub").is_file()
    again = run_publish("build", "--format", "epub", cwd=book)  # no argument: ./book.yaml
    assert again.code == 0 and "unchanged essays" in again.stderr, again.stderr


def test_two_books_with_one_name_are_refused_and_the_output_is_left_alone(tmp_path: Path):
    first = write_book(tmp_path / "a" / "book", CHAPTER, "title: One\n", TOY_BIBLIOGRAPHY)
    second = write_book(tmp_path / "b" / "book", CHAPTER, "title: Two\n", TOY_BIBLIOGRAPHY)
    other = write_book(tmp_path / "c" / "other", CHAPTER, "title: Other\n", TOY_BIBLIOGRAPHY)
    out = tmp_path / "out"
    assert run_publish("build", other, "--out", out, "--format", "epub").code == 0
    before = tree(out)
    result = run_publish("build", first, second, "--out", out, "--format", "epub")
    assert result.code == 1 and "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert errors == [
        f"{first / 'book.yaml'}:1:1: error: another book has the same slug 'book' ({second}); their outputs "
        "would overwrite each other: rename one of the directories",
        f"{second / 'book.yaml'}:1:1: error: another book has the same slug 'book' ({first}); their outputs "
        "would overwrite each other: rename one of the directories"]
    assert tree(out) == before
    assert [p.name for p in tmp_path.glob(".out.*")] == [".out.lock"]  # the lock, no staging left


def test_a_malformed_bibliography_is_the_same_diagnostic_in_build_as_in_check(tmp_path: Path):
    book = write_book(tmp_path / "book", CHAPTER, "title: T\n",
                      "references:\n- id: guevara2018\n  title: [unclosed\n  type: book\n")
    expected = f"{book / 'bibliography.yaml'}:4:7: error: malformed YAML: did not find expected ',' or ']'"
    assert_one_error(run_publish("check", book), expected)
    out = tmp_path / "out"
    assert_one_error(run_publish("build", book, "--out", out), expected, out)


@pytest.mark.parametrize("config, line, message", [
    ("title: T\ndate: last spring\n", 2, "'date': 'last spring' is not an ISO 8601 date (e.g. 2019-06-05, "
                                         "2011-08 or 2011)"),
    ("title: T\ndate: 2019-13-01\n", 2, "'date': '2019-13-01' is not an ISO 8601 date (e.g. 2019-06-05, "
                                        "2011-08 or 2011)"),
])
def test_dates_are_iso_8601(tmp_path: Path, config: str, line: int, message: str):
    book = write_book(tmp_path / "book", CHAPTER, config, TOY_BIBLIOGRAPHY)
    assert_one_error(run_publish("check", book), f"{book / 'book.yaml'}:{line}:1: error: {message}")


def test_an_unquoted_version_is_kept_as_written_with_a_warning(tmp_path: Path):
    book = write_book(tmp_path / "book", CHAPTER, "title: T\nversion: 2.10\n", TOY_BIBLIOGRAPHY)
    result = run_publish("check", book)
    assert result.code == 0
    assert (f"{book / 'book.yaml'}:2:1: warning: 'version: 2.10' is read by YAML as the number 2.1; write it "
            f"in quotes (version: \"2.10\")") in result.stderr
    out = tmp_path / "out"
    assert run_publish("build", book, "--out", out, "--format", "epub").code == 0
    assert json.loads((out / "manifest.json").read_text("utf-8"))["books"]["book"]["version"] == "2.10"


def test_a_chapter_listed_twice_is_an_error(tmp_path: Path):
    book = write_book(tmp_path / "book", CHAPTER, "title: T\nchapters:\n  - a.md\n  - ./a.md\n", TOY_BIBLIOGRAPHY)
    assert_one_error(run_publish("check", book),
                     f"{book / 'book.yaml'}:4:5: error: chapter './a.md' is listed twice (first at line 3)")


PRESS = """\
books: [books/*]
output: public
catalogue: {title: The Shelf Press}
base_url: https://shelf.example/books/
defaults:
  publisher: The Shelf Press
  csl: styles/press.csl
  print: {trim: 6x9in, font_size: 11pt}
"""


def press(tmp_path: Path) -> Path:
    root = tmp_path / "press"
    (root / "styles").mkdir(parents=True)
    (root / "styles" / "press.csl").write_bytes((PROJECT / "styles" / "csl" / "house.csl").read_bytes())
    (root / "publish.yaml").write_text(PRESS, "utf-8")
    write_book(root / "books" / "first", CHAPTER, "title: First\n", TOY_BIBLIOGRAPHY)
    write_book(root / "books" / "second", CHAPTER, "title: Second\nprint: {trim: 5x8in}\npublisher: Own Imprint\n",
               TOY_BIBLIOGRAPHY)
    return root


def test_a_press_builds_its_books_with_their_inherited_defaults(tmp_path: Path):
    root = press(tmp_path)
    result = run_publish("build", "--format", "epub", "--format", "html", cwd=root)
    assert result.code == 0, result.stderr
    out = root / "public"
    assert {"first.epub", "second.epub", "index.html"} <= {p.name for p in out.iterdir()}
    catalogue = (out / "index.html").read_text("utf-8")
    assert "<title>The Shelf Press</title>" in catalogue and "<h1>The Shelf Press</h1>" in catalogue
    first = (out / "first" / "all.html").read_text("utf-8")
    second = (out / "second" / "all.html").read_text("utf-8")
    assert '<link rel="canonical" href="https://shelf.example/books/first/"' in first
    assert "The Shelf Press" in first and "Own Imprint" in second and "The Shelf Press" not in second
    # The press's house style (house.csl: "[2018]") formats the citations, not Chicago's "(Guevara 2018)".
    assert "[2018]" in first and "(Guevara 2018)" not in first


def test_a_press_print_default_merges_with_a_book_setting(tmp_path: Path):
    from publish.book import load_book

    root = press(tmp_path)
    first = load_book(root / "books" / "first").config.print
    second = load_book(root / "books" / "second").config.print
    assert round(first.width / 72, 3) == 6 and first.font_size == 11
    assert round(second.width / 72, 3) == 5 and second.font_size == 11  # its trim, the press's size


def test_a_bad_press_default_is_reported_in_publish_yaml(tmp_path: Path):
    root = press(tmp_path)
    (root / "publish.yaml").write_text(PRESS.replace("  csl: styles/press.csl\n", "  chapter: [x.md]\n"), "utf-8")
    result = run_publish("check", cwd=root)
    assert result.code == 1
    assert ("publish.yaml:7:3: error: defaults: 'chapter' is not a book.yaml key (did you mean "
            "'chapters'?)") in result.stderr  # relative to the working directory, where it is
    (root / "publish.yaml").write_text(PRESS.replace("output: public", "outptu: public"), "utf-8")
    result = run_publish("build", cwd=root)
    assert_one_error(result, "publish.yaml:2:1: error: unknown key 'outptu' (did you mean 'output'?)")


def test_schemas_accept_our_books_and_name_every_key():
    book_schema = json.loads(schema_text("book"))
    press_schema = json.loads(schema_text("press"))
    assert set(book_schema["properties"]) == set(BookConfig.__dataclass_fields__)
    assert set(press_schema["properties"]["defaults"]["properties"]) == set(BookConfig.__dataclass_fields__) - {
        "title", "chapters"}
    for config in [*MANUSCRIPT.glob("*/book.yaml"), PROJECT / "publish" / "starter" / "book.yaml"]:
        text = config.read_text("utf-8").replace("{{title}}", "T").replace("{{date}}", "2026-12-01").replace(
            "{{identifier}}", "urn:uuid:3e40da1b-c2b9-4999-a730-0260464f9ac4")
        data = json.loads(json.dumps(yaml.safe_load(text), default=str))
        jsonschema.validate(data, book_schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"title": "T", "chapters": ["a.md"], "subtitel": "x"}, book_schema)
    jsonschema.validate(yaml.safe_load(PRESS), press_schema)


def test_schema_command_prints_the_schema():
    result = run_publish("schema")
    assert result.code == 0 and json.loads(result.stdout)["title"] == "book.yaml"
    assert json.loads(run_publish("schema", "press").stdout)["title"] == "publish.yaml"


def test_a_press_shares_its_stylesheet_and_layouts_with_every_book(tmp_path: Path):
    root = press(tmp_path)
    (root / "styles" / "web.css").write_text(".chapter-title { color: rgb(1, 2, 3); }\n", "utf-8")
    (root / "layouts" / "partials").mkdir(parents=True)
    copyright_layout = (PROJECT / "styles" / "layouts" / "partials" / "copyright.html").read_text("utf-8")
    (root / "layouts" / "partials" / "copyright.html").write_text(
        copyright_layout + "<p>Printed by the Shelf Press cooperative.</p>\n", "utf-8")
    (root / "publish.yaml").write_text(PRESS + "  css: {web: styles/web.css}\n  layouts: layouts\n", "utf-8")
    result = run_publish("build", "--format", "html", cwd=root)
    assert result.code == 0, result.stderr
    for slug in ("first", "second"):
        web = root / "public" / slug
        assert "color: rgb(1, 2, 3)" in (web / "assets" / "web.css").read_text("utf-8")
        assert "Printed by the Shelf Press cooperative." in (web / "index.html").read_text("utf-8")


def test_the_layout_cache_size_is_a_size(tmp_path: Path):
    from publish.press import load_press

    (tmp_path / "publish.yaml").write_text("cache_size: 500 MB\n", "utf-8")
    assert load_press(tmp_path).cache_size == 500 * 1024 ** 2
    (tmp_path / "publish.yaml").write_text("cache_size: 1000000\n", "utf-8")
    assert load_press(tmp_path).cache_size == 1_000_000
    jsonschema.validate({"cache_size": "2 GB"}, json.loads(schema_text("press")))
    root = press(tmp_path / "bad")
    (root / "publish.yaml").write_text(PRESS + "cache_size: lots\n", "utf-8")
    result = run_publish("check", cwd=root)
    assert result.code == 1
    assert "publish.yaml:9:1: error: 'cache_size': 'lots' is not a size" in result.stderr, result.stderr
