"""Benchmark of a long book: the Trotsky pamphlet's interview repeated as chapters with distinct titles
(each with its 55 citations) until the print edition runs to about 1,000 pages, built to PDF by
`publish build`, against one `weasyprint` process rendering the very HTML and CSS publish lays out to the
same PDF variant (tagged PDF/UA-1).
Prints wall time, CPU time and peak RSS of each and their ratios; writes benchmarks/results/longbook.json.
Slow (a minute or two for each run): run it by hand, `.venv/bin/python benchmarks/longbook.py [CHAPTERS]`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build import PROJECT, measure  # noqa: E402

CHAPTERS = 37  # the interview sets 27 pages: 37 of them and the front and back matter make ~1,000


def make_book(root: Path, chapters: int) -> Path:
    shutil.copy(PROJECT / "manuscript" / "bibliography.yaml", root)
    source = PROJECT / "manuscript" / "leon-trotsky-speaks"
    book = root / "long-book"
    book.mkdir()
    body = (source / "interview.md").read_text("utf-8").split("\n", 1)[1]
    names = []
    for n in range(1, chapters + 1):
        name = f"part-{n:02d}.md"
        (book / name).write_text(f"# Part {n}: Burying Stalinism\n{body}", encoding="utf-8")
        names.append(name)
    config = (source / "book.yaml").read_text("utf-8")
    config = config.split("\nchapters:")[0] + "\nchapters: [" + ", ".join(names) + "]\n"
    (book / "book.yaml").write_text(config.replace("title: Leon Trotsky Speaks", "title: Leon Trotsky Speaks at Length"),
                                    encoding="utf-8")
    return book


def main() -> None:
    chapters = int(sys.argv[1]) if len(sys.argv) > 1 else CHAPTERS
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "CI": "true"}
    work = Path(tempfile.mkdtemp(prefix="publish-long-"))
    book = make_book(work, chapters)
    ours = measure([sys.executable, "-m", "publish", "build", str(book), "--format", "pdf", "--out",
                    str(work / "dist")], env)
    # The HTML publish lays out, written out with its stylesheets, for WeasyPrint on its own.
    sys.path.insert(0, str(PROJECT))
    from publish.build import load_document
    from publish.render.pdf import render_html

    document, _ = load_document(book)
    html = work / "long-book.html"
    html.write_text(render_html(document, "2023-11-14T22:13:20Z"), encoding="utf-8")
    # The same kind of PDF as ours: tagged, PDF/UA-1 (publish's default profile).
    theirs = measure([sys.executable, "-m", "weasyprint", "--pdf-variant", "pdf/ua-1", "--base-url",
                      str(book) + "/", str(html), str(work / "weasyprint.pdf")], env)
    from pypdf import PdfReader
    pages = {"publish": len(PdfReader(str(work / "dist" / "long-book.pdf")).pages),
             "weasyprint": len(PdfReader(str(work / "weasyprint.pdf")).pages)}
    results = {"chapters": chapters, "pages": pages, "publish": ours, "weasyprint": theirs,
               "ratio_wall": round(ours["wall_s"] / theirs["wall_s"], 3),
               "ratio_peak_rss": round(ours["peak_rss_mb"] / theirs["peak_rss_mb"], 3), "cores": os.cpu_count()}
    shutil.rmtree(work)
    (PROJECT / "benchmarks" / "results" / "longbook.json").write_text(json.dumps(results, indent=2) + "\n")
    for name in ("publish", "weasyprint"):
        r = results[name]
        print(f"{name:10} {pages[name]:5} pages  wall {r['wall_s']:7.2f} s   cpu {r['cpu_s']:7.2f} s   "
              f"peak RSS {r['peak_rss_mb']:7.1f} MB")
    print(f"publish / weasyprint: wall {results['ratio_wall']:.2f} (target at most 0.6), "
          f"peak RSS {results['ratio_peak_rss']:.2f} (target at most 0.5)")


if __name__ == "__main__":
    main()
