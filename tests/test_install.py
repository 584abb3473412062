"""publish as a new user gets it: a wheel built from this checkout, installed into a fresh virtual
environment outside the repository, starting a book with `publish new` and building it from inside."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import PROJECT
from tests.test_build import assert_epubcheck_clean


@pytest.fixture(scope="module")
def tool(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `publish` command of a fresh venv that has only the wheel (and what it depends on)."""
    work = tmp_path_factory.mktemp("install")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", work / "wheels",
                    PROJECT], check=True, capture_output=True, timeout=600)
    [wheel] = (work / "wheels").glob("*.whl")
    subprocess.run([sys.executable, "-m", "venv", work / "venv"], check=True, timeout=600)
    subprocess.run([work / "venv" / "bin" / "python", "-m", "pip", "install", "--quiet", wheel], check=True,
                   capture_output=True, timeout=600)
    return work / "venv" / "bin" / "publish"


def run(tool: Path, *args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run([tool, *map(str, args)], cwd=cwd, env={**env, "SOURCE_DATE_EPOCH": "1700000000"},
                          capture_output=True, text=True, timeout=600, check=False)


def test_the_wheel_carries_the_styles_and_the_starter_book(tool: Path):
    [wheel] = (tool.parent.parent.parent / "wheels").glob("*.whl")
    assert wheel.name.startswith("publish_books-")
    names = set(zipfile.ZipFile(wheel).namelist())
    for shipped in PROJECT.joinpath("styles").rglob("*"):
        if shipped.is_file() and "__pycache__" not in shipped.parts:
            assert f"publish/styles/{shipped.relative_to(PROJECT / 'styles').as_posix()}" in names, shipped
    assert "publish/starter/book.yaml" in names and "publish/schemas/book.schema.json" in names


def test_a_new_book_builds_from_inside_with_the_installed_tool(tool: Path, tmp_path: Path):
    version = run(tool, "--version", cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("publish "), version
    made = run(tool, "new", "my-book", "--title", "A Book of One’s Own", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    book = tmp_path / "my-book"
    assert {p.name for p in book.iterdir()} >= {"book.yaml", "introduction.md", "bibliography.yaml", ".gitignore",
                                                 "README.md", "figure.png"}
    first = run(tool, "build", cwd=book)
    assert first.returncode == 0, first.stderr
    dist = book / "dist"
    assert (dist / "my-book.pdf").read_bytes().startswith(b"%PDF-")
    assert (dist / "my-book" / "index.html").is_file()
    assert_epubcheck_clean(dist / "my-book.epub")
    manifest = json.loads((dist / "manifest.json").read_text("utf-8"))
    assert list(manifest["books"]) == ["my-book"]
    assert manifest["books"]["my-book"]["title"] == "A Book of One’s Own"
    # The book's own dist/ is an output, not an input: nothing to do the second time.
    second = run(tool, "build", cwd=book)
    assert second.returncode == 0 and "unchanged my-book" in second.stderr, second.stderr
    checked = run(tool, "check", cwd=book)
    assert checked.returncode == 0 and not checked.stderr.strip(), checked.stderr


def test_new_refuses_a_directory_that_is_not_empty(tool: Path, tmp_path: Path):
    (tmp_path / "draft").mkdir()
    (tmp_path / "draft" / "notes.md").write_text("mine\n")
    result = run(tool, "new", "draft", cwd=tmp_path)
    assert result.returncode == 1 and "not an empty directory" in result.stderr
    assert [p.name for p in (tmp_path / "draft").iterdir()] == ["notes.md"]
