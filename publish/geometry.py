"""Print geometry: the `print:` settings of book.yaml (trim size, margins, gutter, body size, paper),
the page CSS generated from them, and the printer's cover dimensions. Lengths are in points."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

UNITS = {"pt": 1.0, "mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72.0, "px": 0.75}
MM = UNITS["mm"]

# Named trim sizes: (width, height, unit the trade gives them in).
TRIMS = {
    "a5": (148, 210, "mm"), "a4": (210, 297, "mm"), "b5": (176, 250, "mm"), "a6": (105, 148, "mm"),
    "letter": (8.5, 11, "in"), "5x8in": (5, 8, "in"), "5.25x8in": (5.25, 8, "in"),
    "5.5x8.5in": (5.5, 8.5, "in"), "6x9in": (6, 9, "in"), "7x10in": (7, 10, "in"),
}
LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(pt|mm|cm|in|px)\s*$")
SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(pt|mm|cm|in)?\s*[x×]\s*(\d+(?:\.\d+)?)\s*(pt|mm|cm|in)\s*$")
MARGINS = ("top", "bottom", "inner", "outer")
PAPER_80GSM_UNCOATED = 0.1 * MM  # thickness of one leaf (two pages)
PRINTERS = ("kdp", "ingramspark", "offset")  # the printers `print: {printer: …}` may name


@dataclass(frozen=True)
class Paper:
    """A paper stock: the thickness of one page (half a leaf) in points, as the printers give it."""

    name: str
    per_page: float
    summary: str


PAPERS = {paper.name: paper for paper in (
    Paper("white-50lb", 0.002252 * 72, "50 lb white: 0.002252 in a page (KDP, IngramSpark: 444 pages per inch)"),
    Paper("cream-50lb", 0.0025 * 72, "50 lb cream: 0.0025 in a page (KDP, IngramSpark: 400 pages per inch)"),
    Paper("white-70lb", 72 / 360, "70 lb white: 360 pages per inch (IngramSpark)"),
    Paper("80gsm-uncoated", 0.05 * MM, "80 gsm uncoated offset: 0.1 mm a leaf"),
    Paper("90gsm-uncoated", 0.056 * MM, "90 gsm uncoated offset: 0.112 mm a leaf"),
    Paper("115gsm-coated", 0.045 * MM, "115 gsm coated: 0.09 mm a leaf"),
)}


def length(value: Any, what: str) -> float:
    """A CSS-like length ("18mm", "0.125in", "10.5pt") in points; raises ValueError."""
    m = LENGTH.match(str(value))
    if not m:
        raise ValueError(f"{what}: '{value}' is not a length (e.g. 18mm, 0.75in, 10.5pt)")
    return float(m[1]) * UNITS[m[2]]


def trim_size(value: Any) -> tuple[float, float, str]:
    """(width, height, unit) of a named trim size or "WxH" with units; raises ValueError."""
    name = str(value).strip().lower().replace(" ", "")
    if name in TRIMS:
        w, h, unit = TRIMS[name]
        return w * UNITS[unit], h * UNITS[unit], unit
    m = SIZE.match(str(value))
    if not m:
        raise ValueError(f"trim: '{value}' is not a trim size (A5, A4, letter, 5.5x8.5in, 6x9in or "
                         f"WxH with a unit, e.g. 140x216mm)")
    unit = m[4]
    w, h = float(m[1]) * UNITS[m[2] or unit], float(m[3]) * UNITS[unit]
    if not (72 <= w <= 1200 and 72 <= h <= 1700):
        raise ValueError(f"trim: {value} is not a book page (between 1 in and about 42 × 60 cm)")
    return w, h, unit


@dataclass(frozen=True)
class PrintSettings:
    """The print edition's page: trim size, mirrored margins (the gutter added to the inner one), the
    body text size, the bleed a printer asks for and the paper's thickness per leaf."""

    width: float = 148 * MM
    height: float = 210 * MM
    top: float = 18 * MM
    bottom: float = 20 * MM
    inner: float = 17 * MM
    outer: float = 15 * MM
    gutter: float = 3 * MM
    font_size: float = 10.5
    bleed: float = 3 * MM
    caliper: float = PAPER_80GSM_UNCOATED
    paper: str = ""  # a named stock (PAPERS): the spine from its thickness, over the caliper
    printer: str = ""  # the printer `--profile printer` prints for (PRINTERS), or the generic one

    @property
    def text_width(self) -> float:
        return self.width - self.inner - self.gutter - self.outer

    @property
    def text_height(self) -> float:
        return self.height - self.top - self.bottom

    def spine(self, pages: int) -> float:
        """Spine width for a book of `pages` printed pages: one leaf per two pages."""
        if self.paper:
            return (pages + pages % 2) * PAPERS[self.paper].per_page
        return (pages + pages % 2) / 2 * self.caliper

    def cover_size(self, pages: int) -> tuple[float, float]:
        """The printer's cover, back + spine + front, with bleed all round."""
        return 2 * self.width + self.spine(pages) + 2 * self.bleed, self.height + 2 * self.bleed


