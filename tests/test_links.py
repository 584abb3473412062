"""Links the manuscript writes: every one an edition carries can be followed (EPUBCheck finds no
missing file, no undefined fragment, no invalid URL), and one that could not is set as text with a
warning at its place, never lost in silence."""

from __future__ import annotations

import zipfile
from pathlib import Path

import lxml.html
from lxml import etree

from tests.conftest import run_publish, write_book
from tests.test_build import assert_epubcheck_clean

CHAPTERS = {
    "a.md": """\
        # One

        Web: [c](https://example.org/a b), [e](https://example.org/[z]?q=<x>), [m](mailto:ed@example.org).
        Book: [the second](b.md), [its section](b.md#far-section), [here](#near) and [note](#note-1)[^1].
        Nowhere: [a](#nowhere), [b](other.md), [f](file:///etc/passwd), [g](b.md#missing).
        Mail: <a\\_b@example.org> and <\\>@[>.

        ## Near

        [^1]: A note.
        """,
    "b.md": "# Two\n\n## Far section\n\nText.\n",
}


def test_every_link_resolves_or_is_text_with_a_warning(tmp_path: Path):
    root = write_book(tmp_path / "book", CHAPTERS, "title: Links\n")
    out = tmp_path / "out"
    result = run_publish("build", root, "--out", out, "--format", "epub", "--format", "html")
    assert result.code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "[dead-link]" in line]
    chapter = root / "a.md"
    assert [w.split(": warning: ")[0] for w in warnings] == [
        f"{chapter}:5:10", f"{chapter}:5:25", f"{chapter}:5:40", f"{chapter}:5:65"], result.stderr
    assert "link to '#nowhere': no heading or element has that id; it is set as text" in warnings[0]
    assert all("leads nowhere in the editions" in w for w in warnings[1:])

    epub = out / "book.epub"
    assert_epubcheck_clean(epub)
    with zipfile.ZipFile(epub) as archive:
        one = etree.fromstring(archive.read("EPUB/one.xhtml"))
    links = {"".join(a.itertext()): a.get("href") for a in one.iter("{http://www.w3.org/1999/xhtml}a")}
    assert links["c"] == "https://example.org/a%20b"
    assert links["e"] == "https://example.org/%5Bz%5D?q=%3Cx%3E"
    assert links["m"] == "mailto:ed@example.org"
    assert links["the second"] == "two.xhtml#two"
    assert links["its section"] == "two.xhtml#far-section"
    assert links["here"] == "#near"
    # Python-Markdown's e-mail links with a backslash escape kept its placeholder characters (STX, ETX),
    # which XML cannot hold: the build failed with an internal error.
    assert links["a_b@example.org"] == "mailto:a_b@example.org"
    assert links[">@["] == "mailto:%3E@%5B"
    assert all(links[text] is None for text in "abfg")  # the text stays, with no link

    for name, second, section in (("all.html", "#two", "#far-section"),
                                  ("one.html", "two.html", "two.html#far-section")):
        page = lxml.html.fromstring((out / "book" / name).read_bytes())  # the whole book; its chapter's page
        web = {"".join(a.itertext()): a.get("href") for a in page.iter("a")}
        assert (web["the second"], web["its section"]) == (second, section)
        assert all(web[text] is None for text in "abfg")
