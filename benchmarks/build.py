"""Benchmark of release builds: cold build of both pamphlets (all formats), no-op rebuild, and a
one-chapter edit. Prints wall time, CPU time and peak RSS of each, and the ratios the release-builds
issue sets (no-op under 5 % of cold and under 0.5 s). Not a test: run it by hand,
`.venv/bin/python benchmarks/build.py`, and it writes benchmarks/results/build.json.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
BOOKS = ("leon-trotsky-speaks", "lesson-of-the-soviet-union")


# Run in a fresh interpreter so that its children's usage (CPU of every worker, largest RSS of any one
# process) belongs to this one command alone.
PROBE = """
import ctypes, json, os, resource, subprocess, sys, time
# Become the subreaper of the command's tree, so that processes it leaves behind (a multiprocessing fork
# server and the workers forked from it) are reaped here and their CPU time counted.
ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
started = time.perf_counter()
subprocess.run(sys.argv[1:], check=True, capture_output=True)
wall = time.perf_counter() - started
while True:
    try:
        os.waitpid(-1, 0)
    except ChildProcessError:
        break
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall_s": round(wall, 3), "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
                  "peak_rss_mb": round(usage.ru_maxrss / 1024, 1)}))
"""


def measure(command: list[str], env: dict[str, str]) -> dict[str, float]:
    """Wall time, CPU time (user + system, workers included) and the peak RSS of any one process."""
    done = subprocess.run([sys.executable, "-c", PROBE, *command], cwd=PROJECT, env=env, check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout)


def main() -> None:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "CI": "true"}
    work = Path(tempfile.mkdtemp(prefix="publish-bench-"))
    manuscript = work / "manuscript"
    manuscript.mkdir()
    shutil.copy(PROJECT / "manuscript" / "bibliography.yaml", manuscript)
    for slug in BOOKS:
        shutil.copytree(PROJECT / "manuscript" / slug, manuscript / slug)
    books = [str(manuscript / slug) for slug in BOOKS]
    build = [sys.executable, "-m", "publish", "build", *books, "--out", str(work / "dist")]
    results = {"cold": measure(build, env), "noop": measure(build, env)}
    with (manuscript / BOOKS[1] / "about-the-authors.md").open("a", encoding="utf-8") as chapter:
        chapter.write("\nAn edit.\n")
    results["one_chapter_edit"] = measure(build, env)
    results["noop_over_cold"] = round(results["noop"]["wall_s"] / results["cold"]["wall_s"], 4)
    results["machine"] = {"cores": os.cpu_count(), "memory_gb": round(os.sysconf("SC_PAGE_SIZE")
                          * os.sysconf("SC_PHYS_PAGES") / 2**30, 1), "python": platform.python_version()}
    shutil.rmtree(work)
    (PROJECT / "benchmarks" / "results").mkdir(exist_ok=True)
    (PROJECT / "benchmarks" / "results" / "build.json").write_text(json.dumps(results, indent=2) + "\n")
    for name in ("cold", "noop", "one_chapter_edit"):
        r = results[name]
        print(f"{name:18} wall {r['wall_s']:6.2f} s   cpu {r['cpu_s']:6.2f} s   peak RSS {r['peak_rss_mb']:6.1f} MB")
    print(f"no-op / cold: {results['noop_over_cold']:.1%} (target < 5 % and < 0.5 s)")


if __name__ == "__main__":
    main()
