"""citeproc-js, Zotero's CSL processor, run in V8 (PyPI's mini-racer) from the script shipped in
styles/csl/engine/citeproc.js (CPAL-1.0 or AGPL-3.0; see README "Licences"). Nothing is fetched: the
script, the styles and the CSL locales are package data.

One V8 context per process (a context does not survive a fork), made on first use; each call renders
one book's citations and bibliography with a fresh `CSL.Engine`, so no state passes between books.

The items are registered at once (`updateItems`: disambiguation and year suffixes are worked out over
all of them) and each distinct cluster is rendered once (`makeCitationCluster`), its cites carrying
the positions the caller worked out (publish.bibliography.positions): the book's 2,000 citations are
a few dozen distinct clusters, and citeproc-js takes about 3 ms a cluster.
"""

from __future__ import annotations

import atexit
import json
import os
from dataclasses import dataclass
from functools import cache
from typing import Any

from publish.paths import CSL

ENGINE_SCRIPT = CSL / "engine" / "citeproc.js"
LOCALES_DIR = CSL / "locales"

# The script's CommonJS export made a global, and a `sys` object serving the book's items and locales.
DRIVER = r"""
var ITEMS = {}, LOCALES = {};
var citeprocSys = {
  retrieveItem: function (id) { return ITEMS[id]; },
  retrieveLocale: function (lang) { return LOCALES[lang]; }
};
function renderBook(json) {
  var job = JSON.parse(json);
  ITEMS = job.items; LOCALES = job.locales;
  var engine = new CSL.Engine(citeprocSys, job.style, job.lang, true);
  engine.setOutputFormat("html");
  engine.updateItems(job.cited);
  if (job.uncited.length) engine.updateUncitedItems(job.uncited);
  var citations = job.clusters.map(function (items) { return engine.makeCitationCluster(items); });
  var authors = job.author_only.map(function (id) {
    return engine.makeCitationCluster([{id: id, "author-only": true}]);
  });
  var bibliography = engine.bibliography.tokens.length ? engine.makeBibliography() : false;
  ITEMS = {}; LOCALES = {};
  return JSON.stringify({citations: citations, authors: authors, bibliography: bibliography});
}
"""


class EngineError(Exception):
    """citeproc-js failed (a style it cannot read, data it cannot take); the message is its own."""


@dataclass
class Rendered:
    """What citeproc-js made of a book: each cluster's text (in the order given), the author-only text
    of each item asked for, and the bibliography's entries (XHTML) with the id of each."""

    citations: list[str]
    authors: dict[str, str]
    entries: list[tuple[str, str]]


def render_book(style: str, lang: str, items: dict[str, dict[str, Any]], clusters: list[list[dict[str, Any]]],
                uncited: list[str], author_only: list[str], cache: Any = None) -> Rendered:
    """Run citeproc-js over one book: `items` are the CSL JSON items cited (and `uncited`, listed in
    the bibliography though not cited: `nocite`), `clusters` the distinct lists of cite items
    ({id, locator, label, prefix, suffix, position, ...}). With a `cache` (the build's,
    publish/layout/store.py), what the engine gave for the very same job before is given again: an
    edit that changes no citation needs no V8 context (about 0.3 s for a long book)."""
    cited = [key for key in items if key not in set(uncited)]
    job = {"style": style, "lang": lang, "items": items, "cited": cited, "clusters": clusters,
           "uncited": uncited, "author_only": author_only, "locales": _locales()}
    text = json.dumps(job)
    key = _job_key(text) if cache is not None else ""
    known = _cached(cache.get(key)) if cache is not None else None
    if known is not None:
        return known
    from py_mini_racer import JSEvalException

    try:
        result = json.loads(_context(os.getpid()).call("renderBook", text, timeout=600_000))
    except JSEvalException as error:
        raise EngineError(str(error).strip().splitlines()[0] if str(error).strip() else "failed") from None
    citations = result["citations"]
    bibliography = result["bibliography"]
    entries = []
    if bibliography:
        ids = [ids[0] for ids in bibliography[0]["entry_ids"]]
        entries = [(key, _entry_body(text)) for key, text in zip(ids, bibliography[1])]
    rendered = Rendered(citations, dict(zip(author_only, result["authors"])), entries)
    if cache is not None:
        cache.put(key, {"citeproc": rendered.citations, "authors": rendered.authors,
                        "entries": [list(entry) for entry in rendered.entries]})
    return rendered


def _job_key(job: str) -> str:
    """The cache key of one job: the job as the engine reads it (items, clusters, style, locales), the
    engine's script, our driver and V8's wrapper."""
    from importlib.metadata import version

    from publish.cache import file_digest, digest

    return digest("citeproc", version("mini-racer"), file_digest(ENGINE_SCRIPT), DRIVER, job)


def _cached(found: tuple[dict[str, Any], bytes] | None) -> Rendered | None:
    """A cache entry as the engine's result, or None if there is none or it is not one."""
    if found is None:
        return None
    facts = found[0]
    try:
        citations, authors, entries = facts["citeproc"], facts["authors"], facts["entries"]
        if not (isinstance(citations, list) and all(isinstance(c, str) for c in citations)
                and isinstance(authors, dict) and all(isinstance(a, str) for a in authors.values())):
            return None
        return Rendered(citations, authors, [(str(key), str(text)) for key, text in entries])
    except (KeyError, TypeError, ValueError):
        return None


def shipped_locales() -> list[str]:
    return sorted(p.stem.removeprefix("locales-") for p in LOCALES_DIR.glob("locales-*.xml"))


@cache
def _locales() -> dict[str, str]:
    return {p.stem.removeprefix("locales-"): p.read_text("utf-8") for p in LOCALES_DIR.glob("locales-*.xml")}


@cache
def _context(pid: int) -> Any:
    """The V8 context of process `pid` with citeproc-js loaded (about 0.1 s)."""
    from py_mini_racer import MiniRacer

    racer = MiniRacer()
    # Freed while the interpreter still runs: freed during its shutdown, V8 waits for a thread
    # that is gone. A forked child (which has none of V8's threads) leaves its parent's alone.
    atexit.register(lambda: os.getpid() == pid and racer.close())
    racer.eval("var module = {exports: {}}; var exports = module.exports;\n"
               + ENGINE_SCRIPT.read_text("utf-8") + "\nvar CSL = module.exports;\n" + DRIVER)
    return racer


def _entry_body(text: str) -> str:
    """An entry's XHTML without citeproc-js's `<div class="csl-entry">` wrapper."""
    text = text.strip()
    opening = text.find(">") + 1 if text.startswith('<div class="csl-entry"') else 0
    closing = len(text) - len("</div>") if opening and text.endswith("</div>") else len(text)
    return text[opening:closing].strip()
