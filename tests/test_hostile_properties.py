"""Property test over this round's hostile ingredients: colliding ids, footnotes defined twice or
never, SVGs with references, broken images, runs of brackets and link openers. Every generated book
builds (HTML and EPUB, in-process) with every id once per document, or fails with diagnostics; never
an internal error, never over the time budget. PUBLISH_HYPOTHESIS_EXAMPLES sets the number of examples
(CI: 200; the exhaustive run: 10000, with `-n 0 -s` to see its progress and its count)."""

from __future__ import annotations

import datetime
import io
import os
import sys
import tempfile
import time
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
from tests.conftest import PNG, TOY_BIBLIOGRAPHY, write_book
from tests.test_build import assert_epubcheck_clean
from tests.test_hostile_files import HOSTILE_SVG

EXAMPLES = int(os.environ.get("PUBLISH_HYPOTHESIS_EXAMPLES", "200"))
BUDGET = 10  # seconds of this process's time for one example (the machine's other work not counted)
PIECES = st.one_of(
    st.text(alphabet=st.sampled_from(list("ab [](){}*_`^@#!<>\\")), max_size=10),
    st.sampled_from([
        "\n\n## References\n\n", "\n\n## References {#references}\n\n", "\n\n## Notes\n\n",
        "\n\n## Note 1\n\n",
        "\n\n## Toc {#toc}\n\n", "\n\n## Part\n\n", "\n\n## Chapter title\n\n", "{#note-1}", "{#x}",
        "<span id=\"noteref-1\">s</span>", "<p id=\"cite-1\">p</p>", "<span data-citation=\"0\">f</span>",
        "<span data-block=\"x\">b</span>", "[^1]", "[^2]", "[^missing]", "\n\n[^1]: One [^2].\n\n",
        "\n\n[^1]: Again.\n\n", "\n\n[^2]: Two.\n\n", "[@guevara2018]", "@trotsky1937b",
        "![A figure](figure.svg)",
        "![Broken](broken.png)", "![Fine](fine.png)", "![Far](../../etc/passwd)", "[" * 30, "[x](" * 10,
        "![x](" * 10, "`" * 7, "*" * 9, "_" * 9, "\n\n> > > quoted\n\n", "[sic]", "[…]",
    ]),
)
CHAPTERS = st.lists(PIECES, max_size=30).map(" ".join)


def repeated(documents: dict[str, etree._Element]) -> dict[str, list[str]]:
    found = {}
    for name, root in documents.items():
        counts = Counter(e.get("id") for e in root.iter() if isinstance(e.tag, str) and e.get("id"))
        if any(n > 1 for n in counts.values()):
            found[name] = [i for i, n in counts.items() if n > 1]
    return found


def check_book(base: Path, first: str, second: str) -> str:
    """Build one generated book and check it; what happened: failed, built or checked (by EPUBCheck)."""
    chapters = {"a.md": "# One\n\n" + first, "b.md": "# Two\n\n" + second}
    root = write_book(base / "book", chapters, "title: T\n", TOY_BIBLIOGRAPHY)
    (root / "figure.svg").write_text(HOSTILE_SVG.format(url="http://127.0.0.1:9", secret="/etc/passwd"))
    (root / "broken.png").write_bytes(b"not a picture")
    (root / "fine.png").write_bytes(PNG)
    start = time.process_time()
    try:
        doc, _ = load_document(root)
    except ManuscriptError as error:
        errors = error.diagnostics.errors
        assert errors and all(str(d).count(": error: ") == 1 for d in errors)
        return "failed"
    pages = {name: data for name, data in render_web(doc).items() if name.endswith(".html")}
    epub = render_epub(doc, datetime.datetime(2024, 1, 1))
    assert time.process_time() - start < BUDGET
    documents = {name: lxml.html.fromstring(data) for name, data in pages.items()}
    assert not any(b"root:x:0:" in data or b"127.0.0.1" in data for data in pages.values())
    with zipfile.ZipFile(io.BytesIO(epub)) as archive:
        files = {n: archive.read(n) for n in archive.namelist()}
    documents |= {n: etree.fromstring(data) for n, data in files.items() if n.endswith(".xhtml")}
    # no byte of the file outside, no reference to the network
    assert not any(b"root:x:0:" in data or b"127.0.0.1" in data for data in files.values())
    assert repeated(documents) == {}
    if zlib.crc32((first + second).encode()) % 100 != 0:
        return "built"
    path = base / "sample.epub"  # EPUBCheck on a sample, the same for the same input
    path.write_bytes(epub)
    assert_epubcheck_clean(path)
    return "checked"


def test_hostile_books_build_with_unique_ids_or_fail_cleanly(tmp_path: Path):
    seen: Counter[str] = Counter()
    check_book(tmp_path / "warm", "", "")  # the CSL engine and the rest loaded once, outside the budget

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    @given(first=CHAPTERS, second=CHAPTERS)
    def generated_book(first: str, second: str) -> None:
        seen[check_book(Path(tempfile.mkdtemp(dir=tmp_path)), first, second)] += 1
        if EXAMPLES > 200 and seen.total() % 250 == 0:
            print(f"hostile property run: {seen.total()} examples, {dict(seen)}", file=sys.stderr, flush=True)

    generated_book()
    print(f"hostile property run: {seen.total()} examples in all, {dict(seen)}", file=sys.stderr)
    assert seen["built"] + seen["checked"] > 0, seen  # the ingredients make books that build, too
