"""The layout cache: a long book rebuilt after edits, reusing every chapter's layout it can, gives the
same bytes as a cold build of the edited manuscript (a word changed, a paragraph added that moves
every later page, a chapter grown by a page, a chapter removed; an index mark moved to another
page, which the index then cites); a paragraph that moves every later page lays out its own chapter
alone; `--force` lays everything out again;
the cache stays within the size publish.yaml gives it. One test, the edits in sequence: each build
reads the cache the one before wrote."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import PROJECT, run_publish, write_book

# Laid out chapter by chapter (as a book of 60,000 words is) although it is short.
CHUNKED = {"PUBLISH_CHUNK_MIN_WORDS": "1000", "PUBLISH_CHUNK_WORDS": "500"}
WORDS = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore "
         "et dolore magna aliqua. ")


CONFIG = "title: Cached\nauthor: [{name: A. Writer, role: author}]\nlanguage: en\nidentifier: urn:uuid:5f1c0a3e-0000-4000-8000-000000000001\n"


def chapter(n: int, paragraphs: int) -> str:
    body = "\n\n".join(f"Paragraph {p} of chapter {n}. " + WORDS * 6 for p in range(paragraphs))
    return f"# Chapter {n}\n\n{body}[^n{n}]\n\n[^n{n}]: The note of chapter {n}.\n"


def entries(cache: Path) -> set[Path]:
    return {p for p in cache.glob("*/*") if not p.name.startswith(".")}


def build(book: Path, out: Path, *extra: str) -> None:
    result = run_publish("build", book, "--out", out, "--format", "pdf", "--format", "epub", *extra, env=CHUNKED)
    assert result.code == 0, result.stderr


def cold(book: Path, place: Path) -> Path:
    """The book as it is now, built where no cache is (one process)."""
    build(book, place / "dist", "--jobs", "1")
    return place / "dist"


def assert_same(one: Path, other: Path) -> None:
    for name in ("book.pdf", "book.epub"):
        assert (one / name).read_bytes() == (other / name).read_bytes(), name


def pages(out: Path) -> int:
    return len(PdfReader(str(out / "book.pdf")).pages)


def indexed_at(out: Path) -> str:
    """The index's entry for the term marked in chapter 4, as the PDF prints it (on the last page)."""
    last = PdfReader(str(out / "book.pdf")).pages[-1].extract_text()
    return next(line for line in last.splitlines() if line.startswith("paragraphs"))


