"""Benchmark of the editor's loop on a long book: a generated ~300-page, 12-chapter book (the Trotsky
interview as chapters, benchmarks/longbook.py's `make_book`), built cold (all three formats, no layout
cache), rebuilt with nothing changed, after one word changed in one chapter, after a paragraph added
(the chapter grows by pages: every later page moves), and `--format html` after a one-word edit; each
edited build's outputs compared byte for byte with a cold build of the same manuscript. The one-word
edit is made three times (three different words) and its best run kept, as the cold build's best of two
is. Beside them, the floor of a one-word edit: the edited chapter's own HTML, as publish lays it out,
through WeasyPrint's command line alone (one process, the interpreter and WeasyPrint's import included).
Then the editor's loop as `publish serve` runs it: a word changed while the server is up, timed from
the file's save to the server's report that the print edition and the web edition are rebuilt. Against it,
Pandoc (--citeproc) to HTML and EPUB and Pandoc with WeasyPrint to PDF, on the same Markdown, in the
same run. Prints wall time, CPU time, peak RSS and the ratio to the cold build; writes
benchmarks/results/edit.json (edit-CHAPTERS.json for a book of another size). Slow (several minutes):
run it by hand, `.venv/bin/python benchmarks/edit.py [CHAPTERS]` (CHAPTERS=37 for the 1,000-page book).
"""

from __future__ import annotations

import filecmp
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build import PROJECT, measure  # noqa: E402
from longbook import make_book  # noqa: E402
from pandoc import ensure_pandoc  # noqa: E402

CHAPTERS = 12
# About 900 words: the chapter grows by two pages or more, so that every later chapter opens two pages
# on (a page or so can vanish in the blank verso a chapter ending on a right-hand page is given).
PARAGRAPH = ("\n\nThis paragraph was added by the benchmark to move every later page. "
             + " ".join(["The party, the state and the working class are not one and the same thing."] * 60) + "\n\n")


def publish(book: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "publish", "build", str(book), "--out", str(out), *extra]


def same_outputs(one: Path, other: Path) -> bool:
    """Whether two output directories hold the same files with the same bytes."""
    names = sorted(str(p.relative_to(one)) for p in one.rglob("*") if p.is_file())
    if names != sorted(str(p.relative_to(other)) for p in other.rglob("*") if p.is_file()):
        return False
    return all(filecmp.cmp(one / n, other / n, shallow=False) for n in names)


def cold_copy(book: Path, work: Path, name: str, env: dict[str, str]) -> Path:
    """A cold build (fresh cache, fresh output) of the book as it is now, elsewhere."""
    place = work / name
    shutil.rmtree(place, ignore_errors=True)
    place.mkdir()
    measure(publish(book, place / "dist"), env)
    return place / "dist"


def pandoc_command(book: Path, work: Path) -> list[str]:
    chapters = yaml.safe_load((book / "book.yaml").read_text("utf-8"))["chapters"]
    sources = " ".join(str(book / c) for c in chapters)
    common = (f"pandoc -f markdown --citeproc --bibliography {book.parent / 'bibliography.yaml'} "
              f"--csl {PROJECT / 'styles' / 'csl' / 'chicago-author-date.csl'} --metadata title='Long book'")
    script = work / "pandoc.sh"
    script.write_text("\n".join(["set -e", f'export PATH="{Path(sys.executable).parent}:$PATH"',
                                 f"{common} -s {sources} -o {work}/pandoc.html",
                                 f"{common} {sources} -o {work}/pandoc.epub",
                                 f"{common} {sources} --pdf-engine=weasyprint -o {work}/pandoc.pdf"]) + "\n")
    return ["bash", str(script)]


