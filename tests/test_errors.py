"""Bad input: one diagnostic line naming the file (and line), exit 1, no traceback, nothing written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PROJECT, TOY_BIBLIOGRAPHY, run_publish, write_book
from tests.test_build import assert_epubcheck_clean

GOOD_CONFIG = "title: A Small Book\nlanguage: en\n"


def assert_one_error(result, expected: str, out: Path | None = None) -> None:
    assert result.code == 1, result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert errors == [expected], result.stderr
    if out is not None:
        assert not out.exists() or not any(out.rglob("*")), sorted(out.rglob("*"))


def test_malformed_yaml_names_file_and_line(tmp_path: Path):
    root = write_book(tmp_path / "book", {"a.md": "# A\n\nText.\n"},
                      "title: A Small Book\nsubtitle: [unclosed\nchapters: [a.md]\n")
    out = tmp_path / "out"
    result = run_publish("build", root, "--out", out)
    assert result.code == 1 and "Traceback" not in result.stderr
    [error] = [line for line in result.stderr.splitlines() if ": error: " in line]
    # libyaml and PyYAML's Python reader word it differently; both name the place and the bracket.
    assert error.startswith(f"{root / 'book.yaml'}:3:9: error: malformed YAML: ") and "',' or ']'" in error
    assert not out.exists() or not any(out.rglob("*"))


def test_unknown_key_suggests_the_nearest(tmp_path: Path):
    root = write_book(tmp_path / "book", {"a.md": "# A\n\nText.\n"}, GOOD_CONFIG + "subtitel: Oops\n")
    result = run_publish("check", root)
    assert_one_error(result, f"{root / 'book.yaml'}:3:1: error: unknown key 'subtitel' (did you mean 'subtitle'?)")


def test_missing_chapter_names_the_entry(tmp_path: Path):
    root = write_book(tmp_path / "book", {"a.md": "# A\n\nText.\n"},
                      GOOD_CONFIG + "chapters:\n  - a.md\n  - missing.md\n")
    out = tmp_path / "out"
    result = run_publish("build", root, "--out", out)
    assert_one_error(result, f"{root / 'book.yaml'}:5:5: error: chapter 'missing.md' not found", out)


def test_chapter_not_utf8_names_line_and_byte(tmp_path: Path):
    root = write_book(tmp_path / "book", {"a.md": "# A\n\nText.\n"}, GOOD_CONFIG)
    (root / "a.md").write_bytes("# A\n\nCaf\xe9 society.\n".encode("latin-1"))
    out = tmp_path / "out"
    result = run_publish("build", root, "--out", out)
    assert_one_error(result, f"{root / 'a.md'}:3:4: error: not valid UTF-8 (byte offset 8)", out)


def test_unknown_citation_key_suggests_the_nearest(tmp_path: Path):
    root = write_book(tmp_path / "book", {"a.md": "# A\n\nAs he wrote [@trotsky1937c, 56].\n"},
                      GOOD_CONFIG, TOY_BIBLIOGRAPHY)
    result = run_publish("check", root)
    assert_one_error(result, f"{root / 'a.md'}:3:13: error: unknown citation key 'trotsky1937c' "
                             "(did you mean 'trotsky1937b'?)")


@pytest.mark.parametrize("config, message", [
    ("title: T\nlanguage: english\n", "'language': 'english' is not a BCP 47 language tag (e.g. en, en-GB, fr)"),
    ("title: T\nauthor: [{name: A, role: boss}]\n",
     "'author': role must be one of author, editor, interviewer, interviewee, translator; keys are name and role"),
    ("title: T\nidentifier: 12345\n", "'identifier': expected 'isbn:…' or 'urn:uuid:…'"),
    ("title: T\nidentifier: isbn:978-1-925317-36-8\n",
     "'identifier': '978-1-925317-36-8' is not a valid ISBN (its check digit is wrong)"),
])
def test_invalid_values(tmp_path: Path, config: str, message: str):
    root = write_book(tmp_path / "book", {"a.md": "# A\n\nText.\n"}, config)
    result = run_publish("check", root)
    assert_one_error(result, f"{root / 'book.yaml'}:2:1: error: {message}")


def test_failed_book_leaves_earlier_outputs_intact(tmp_path: Path):
    root = write_book(tmp_path / "book", {"a.md": "# A\n\nText.\n"}, GOOD_CONFIG)
    out = tmp_path / "out"
    assert run_publish("build", root, "--out", out, "--format", "epub").code == 0
    assert_epubcheck_clean(out / "book.epub")
    before = (out / "book.epub").read_bytes()
    (root / "a.md").write_bytes(b"# A\n\n\xff\n")
    result = run_publish("build", root, "--out", out, "--format", "epub")
    assert result.code == 1
    assert (out / "book.epub").read_bytes() == before
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]


def test_a_failing_book_among_others_in_parallel(tmp_path: Path):
    # With two jobs the books are loaded by the main process and rendered by workers: the book that
    # fails to load is reported with its position and builds nothing; the other one is built.
    good = write_book(tmp_path / "good", {"a.md": "# A\n\nText [@guevara2018].\n"}, GOOD_CONFIG, TOY_BIBLIOGRAPHY)
    bad = write_book(tmp_path / "bad", {"a.md": "# A\n\nSee [@guevarra2018].\n"}, GOOD_CONFIG, TOY_BIBLIOGRAPHY)
    out = tmp_path / "out"
    result = run_publish("build", good, bad, "--out", out, "--jobs", "2", "--format", "epub")
    assert result.code == 1
    assert f"{bad / 'a.md'}:3:5: error: unknown citation key 'guevarra2018'" in result.stderr
    assert "Traceback" not in result.stderr
    assert (out / "good.epub").is_file() and not (out / "bad.epub").exists()


def test_wrong_usage_exits_2(tmp_path: Path):
    assert run_publish("build", "--format", "docx").code == 2
    assert run_publish("build", tmp_path / "nowhere").code == 2


def test_bom_and_crlf_are_accepted_silently(tmp_path: Path):
    root = write_book(tmp_path / "book", {"a.md": "# A\n\nText.\n"}, GOOD_CONFIG)
    (root / "a.md").write_bytes("\ufeff# A\r\n\r\nA line,\r\nthe same paragraph.\r\n".encode())
    result = run_publish("check", root)
    assert result.code == 0 and result.stderr == ""


@pytest.mark.parametrize("text, expected", [
    ("", "a.md:1:1: error: the chapter is empty (it needs at least a '# Title')"),
    ("No title.\n", "a.md:1:1: error: a chapter must begin with a level-1 heading ('# Title')"),
    ("# A\n\nA bell\x07 here.\n", "a.md:3:7: error: control character U+0007 is not allowed in a manuscript"),
    ("# A\n\n" + "> " * 30 + "deep\n", "a.md:3:1: error: blocks nested 30 deep (at most 24)"),
])
def test_chapter_errors(tmp_path: Path, text: str, expected: str):
    root = write_book(tmp_path / "book", {"a.md": "# A\n"}, GOOD_CONFIG)
    (root / "a.md").write_text(text, encoding="utf-8")
    result = run_publish("check", root)
    assert_one_error(result, f"{root}/{expected}")


def test_chapter_beyond_the_size_limit(tmp_path: Path):
    root = write_book(tmp_path / "book", {"a.md": "# A\n"}, GOOD_CONFIG)
    (root / "a.md").write_text("# A\n\n" + "word " * 1_100_000, encoding="utf-8")
    assert_one_error(run_publish("check", root), f"{root / 'a.md'}: error: file is larger than 5000000 bytes")


def test_duplicate_heading_ids_are_renamed_with_a_warning(tmp_path: Path):
    root = write_book(tmp_path / "book", {"a.md": "# A\n\n## Part\n\nx\n\n## Part\n\ny\n"}, GOOD_CONFIG)
    result = run_publish("check", root)
    assert result.code == 0
    assert f"{root / 'a.md'}: warning: duplicate heading id 'part' renamed 'part-2'" in result.stderr


def test_broken_style_file_is_a_diagnostic(tmp_path: Path):
    root = write_book(tmp_path / "book", {"a.md": "# A\n\n[@x]\n"}, GOOD_CONFIG + "csl: broken.csl\n",
                      "references:\n- {id: x, type: book, title: T, issued: 1}\n")
    (root / "broken.csl").write_text("<style><citation></style>")
    result = run_publish("check", root)
    assert result.code == 1 and "Traceback" not in result.stderr
    assert f"{root / 'broken.csl'}: error: not a usable CSL style" in result.stderr


CRASH = """
import sys
import publish.resolve
def crash(book):
    raise RuntimeError("a bug")