def test_edits_rebuilt_from_the_cache_match_a_cold_build(tmp_path: Path):
    press = tmp_path / "press"
    book = press / "books" / "book"
    book.mkdir(parents=True)
    (press / "publish.yaml").write_text("books: [books/*]\n", "utf-8")
    for n in range(1, 5):
        (book / f"ch{n}.md").write_text(chapter(n, 8), "utf-8")
    # an index, laid out after the rest: its entry cites a page of chapter 4
    (book / "ch4.md").write_text(chapter(4, 8).replace("Paragraph 0 of", "Paragraph 0{^paragraphs} of"), "utf-8")
    (book / "book.yaml").write_text(CONFIG + "chapters: [ch1.md, ch2.md, ch3.md, ch4.md]\n", "utf-8")
    out, cache = press / "dist", press / ".publish-cache"
    build(book, out, "--jobs", "2")
    first, cited = pages(out), indexed_at(out)
    assert entries(cache)
    # One word: only the edited chapter and the opening pages are laid out again.
    before = entries(cache)
    text = (book / "ch3.md").read_text("utf-8")
    (book / "ch3.md").write_text(text.replace("Paragraph 2 of", "Paragraph two of", 1), "utf-8")
    build(book, out, "--jobs", "2")
    assert len(entries(cache) - before) <= 3  # the chapter (its layout, its page count), the contents
    assert_same(out, cold(book, tmp_path / "word"))
    # A word changed again and the web edition built alone: its chapter is laid out for the page map,
    # its PDF not written nor kept; the next build of the PDF lays that chapter out again.
    text = (book / "ch2.md").read_text("utf-8")
    (book / "ch2.md").write_text(text.replace("Paragraph 4 of", "Paragraph four of", 1), "utf-8")
    result = run_publish("build", book, "--out", out, "--format", "html", env=CHUNKED)
    assert result.code == 0, result.stderr
    build(book, out, "--jobs", "2")
    assert_same(out, cold(book, tmp_path / "web first"))
    # The index's mark moved to a later page of chapter 4: no page moves but the one the index cites.
    text = (book / "ch4.md").read_text("utf-8").replace("{^paragraphs}", "")
    (book / "ch4.md").write_text(text.replace("Paragraph 7 of", "Paragraph 7{^paragraphs} of"), "utf-8")
    build(book, out, "--jobs", "2")
    assert pages(out) == first and indexed_at(out) != cited
    cited = indexed_at(out)
    # A paragraph added to the first chapter: every later page moves.
    text = (book / "ch1.md").read_text("utf-8")
    (book / "ch1.md").write_text(text.replace("\n\nParagraph 3", "\n\n" + "Added. " * 700 + "\n\nParagraph 3"), "utf-8")
    build(book, out, "--jobs", "2")
    assert pages(out) > first
    assert indexed_at(out) != cited  # the index, taken from the cache no more, cites the page moved
    assert_same(out, cold(book, tmp_path / "paragraph"))
    # A chapter grown by a page, and (built in between) a chapter removed.
    (book / "ch2.md").write_text(chapter(2, 11), "utf-8")
    build(book, out, "--jobs", "2")
    config = (book / "book.yaml").read_text("utf-8")
    (book / "book.yaml").write_text(config.replace("ch3.md, ", ""), "utf-8")
    build(book, out, "--jobs", "2")
    assert_same(out, cold(book, tmp_path / "removed"))
    assert "Chapter 3" not in " ".join(page.extract_text() for page in PdfReader(str(out / "book.pdf")).pages)
    # --force lays everything out again (and writes it again); the cache keeps within its bound.
    (press / "publish.yaml").write_text("books: [books/*]\ncache_size: 200 KB\n", "utf-8")
    kept = {p: p.stat().st_ino for p in entries(cache)}
    build(book, out, "--force")
    assert 0 < sum(p.stat().st_size for p in entries(cache)) <= 200 * 1024
    # what the layout now is was written again (older entries, of earlier manuscripts, go first)
    assert [p for p, inode in kept.items() if p.exists() and p.stat().st_ino != inode]
    assert_same(out, tmp_path / "removed" / "dist")


def chapter_layouts(cache: Path) -> set[Path]:
    """The cache's laid-out chapters: entries whose facts give the pages of the body (the opening
    pages' are numbered in the front matter)."""
    import json

    found = set()
    for path in entries(cache):
        facts = json.loads(path.read_bytes().partition(b"\n")[0])
        if facts.get("starts") and not any(start[4] for start in facts["starts"]):
            found.add(path)
    return found


def test_a_paragraph_that_moves_every_later_page_lays_out_its_own_chapter_alone(tmp_path: Path):
    """The chapters after it, whose every page (and folio) moves, are taken from the cache as they were;
    the book is the same as a cold build's."""
    book = write_book(tmp_path / "book", {f"c{n}.md": chapter(n, 8) for n in range(1, 5)}, CONFIG)
    out, cache = tmp_path / "dist", tmp_path / ".publish-cache"
    build(book, out, "--jobs", "2")
    first, before = pages(out), chapter_layouts(cache)
    assert len(before) == 4
    text = (book / "c1.md").read_text("utf-8")
    (book / "c1.md").write_text(text.replace("\n\nParagraph 3", "\n\n" + "Added. " * 700 + "\n\nParagraph 3"), "utf-8")
    build(book, out, "--jobs", "2")
    assert pages(out) >= first + 2  # every page of chapters 2 to 4 moved
    assert len(chapter_layouts(cache) - before) == 1
    assert_same(out, cold(book, tmp_path / "cold"))


def test_a_new_build_date_lays_out_no_chapter_again(tmp_path: Path):
    """The build's date (SOURCE_DATE_EPOCH, else the book's last commit or newest file, which every save
    outside git moves) is in the PDF's metadata alone: a build on another date lays out again only the
    chapter edited, and its PDF carries the new date, as a cold build's does."""
    book = write_book(tmp_path / "book", {f"c{n}.md": chapter(n, 8) for n in range(1, 5)}, CONFIG)
    out, cache = tmp_path / "dist", tmp_path / ".publish-cache"
    build(book, out, "--jobs", "2")
    before = chapter_layouts(cache)
    text = (book / "c2.md").read_text("utf-8")
    (book / "c2.md").write_text(text.replace("Paragraph 2 of", "Paragraph two of", 1), "utf-8")
    later = {"SOURCE_DATE_EPOCH": "1800000000"}
    result = run_publish("build", book, "--out", out, "--format", "pdf", "--format", "epub", "--jobs", "2",
                         env=CHUNKED | later)
    assert result.code == 0, result.stderr
    assert len(chapter_layouts(cache) - before) == 1
    assert PdfReader(str(out / "book.pdf")).metadata["/CreationDate"].startswith("D:20270115")
    elsewhere = tmp_path / "cold" / "dist"
    result = run_publish("build", book, "--out", elsewhere, "--format", "pdf", "--format", "epub", "--jobs", "1",
                         env=CHUNKED | later)
    assert result.code == 0, result.stderr
    assert_same(out, elsewhere)


