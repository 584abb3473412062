"""publish's citations and References against citeproc-js run by Node, Zotero's way (each citation
processed in turn by `processCitationCluster`, tests/node/render.js), for a corpus of 90 entries
written here, in every shipped style.

The deliberate differences, applied to Node's output before comparing: spaced dashes are tied to the
word before them (publish.markup.tie_spaced_dashes, as in the chapters); an entry's XHTML loses
citeproc-js's `<div class="csl-entry">` wrapper; and in a style that sorts the cites of a citation
(APA), the cites of a citation of several works are compared as a set. We render each distinct
citation once (makeCitationCluster), which orders cites by the style's sort keys alone; Zotero's
processCitationCluster breaks a tie of those keys (one first author, "Luxemburg" and "Luxemburg et
al.") by the document's history, one way in one citation and the other way in the next. Node and npm's `citeproc` (pinned in
tests/node/package.json, the version vendored in styles/csl/engine/) are installed by `make test`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from publish.bibliography.engine import _entry_body
from publish.build import load_document
from publish.markup import tie_spaced_dashes
from publish.paths import CSL
from tests.conftest import write_book

NODE_DIR = Path(__file__).parent / "node"
STYLES = ["chicago-author-date", "chicago-notes-bibliography", "chicago-notes-bibliography-ibid", "apa", "mla",
          "house"]
FAMILIES = ["Trotsky", "Luxemburg", "Lenin", "Serge", "Deutscher", "Mandel", "Broué", "Molyneux", "Ali"]
LANGUAGES = ["fr-FR", "de-DE", "es-ES", "ru-RU"]
TITLES = {"fr-FR": "la révolution permanente et ses critiques", "de-DE": "die akkumulation des kapitals",
          "es-ES": "el gran debate sobre la economía", "ru-RU": "преданная революция"}


def person(n: int) -> dict:
    return {"family": FAMILIES[n % len(FAMILIES)], "given": ["Leon", "Rosa", "Victor", "Ernest"][n % 4]}


def corpus() -> list[dict]:
    """Ninety entries: ten of each kind, with varied names, dates and languages."""
    entries = []
    for n in range(10):
        year = 1905 + 3 * n
        entries += [
            {"id": f"book{n}", "type": "book", "author": [person(n)], "title": f"the history of the movement {n}",
             "publisher": "Pathfinder", "publisher-place": "New York", "issued": {"date-parts": [[year]]}},
            {"id": f"chapter{n}", "type": "chapter", "author": [person(n + 1)], "title": f"on the question {n}",
             "container-title": f"Collected Works {n}", "editor": [person(n + 2)], "page": f"{10 + n}-{25 + n}",
             "publisher": "Progress", "publisher-place": "Moscow", "issued": {"date-parts": [[year]]}},
            {"id": f"article{n}", "type": "article-journal", "author": [person(n), person(n + 3)],
             "title": f"notes on the economy: part {n}", "container-title": "New Left Review", "volume": str(n + 1),
             "issue": str(n % 4 + 1), "page": f"{100 + n}-{120 + n}", "issued": {"date-parts": [[1960 + n, n % 12 + 1]]},
             "DOI": f"10.1000/nlr.{n}"},
            {"id": f"news{n}", "type": "article-newspaper", "author": [person(n + 4)], "title": f"strike at plant {n}",
             "container-title": "The Militant", "issued": {"date-parts": [[1938, n % 12 + 1, n + 1]]}},
            {"id": f"thesis{n}", "type": "thesis", "genre": "PhD diss.", "author": [person(n + 5)],
             "title": f"the transitional programme in practice {n}", "publisher": "University of Toronto",
             "issued": {"date-parts": [[1990 + n]]}},
            {"id": f"web{n}", "type": "webpage", "author": [person(n + 6)], "title": f"an archive page {n}",
             "container-title": "Marxists Internet Archive", "URL": f"https://www.marxists.org/archive/{n}.htm",
             "issued": {"date-parts": [[2019, 5]]}, "accessed": {"date-parts": [[2024, 3, n + 1]]}},
            {"id": f"reprint{n}", "type": "book", "author": [person(n)], "title": f"the permanent revolution {n}",
             "publisher": "Merit", "publisher-place": "New York", "issued": {"date-parts": [[1969]]},
             "original-date": {"date-parts": [[1929 + n]]}},
            {"id": f"translation{n}", "type": "book", "author": [person(n + 2)], "translator": [person(n + 7)],
             "title": f"my life {n}", "publisher": "Scribner", "issued": {"date-parts": [[1930 + n]]}},
            {"id": f"many{n}", "type": "report", "author": [person(n + k) for k in range(7 + n % 3)],
             "title": f"report of the commission {n}", "publisher": {0: "Pioneer"}.get(n % 2, "Merit"),
             "issued": {"date-parts": [[1937]]}},
        ]
        if n < 5:
            entries.append({"id": f"corporate{n}", "type": "report", "author": [{"literal": f"Fourth International {n}"}],
                            "title": f"resolution on the war {n}", "issued": {"date-parts": [[1940]]}})
        else:
            language = LANGUAGES[n % 4]
            entries.append({"id": f"foreign{n}", "type": "book", "author": [person(n)], "language": language,
                            "title": TITLES[language], "issued": {"date-parts": [[1970 + n]]}})
    entries.append({"id": "edited0", "type": "book", "editor": [person(3)], "title": "leon trotsky speaks",
                    "publisher": "Pathfinder", "issued": {"date-parts": [[1972]]}})
    return entries


def clusters(entries: list[dict]) -> list[list[dict]]:
    """Citations exercising locators, prefixes, several works and repeats (ibid., subsequent)."""
    keys = [e["id"] for e in entries]
    result = []
    for n, key in enumerate(keys):
        if n % 4 == 0:
            result.append([{"id": key}])
        elif n % 4 == 1:
            result += [[{"id": key, "locator": str(n + 1)}], [{"id": key, "locator": str(n + 1)}]]
        elif n % 4 == 2:
            result.append([{"id": key, "prefix": "see", "locator": f"{n}-{n + 4}"}, {"id": keys[n - 2]}])
        else:
            result += [[{"id": key}], [{"id": key, "locator": "7"}]]
    return result


def markdown(cluster: list[dict]) -> str:
    parts = []
    for item in cluster:
        text = (item["prefix"] + " " if "prefix" in item else "") + f"@{item['id']}"
        parts.append(text + (f", {item['locator']}" if "locator" in item else ""))
    return "[" + "; ".join(parts) + "]"


def node_citations(cluster_list: list[list[dict]], note: bool) -> list[dict]:
    result = []
    for n, cluster in enumerate(cluster_list):
        items = [{k: v for k, v in item.items() if k != "prefix"} | ({"label": "page"} if "locator" in item else {})
                 | ({"prefix": item["prefix"] + " "} if "prefix" in item else {}) for item in cluster]
        result.append({"citationID": f"c{n}", "citationItems": items, "properties": {"noteIndex": n + 1 if note else 0}})
    return result


def cites(text: str, as_set: bool) -> str | frozenset[str]:
    """A citation's text, or (for a style sorting its cites) the set of its cites."""
    return frozenset(text.strip("()").split("; ")) if as_set and "; " in text else text


