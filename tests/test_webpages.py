"""The web edition in pages: a page per chapter, every link found, the sidebar driven by the keyboard
and the search box used, in the machine's Chromium against a local HTTP server."""

from __future__ import annotations

import functools
import http.server
import json
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.html
import pytest

from tests.conftest import BOOKS, run_publish, write_book
from tests.test_web import CHROMIUM, CHROMIUM_FLAGS, web_edition

PHRASE = "les horlogers de Besançon"  # in the third chapter only
CHAPTERS = {
    "preface.md": """\
        # Avant-propos {.front}

        Quelques mots avant le texte, citant [@guevara2018, 12].
        """,
    "one.md": """\
        # Premier chapitre

        Le premier texte, citant [@trotsky1937b, 56].[^1]

        ## Une section

        Encore du texte.

        [^1]: Une note du premier chapitre.
        """,
    "two.md": """\
        # Deuxième chapitre

        Le deuxième texte.[^1]

        [^1]: Une note, voir [@trotsky1937b, 90].
        """,
    "three.md": """\
        # Troisième chapitre

        Le début du troisième chapitre.

        ## Au milieu

        """ + "Un long paragraphe qui remplit la page pour que le texte cherché soit plus bas. " * 40 + """

        Puis vinrent les horlogers de Besançon, qui réglèrent toutes les montres.[^1]

        [^1]: La note du troisième chapitre.
        """,
    "after.md": """\
        # Postface {.back}

        Le dernier mot.
        """,
    "index.md": """\
        # Index {.back}

        Un chapitre dont l'id, « index », est le nom de la page d'entrée.
        """,
}
CONFIG = "title: Livre en chapitres\nlanguage: fr\nauthor: [{name: Anne Autrice, role: author}]\n"


@pytest.fixture(scope="module")
def chaptered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small French book of six chapters and a reference list, its web edition built."""
    return web_edition(tmp_path_factory, "livre", CHAPTERS, CONFIG)


def book_pages(out: Path, slug: str) -> list[Path]:
    """The pages of a book's web edition in reading order: the entry page, then its sidebar's links."""
    entry = out / slug / "index.html"
    links = lxml.html.parse(str(entry)).getroot().xpath("//nav[@class='sidebar-contents']//a/@href")
    return [entry, *(out / slug / href for href in links if "#" not in href)]


def sections(page: Path) -> list[tuple[str, str]]:
    """(id, title) of each part of the text a page holds."""
    root = lxml.html.parse(str(page)).getroot()
    found = []
    for section in root.xpath("//section[contains(concat(' ', @class, ' '), ' chapter ')]"):
        title = section.xpath(".//*[contains(concat(' ', @class, ' '), ' chapter-title ')]")[0]
        found.append((section.get("id"), " ".join(title.text_content().split())))
    return found


def test_one_page_per_chapter(dist: Path, chaptered: Path):
    """Each part of the whole-book page (all.html) has a page of its own, in the same order, titled
    with the part's title as its one h1; the entry page holds the title page and the contents."""
    for out, slug in [(dist, slug) for slug in BOOKS] + [(chaptered, "livre")]:
        pages = book_pages(out, slug)
        whole = sections(out / slug / "all.html")
        assert [sections(page) for page in pages[1:]] == [[part] for part in whole], slug
        for page, (_, title) in zip(pages[1:], whole, strict=True):
            root = lxml.html.parse(str(page)).getroot()
            assert [" ".join(h.text_content().split()) for h in root.iter("h1")] == [title]
        entry = lxml.html.parse(str(pages[0])).getroot()
        assert entry.xpath("//section[@id='title-page']") and entry.xpath("//nav[@id='contents']")
    titles = [title for _, title in sections(chaptered / "livre" / "all.html")]
    assert titles == ["Avant-propos", "Premier chapitre", "Deuxième chapitre", "Troisième chapitre", "Postface",
                      "Index", "References"]
    assert [p.name for p in book_pages(chaptered, "livre")][-2:] == ["index-page.html", "references.html"]


def ids_and_links(page: Path) -> tuple[set[str], list[str]]:
    root = lxml.html.parse(str(page)).getroot()
    links = [a.get("href") for a in root.iter("a", "link") if a.get("href")]
    return {e.get("id") for e in root.iter() if isinstance(e.tag, str) and e.get("id")}, links