KEYS = ("trim", "margins", "gutter", "font_size", "bleed", "caliper", "paper", "printer")


def print_settings(value: Any) -> PrintSettings:
    """The `print:` mapping of book.yaml as settings; raises ValueError naming the bad entry."""
    if value is None:
        return PrintSettings()
    if not isinstance(value, dict):
        raise ValueError(f"expected a map: {', '.join(KEYS)}")
    unknown = set(value) - set(KEYS)
    if unknown:
        raise ValueError(f"unknown key '{sorted(unknown)[0]}' (known: {', '.join(KEYS)})")
    width, height, unit = trim_size(value.get("trim", "A5"))
    # Margins, body size and bleed follow the trim unless given: a larger page gets wider margins.
    scale = min(max(width / (148 * MM), 1.0), 1.45)
    settings: dict[str, float] = {
        "width": width, "height": height, "top": 18 * MM * scale, "bottom": 20 * MM * scale,
        "inner": 17 * MM * scale, "outer": 15 * MM * scale, "gutter": 3 * MM,
        "font_size": 10.5 if width < 150 * MM else 11.0 if width < 180 * MM else 11.5,
        "bleed": 0.125 * 72 if unit == "in" else 3 * MM,
    }
    margins = value.get("margins", {})
    if not isinstance(margins, dict) or set(margins) - set(MARGINS):
        raise ValueError("margins: expected a map of top, bottom, inner, outer to lengths")
    for side, given in margins.items():
        settings[side] = length(given, f"margins.{side}")
    for key in ("gutter", "bleed"):
        if key in value:
            settings[key] = length(value[key], key)
    if "font_size" in value:
        settings["font_size"] = length(value["font_size"], "font_size")
        if not 6 <= settings["font_size"] <= 24:
            raise ValueError(f"font_size: {value['font_size']} is not a body text size (6pt to 24pt)")
    if "caliper" in value:
        settings["caliper"] = length(value["caliper"], "caliper")
        if not 0.03 * MM <= settings["caliper"] <= 1 * MM:
            raise ValueError(f"caliper: {value['caliper']} is not a paper thickness per leaf "
                             f"(0.03mm to 1mm; 80 gsm uncoated is about 0.1mm)")
    result = PrintSettings(**settings, **_stock(value))
    if result.text_width < 0.4 * width or result.text_height < 0.4 * height:
        raise ValueError("margins: the margins leave less than 40 % of the page for the text")
    return result


def _stock(value: dict) -> dict[str, str]:
    """The `paper` and `printer` entries, checked against the names known."""
    named: dict[str, str] = {}
    for key, known in (("paper", PAPERS), ("printer", PRINTERS)):
        if key in value:
            if str(value[key]) not in known:
                raise ValueError(f"{key}: unknown {key} '{value[key]}' (known: {', '.join(known)})")
            named[key] = str(value[key])
    return named


def _pt(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") + "pt"


def page_css(settings: PrintSettings, printer: bool = False, marks: str = "crop") -> str:
    """The @page rules and sizes that follow from the settings (print.css has everything else).
    Right-hand pages have the gutter on the left, left-hand pages on the right."""
    inner, outer = settings.inner + settings.gutter, settings.outer
    rules = [
        f"@page {{ size: {_pt(settings.width)} {_pt(settings.height)}; "
        f"margin: {_pt(settings.top)} {_pt(outer)} {_pt(settings.bottom)} {_pt(inner)}; }}",
        f"@page :left {{ margin-left: {_pt(outer)}; margin-right: {_pt(inner)}; }}",
        f"@page :right {{ margin-left: {_pt(inner)}; margin-right: {_pt(outer)}; }}",
        f"html {{ font-size: {_pt(settings.font_size)}; }}",
        # The copyright page sets its notices at the foot of the text block.
        f".copyright {{ height: {_pt(settings.text_height - 4 * MM)}; }}",
    ]
    if printer:
        rules.append(f"@page {{ bleed: {_pt(settings.bleed)}; marks: {marks}; }}")
    return "\n".join(rules) + "\n"
