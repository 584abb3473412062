"""The proof report as one self-contained HTML page: the findings, and for each page that changed since
the earlier printing its image before and after (pdftoppm), the changed lines highlighted."""

from __future__ import annotations

import base64
import subprocess
import tempfile
from html import escape
from pathlib import Path

from publish.diagnostics import fail
from publish.geometry import MM
from publish.proof.layout import Layout, Line
from publish.proof.report import BookProof, page_ranges

RESOLUTION = 60  # dots per inch of the page images

STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.2em; margin-top: 2em; }
table { border-collapse: collapse; } td, th { padding: 2px 8px; border-bottom: 1px solid #ddd; text-align: left; }
.spread { display: flex; gap: 2em; align-items: flex-start; margin: 1em 0 2em; }
figure { margin: 0; } figcaption { font-size: 0.9em; color: #555; }
.page { position: relative; display: inline-block; border: 1px solid #999; line-height: 0; }
.page img { display: block; }
.mark { position: absolute; background: rgba(255, 200, 0, 0.35); outline: 1px solid rgba(200, 120, 0, 0.8); }
"""


def page_images(pdf: bytes) -> list[bytes]:
    """Every page of a PDF as a PNG, drawn by pdftoppm (poppler-utils)."""
    with tempfile.TemporaryDirectory(prefix="publish-proof-") as tmp:
        source = Path(tmp) / "book.pdf"
        source.write_bytes(pdf)
        try:
            subprocess.run(["pdftoppm", "-png", "-r", str(RESOLUTION), str(source), str(Path(tmp) / "page")],
                           check=True, capture_output=True)
        except FileNotFoundError:
            raise fail("pdftoppm", "poppler-utils is not installed (scripts/install-system-deps)") from None
        return [path.read_bytes() for path in sorted(Path(tmp).glob("page-*.png"), key=_page_number)]


def _page_number(path: Path) -> int:
    return int(path.stem.rsplit("-", 1)[1])


def _page(image: bytes, layout: Layout, lines: list[Line], caption: str) -> str:
    marks = "".join(
        f'<span class="mark" style="left:{line.left / layout.page_width:.3%};top:{line.top / layout.page_height:.3%};'
        f'width:{line.width / layout.page_width:.3%};height:{(line.bottom - line.top) / layout.page_height:.3%}">'
        f"</span>" for line in lines)
    data = base64.b64encode(image).decode("ascii")
    return (f'<figure><div class="page"><img src="data:image/png;base64,{data}" alt="{escape(caption)}"/>{marks}'
            f"</div><figcaption>{escape(caption)}</figcaption></figure>")


def as_html(proofs: list[BookProof]) -> str:
    head = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/><title>Proof</title>"
            f"<style>{STYLE}</style></head><body>")
    parts = [head]
    for proof in proofs:
        parts.append(_book(proof))
    parts.append("</body></html>\n")
    return "".join(parts)


def _book(proof: BookProof) -> str:
    layout = proof.printing.layout
    out = [f"<h1>{escape(proof.printing.doc.config.title)}</h1>",
           f"<p>{len(proof.findings)} finding(s) on {len(layout.pages)} pages.</p>"]
    if proof.findings:
        out.append("<table><tr><th>page</th><th>line</th><th>rule</th><th>manuscript</th><th>finding</th></tr>")
        out += [f"<tr><td>{f.page}</td><td>{f.line}</td><td>{escape(f.rule)}</td><td>{escape(str(f.source))}</td>"
                f"<td>{escape(f.message)}: “{escape(f.text)}”</td></tr>" for f in proof.findings]
        out.append("</table>")
    comparison = proof.comparison
    if comparison is None:
        return "".join(out)
    out.append(f"<h2>Against {escape(comparison.against)}</h2><p>"
               f"{comparison.pages_after} pages (were {comparison.pages_before}); spine "
               f"{comparison.spine_after / MM:.2f} mm (was {comparison.spine_before / MM:.2f} mm). "
               f"Changed: {page_ranges(comparison.with_status('changed'))}. Moved: "
               f"{page_ranges(comparison.with_status('moved'))}. Unchanged: "
               f"{page_ranges(comparison.with_status('unchanged'))}.</p>")
    changed = [c for c in comparison.pages if c.status == "changed"]
    if not changed:
        return "".join(out)
    after = page_images(proof.printing.pdf())
    before = page_images(proof.earlier_pdf) if proof.earlier_pdf else []
    for change in changed:
        page = layout.pages[change.page - 1]
        marked = [line for line in page.lines if line.number in change.lines]
        causes = ", ".join(str(c) for c in change.causes) or "no manuscript line"
        out.append(f"<h2>Page {change.page}: {escape(causes)}</h2><div class=\"spread\">")
        for number in change.before:
            if number <= len(before):
                gone = comparison.removed.get(number, [])
                out.append(_page(before[number - 1], layout, gone, f"before: page {number}"))
        out.append(_page(after[change.page - 1], layout, marked, f"after: page {change.page}"))
        out.append("</div>")
    return "".join(out)
