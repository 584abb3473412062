"""Benchmark of citation processing: the 1,000-page book of `longbook.py` (the Trotsky interview as 37
chapters, 2,035 citations) parsed, then its citations and References formatted by the CSL engine
(`render_citations`), timed alone. Run by hand: `.venv/bin/python benchmarks/citations.py [CHAPTERS]`;
writes benchmarks/results/citations.json.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build import PROJECT  # noqa: E402
from longbook import CHAPTERS, make_book  # noqa: E402

sys.path.insert(0, str(PROJECT))


def main() -> None:
    from publish.bibliography import load_bibliography, style_path
    from publish.book import load_book
    from publish.diagnostics import Diagnostics
    from publish.parse import parse_book
    from publish.resolve import csl_locale

    chapters = int(sys.argv[1]) if len(sys.argv) > 1 else CHAPTERS
    with tempfile.TemporaryDirectory(prefix="publish-cite-") as work:
        book = load_book(make_book(Path(work), chapters))
        found = Diagnostics()
        _, citations = parse_book(book, found)
        bibliography = load_bibliography(book.bibliography_paths)
        style = style_path(book.config.csl, book.root)
        locale = csl_locale(book.config.language)
        start = time.perf_counter()
        from publish.bibliography.processor import render_citations  # the engine's import counts

        references = render_citations(citations, bibliography, style, locale, found)
        seconds = time.perf_counter() - start
    results = {"chapters": chapters, "citations": len(citations), "references": len(references),
               "seconds": round(seconds, 3), "per_citation_ms": round(1000 * seconds / len(citations), 3)}
    (PROJECT / "benchmarks" / "results" / "citations.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"{len(citations)} citations, {len(references)} references: {seconds:.2f} s "
          f"({results['per_citation_ms']:.2f} ms a citation)")


if __name__ == "__main__":
    main()
