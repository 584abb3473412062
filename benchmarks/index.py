"""Benchmark of the back-of-book index: the cold build of *Leon Trotsky Speaks* (all three formats, one
job) with its index of names and without it (the same book, its index.yaml removed), measured in turns.
The index issue sets the bound: at most 15 % more than the book without it. Not a test: run it by hand,
`.venv/bin/python benchmarks/index.py [ROUNDS]`, and it writes benchmarks/results/index.json.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from build import PROJECT, measure

SLUG = "leon-trotsky-speaks"


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "CI": "true"}
    work = Path(tempfile.mkdtemp(prefix="publish-bench-index-"))
    books = {}
    for variant in ("with", "without"):
        manuscript = work / variant
        manuscript.mkdir()
        shutil.copy(PROJECT / "manuscript" / "bibliography.yaml", manuscript)
        shutil.copytree(PROJECT / "manuscript" / SLUG, manuscript / SLUG)
        books[variant] = manuscript / SLUG
    (books["without"] / "index.yaml").unlink()
    runs: dict[str, list[dict[str, float]]] = {"with": [], "without": []}
    for n in range(rounds):
        for variant in ("without", "with") if n % 2 else ("with", "without"):
            out = work / f"dist-{variant}-{n}"
            runs[variant].append(measure([sys.executable, "-m", "publish", "build", str(books[variant]),
                                          "--out", str(out), "--jobs", "1", "--force"], env))
    median = {variant: {key: statistics.median(run[key] for run in measured) for key in measured[0]}
              for variant, measured in runs.items()}
    results = {
        "machine": {"cores": os.cpu_count(), "python": platform.python_version()},
        "rounds": rounds,
        "median": median,
        "wall_ratio": round(median["with"]["wall_s"] / median["without"]["wall_s"], 3),
        "cpu_ratio": round(median["with"]["cpu_s"] / median["without"]["cpu_s"], 3),
        "runs": runs,
    }
    shutil.rmtree(work)
    (PROJECT / "benchmarks" / "results" / "index.json").write_text(json.dumps(results, indent=2) + "\n")
    for variant in ("without", "with"):
        m = median[variant]
        print(f"{variant:>7} index: {m['wall_s']:.2f} s wall, {m['cpu_s']:.2f} s CPU, {m['peak_rss_mb']:.0f} MB")
    print(f"with / without: wall {results['wall_ratio']:.3f}, CPU {results['cpu_ratio']:.3f} (bound: 1.15)")


if __name__ == "__main__":
    main()
