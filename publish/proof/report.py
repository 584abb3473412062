"""The proof report in its forms: text lines, JSON (documented in README.md), GitHub Actions annotations,
and a self-contained HTML page with the page images (pdftoppm) and what changed highlighted."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from publish.geometry import MM
from publish.proof import Finding
from publish.proof.diff import Comparison
from publish.proof.printing import Printing


@dataclass
class BookProof:
    """What `publish proof` found in one book."""

    slug: str
    printing: Printing
    findings: list[Finding]
    comparison: Comparison | None = None
    earlier_pdf: bytes = b""
    images: dict[str, list[bytes]] = field(default_factory=dict)


def page_ranges(pages: list[int]) -> str:
    """1, 2, 3, 5 -> '1-3, 5'."""
    parts: list[str] = []
    for page in pages:
        if parts and "-" in parts[-1] and int(parts[-1].split("-")[1]) == page - 1:
            parts[-1] = f"{parts[-1].split('-')[0]}-{page}"
        elif parts and "-" not in parts[-1] and int(parts[-1]) == page - 1:
            parts[-1] = f"{parts[-1]}-{page}"
        else:
            parts.append(str(page))
    return ", ".join(parts) or "none"


def finding_line(finding: Finding, slug: str) -> str:
    where = str(finding.source) if finding.source.path else slug
    if finding.source.line:
        where += ":1"
    return f"{where}: warning: page {finding.page}, line {finding.line}: {finding.message} [{finding.rule}]"


def as_text(proofs: list[BookProof]) -> str:
    out: list[str] = []
    for proof in proofs:
        out += [finding_line(f, proof.slug) + "\n" for f in proof.findings]
        out.append(f"{proof.slug}: {len(proof.findings)} finding(s) on {len(proof.printing.layout.pages)} pages\n")
        if proof.comparison:
            out += _comparison_text(proof.slug, proof.comparison)
    return "".join(out)


def _comparison_text(slug: str, comparison: Comparison) -> list[str]:
    spine = comparison.spine_after - comparison.spine_before
    summary = (f"{slug}: against {comparison.against}: {comparison.pages_after} pages (were "
               f"{comparison.pages_before}), spine {comparison.spine_after / MM:.2f} mm (was "
               f"{comparison.spine_before / MM:.2f} mm, {spine / MM:+.2f} mm)\n")
    lines = [summary]
    for status in ("changed", "moved", "unchanged"):
        lines.append(f"{slug}: {status}: {page_ranges(comparison.with_status(status))}\n")
    for change in comparison.pages:
        if change.status == "changed":
            causes = ", ".join(str(c) for c in change.causes) or "no manuscript line (the book's own pages)"
            lines.append(f"{slug}: page {change.page} changed (lines {page_ranges(change.lines)}; printed "
                         f"before on {page_ranges(change.before)}): {causes}\n")
    return lines


def as_json(proofs: list[BookProof]) -> str:
    return json.dumps({"books": [_book_json(proof) for proof in proofs]}, ensure_ascii=False, indent=1) + "\n"


def _book_json(proof: BookProof) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "book": proof.slug, "pages": len(proof.printing.layout.pages),
        "findings": [{"rule": f.rule, "page": f.page, "line": f.line, "path": f.source.path,
                      "source_line": f.source.line, "message": f.message, "text": f.text}
                     for f in proof.findings],
    }
    comparison = proof.comparison
    if comparison:
        entry["diff"] = {
            "against": comparison.against, "pages_before": comparison.pages_before,
            "pages_after": comparison.pages_after, "spine_before_mm": round(comparison.spine_before / MM, 3),
            "spine_after_mm": round(comparison.spine_after / MM, 3),
            "pages": [{"page": c.page, "status": c.status, "before": c.before, "lines": c.lines,
                       "causes": [{"path": w.path, "line": w.line} for w in c.causes]} for c in comparison.pages],
        }
    return entry


def as_github(proofs: list[BookProof]) -> str:
    from publish.diagnostics import Diagnostics
    from publish.diagnostics import as_github as diagnostics_github

    found = Diagnostics()
    for proof in proofs:
        for f in proof.findings:
            found.warning(f.source.path or proof.slug, f"page {f.page}, line {f.line}: {f.message}",
                          f.source.line, 1 if f.source.line else 0, f.rule)
    return diagnostics_github(found)
