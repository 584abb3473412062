"""What each printer accepts: its PDF standard, bleed, page counts, minimum sizes, what it refuses
(marks, outlines, annotations, transparency, RGB), its spine formula by paper and its barcode area.

The figures are the printers' published file requirements: KDP's paperback submission guidelines
(bleed 0.125 in on the outer, top and bottom edges; no crop marks, bookmarks or annotations; text at
least 7 pt, lines at least 0.75 pt, images 300 dpi; 24 to 828 pages; spine 0.002252 in a page on white
paper, 0.0025 in on cream; spine text from 79 pages; barcode area 2 × 1.2 in at the foot of the back
cover by the spine), IngramSpark's file creation guide (PDF/X-1a:2001, CMYK or grey, no transparency,
bleed 0.125 in; 18 pages and up; the same paper thicknesses, as pages per inch), and the usual offset
brief (PDF/X-4, crop and registration marks, 3 mm bleed all round, page count in signatures of 4)."""

from __future__ import annotations

from dataclasses import dataclass

from publish.geometry import MM, PAPERS

INCH = 72.0


@dataclass(frozen=True)
class Printer:
    name: str
    pdfx: str | None  # the PDF/X part required ("PDF/X-1a", "PDF/X-4"), None for plain PDF
    bleed: float
    inner_bleed: bool  # bleed on the binding edge too (an offset press imposes the pages itself)
    pages: tuple[int, int]
    signature: int  # the page count is a multiple of this (a warning when not)
    min_text: float
    min_stroke: float
    min_dpi: float
    marks: bool  # crop and registration marks wanted (True), refused (False)
    outline: bool
    annotations: bool
    transparency: bool
    type3: bool
    paper: str  # the default paper
    spine_text_pages: int  # the fewest pages whose spine may carry text
    barcode_area: tuple[float, float, float]  # width, height, inset from the spine and the foot


BARCODE_AREA = (2 * INCH, 1.2 * INCH, 0.25 * INCH)  # KDP's and IngramSpark's
PRINTERS = {
    "kdp": Printer(
        "kdp", pdfx=None, bleed=0.125 * INCH, inner_bleed=False, pages=(24, 828), signature=2, min_text=7,
        min_stroke=0.75, min_dpi=300, marks=False, outline=False, annotations=False, transparency=True,
        type3=False, paper="white-50lb", spine_text_pages=79, barcode_area=BARCODE_AREA),
    "ingramspark": Printer(
        "ingramspark", pdfx="PDF/X-1a", bleed=0.125 * INCH, inner_bleed=False, pages=(18, 1200), signature=2,
        min_text=7, min_stroke=0.5, min_dpi=300, marks=False, outline=True, annotations=False,
        transparency=False, type3=False, paper="white-50lb", spine_text_pages=48, barcode_area=BARCODE_AREA),
    "offset": Printer(
        "offset", pdfx="PDF/X-4", bleed=3 * MM, inner_bleed=True, pages=(4, 2000), signature=4, min_text=6,
        min_stroke=0.25, min_dpi=300, marks=True, outline=True, annotations=False, transparency=True,
        type3=True, paper="80gsm-uncoated", spine_text_pages=64, barcode_area=(55 * MM, 35 * MM, 6 * MM)),
}


__all__ = ["INCH", "PAPERS", "PRINTERS", "Printer", "spine_width"]


def spine_width(pages: int, paper: str) -> float:
    """The spine of a book of `pages` pages (counted even) on `paper`, in points."""
    return (pages + pages % 2) * PAPERS[paper].per_page
