"""Property-based tests: Markdown mixing our constructs with odd Unicode, raw HTML and broken syntax
either builds (HTML and EPUB; EPUBCheck on a sample) or fails with diagnostics — never an internal
error, and never with unescaped input in the output. HYPOTHESIS_EXAMPLES sets the budget (CI: 200)."""

from __future__ import annotations

import os
import tempfile
import zipfile
import zlib
from collections import Counter
from pathlib import Path

import lxml.html
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from publish.build import load_document
from publish.diagnostics import ManuscriptError
from publish.render.epub import render_epub
from publish.render.html import render_web
from tests.conftest import TOY_BIBLIOGRAPHY, write_book
from tests.test_build import assert_epubcheck_clean

EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", "200"))
ODD = ["é", "ß", "Ж", "λ", "ﬁ", "\u200b", "\u200d", "\u202e", "\u0301", "😀", "\t", "&", "<", ">", "\"", "'",
       "\\", "`", "*", "_", "[", "]", "(", ")", "@", "#", "~", "|", "{", "}"]
PIECES = st.one_of(
    st.text(alphabet=st.sampled_from(list("abc XYZ.,;:!?-–—…\"'") + ODD), max_size=12),
    st.sampled_from([
        "[was]", "[...]", "[…]", "[sic]", "[in *Capital* – ed.]", "\\[literal\\]", "[", "]", "[[x]]",
        "[@trotsky1937b]", "[@trotsky1937b, 56-57]", "[see @trotsky1937b, 93-4; also @guevara2018, 12]",
        "@guevara2018", "[-@trotsky1937b]", "[@unknown1999]", "[@]", "@", "*emphasis*", "**strong**",
        "*[Bolshevik] party*", "[^1]", "[^missing]", "[link](http://example.org)", "[lost](#)", "[e]()",
        "<span class=\"x\">raw</span>", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
        "<a href=\"javascript:alert(1)\">j</a>", "<!-- comment -->", "</p></div>", "<b>unclosed",
        "**CS:**", "`code [x]`", "![](x.png)", "![alt](http://127.0.0.1:9/x.png)", "{#id .class}",
        "\n\n> quoted [was]\n\n", "\n\n- item [x]\n- item\n\n", "\n\n## Heading [x]\n\n", "\n\n---\n\n",
        "\n\n| a | b |\n|---|---|\n| [x] | @guevara2018 |\n\n", "\n\n",
    ]),
)
CHAPTERS = st.lists(PIECES, max_size=40).map(" ".join)
NOTE = "\n\n[^1]: A note with [was] and [@guevara2018, 3].\n"
OUR_SCRIPTS = {"../pagefind/pagefind-ui.js", "assets/web.js"}  # the search box, the reading options


def check_manuscript(base: Path, body: str, with_note: bool) -> str:
    """Build one generated chapter and check it; what happened: failed or built."""
    text = "# Chapter\n\n" + body + (NOTE if with_note else "")
    root = write_book(base / "book", {"a.md": text}, "title: T\nspeakers: {CS: Contemporary Socialist}\n",
                      TOY_BIBLIOGRAPHY)
    try:
        doc, _ = load_document(root)
    except ManuscriptError as error:
        assert error.diagnostics.errors and all(str(d).count(": error: ") == 1 for d in error.diagnostics.errors)
        return "failed"
    pages = [data for name, data in render_web(doc).items() if name.endswith(".html")]
    epub = render_epub(doc, __import__("datetime").datetime(2024, 1, 1))
    for element in (e for page in pages for e in lxml.html.fromstring(page).iter()):
        if element.tag == "script":  # the JSON-LD data block, with `<` escaped, and our own scripts' files
            assert (element.get("type") == "application/ld+json" and "<" not in (element.text or "")) or (
                element.get("src") in OUR_SCRIPTS and not (element.text or "").strip())
            continue
        assert element.tag not in ("iframe", "object", "embed")
        assert not any(name.startswith("on") for name in element.attrib)
    with zipfile.ZipFile(__import__("io").BytesIO(epub)) as archive:
        for name in archive.namelist():
            if name.endswith(".xhtml"):
                etree.fromstring(archive.read(name))  # well-formed XHTML
    if zlib.crc32(text.encode()) % 40 == 0:  # EPUBCheck on a sample, the same for the same input
        path = base / "sample.epub"
        path.write_bytes(epub)
        assert_epubcheck_clean(path)
    return "built"


def test_any_manuscript_builds_or_fails_cleanly(tmp_path: Path):
    seen: Counter[str] = Counter()

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    @given(body=CHAPTERS, with_note=st.booleans())
    def generated(body: str, with_note: bool) -> None:
        seen[check_manuscript(Path(tempfile.mkdtemp(dir=tmp_path)), body, with_note)] += 1

    generated()
    assert seen["built"] > 0, seen  # the ingredients make books that build, too
