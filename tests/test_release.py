"""Release builds: the same bytes from the same manuscript wherever it is built, a no-op rebuild that
renders nothing, only the edited book rebuilt, and no half-written output after a kill or a race."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import BOOKS, MANUSCRIPT, PROJECT, run_publish

ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}


def copy_manuscript(target: Path) -> list[Path]:
    """The two pamphlets and their shared bibliography, copied to another place (a second checkout)."""
    target.mkdir(parents=True)
    shutil.copy(MANUSCRIPT / "bibliography.yaml", target)
    for slug in BOOKS:
        shutil.copytree(MANUSCRIPT / slug, target / slug)
    return [target / slug for slug in BOOKS]


def digests(out: Path) -> dict[str, str]:
    return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


def verify_against_manifest(out: Path) -> dict:
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    for entry in manifest["books"].values():
        for artifact in entry["artifacts"]:
            data = (out / artifact["path"]).read_bytes()
            assert len(data) == artifact["size"], artifact["path"]
            assert hashlib.sha256(data).hexdigest() == artifact["sha256"], artifact["path"]
    return manifest


def leftovers(out: Path) -> list[Path]:
    return [p for p in out.rglob("*") if p.name.endswith(".tmp") or "staging" in p.name]


def test_same_bytes_from_different_paths_and_job_counts(tmp_path: Path):
    first = copy_manuscript(tmp_path / "one" / "manuscript")
    second = copy_manuscript(tmp_path / "checkout" / "elsewhere" / "manuscript")
    assert run_publish("build", *first, "--out", tmp_path / "out1", "--jobs", "1").code == 0
    assert run_publish("build", *second, "--out", tmp_path / "out2", "--jobs", "2").code == 0
    one, two = digests(tmp_path / "out1"), digests(tmp_path / "out2")
    assert one == two and len(one) > 10


def test_noop_rebuild_renders_nothing_and_an_edit_rebuilds_only_its_book(tmp_path: Path):
    books = copy_manuscript(tmp_path / "manuscript")
    out = tmp_path / "dist"
    assert run_publish("build", *books, "--out", out).code == 0
    before = digests(out)
    times = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    again = run_publish("build", *books, "--out", out)
    assert again.code == 0 and "0 built, 2 unchanged, 0 failed" in again.stderr
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == times
    with (books[1] / "about-the-authors.md").open("a", encoding="utf-8") as chapter:
        chapter.write("\nA sentence added by the test.\n")
    edited = run_publish("build", *books, "--out", out, "--json")
    assert edited.code == 0 and "1 built, 1 unchanged, 0 failed" in edited.stderr
    manifest = json.loads(edited.stdout)
    after = digests(out)
    changed = {name for name in after if after[name] != before.get(name)}
    catalogue = ("manifest.json", "index.html", "opds.xml", "releases.xml", "onix.xml",  # they list every book
                 "pagefind/")  # the search index over every book's pages
    assert changed and all(name.startswith(("lesson-of-the-soviet-union", *catalogue))
                           for name in changed), changed
    assert not [n for n in changed if n.startswith("leon-trotsky-speaks")]
    entry = manifest["books"]["lesson-of-the-soviet-union"]
    pdf = next(a for a in entry["artifacts"] if a["format"] == "pdf")
    assert pdf["pages"] > 10 and pdf["words"] > 4000 and pdf["sha256"] == after["lesson-of-the-soviet-union.pdf"]
    forced = run_publish("build", *books, "--out", out, "--force")
    assert "2 built, 0 unchanged" in forced.stderr and digests(out) == after


def test_killed_build_leaves_the_previous_outputs_intact(tmp_path: Path):
    books = copy_manuscript(tmp_path / "manuscript")
    out = tmp_path / "dist"
    assert run_publish("build", *books, "--out", out).code == 0
    before = digests(out)
    for book in books:  # both books must be rebuilt, so the build takes seconds
        with (book / "book.yaml").open("a", encoding="utf-8") as config:
            config.write("version: '1.1'\n")
    build = subprocess.Popen([sys.executable, "-m", "publish", "build", *map(str, books), "--out", str(out),
                              "--jobs", "1"], cwd=PROJECT, env=ENV, stderr=subprocess.PIPE)
    time.sleep(2.0)
    build.send_signal(signal.SIGKILL)
    build.wait(timeout=30)
    assert build.returncode == -signal.SIGKILL
    verify_against_manifest(out)
    assert digests(out) == before
    assert leftovers(out) == []
    assert run_publish("build", *books, "--out", out).code == 0  # and the next build recovers
    assert json.loads((out / "manifest.json").read_text())["books"]["leon-trotsky-speaks"]["version"] == "1.1"


def test_two_builds_at_once_into_one_directory(tmp_path: Path):
    books = copy_manuscript(tmp_path / "manuscript")
    out = tmp_path / "dist"
    command = [sys.executable, "-m", "publish", "build", *map(str, books), "--out", str(out)]
    runs = [subprocess.Popen(command, cwd=PROJECT, env=ENV, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(run.wait(timeout=300), run.stderr.read()) for run in runs]
    assert [code for code, _ in results] == [0, 0], results
    assert any("waiting for another build" in err for _, err in results), results
    verify_against_manifest(out)
    assert leftovers(out) == []


def test_release_checks_builds_and_validates(tmp_path: Path):
    books = copy_manuscript(tmp_path / "manuscript")
    out = tmp_path / "dist"
    result = run_publish("release", *books, "--out", out)
    assert result.code == 0, result.stderr
    assert "publish release: ready" in result.stderr
    assert f"publish release: proof of {books[0].name}: " in result.stderr  # the typographic report, counted
    manifest = verify_against_manifest(out)
    validators = {a["path"]: a["validators"] for e in manifest["books"].values() for a in e["artifacts"]}
    assert validators["leon-trotsky-speaks.epub"] == ["epubcheck"]
    assert validators["leon-trotsky-speaks.pdf"] == ["pdf-structure"]
    assert validators["leon-trotsky-speaks/index.html"] == ["vnu"]
    with (books[0] / "interview.md").open("a", encoding="utf-8") as chapter:
        chapter.write("\nA citation of nothing [@nowhere2001].\n")
    failed = run_publish("release", *books, "--out", out)
    assert failed.code == 1 and "nothing built" in failed.stderr