publish.resolve.resolve_book = crash
from publish.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_internal_error_asks_for_a_bug_report_and_shows_the_traceback_only_with_v(tmp_path: Path):
    root = write_book(tmp_path / "book", {"a.md": "# A\n\nText.\n"}, GOOD_CONFIG)
    for flags, traceback in (([], False), (["-v"], True)):
        done = subprocess.run([sys.executable, "-c", CRASH, "check", str(root), *flags], capture_output=True,
                              text=True, cwd=PROJECT, check=False)
        assert done.returncode == 1
        assert ("Traceback" in done.stderr) is traceback
        assert "publish: internal error: please report this as a bug" in done.stderr.splitlines()[0]


def test_image_without_alt_text(tmp_path: Path):
    root = write_book(tmp_path / "book", {"a.md": "# A\n\nSee ![](figure.png) here.\n"}, GOOD_CONFIG)
    (root / "figure.png").write_bytes(bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415478da63f8cfc000"
        "0003010100c9fe92ef0000000049454e44ae426082"))
    assert_one_error(run_publish("check", root),
                     f"{root / 'a.md'}:3:9: error: image 'figure.png' has no alt text (write ![what it shows](figure.png))")


def test_unreadable_chapter(tmp_path: Path, monkeypatch):
    """Root reads every file, so the refusal is simulated where the file is read."""
    from publish.diagnostics import ManuscriptError
    from publish.files import read_text

    chapter = tmp_path / "a.md"
    chapter.write_text("# A\n")
    monkeypatch.setattr(Path, "read_bytes", lambda self: (_ for _ in ()).throw(PermissionError(13, "Permission denied")))
    with pytest.raises(ManuscriptError) as raised:
        read_text(chapter)
    assert str(raised.value) == f"{chapter}: error: cannot read file: Permission denied"