def test_every_internal_link_finds_its_target(dist: Path, chaptered: Path):
    """Every link of every page of the web editions and the catalogues, to a file of the build and,
    with a fragment, to an element of that file; and every anchor of the whole-book page (notes,
    citations, references, print pages, headings) is on one of the chapter pages too."""
    checked, missing = 0, []
    for out in (dist, chaptered):
        pages = sorted(out.rglob("*.html"))
        ids = {page: ids_and_links(page)[0] for page in pages}
        for page in pages:
            for href in ids_and_links(page)[1]:
                parts = urlsplit(href)
                if parts.scheme or parts.netloc:
                    continue
                target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
                if not target.is_file() or (parts.fragment and parts.fragment not in ids.get(target, set())):
                    missing.append(f"{page.relative_to(out)}: {href}")
                checked += 1
        for slug in {p.parent.name for p in out.glob("*/all.html")}:
            in_pages = set().union(*(ids[p] for p in book_pages(out, slug)))
            anchors = {i for i in ids[out / slug / "all.html"] if i.startswith(("note-", "noteref-", "cite-", "ref-",
                                                                                "page-"))}
            assert anchors and anchors <= in_pages, sorted(anchors - in_pages)
    assert not missing, "\n".join(missing)
    assert checked > 500


def test_citations_and_notes_link_across_pages(chaptered: Path):
    """A citation on a chapter's page points at its entry on the References page; its note stays on
    the chapter's page, linked both ways."""
    pages = {page.name: lxml.html.parse(str(page)).getroot() for page in book_pages(chaptered, "livre")}
    one = pages["premier-chapitre.html"]
    cites = one.xpath("//a[@role='doc-biblioref']")
    assert cites and all(a.get("href").startswith("references.html#ref-") for a in cites)
    assert all(a.get("title") for a in cites)  # the reference, shown as the citation's pop-up
    [noteref] = one.xpath("//a[@role='doc-noteref']")
    note_id = noteref.get("href").lstrip("#")
    assert one.xpath(f"//li[@id='{note_id}']//text()[contains(., 'premier chapitre')]")
    backs = pages["references.html"].xpath("//a[@role='doc-backlink']/@href")
    assert any(href.startswith("premier-chapitre.html#cite-") for href in backs)
    assert one.xpath("//link[@rel='prev']/@href") == ["avant-propos.html"]
    assert one.xpath("//nav[@class='pager']//a[@rel='next']/@href") == ["deuxieme-chapitre.html"]


def test_search_index_is_built_in_the_books_language(dist: Path, chaptered: Path):
    """One index beside the catalogue over every chapter's page (not the entry nor the whole-book page),
    split by each book's language."""
    entry = json.loads((chaptered / "pagefind" / "pagefind-entry.json").read_text("utf-8"))
    chapter_pages = len(book_pages(chaptered, "livre")) - 1
    assert {k: v["page_count"] for k, v in entry["languages"].items()} == {"fr": chapter_pages}
    entry = json.loads((dist / "pagefind" / "pagefind-entry.json").read_text("utf-8"))
    assert {k: v["page_count"] for k, v in entry["languages"].items()} == {
        "en": sum(len(book_pages(dist, slug)) - 1 for slug in BOOKS)}


def test_search_index_is_the_same_bytes_from_the_same_pages(chaptered: Path):
    """Pagefind indexes the built pages again, in this process, to the very files the build wrote."""
    from publish.render.search import search_index

    pages = {p.relative_to(chaptered).as_posix(): p.read_bytes() for p in chaptered.glob("*/*.html")}
    written = {p.relative_to(chaptered).as_posix(): p.read_bytes()
               for p in (chaptered / "pagefind").rglob("*") if p.is_file()}
    assert search_index(pages) == written
    assert any(name.startswith("pagefind/fragment/") for name in written)


def test_a_search_index_begun_on_other_pages_is_not_the_one_given(chaptered: Path):
    """A long book's build begins the index over its web edition made from a guess of its pages
    (`publish.render.search.begin`); when the pages come out otherwise, the index is of the real ones,
    and when they come out the same, it is the very index of those pages."""
    from publish.render.search import begin, search_index

    pages = {p.relative_to(chaptered).as_posix(): p.read_bytes() for p in chaptered.glob("*/*.html")}
    written = {p.relative_to(chaptered).as_posix(): p.read_bytes()
               for p in (chaptered / "pagefind").rglob("*") if p.is_file()}
    name = next(n for n, data in sorted(pages.items()) if b"data-pagefind-body" in data)
    body = pages[name].index(b"data-pagefind-body")
    guessed = {**pages, name: pages[name][:body] + pages[name][body:].replace(b"</p>", b" zugzwangish</p>", 1)}
    assert guessed[name] != pages[name]
    begin(guessed)
    assert search_index(pages) == written
    begin(pages)
    assert search_index(pages) == written
    assert search_index(guessed) != written


