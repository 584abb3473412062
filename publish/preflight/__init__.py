"""The print preflight: what a printer's upload would reject in a PDF, found before the upload.

A rule is a function registered with `@rule(id, summary)`; it receives a `Check` (the open PDF, the
printer's requirements, each page's drawing read once) and yields `Finding`s, each with its page
(1-based; 0 for the document as a whole), severity (error or warning) and message. `preflight` runs
every rule; any error means the printer would refuse the file (`publish preflight` exits 1)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from publish.preflight.printers import PAPERS, PRINTERS

if TYPE_CHECKING:
    from publish.preflight.registry import Check, Finding

# The rules' registry, re-exported, is imported when first asked for: it imports pikepdf, which every
# command that reads publish.preflight.printers (the command line's paper sizes) would pay for.
_REGISTRY = ("RULES", "Check", "Finding", "Rule", "box", "rule")


def __getattr__(name: str) -> Any:
    if name in _REGISTRY:
        from publish.preflight import registry

        return getattr(registry, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def preflight(path: Path, printer: str = "kdp", cover: Path | None = None,
              paper: str | None = None) -> list[Finding]:
    """Every finding in the interior at `path` (and the cover, when given) for `printer`."""
    import pikepdf

    from publish.preflight import rules  # noqa: F401 (registers the rules)
    from publish.preflight.registry import Check, box

    spec = PRINTERS[printer]
    paper = paper or spec.paper
    with pikepdf.open(path) as pdf:
        interior = Check(pdf, spec, str(path), paper)
        found = _run(interior, "interior")
        pages, first = len(pdf.pages), pdf.pages[0] if len(pdf.pages) else None
        trim = box(first, "/TrimBox") if first is not None else None
    if cover is not None:
        with pikepdf.open(cover) as pdf:
            size = (trim[2] - trim[0], trim[3] - trim[1]) if trim else None
            found += _run(Check(pdf, spec, str(cover), paper, pages, size), "cover")
    return sorted(found)


def _run(check: Check, kind: str) -> list[Finding]:
    from publish.preflight.registry import RULES

    return [finding for _, run, applies in RULES.values() if applies in (kind, "both") for finding in run(check)]


def report(findings: list[Finding], output_format: str = "text") -> str:
    """The findings as text lines or a JSON list."""
    if output_format == "json":
        return json.dumps([asdict(f) for f in findings], indent=2, ensure_ascii=False) + "\n"
    return "".join(f"{f}\n" for f in findings)


__all__ = ["PAPERS", "PRINTERS", "Check", "Finding", "preflight", "report", "rule"]
