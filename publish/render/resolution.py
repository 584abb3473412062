"""Images printed below the printer's resolution, found in the print layout and reported at the
chapter line that places them: the pixels of each raster image over the size it is laid out at."""

from __future__ import annotations

import re
from pathlib import Path

from publish.model import Document

MIN_DPI = 300


def low_resolution_images(laid_out, doc: Document, least: float = MIN_DPI) -> list[tuple[Path, int, str]]:
    """(chapter file, line, message) for each raster image laid out at less than `least` dpi."""
    from weasyprint.formatting_structure.boxes import ReplacedBox
    from weasyprint.images import RasterImage

    # The layout's src is the published name or, for the print edition, the file itself.
    files = {key: (chapter, path) for chapter in doc.chapters for name, path in chapter.images.items()
             for key in (name, path.name)}
    found: dict[tuple[Path, int], str] = {}
    for page in laid_out.pages:
        for box in page._page_box.descendants():
            if not isinstance(box, ReplacedBox) or not isinstance(box.replacement, RasterImage):
                continue
            inches = box.width * 0.75 / 72  # CSS px to inches
            dpi = box.replacement.width / inches if inches > 0 else float("inf")
            source = box.element.get("src", "") if box.element is not None else ""
            source = source if source in files else source.rsplit("/", 1)[-1]
            if dpi >= least - 0.5 or source not in files:
                continue
            chapter, path = files[source]
            where = (chapter.source, _line_of(chapter.source, path.name))
            found.setdefault(where, f"image {path.name} prints at {dpi:.0f} dpi ({inches:.2f} in wide, "
                                    f"{box.replacement.width} px); printers want {least:.0f} dpi")
    return [(path, line, message) for (path, line), message in sorted(found.items())]


def _line_of(source: Path, name: str) -> int:
    """The first line of the chapter that names the image file (0 when none does)."""
    try:
        lines = source.read_text("utf-8").splitlines()
    except OSError:
        return 0
    pattern = re.compile(re.escape(name))
    return next((n for n, text in enumerate(lines, 1) if pattern.search(text)), 0)
