"""The EPUB read by reading software beyond EPUBCheck: DAISY Ace's accessibility checks, and epub.js (the
engine of many web and app readers) laying it out in Chromium. Both run the machine's own Chromium
(/usr/bin/chromium) and the npm packages of tests/node (`make test` installs them; neither downloads a
browser); each takes a list of EPUBs and starts its browser once for all of them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from tests.editions import epub_documents
from tests.test_web import CHROMIUM, CHROMIUM_FLAGS

NODE_DIR = Path(__file__).parent / "node"
READER = "http://reader.invalid/"  # the origin epub.js runs on, answered by the test itself


def _needs(package: str) -> None:
    """Chromium, Node and the npm package, or the test fails saying how to install them."""
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is needed: `make test` installs it (scripts/install-system-deps test)")
    if not shutil.which("node") or not (NODE_DIR / "node_modules" / package).is_dir():
        pytest.fail(f"Node and npm's {package} are needed: `make test` installs them "
                    "(cd tests/node && npm ci)")


def ace_violations(epubs: list[Path]) -> dict[str, list[str]]:
    """By EPUB file name, every violation DAISY Ace reports ("rule (impact) document: description")."""
    _needs("@daisy/ace-core")
    with tempfile.TemporaryDirectory() as work:
        env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": str(CHROMIUM), "PUPPETEER_SKIP_DOWNLOAD": "1"}
        done = subprocess.run(["node", str(NODE_DIR / "ace.js"), work, *map(str, epubs)], env=env,
                              capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    return {Path(path).name: lines for path, lines in found.items()}


def chapter_headings(epub: Path) -> dict[str, str]:
    """By document, in reading order, the text of the heading that opens each document which has one."""
    headings = {}
    for name, root in epub_documents(epub):
        first = root.xpath("//*[local-name()='body']//*[local-name()='h1']")
        if first:
            headings[name] = " ".join("".join(first[0].itertext()).split())
    return headings


# Shown the book, epub.js opens each document in turn as a reader's table of contents would, and reports
# the page of the document it shows, the text on that page (from the first to the last character
# displayed, as epub.js's own location gives them) and where the heading is drawn (null if it is not).
FIRST_PAGES = """async ([hrefs, width, height]) => {
  const book = ePub("book.epub", {openAs: "epub"});
  const rendition = book.renderTo("viewer", {width, height, flow: "paginated", spread: "none"});
  await book.ready;
  const shown = {};
  for (const href of hrefs) {
    await rendition.display(href);
    const location = await rendition.currentLocation();
    const contents = rendition.getContents()[0];
    const start = contents.range(location.start.cfi), end = contents.range(location.end.cfi);
    const page = contents.document.createRange();
    page.setStart(start.startContainer, start.startOffset);
    page.setEnd(end.endContainer, end.endOffset);
    const heading = contents.document.querySelector("h1");
    const box = heading.getBoundingClientRect(), view = contents.window.getComputedStyle(heading);
    const shownBox = box.width > 0 && box.height > 0 && view.visibility === "visible" && view.opacity !== "0";
    shown[href] = {href: location.start.href, page: location.start.displayed.page,
                   text: page.toString().split(/\\s+/).join(" "),
                   heading: shownBox ? [box.left, box.top, box.right, box.bottom] : null};
  }
  rendition.destroy();
  return shown;
}"""
SCREEN = (600, 800)  # the reader's view, in CSS pixels
PAGE = (b'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>epub.js</title>'
        b'<script src="jszip.min.js"></script><script src="epub.min.js"></script></head>'
        b'<body><div id="viewer"></div></body></html>')


def epubjs_first_pages(epubs: list[Path]) -> dict[str, dict[str, dict]]:
    """By EPUB file name, then by document with a heading: what epub.js shows on the document's first
    page ({"href", "page", "text", "heading": its box or None}), in one Chromium for all the EPUBs."""
    _needs("epubjs")
    playwright = pytest.importorskip("playwright.sync_api")
    scripts = {"jszip.min.js": NODE_DIR / "node_modules" / "jszip" / "dist" / "jszip.min.js",
               "epub.min.js": NODE_DIR / "node_modules" / "epubjs" / "dist" / "epub.min.js"}
    shown: dict[str, dict[str, dict]] = {}
    with tempfile.TemporaryDirectory() as profile, playwright.sync_playwright() as driver:
        browser = driver.chromium.launch_persistent_context(profile, executable_path=str(CHROMIUM),
                                                            args=CHROMIUM_FLAGS, headless=True)
        try:
            for epub in epubs:
                files = {"index.html": ("text/html", PAGE),
                         "book.epub": ("application/epub+zip", epub.read_bytes())}
                files |= {name: ("text/javascript", path.read_bytes()) for name, path in scripts.items()}
                page = browser.new_page()
                errors: list[str] = []
                page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
                page.route("**/*", _server(files))
                page.goto(READER + "index.html")
                shown[epub.name] = page.evaluate(FIRST_PAGES, [list(chapter_headings(epub)), *SCREEN])
                assert not errors, (epub.name, errors)
                page.close()
        finally:
            browser.close()
    return shown


def _server(files: dict[str, tuple[str, bytes]]):
    """A route handler answering with the reader's page, epub.js and the book from memory; anything else
    (the network) refused."""
    def answer(route) -> None:
        url = route.request.url
        name = url.removeprefix(READER)
        if url.startswith(READER) and name in files:
            media_type, body = files[name]
            route.fulfill(status=200, content_type=media_type, body=body)
        elif url.startswith(("blob:", "data:")):
            route.continue_()
        else:
            route.abort()
    return answer


def contents(epub: Path) -> list[str]:
    """The documents the EPUB's table of contents opens, in order."""
    with zipfile.ZipFile(epub) as z:
        nav = etree.fromstring(z.read("EPUB/nav.xhtml"))
    hrefs = nav.xpath("//*[local-name()='nav'][@*[local-name()='type']='toc']//*[local-name()='a']/@href")
    return list(dict.fromkeys(href.split("#")[0] for href in hrefs))


def _within(page: dict) -> bool:
    """The heading is drawn, and on the screen."""
    box = page["heading"]
    return box is not None and box[0] >= 0 and box[1] >= 0 and box[2] <= SCREEN[0] and box[3] <= SCREEN[1]


def assert_ace_finds_no_violation(epubs: list[Path]) -> None:
    found = ace_violations(epubs)
    assert found == {epub.name: [] for epub in epubs}, json.dumps(found, indent=1)


def assert_each_chapter_opens_on_its_heading(epubs: list[Path]) -> None:
    """epub.js shows every document with a heading, each chapter of the table of contents among them,
    from the document's first page, the heading on it."""
    shown = epubjs_first_pages(epubs)
    lacking = []
    for epub in epubs:
        headings = chapter_headings(epub)
        assert set(contents(epub)) <= set(headings), (epub.name, "each chapter of the contents is checked")
        for name, heading in headings.items():
            page = shown[epub.name][name]
            if page["href"] != name or page["page"] != 1 or heading not in page["text"] or not _within(page):
                lacking.append(f"{epub.name} {name}: {heading!r} not shown on page {page['page']} of "
                               f"{page['href']} (heading drawn at {page['heading']}): {page['text'][:120]!r}")
    assert not lacking, "\n".join(lacking)
