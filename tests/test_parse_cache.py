"""The parse cache: a rebuild parses again only the chapters that changed, taking the others from
.publish-cache/ (beside the output, with the layouts), and its outputs are the bytes a cold build of
the edited manuscript gives, also when an edit changes what a later chapter's parse reads of the
chapters before it (the heading ids they claimed, the speakers they introduced, their notes). A
chapter's warnings are given again from the cache, at their line and column; an error is never kept;
a damaged entry is parsed again, not believed; `--force` parses everything again. The same holds of
what else a build keeps there for the next one: the citation processor's result, the covers.

A parse entry is told from a layout entry by its first line (its facts, JSON), which names the form
of the parse it holds; one rewritten has a new inode (entries are written to a new file and moved)."""

from __future__ import annotations

import io
import json
from pathlib import Path

from tests.conftest import TOY_BIBLIOGRAPHY, run_publish, write_book

CONFIG = "title: Cached Parse\nspeakers: {LT: Leon Trotsky}\n"
CHAPTERS = {
    "a.md": "# One\n\n**LT:** The first turn of the book.\n\n## Context\n\nText[^a] cites [@guevara2018].\n\n"
            "[^a]: A note of the first chapter.\n",
    "b.md": "# Two\n\n**LT:** The second turn.\n\n## Context\n\nMore text[^b] and a word to change.\n\n"
            "[^b]: A note of the second chapter.\n",
    "c.md": "# Three\n\nPlain text, and a word to change.\n",
}


def parses(cache: Path) -> dict[Path, int]:
    """The parse entries of a cache, by path, with their inodes."""
    found = {}
    for path in cache.glob("*/*"):
        if path.name.startswith("."):
            continue
        head = path.read_bytes().partition(b"\n")[0]
        try:
            facts = json.loads(head)
        except ValueError:
            facts = {}
        if isinstance(facts, dict) and "parse" in facts:
            found[path] = path.stat().st_ino
    return found


def build(book: Path, out: Path, *extra: str, cwd: Path | None = None):
    result = run_publish("build", book, "--out", out, *extra, **({"cwd": cwd} if cwd else {}))
    assert result.code == 0 and "Traceback" not in result.stderr, result.stderr
    return result


