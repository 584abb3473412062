"""Benchmark of `publish check` (the linter and the manuscript checks) and of startup: both pamphlets
checked, `publish --help`, and the linter's own time in-process. Prints wall time, CPU time and peak
RSS (best of five runs each) and writes benchmarks/results/check.json. Targets: the linter well under
a second for both pamphlets, `publish check` under 0.5 s, `publish --help` under 0.3 s.
Run by hand: `.venv/bin/python benchmarks/check.py`.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from build import BOOKS, PROJECT, measure


def best(command: list[str], env: dict[str, str], runs: int = 5) -> dict[str, float]:
    return min((measure(command, env) for _ in range(runs)), key=lambda r: r["wall_s"])


def linter_alone(runs: int = 20) -> float:
    """Seconds the rules take over both pamphlets' chapters, books already loaded (best of `runs`)."""
    sys.path.insert(0, str(PROJECT))
    from publish.book import load_book
    from publish.lint import lint_book

    books = [load_book(PROJECT / "manuscript" / slug) for slug in BOOKS]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        for book in books:
            lint_book(book)
        times.append(time.perf_counter() - started)
    return round(min(times), 4)


def main() -> None:
    env = {**os.environ, "CI": "true"}
    books = [str(PROJECT / "manuscript" / slug) for slug in BOOKS]
    results = {
        "check_both": best([sys.executable, "-m", "publish", "check", *books], env),
        "help": best([sys.executable, "-m", "publish", "--help"], env),
        "lint_rules_only_s": linter_alone(),
    }
    (PROJECT / "benchmarks" / "results").mkdir(exist_ok=True)
    (PROJECT / "benchmarks" / "results" / "check.json").write_text(json.dumps(results, indent=2) + "\n")
    for name in ("check_both", "help"):
        r = results[name]
        print(f"{name:12} wall {r['wall_s']:6.3f} s   cpu {r['cpu_s']:6.3f} s   peak RSS {r['peak_rss_mb']:6.1f} MB")
    print(f"linter rules alone, both pamphlets: {results['lint_rules_only_s'] * 1000:.1f} ms")
    print("targets: check < 0.5 s, --help < 0.3 s, linter well under 1 s")


if __name__ == "__main__":
    main()