def test_the_page_map_says_on_which_printed_page_an_id_is(tmp_path: Path):
    """`page_of` (what a back-of-book index asks for its locators) agrees with the contents page the
    print layout itself prints for each chapter, and knows the ids inside a chapter too."""
    import io
    import re

    from publish import resources
    from publish.build import load_document
    from publish.layout import paginate

    book = tmp_path / "book"
    book.mkdir()
    for n in range(1, 4):
        (book / f"ch{n}.md").write_text(chapter(n, 5).replace("\n\nParagraph 3", f"\n\n## Section {{#mark-{n}}}\n\nParagraph 3"),
                                        "utf-8")
    (book / "book.yaml").write_text(CONFIG + "chapters: [ch1.md, ch2.md, ch3.md]\n", "utf-8")
    doc, _ = load_document(book)
    laid = paginate(doc, resources.roots(book, cleaned=True), "2023-11-14T22:13:20Z")
    pages = [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(laid.pdf)).pages]
    contents = next(text for text in pages if text.startswith("Contents"))
    for part in doc.chapters:
        printed = re.search(re.escape(part.title.text) + r"[ .]*(\d+)", contents)
        assert printed and laid.page_map.page_of(part.id) == printed.group(1), (part.title.text, contents)
    for n in range(1, 4):  # a section inside each chapter: on the page its heading is printed on
        label = laid.page_map.page_of(f"mark-{n}")
        assert label and any(text.endswith(f" {label}") or text.startswith(f"{label} ") or f" {label} " in text
                             for text in pages if f"Paragraph 3 of chapter {n}" in text)
    assert laid.page_map.page_of("no-such-id") is None


def test_a_layout_damaged_in_the_cache_is_laid_out_again_not_published(tmp_path: Path):
    book = write_book(tmp_path / "book", {f"c{n}.md": chapter(n, 12) for n in range(1, 4)}, CONFIG)
    out, cache = tmp_path / "dist", tmp_path / ".publish-cache"
    build(book, out)
    pdfs = [p for p in entries(cache) if b"%PDF" in p.read_bytes()[:4096]]
    assert pdfs, "no laid-out piece in the cache"
    for path in pdfs:  # a byte of each laid-out piece changed, as a bad disk might leave it
        data = bytearray(path.read_bytes())
        data[-200] ^= 0xFF
        path.write_bytes(bytes(data))
    build(book, tmp_path / "again")  # beside the first: the same cache, every entry read
    assert_same(tmp_path / "again", cold(book, tmp_path / "cold"))


def test_a_changed_chapter_is_laid_out_while_the_pages_are_placed_as_it_last_fell(tmp_path: Path, monkeypatch):
    """With two processes, the changed chapter is laid out in a worker while every page is placed as the
    chapter's last layout fell: the guess the EPUB and the web edition are made from meanwhile. It is
    right after a word changed (and kept), wrong after a paragraph added (and dropped); the PDF is a
    cold layout's either way."""
    import publish.layout.chunks as chunks
    from publish import resources
    from publish.build import load_document
    from publish.layout import LayoutCache, paginate, paginate_ahead

    monkeypatch.setattr(chunks, "CHUNK_MIN_WORDS", 1000)
    monkeypatch.setattr(chunks, "CHUNK_WORDS", 500)
    book = write_book(tmp_path / "book", {f"c{n}.md": chapter(n, 8) for n in range(1, 4)}, CONFIG)
    roots, stamp = resources.roots(book, cleaned=True), "2023-11-14T22:13:20Z"
    cache = LayoutCache(tmp_path / "cache")
    paginate(load_document(book)[0], roots, stamp, workers=2, cache=cache)

    def edit(old: str, new: str) -> tuple[bool, bool]:
        """Whether there was a guess, and whether it was right; the PDF checked against a cold one."""
        text = (book / "c2.md").read_text("utf-8")
        (book / "c2.md").write_text(text.replace(old, new, 1), "utf-8")
        ahead = paginate_ahead(load_document(book)[0], roots, stamp, workers=2, cache=cache)
        try:
            laid = ahead.result()
        finally:
            ahead.close()
        assert laid.pdf == paginate(load_document(book)[0], roots, stamp).pdf
        return ahead.guess is not None, ahead.guess is not None and laid.same_pages(ahead.guess)

    # a word of the chapter's first paragraph, which ends on its first page
    assert edit("chapter 2. Lorem", "chapter 2. Lorum") == (True, True)
    assert edit("\n\nParagraph 3", "\n\n" + "Added. " * 300 + "\n\nParagraph 3") == (True, False)