def outputs(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def assert_as_cold(book: Path, out: Path, place: Path) -> None:
    """Every output file the bytes of a build of the manuscript as it is now, where no cache is."""
    build(book, place / "dist")
    assert outputs(out) == outputs(place / "dist")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def test_a_rebuild_parses_only_what_changed_and_gives_the_bytes_of_a_cold_build(tmp_path: Path):
    book = write_book(tmp_path / "book", CHAPTERS, CONFIG, TOY_BIBLIOGRAPHY)
    out, cache = tmp_path / "dist", tmp_path / ".publish-cache"
    build(book, out)
    first = parses(cache)
    assert len(first) == 3  # one a chapter

    # One word in the last chapter: it alone is parsed again (one entry more); the other entries are
    # read, not written again.
    edit(book / "c.md", "a word", "one word")
    build(book, out)
    now = parses(cache)
    assert len(set(now) - set(first)) == 1
    assert all(now.get(path) == inode for path, inode in first.items())
    assert_as_cold(book, out, tmp_path / "word")

    # The first chapter loses its speaker's turn and its "Context" heading (its note and citation stay,
    # so that the later chapters' notes and citations keep their numbers): the second chapter's text
    # is unchanged, but its first turn now names the speaker in full and its heading is "context" (not
    # "context-2"). It is parsed again, as a cold build parses it.
    edit(book / "a.md", "**LT:** The first turn of the book.\n\n## Context\n\n", "")
    build(book, out)
    page = (out / "book" / "all.html").read_text("utf-8")
    assert page.count("Leon Trotsky (") == 1 and 'id="context"' in page and 'id="context-2"' not in page
    assert_as_cold(book, out, tmp_path / "context")

    # --force reads nothing from the cache: every chapter is parsed, and its entry written, again (the
    # entries of the manuscript's earlier states stay as they were).
    kept = parses(cache)
    build(book, out, "--force")
    again = parses(cache)
    assert set(again) == set(kept) and sum(1 for path, inode in kept.items() if again[path] != inode) == 3
    assert outputs(out) == outputs(tmp_path / "context" / "dist")


def test_an_image_replaced_under_an_unchanged_chapter_is_published_anew(tmp_path: Path):
    """A chapter's entry names the image files its parse read; one changed since is parsed again (its
    published name carries the digest of its bytes)."""
    from PIL import Image

    def png(colour: tuple[int, int, int]) -> bytes:
        out = io.BytesIO()
        Image.new("RGB", (4, 4), colour).save(out, format="PNG")
        return out.getvalue()

    chapters = {"a.md": "# A\n\n![A square](square.png)\n", "b.md": "# B\n\nA word to change.\n"}
    book = write_book(tmp_path / "book", chapters, "title: T\n")
    (book / "square.png").write_bytes(png((200, 0, 0)))
    out = tmp_path / "dist"
    build(book, out, "--format", "epub", "--format", "html")
    before = {name for name in outputs(out) if "/images/" in name}
    (book / "square.png").write_bytes(png((0, 0, 200)))
    edit(book / "b.md", "A word", "One word")
    build(book, out, "--format", "epub", "--format", "html")
    after = {name for name in outputs(out) if "/images/" in name}
    assert len(before) == len(after) == 1 and before != after
    place = tmp_path / "cold"
    build(book, place / "dist", "--format", "epub", "--format", "html")
    assert outputs(out) == outputs(place / "dist")


def test_a_warning_is_given_again_when_the_chapter_comes_from_the_cache(tmp_path: Path):
    chapters = {"a.md": "# A\n\nText[^n].\n\n[^n]: A note.\n[^unused]: Never referenced.\n",
                "b.md": "# B\n\nA word to change.\n"}
    book = write_book(tmp_path / "book", chapters, "title: T\n")
    out, cache = tmp_path / "dist", tmp_path / ".publish-cache"
    warning = "a.md:6:1: warning: footnote '[^unused]' is never referenced; it is left out"
    first = build(book, out, "--format", "html", cwd=tmp_path)
    assert f"book/{warning}" in first.stderr
    entries = parses(cache)
    edit(book / "b.md", "A word", "One word")
    # From the book's directory this time: the path is shown as this build's user would type it.
    second = build(book, out, "--format", "html", cwd=book)
    assert warning in second.stderr and "book/a.md" not in second.stderr
    now = parses(cache)
    assert len(set(now) - set(entries)) == 1
    assert all(now.get(path) == inode for path, inode in entries.items())


def test_a_chapter_in_error_is_not_kept_in_the_cache(tmp_path: Path):
    chapters = {"a.md": "# A\n\nText[^1], again[^1].\n\n[^1]: One.\n", "b.md": "# B\n\nText.\n"}
    book = write_book(tmp_path / "book", chapters, "title: T\n")
    out, cache = tmp_path / "dist", tmp_path / ".publish-cache"
    expected = "a.md:3:16: error: footnote '[^1]' is referenced twice"
    for _ in range(2):
        result = run_publish("build", book, "--out", out, "--format", "html", cwd=book)
        assert result.code == 1 and expected in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
        assert not (out / "book").exists()
    assert len(parses(cache)) == 1  # b.md's only


def facts(path: Path) -> dict:
    """An entry's facts (its first line, JSON), or {} for an entry that has none."""
    try:
        found = json.loads(path.read_bytes().partition(b"\n")[0])
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def test_a_damaged_entry_is_made_again_not_believed(tmp_path: Path):
    import hashlib

    book = write_book(tmp_path / "book", CHAPTERS, CONFIG, TOY_BIBLIOGRAPHY)
    out, cache = tmp_path / "dist", tmp_path / ".publish-cache"
    build(book, out, "--format", "epub", "--format", "html")
    truncated, garbled, emptied = sorted(parses(cache))
    data = truncated.read_bytes()
    truncated.write_bytes(data[: len(data) - 40])  # cut short, as a full disk might leave it
    # What its first line promises (the digest of what follows), but no pickle of ours.
    junk = b"\x80\x05not a pickle at all"
    promise = facts(garbled) | {"sha256": hashlib.sha256(junk).hexdigest()}
    garbled.write_bytes(json.dumps(promise).encode() + b"\n" + junk)
    emptied.write_bytes(b"")
    # The covers kept (the generated one, the web edition's thumbnails) with a byte of each changed,
    # and the citation processor's result made of the wrong shape.
    covers = [path for path in cache.glob("*/*")
              if any("cover" in str(name) for name in facts(path).get("names", []))]
    citations = [path for path in cache.glob("*/*") if "citeproc" in facts(path)]
    assert len(covers) == 2 and len(citations) == 1
    for path in covers:
        data = bytearray(path.read_bytes())
        data[-100] ^= 0xFF
        path.write_bytes(bytes(data))
    citations[0].write_bytes(b'{"citeproc": 5, "authors": {}, "entries": []}\n')
    # A second output directory beside the first shares its cache: every entry is read there.
    build(book, tmp_path / "again", "--format", "epub", "--format", "html")
    assert outputs(tmp_path / "again") == outputs(out)
    assert sorted(parses(cache)) == sorted([truncated, garbled, emptied])  # each parsed and written again


def test_a_build_that_takes_every_page_from_the_cache_never_loads_weasyprint(tmp_path: Path):
    """`--format html` beside a full build of the same manuscript: every page is in the cache, so
    WeasyPrint (half a second to import) is never loaded; the web edition is the one a cold build
    makes."""
    book = write_book(tmp_path / "book", CHAPTERS, CONFIG, TOY_BIBLIOGRAPHY)
    build(book, tmp_path / "dist")
    result = run_publish("build", book, "--out", tmp_path / "web", "--format", "html",
                         env={"PYTHONPROFILEIMPORTTIME": "1"})  # each module imported, on stderr
    assert result.code == 0, result.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()
                if line.startswith("import time")}
    assert "publish.build" in imported and not any(name.startswith("weasyprint") for name in imported)
    place = tmp_path / "cold"
    build(book, place / "web", "--format", "html")
    assert outputs(tmp_path / "web") == outputs(place / "web")