def main() -> None:
    chapters = int(sys.argv[1]) if len(sys.argv) > 1 else CHAPTERS
    version = ensure_pandoc()
    # publish's modules compiled once, as pip compiles an installed wheel's: a checkout run with
    # PYTHONDONTWRITEBYTECODE set (as some machines have it) would compile them again in every run.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(PROJECT / "publish")], check=True)
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "CI": "true"}
    work = Path(tempfile.mkdtemp(prefix="publish-edit-"))
    book = make_book(work, chapters)
    out = work / "dist"
    edited = book / f"part-{chapters // 2:02d}.md"
    moved = book / f"part-{max(chapters // 4, 1):02d}.md"
    later = book / f"part-{chapters - 1:02d}.md"
    results: dict[str, object] = {"chapters": chapters, "pandoc_version": version, "cores": os.cpu_count()}
    runs: dict[str, dict[str, float]] = {}
    # Alternating cold runs, best of two each (this machine's timings vary from run to run).
    colds, pandocs = [], []
    for _ in range(2):
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(work / ".publish-cache", ignore_errors=True)
        colds.append(measure(publish(book, out), env))
        pandocs.append(measure(pandoc_command(book, work), env))
    runs["cold"] = min(colds, key=lambda r: r["wall_s"])
    runs["pandoc+weasyprint"] = min(pandocs, key=lambda r: r["wall_s"])
    runs["noop"] = measure(publish(book, out), env)
    runs["edited chapter alone in weasyprint"] = measure(chapter_alone(book, work, edited), env)

    words = []
    for word in ("but", "yet", "so"):  # one word, in the middle chapter, three times
        text = edited.read_text("utf-8")
        edited.write_text(text.replace(" and ", f" {word} ", 1), "utf-8")
        words.append(measure(publish(book, out), env))
    runs["one word"] = min(words, key=lambda r: r["wall_s"])
    results["one word identical to cold"] = same_outputs(out, cold_copy(book, work, "cold-word", env))

    pages_before = json.loads((out / "manifest.json").read_text())["books"]["long-book"]["artifacts"]
    text = moved.read_text("utf-8")
    cut = text.index("\n\n", len(text) // 3)
    moved.write_text(text[:cut] + PARAGRAPH + text[cut + 2:], "utf-8")  # a paragraph, a quarter in
    runs["one paragraph"] = measure(publish(book, out), env)
    pages_after = json.loads((out / "manifest.json").read_text())["books"]["long-book"]["artifacts"]
    results["pages"] = [next(a["pages"] for a in pages if a["format"] == "pdf") for pages in (pages_before, pages_after)]
    results["one paragraph identical to cold"] = same_outputs(out, cold_copy(book, work, "cold-paragraph", env))

    text = later.read_text("utf-8")
    later.write_text(text.replace(" and ", " but ", 1), "utf-8")
    runs["html after one word"] = measure(publish(book, out, "--format", "html"), env)

    results["serve one word"] = serve_one_word(book, work, edited, env)

    cold = runs["cold"]["wall_s"]
    results["runs"] = runs
    results["ratios"] = {name: round(run["wall_s"] / cold, 3) for name, run in runs.items()}
    results["ratios"]["cold / pandoc+weasyprint"] = round(cold / runs["pandoc+weasyprint"]["wall_s"], 3)
    results["ratios"]["serve one word"] = round(results["serve one word"] / cold, 3)
    shutil.rmtree(work)
    written = "edit.json" if chapters == CHAPTERS else f"edit-{chapters}.json"
    (PROJECT / "benchmarks" / "results" / written).write_text(json.dumps(results, indent=2) + "\n")
    for name, run in runs.items():
        print(f"{name:22} wall {run['wall_s']:7.2f} s   cpu {run['cpu_s']:7.2f} s   peak RSS {run['peak_rss_mb']:7.1f} MB"
              f"   {results['ratios'][name]:.3f} x cold")
    print(f"pages before and after the paragraph: {results['pages']}")
    print(f"cold / (Pandoc + WeasyPrint): {results['ratios']['cold / pandoc+weasyprint']:.3f} (target at most 0.6)")
    print(f"one word: {results['ratios']['one word']:.3f} x cold (target at most 0.2), identical to cold: "
          f"{results['one word identical to cold']}")
    print(f"one paragraph: {results['ratios']['one paragraph']:.3f} x cold (target at most 0.4), identical to cold: "
          f"{results['one paragraph identical to cold']}")
    print(f"--format html after one word: {results['ratios']['html after one word']:.3f} x cold (target at most 0.25)")
    print(f"publish serve, one word to the PDF and web edition rebuilt: {results['serve one word']:.2f} s, "
          f"{results['ratios']['serve one word']:.3f} x cold")


def chapter_alone(book: Path, work: Path, chapter: Path) -> list[str]:
    """WeasyPrint's command line on the HTML publish lays out for the chunk that holds `chapter`."""
    from publish.build import load_document
    from publish.layout import chunks, printed
    from publish.output import source_date

    doc = load_document(book)[0]
    chapter_id = next(c.id for c in doc.chapters if c.source.name == chapter.name)
    chunk = next(c for c in chunks.plan(doc) or [] if chapter_id in c.chapters)
    html = work / "chapter-alone.html"
    html.write_text(printed.render_html(doc, source_date(book).strftime("%Y-%m-%dT%H:%M:%SZ"), chunk=chunk), "utf-8")
    return [sys.executable, "-m", "weasyprint", "--base-url", f"{book}/", str(html), str(work / "chapter-alone.pdf")]


def serve_one_word(book: Path, work: Path, edited: Path, env: dict[str, str], rounds: int = 3) -> float:
    """`publish serve` on the book (laying out from the build's cache): the best of `rounds` one-word
    edits, each timed from the file's save to the server's "built" report."""
    log = work / "serve.log"
    with log.open("w") as sink:
        server = subprocess.Popen([sys.executable, "-m", "publish", "serve", str(book), "--port", "0"],
                                  cwd=work, env=env, stdout=sink, stderr=sink)
    try:
        def built() -> int:
            return len(re.findall(r"publish serve: built ", log.read_text("utf-8")))

        deadline = time.monotonic() + 600
        while "http://" not in log.read_text("utf-8") and time.monotonic() < deadline:
            time.sleep(0.1)
        best = float("inf")
        for word in ("still", "though", "while")[:rounds]:
            time.sleep(1)  # the watcher settles
            seen = built()
            text = edited.read_text("utf-8")
            started = time.monotonic()
            edited.write_text(text.replace(" and ", f" {word} ", 1), "utf-8")
            while built() == seen and time.monotonic() < deadline:
                time.sleep(0.02)
            best = min(best, time.monotonic() - started)
        return round(best, 3)
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
