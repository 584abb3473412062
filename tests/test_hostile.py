"""Hostile manuscripts: nothing fetched from the network, nothing read outside the book's roots, nothing
executable in any output, and every value from book.yaml escaped."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import lxml.html
import pytest
from lxml import etree
from PIL import Image

from tests.conftest import run_publish, write_book
from tests.test_build import assert_epubcheck_clean

SECRET = "TOP-SECRET-CONTENT-7f3a"


def documents(out: Path):
    """Every HTML page and EPUB content document, parsed."""
    for path in out.rglob("*.html"):
        yield str(path), lxml.html.parse(str(path)).getroot()
    for path in out.rglob("*.epub"):
        with zipfile.ZipFile(path) as epub:
            for name in epub.namelist():
                if name.endswith(".xhtml"):
                    yield name, etree.fromstring(epub.read(name))


# The web edition's own scripts (the reading options, Pagefind's search box), which pages may load.
OUR_SCRIPTS = ("assets/web.js", "../pagefind/pagefind-ui.js", "pagefind/pagefind-ui.js")


def is_shipped_script(out: Path, path: Path) -> bool:
    """A file of the scripts we ship (the search's programs and its index, which holds the pages'
    text compressed: the pages themselves are read), the same for any book."""
    return path.relative_to(out).parts[0] == "pagefind" or path.name == "web.js"


def all_output_bytes(out: Path) -> bytes:
    """Every HTML, XHTML, CSS and PDF byte of the outputs (the EPUB unzipped); not the JSON manifest,
    which is data for programs."""
    data = b""
    for path in out.rglob("*") if out.exists() else []:
        if path.is_file() and path.suffix != ".json" and not is_shipped_script(out, path):
            data += path.read_bytes()
            if path.suffix == ".epub":
                with zipfile.ZipFile(path) as epub:
                    data += b"".join(epub.read(name) for name in epub.namelist())
    return data


def test_no_network_request_from_images_or_links(tmp_path: Path, listener):
    url, requests = listener
    root = write_book(tmp_path / "book", {"a.md": f"# A\n\nA [link]({url}/page) and <{url}/auto>.\n\n"
                                                  f"![Remote]({url}/image.png)\n\n<img src=\"{url}/raw.png\" alt=\"raw\">\n"},
                      "title: T\n")
    result = run_publish("build", root, "--out", tmp_path / "out")
    assert result.code == 1 and "Traceback" not in result.stderr
    assert f"a.md:5:11: error: network resource refused: {url}/image.png" in result.stderr
    assert f"network resource refused: {url}/raw.png" in result.stderr
    assert requests == []
    allowed = run_publish("build", root, "--out", tmp_path / "allowed", "--allow-remote")
    assert allowed.code == 0, allowed.stderr
    assert sorted(requests) == ["/image.png", "/raw.png"]  # the images only, never the links
    assert len(list((tmp_path / "allowed" / "book" / "images").iterdir())) == 2
    requests.clear()
    links_only = write_book(tmp_path / "links", {"a.md": f"# A\n\nA [link]({url}/page) only.\n"}, "title: T\n")
    assert run_publish("build", links_only, "--out", tmp_path / "out2").code == 0
    assert requests == []


@pytest.mark.parametrize("reference", ["../secret.txt", "../../secret.txt", "{secret}", "file://{secret}",
                                       "link.png"])
def test_files_outside_the_roots_are_refused_and_never_published(tmp_path: Path, reference: str):
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    root = tmp_path / "shelf" / "book"
    root.mkdir(parents=True)
    (tmp_path / "shelf" / "secret.txt").write_text(SECRET)  # in the shared root: allowed, but not an image
    os.symlink(secret, root / "link.png")
    src = reference.format(secret=secret)
    write_book(root, {"a.md": f"# A\n\n![A secret]({src})\n"}, "title: T\n")
    out = tmp_path / "out"
    result = run_publish("build", root, "--out", out)
    assert result.code == 1 and "Traceback" not in result.stderr
    if reference == "../secret.txt":  # in the shared manuscript root, so readable, but not an image
        assert f"a.md:3:13: error: not an image type a book can carry (PNG, JPEG, GIF, SVG, WebP): {src}" \
            in result.stderr
    else:
        assert f"a.md:3:13: error: file outside the book refused: {src}" in result.stderr
    assert SECRET.encode() not in all_output_bytes(out)


HOSTILE = """\
# Chapter <script>alert(1)</script>

<script>alert("x")</script>
<p onclick="steal()" style="background: url(http://evil.example/x)">Click <a href="javascript:alert(3)">me</a>.</p>
<iframe src="http://evil.example"></iframe><object data="x"></object><embed src="x"><form action="x"><input></form>
<img src="x.png" onerror="alert(4)" alt="x">

[A link](javascript:alert(5)) and [data](data:text/html;base64,PHNjcmlwdD4=) and *emphasis*.
"""


def test_no_script_handler_or_javascript_url_in_any_output(tmp_path: Path):
    root = write_book(tmp_path / "book", {"a.md": HOSTILE},
                      'title: "</title><script>alert(6)</script>"\n'
                      'description: "\\"><img src=x onerror=alert(7)>"\n'
                      "author: [{name: \"<b>Bold</b> & Co\", role: author}]\n")
    Image.new("RGB", (10, 10)).save(root / "x.png")
    out = tmp_path / "out"
    result = run_publish("build", root, "--out", out)
    assert result.code == 0, result.stderr
    # The web edition's one data block, the JSON-LD, is not script; its `<` are escaped (test_web.py).
    data = all_output_bytes(out).lower().replace(b'<script type="application/ld+json">', b"")
    for src in OUR_SCRIPTS:
        data = data.replace(f'<script src="{src}" defer>'.encode(), b"")
    for needle in (b"<script", b"<iframe", b"<object", b"<embed", b"<form", b"url(http://evil",
                   b"data:text/html", b"/javascript", b"/js "):
        assert needle not in data, needle
    for name, root in documents(out):
        for element in root.iter():
            tag = element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""
            if tag == "script" and element.get("type") == "application/ld+json":
                assert "<" not in (element.text or ""), name
                continue
            if tag == "script" and element.get("src") in OUR_SCRIPTS and not (element.text or "").strip():
                continue
            assert tag not in ("script", "iframe", "object", "embed", "form"), (name, tag)
            for attribute, value in element.attrib.items():
                assert not attribute.lower().startswith("on"), (name, attribute)
                assert not value.strip().lower().startswith(("javascript:", "data:")), (name, value)
    assert_epubcheck_clean(out / "book.epub")
    page = (out / "book" / "all.html").read_text("utf-8")
    assert "&lt;/title&gt;&lt;script&gt;alert(6)&lt;/script&gt;" in page
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; Co" in page
    assert '-title">Chapter </h2>' in page  # the script and its text are gone from the heading
