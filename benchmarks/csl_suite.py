"""The official CSL test suite (citation-style-language/test-suite) run against candidate engines.

    .venv/bin/python benchmarks/csl_suite.py SUITE_DIR LOCALES_DIR [--engine NAME ...] [--show-failures]

SUITE_DIR is a local copy of the suite (the directory holding `processor-tests/humans/*.txt`),
LOCALES_DIR one of citation-style-language/locales (`locales-*.xml`); neither is part of this
repository. Engines: `citeproc-js` (the vendored styles/csl/engine/citeproc.js in V8 through
mini-racer), `citeproc-js-quickjs` (the same script in QuickJS), `citeproc-py`, `pandoc` (the binary
of pypandoc-binary). Prints passes per engine and writes benchmarks/results/csl_suite.json. Only
mini-racer is a dependency of publish: `pip install quickjs pypandoc-binary citeproc-py` for the rest.

Each fixture is run the way citeproc-js's own test runner runs it (citeproc-test-runner): the items
registered, then CITATION-ITEMS rendered with makeCitationCluster, or CITATIONS with
processCitationCluster (the result lines `..[i]`/`>>[i]`), or the bibliography made; the result is
compared with RESULT after trimming each line. Fixtures needing what our harness does not provide
(ABBREVIATIONS, BIBENTRIES, the `bibliography-header` mode) count as failures, not as skipped.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
SECTION = re.compile(r"^>>=+ ?([A-Z-]+) ?=+>>\s*$(.*?)^<<=+ ?\1 ?=+<<\s*$", re.MULTILINE | re.DOTALL)
JSON_SECTIONS = ("INPUT", "CITATION-ITEMS", "CITATIONS", "BIBSECTION", "BIBENTRIES", "ABBREVIATIONS")

RUNNER_JS = r"""
var LOCALES = {}; var ITEMS = {};
var sys = {
  retrieveItem: function (id) { return ITEMS[id]; },
  retrieveLocale: function (lang) { return LOCALES[lang]; }
};
function setLocales(json) { LOCALES = JSON.parse(json); return true; }
function runFixture(json) {
  var t = JSON.parse(json);
  ITEMS = {}; var ids = [];
  t.input.forEach(function (item) { ITEMS[item.id] = item; ids.push(item.id); });
  var style = new CSL.Engine(sys, t.csl);
  var result = null, out = [];
  if (!t.citations) style.updateItems(ids);
  var items = t.citation_items;
  if (!items && !t.citations) {
    items = [style.registry.reflist.map(function (entry) { return {id: entry.id}; })];
  }
  if (items) {
    items.forEach(function (cluster) { out.push(style.makeCitationCluster(cluster)); });
  } else {
    for (var i = 0; i < t.citations.length; i++) {
      var c = t.citations[i];
      result = style.processCitationCluster(c[0], c[1], c[2])[1];
    }
    var updated = {};
    result.forEach(function (r) { updated[r[0]] = r[1]; });
    var byIndex = style.registry.citationreg.citationByIndex;
    for (var j = 0; j < byIndex.length; j++) {
      if (updated[j] !== undefined) out.push(">>[" + j + "] " + updated[j]);
      else out.push("..[" + j + "] " + style.process_CitationCluster.call(style, byIndex[j].sortedItems));
    }
  }
  if (t.mode === "bibliography") {
    var bib = t.bibsection ? style.makeBibliography(t.bibsection) : style.makeBibliography();
    return bib ? bib[0].bibstart + bib[1].join("") + bib[0].bibend : "";
  }
  return out.join("\n");
}
"""


def read_fixture(path: Path) -> dict:
    sections = {name: body.strip("\n") for name, body in SECTION.findall(path.read_text("utf-8"))}
    fixture = {"name": path.stem, "mode": sections.get("MODE", "").strip(), "csl": sections.get("CSL", ""),
               "result": sections.get("RESULT", "")}
    for name in JSON_SECTIONS:
        if name in sections:
            fixture[name.lower().replace("-", "_")] = json.loads(sections[name])
    return fixture


def same(got: str, expected: str) -> bool:
    def lines(text: str) -> list[str]:
        return [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines(got) == lines(expected)


def unsupported(fixture: dict) -> str:
    if fixture["mode"] not in ("citation", "bibliography"):
        return f"mode {fixture['mode']}"
    for name in ("abbreviations", "bibentries"):
        if name in fixture:
            return name
    return ""


# The candidates: each is a function fixture -> output text ------------------------------------

def citeproc_js(locales: Path, host: str) -> Callable[[dict], str]:
    script = (PROJECT / "styles" / "csl" / "engine" / "citeproc.js").read_text("utf-8")
    source = "var module = {exports: {}}; var exports = module.exports;\n" + script + "\nvar CSL = module.exports;\n"
    all_locales = {p.stem.removeprefix("locales-"): p.read_text("utf-8") for p in locales.glob("locales-*.xml")}
    if host == "quickjs":
        import quickjs

        context = quickjs.Context()
        context.set_memory_limit(1 << 30)
        context.eval(source + RUNNER_JS)
        context.get("setLocales")(json.dumps(all_locales))
        run = context.get("runFixture")
        return lambda fixture: run(json.dumps(fixture))
    from py_mini_racer import MiniRacer

    racer = MiniRacer()
    racer.eval(source + RUNNER_JS)
    racer.call("setLocales", json.dumps(all_locales))
    return lambda fixture: racer.call("runFixture", json.dumps(fixture), timeout=20000)


def citeproc_py(locales: Path) -> Callable[[dict], str]:
    import warnings

    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON

    warnings.simplefilter("ignore")

    def run(fixture: dict) -> str:
        style = CitationStylesStyle(_tmp_csl(fixture["csl"]), validate=False)
        source = CiteProcJSON(fixture["input"])
        bibliography = CitationStylesBibliography(style, source, formatter.html)
        groups = fixture.get("citation_items")
        if groups is None and "citations" in fixture:
            groups = [c[0]["citationItems"] for c in fixture["citations"]]
        if groups is None:
            groups = [[{"id": item["id"]} for item in fixture["input"]]]
        citations = [Citation([CitationItem(i["id"]) for i in group]) for group in groups]
        for citation in citations:
            bibliography.register(citation)
        if fixture["mode"] == "bibliography":
            entries = "".join(f'  <div class="csl-entry">{e}</div>\n' for e in bibliography.bibliography())
            return f'<div class="csl-bib-body">\n{entries}</div>'
        texts = [str(bibliography.cite(c, lambda item: None)) for c in citations]
        if "citations" in fixture:
            return "\n".join(f">>[{n}] {t}" for n, t in enumerate(texts))
        return "\n".join(texts)
    return run


def pandoc(locales: Path) -> Callable[[dict], str]:
    """Each cite cluster as a Pandoc citation `[@a, p. 3; @b]` in a Markdown paragraph of its own; the
    output read back from Pandoc's HTML (the spans of class csl-entry or citation). Lossy where the
    fixture uses what Markdown cannot say (note numbers, positions): a lower bound."""
    import pypandoc

    binary = pypandoc.get_pandoc_path()

    def cite(item: dict) -> str:
        text = f"{item.get('prefix', '')}{'-' if item.get('suppress-author') else ''}@{{{item['id']}}}"
        if item.get("locator"):
            text += f", {item.get('label', 'page')} {item['locator']}"
        return text + item.get("suffix", "")

    def run(fixture: dict) -> str:
        groups = fixture.get("citation_items")
        if groups is None and "citations" in fixture:
            groups = [c[0]["citationItems"] for c in fixture["citations"]]
        if groups is None:
            groups = [[{"id": item["id"]} for item in fixture["input"]]]
        with tempfile.TemporaryDirectory() as work:
            (Path(work) / "style.csl").write_text(fixture["csl"], "utf-8")
            (Path(work) / "refs.json").write_text(json.dumps(fixture["input"]), "utf-8")
            text = "\n\n".join("[" + "; ".join(cite(i) for i in group) + "]" for group in groups)
            if fixture["mode"] == "bibliography":
                text += "\n\n::: {#refs}\n:::\n"
            done = subprocess.run([binary, "--citeproc", "--csl", "style.csl", "--bibliography", "refs.json",
                                   "-t", "html", "--wrap=none", "-M", "suppress-bibliography=false"],
                                  input=text, capture_output=True, text=True, cwd=work, timeout=30, check=False)
        html = done.stdout.replace("<em>", "<i>").replace("</em>", "</i>").replace("<strong>", "<b>")
        html = html.replace("</strong>", "</b>").replace('<span class="smallcaps">', '<span style="font-variant:small-caps;">')
        if fixture["mode"] == "bibliography":
            entries = re.findall(r'<div id="ref-[^"]*" class="csl-entry"[^>]*>\s*(.*?)\s*</div>', html, re.DOTALL)
            body = "".join(f'  <div class="csl-entry">{e}</div>\n' for e in entries)
            return f'<div class="csl-bib-body">\n{body}</div>'
        texts = re.findall(r'<span class="citation"[^>]*>(.*?)</span>(?=</p>)', html, re.DOTALL)
        if "citations" in fixture:
            return "\n".join(f">>[{n}] {t}" for n, t in enumerate(texts))
        return "\n".join(texts)
    return run


def _tmp_csl(text: str) -> str:
    handle = tempfile.NamedTemporaryFile("w", suffix=".csl", delete=False, encoding="utf-8")
    handle.write(text)
    handle.close()
    return handle.name


ENGINES = {
    "citeproc-js": lambda locales: citeproc_js(locales, "mini-racer"),
    "citeproc-js-quickjs": lambda locales: citeproc_js(locales, "quickjs"),
    "citeproc-py": citeproc_py,
    "pandoc": pandoc,
}


def run_suite(name: str, fixtures: list[dict], locales: Path, show: bool) -> dict:
    engine = ENGINES[name](locales)
    passed, failed, errors = 0, [], 0
    start = time.perf_counter()
    for fixture in fixtures:
        try:
            got = "" if unsupported(fixture) else engine(fixture)
        except Exception as error:  # noqa: BLE001 (an engine's crash on a fixture is that fixture's failure)
            got, errors = f"ERROR {type(error).__name__}: {error}", errors + 1
        if got and same(got, fixture["result"]):
            passed += 1
        else:
            failed.append(fixture["name"])
            if show:
                print(f"--- {name} {fixture['name']}\nexpected: {fixture['result']!r}\ngot:      {got!r}")
    seconds = time.perf_counter() - start
    return {"passed": passed, "total": len(fixtures), "rate": round(passed / len(fixtures), 4),
            "errors": errors, "seconds": round(seconds, 2), "failed": failed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("suite", type=Path)
    parser.add_argument("locales", type=Path)
    parser.add_argument("--engine", action="append", choices=sorted(ENGINES))
    parser.add_argument("--show-failures", action="store_true")
    args = parser.parse_args()
    paths = sorted((args.suite / "processor-tests" / "humans").glob("*.txt"))
    if not paths:
        sys.exit(f"no fixtures under {args.suite}/processor-tests/humans")
    fixtures = [read_fixture(p) for p in paths]
    results = {}
    for name in args.engine or list(ENGINES):
        results[name] = run_suite(name, fixtures, args.locales, args.show_failures)
        r = results[name]
        print(f"{name:22} {r['passed']:4}/{r['total']} passed ({100 * r['rate']:.1f} %), "
              f"{r['errors']} errors, {r['seconds']:.1f} s")
    out = PROJECT / "benchmarks" / "results" / "csl_suite.json"
    previous = json.loads(out.read_text()) if out.exists() else {}
    out.write_text(json.dumps(previous | results, indent=1) + "\n")


if __name__ == "__main__":
    main()