@pytest.fixture(scope="module")
def server(chaptered: Path) -> Iterator[str]:
    """The build served over HTTP on 127.0.0.1 (Pagefind fetches its index, which file:// refuses)."""
    handler = functools.partial(QuietHandler, directory=str(chaptered))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.is_file():
        pytest.skip("needs Chromium at /usr/bin/chromium (scripts/install-system-deps)")
    playwright = pytest.importorskip("playwright.sync_api")
    with tempfile.TemporaryDirectory() as profile, playwright.sync_playwright() as driver:
        context = driver.chromium.launch_persistent_context(profile, executable_path=str(CHROMIUM),
                                                            args=CHROMIUM_FLAGS, headless=True)
        try:
            yield context
        finally:
            context.close()


def tab_to(page: object, selector: str, presses: int = 15) -> None:
    """Press Tab until the element `selector` names has the focus."""
    for _ in range(presses):
        page.keyboard.press("Tab")  # type: ignore[attr-defined]
        if page.evaluate(f"document.activeElement.matches({json.dumps(selector)})"):  # type: ignore[attr-defined]
            return
    pytest.fail(f"{presses} presses of Tab never reached {selector}")


def test_sidebar_works_from_the_keyboard(browser, server: str):
    page = browser.new_page()
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{server}/livre/index.html")
    tab_to(page, ".sidebar-contents a[href='deuxieme-chapitre.html']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/livre/deuxieme-chapitre.html")
    current = page.locator(".sidebar-contents a[aria-current='page']")
    assert current.inner_text() == "Deuxième chapitre" and current.is_visible()
    page.mouse.wheel(0, 5000)  # the sidebar stays in view as the reader scrolls
    assert page.locator(".sidebar-contents").is_visible()
    assert page.locator(".sidebar-contents").bounding_box()["y"] < 800

    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{server}/livre/index.html")
    chapter = page.locator(".sidebar-contents a[href='troisieme-chapitre.html']")
    assert not chapter.is_visible()  # closed on a narrow screen
    tab_to(page, "summary.sidebar-toggle")
    page.keyboard.press("Enter")
    assert chapter.is_visible()
    tab_to(page, ".sidebar-contents a[href='troisieme-chapitre.html']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/livre/troisieme-chapitre.html")
    tab_to(page, "summary.sidebar-toggle")
    page.keyboard.press(" ")
    assert page.locator(".sidebar-contents a[aria-current='page']").is_visible()
    page.close()


def test_search_opens_the_chapter_at_the_phrase(browser, server: str):
    page = browser.new_page()
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{server}/livre/avant-propos.html")
    page.locator("#search input").fill(PHRASE)
    result = page.locator(".pagefind-ui__result-link").first
    result.wait_for(timeout=15000)
    assert "troisieme-chapitre.html" in result.get_attribute("href")
    result.click()
    page.wait_for_url("**/livre/troisieme-chapitre.html*")
    hit = page.locator(".search-hit")
    assert PHRASE in " ".join(hit.inner_text().split())
    box = hit.bounding_box()
    assert box is not None and 0 <= box["y"] and box["y"] + box["height"] <= 800  # scrolled into view
    assert page.evaluate("window.scrollY") > 400  # the phrase is well below the chapter's start
    page.close()


def test_a_web_only_build_offers_no_download_it_did_not_make(tmp_path: Path):
    root = write_book(tmp_path / "web-only", {"one.md": "# One\n\nText.\n"}, "title: Web only\n")
    out = tmp_path / "out"
    result = run_publish("build", root, "--out", out, "--format", "html")
    assert result.code == 0, result.stderr
    for page in (out / "web-only").glob("*.html"):
        links = [a.get("href") or "" for a in lxml.html.fromstring(page.read_bytes()).iter("a")]
        assert not [href for href in links if href.endswith((".pdf", ".epub"))], page.name
    assert not list(out.glob("*.pdf")) and not list(out.glob("*.epub"))