def pipe_holders(pipe: int) -> list[str]:
    """The processes that hold a pipe open (by one of its ends), as /proc lists them."""
    name = os.readlink(f"/proc/self/fd/{pipe}")
    holders = []
    for fd in Path("/proc").glob("[0-9]*/fd/*"):
        try:
            if os.readlink(fd) == name and fd.parts[2] != str(os.getpid()):
                holders.append(fd.parts[2])
        except OSError:  # gone meanwhile
            continue
    return holders


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="reads /proc")
def test_workers_started_before_a_build_knows_it_needs_them_hold_none_of_its_output():
    """The fork server the workers come from, started first thing when the last layout was in chunks
    (before the build knows whether there is anything to do), holds /dev/null for its output: a caller
    reading the build's output to its end (CI, `$(publish build)`) never waits for it."""
    script = (
        "import os\n"
        "from publish.workers import start_early\n"
        "start_early(detached=True)\n"
        "children = open(f'/proc/self/task/{os.getpid()}/children').read().split()\n"
        "for pid in children:\n"
        "    print(os.readlink(f'/proc/{pid}/fd/1'), os.readlink(f'/proc/{pid}/fd/2'))\n"
        "print('mine', os.readlink('/proc/self/fd/1'), os.readlink('/proc/self/fd/2'))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=PROJECT, capture_output=True, text=True,
                          timeout=60, check=True)
    *children, mine = done.stdout.splitlines()
    assert children  # the fork server (and multiprocessing's resource tracker)
    assert all(line == "/dev/null /dev/null" for line in children), children
    assert mine.startswith("mine pipe:")  # its own output given back


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="reads /proc")
def test_a_build_with_nothing_to_do_leaves_its_output_open_in_no_process(tmp_path: Path):
    book = write_book(tmp_path / "book", {f"c{n}.md": chapter(n, 8) for n in range(1, 5)}, CONFIG)
    out = tmp_path / "dist"
    build(book, out, "--jobs", "2")  # laid out in chunks: the next build starts the workers first thing
    read, write = os.pipe()
    try:
        done = subprocess.Popen([sys.executable, "-m", "publish", "build", str(book), "--out", str(out),
                                 "--jobs", "2", "--format", "pdf", "--format", "epub"], cwd=PROJECT,
                                env={**os.environ, "SOURCE_DATE_EPOCH": "1700000000", **CHUNKED},
                                stdout=write, stderr=write)
        assert done.wait(timeout=120) == 0
        os.close(write)
        write = -1
        assert pipe_holders(read) == []
        assert b"unchanged" in os.read(read, 65536)
    finally:
        os.close(read)
        if write != -1:
            os.close(write)


def test_a_build_leaves_no_folder_of_fonts_behind(tmp_path: Path):
    """WeasyPrint copies the book's fonts into a temporary folder for each layout process (3 MB here):
    removed when the build ends, also by the workers, which end without deleting anything themselves
    (an editor's day of builds left hundreds of them, a gigabyte, in /tmp)."""
    book = write_book(tmp_path / "book", {f"c{n}.md": chapter(n, 8) for n in range(1, 5)}, CONFIG)
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    for _ in range(2):  # laid out cold in workers, then a word changed: laid out again in one
        result = run_publish("build", book, "--out", tmp_path / "dist", "--format", "pdf", "--jobs", "2",
                             env=CHUNKED | {"TMPDIR": str(temporary)})
        assert result.code == 0, result.stderr
        assert list(temporary.iterdir()) == []
        text = (book / "c2.md").read_text("utf-8")
        (book / "c2.md").write_text(text.replace("Paragraph 2 of", "Paragraph two of", 1), "utf-8")
