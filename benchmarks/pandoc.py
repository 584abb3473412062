"""Benchmark against Pandoc doing the same work: both pamphlets to HTML, EPUB and PDF (Pandoc with
--citeproc, the same bibliography and CSL style, and WeasyPrint as its PDF engine), against a cold
`publish build` of the same books. Pandoc comes from Debian's packages: this script installs it when
it is missing (`apt-get install pandoc`). Writes benchmarks/results/pandoc.json.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build import BOOKS, PROJECT, measure  # noqa: E402


def ensure_pandoc() -> str:
    if not shutil.which("pandoc"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "pandoc"], check=True,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    return subprocess.run(["pandoc", "--version"], capture_output=True, text=True, check=True).stdout.split("\n")[0]


def pandoc_script(work: Path) -> Path:
    """One shell script running Pandoc for every book and format, one after the other (as Pandoc runs)."""
    lines = ["set -e", f'export PATH="{Path(sys.executable).parent}:$PATH"']
    for slug in BOOKS:
        book = PROJECT / "manuscript" / slug
        chapters = yaml.safe_load((book / "book.yaml").read_text("utf-8"))["chapters"]
        sources = " ".join(str(book / c) for c in chapters)
        common = (f"pandoc -f markdown --citeproc --bibliography {PROJECT / 'manuscript' / 'bibliography.yaml'} "
                  f"--csl {PROJECT / 'styles' / 'csl' / 'chicago-author-date.csl'} --metadata title='{slug}'")
        lines += [f"{common} -s {sources} -o {work / slug}.html",
                  f"{common} {sources} -o {work / slug}.epub",
                  f"{common} {sources} --pdf-engine=weasyprint -o {work / slug}.pdf"]
    script = work / "pandoc.sh"
    script.write_text("\n".join(lines) + "\n")
    return script


def main() -> None:
    version = ensure_pandoc()
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "CI": "true"}
    work = Path(tempfile.mkdtemp(prefix="publish-pandoc-"))
    books = [str(PROJECT / "manuscript" / slug) for slug in BOOKS]
    # Alternating runs, best of three each: this machine's timings vary by a fifth from run to run.
    ours_runs, theirs_runs = [], []
    script = pandoc_script(work)
    for _ in range(3):
        ours_runs.append(measure([sys.executable, "-m", "publish", "build", *books, "--out", str(work / "dist"),
                                  "--force"], env))
        theirs_runs.append(measure(["bash", str(script)], env))
    ours = min(ours_runs, key=lambda r: r["wall_s"])
    theirs = min(theirs_runs, key=lambda r: r["wall_s"])
    results = {"publish": ours, "pandoc": theirs, "pandoc_version": version, "runs": 3,
               "publish_walls": [r["wall_s"] for r in ours_runs], "pandoc_walls": [r["wall_s"] for r in theirs_runs],
               "ratio_wall": round(ours["wall_s"] / theirs["wall_s"], 3), "cores": os.cpu_count()}
    shutil.rmtree(work)
    (PROJECT / "benchmarks" / "results" / "pandoc.json").write_text(json.dumps(results, indent=2) + "\n")
    for name in ("publish", "pandoc"):
        r = results[name]
        print(f"{name:8} wall {r['wall_s']:6.2f} s   cpu {r['cpu_s']:6.2f} s   peak RSS {r['peak_rss_mb']:6.1f} MB")
    print(f"publish / pandoc wall time: {results['ratio_wall']:.2f} (target at most 0.7)")


if __name__ == "__main__":
    main()
