"""What a build says while it runs: a progress display on a terminal, one plain line per step
otherwise (not a terminal, CI=true or NO_COLOR), and a closing summary line."""

from __future__ import annotations

import os
import sys
from typing import Any, Self


def plain_output() -> bool:
    return (not sys.stderr.isatty() or os.environ.get("CI", "").lower() in ("1", "true", "yes")
            or "NO_COLOR" in os.environ)


class Reporter:
    def __init__(self, total: int, quiet: bool = False, verbose: bool = False) -> None:
        self.total, self.quiet, self.verbose = total, quiet, verbose
        self.done = 0
        self.progress: Any = None

    def __enter__(self) -> Self:
        if not self.quiet and not plain_output():
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

            self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                     MofNCompleteColumn(), transient=True)
            self.progress.start()
            self.task = self.progress.add_task("building", total=self.total)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()

    def step(self, what: str, result: Any) -> None:
        """One event: a book built, failed or unchanged, or a message (result None)."""
        if result is None:
            self._line(f"publish: {what}")
            return
        self.done += 1
        detail = f" in {result.seconds:.1f} s" if what == "built" else ""
        if self.progress is not None:
            self.progress.update(self.task, completed=self.done, description=f"{what} {result.root.name}")
        if not self.quiet or what == "failed":
            self._line(f"{what} {result.root.name}{detail}")

    def _line(self, text: str) -> None:
        if self.progress is not None:
            self.progress.console.print(text, highlight=False)
        else:
            print(text, file=sys.stderr, flush=True)

    def summary(self, results: list[Any], seconds: float) -> None:
        built = sum(1 for r in results if r.ok and not r.cached)
        unchanged = sum(1 for r in results if r.cached)
        failed = sum(1 for r in results if not r.ok)
        print(f"{built} built, {unchanged} unchanged, {failed} failed in {seconds:.1f} s", file=sys.stderr)
