"""`publish proof`: each book laid out, its rules run, and (with --against) compared with an earlier
printing."""

from __future__ import annotations

from pathlib import Path

from publish.proof import Proof, run_rules
from publish.proof.printing import lay_out
from publish.proof.report import BookProof


def proof_book(root: Path, against: str | None = None, rivers: bool = False) -> BookProof:
    """One book's proof; raises ManuscriptError."""
    from publish.proof.diff import compare, earlier_printing

    printing = lay_out(root, gaps=rivers)
    findings = run_rules(Proof(printing.layout, printing.sources, printing.doc.config.proof,
                               frozenset(chapter.id for chapter in printing.doc.indexes)), rivers)
    result = BookProof(root.resolve().name, printing, findings)
    if against:
        earlier, spine = earlier_printing(root, against, printing)
        result.comparison = compare(printing, earlier, against, spine)
        result.earlier_pdf = earlier.pdf
    return result


def render_report(proofs: list[BookProof], output_format: str) -> str:
    from publish.proof import report

    if output_format == "html":
        from publish.proof.html import as_html
        return as_html(proofs)
    return {"text": report.as_text, "json": report.as_json, "github": report.as_github}[output_format](proofs)