@pytest.fixture(scope="module")
def node() -> Path:
    if not shutil.which("node") or not (NODE_DIR / "node_modules" / "citeproc").is_dir():
        pytest.fail("Node and npm's citeproc are needed: `make test` installs them (cd tests/node && npm ci)")
    return NODE_DIR / "render.js"


@pytest.mark.parametrize("style", STYLES)
def test_the_corpus_reads_as_citeproc_js_under_node_has_it(tmp_path: Path, node: Path, style: str):
    entries = corpus()
    cluster_list = clusters(entries)
    assert len(entries) >= 80
    text = "\n\n".join(f"Text {markdown(c)}." for c in cluster_list)
    root = write_book(tmp_path / "book", {"a.md": f"# A\n\n{text}\n"},
                      f"title: T\ncsl: {style}\nbibliography: refs.json\n")
    (root / "refs.json").write_text(json.dumps(entries), encoding="utf-8")
    doc, found = load_document(root)
    assert not found.errors
    note = style == "chicago-notes-bibliography"
    (tmp_path / "citations.json").write_text(json.dumps(node_citations(cluster_list, note)), encoding="utf-8")
    done = subprocess.run(["node", str(node), str(CSL / f"{style}.csl"), "en-US", str(root / "refs.json"),
                           str(tmp_path / "citations.json"), str(CSL / "locales")],
                          capture_output=True, text=True, timeout=300, check=True)
    expected = json.loads(done.stdout)
    sorted_cites = (CSL / f"{style}.csl").read_text("utf-8").find("<sort>", 0, (CSL / f"{style}.csl").read_text(
        "utf-8").find("<bibliography")) > 0
    assert [cites(c.html, sorted_cites) for c in doc.citations] == [
        cites(tie_spaced_dashes(t), sorted_cites) for t in expected["citations"]]
    assert [(r.key, r.html) for r in doc.references] == [
        (key, tie_spaced_dashes(_entry_body(text))) for key, text in expected["entries"]]
