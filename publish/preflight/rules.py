"""The preflight's rules, one function each (see `publish.preflight`)."""

from __future__ import annotations

from collections.abc import Iterator

import pikepdf

from publish.preflight.printers import INCH, spine_width
from publish.preflight.registry import Check, Finding, box, rule

TOLERANCE = 0.5  # points: what a box or a cover may be off by
X1A_SPACES = {"DeviceCMYK", "DeviceGray", "Separation", "DeviceN", "Pattern"}
X4_REFUSED = {"DeviceRGB"}  # device RGB with a CMYK output intent


def _pages(check: Check) -> Iterator[tuple[int, pikepdf.Page]]:
    for index, page in enumerate(check.pdf.pages):
        yield index + 1, page


def _inch(points: float) -> str:
    return f"{points / INCH:.3f} in"


@rule("boxes", "every page has a TrimBox and a BleedBox, nested, the bleed the printer asks for")
def boxes(check: Check) -> Iterator[Finding]:
    printer, first_trim = check.printer, None
    for number, page in _pages(check):
        media, bleed, trim = box(page, "/MediaBox"), box(page, "/BleedBox"), box(page, "/TrimBox")
        if trim is None or bleed is None:
            missing = " and ".join(n for n, b in (("TrimBox", trim), ("BleedBox", bleed)) if b is None)
            yield check.finding("boxes", number, "error", f"no {missing}")
            continue
        if not (_inside(trim, bleed) and _inside(bleed, media)):
            yield check.finding("boxes", number, "error", "TrimBox, BleedBox and MediaBox are not nested")
            continue
        size = (trim[2] - trim[0], trim[3] - trim[1])
        first_trim = first_trim or size
        if abs(size[0] - first_trim[0]) > TOLERANCE or abs(size[1] - first_trim[1]) > TOLERANCE:
            yield check.finding("boxes", number, "error", f"trim {_inch(size[0])} × {_inch(size[1])} differs "
                                f"from the first page's {_inch(first_trim[0])} × {_inch(first_trim[1])}")
        left, bottom, right, top = trim[0] - bleed[0], trim[1] - bleed[1], bleed[2] - trim[2], bleed[3] - trim[3]
        recto = number % 2 == 1
        inner, outer = (left, right) if recto else (right, left)
        wanted_inner = printer.bleed if printer.inner_bleed else 0.0
        for side, got, wanted in (("outer", outer, printer.bleed), ("top", top, printer.bleed),
                                  ("bottom", bottom, printer.bleed), ("binding", inner, wanted_inner)):
            if abs(got - wanted) > TOLERANCE:
                yield check.finding("boxes", number, "error", f"bleed on the {side} edge is {_inch(got)}; "
                                    f"{printer.name} wants {_inch(wanted)}")
        if not printer.marks and any(abs(a - b) > TOLERANCE for a, b in zip(media, bleed)):
            yield check.finding("boxes", number, "error", "the MediaBox is larger than the BleedBox (a slug or "
                                f"marks area, which {printer.name} refuses)")


def _inside(inner: tuple, outer: tuple) -> bool:
    return (inner[0] >= outer[0] - TOLERANCE and inner[1] >= outer[1] - TOLERANCE
            and inner[2] <= outer[2] + TOLERANCE and inner[3] <= outer[3] + TOLERANCE)


@rule("page-count", "an even number of pages, within the printer's limits")
def page_count(check: Check) -> Iterator[Finding]:
    count, (least, most) = len(check.pdf.pages), check.printer.pages
    if count % 2:
        yield check.finding("page-count", count, "error", f"{count} pages: a book has an even number")
    if not least <= count <= most:
        yield check.finding("page-count", 0, "error", f"{count} pages: {check.printer.name} prints "
                            f"{least} to {most}")
    elif count % 2 == 0 and count % check.printer.signature:
        yield check.finding("page-count", 0, "warning", f"{count} pages is not a multiple of "
                            f"{check.printer.signature}: blank pages will be added to fill the signatures")


def _fonts(resources, seen: set) -> Iterator[tuple[str, pikepdf.Dictionary]]:
    """Every font of a resource dictionary and its forms', each once."""
    if not isinstance(resources, pikepdf.Dictionary) or (resources.is_indirect and resources.objgen in seen):
        return
    if resources.is_indirect:
        seen.add(resources.objgen)
    for name, font in resources.get("/Font", {}).items():
        if font.objgen not in seen:
            seen.add(font.objgen)
            yield str(font.get("/BaseFont", name)).lstrip("/"), font
    for xobject in resources.get("/XObject", {}).values():
        if xobject.get("/Subtype") == pikepdf.Name.Form:
            yield from _fonts(xobject.get("/Resources"), seen)


def _embedded(font: pikepdf.Dictionary) -> bool:
    if font.get("/Subtype") == pikepdf.Name.Type3:
        return True
    if font.get("/Subtype") == pikepdf.Name.Type0:
        font = font.DescendantFonts[0]
    descriptor = font.get("/FontDescriptor")
    return descriptor is not None and any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))


@rule("fonts", "every font embedded; no Type 3 fonts where the printer refuses them", "both")
def fonts(check: Check) -> Iterator[Finding]:
    seen: set = set()
    for number, page in _pages(check):
        for name, font in _fonts(page.obj.get("/Resources"), seen):
            if not _embedded(font):
                yield check.finding("fonts", number, "error", f"font {name} is not embedded")
            if font.get("/Subtype") == pikepdf.Name.Type3 and not check.printer.type3:
                yield check.finding("fonts", number, "error", f"font {name} is a Type 3 font, which "
                                    f"{check.printer.name} refuses")


def _refused_spaces(check: Check) -> set[str] | None:
    if check.printer.pdfx == "PDF/X-1a":
        return None  # everything but X1A_SPACES
    return X4_REFUSED if check.printer.pdfx == "PDF/X-4" else set()


@rule("colour-space", "content and images only in colour spaces the PDF/X part allows", "both")
def colour_space(check: Check) -> Iterator[Finding]:
    refused = _refused_spaces(check)
    if refused == set():
        return
    def bad(space: str) -> bool:
        return space not in X1A_SPACES if refused is None else space in refused
    for number, _ in _pages(check):
        content = check.content(number - 1)
        for image in content.images:
            if bad(image.colour_space):
                yield check.finding("colour-space", number, "error", f"image {image.name} is in "
                                    f"{image.colour_space}; {check.printer.pdfx} wants CMYK or grey")
        image_spaces = {image.colour_space for image in content.images}
        for space in sorted(s for s in content.colour_spaces - image_spaces if bad(s)):
            yield check.finding("colour-space", number, "error", f"content painted in {space}; "
                                f"{check.printer.pdfx} wants CMYK or grey")


@rule("output-intent", "a PDF/X output intent with a CMYK destination profile", "both")
def output_intent(check: Check) -> Iterator[Finding]:
    if not check.printer.pdfx:
        return
    intents = [i for i in check.pdf.Root.get("/OutputIntents", []) if i.get("/S") == pikepdf.Name("/GTS_PDFX")]
    if not intents:
        yield check.finding("output-intent", 0, "error", "no GTS_PDFX output intent")
        return
    profile = intents[0].get("/DestOutputProfile")
    if profile is None:
        yield check.finding("output-intent", 0, "error", "the output intent has no destination profile")
    elif profile.read_bytes()[16:20] != b"CMYK" or int(profile.get("/N", 0)) != 4:
        yield check.finding("output-intent", 0, "error", "the output intent's profile is not a CMYK profile")
    if not str(intents[0].get("/OutputConditionIdentifier", "")):
        yield check.finding("output-intent", 0, "error", "the output intent has no OutputConditionIdentifier")


@rule("pdfx-version", "the PDF/X identification: version keys, PDF version, Trapped", "both")
def pdfx_version(check: Check) -> Iterator[Finding]:
    part = check.printer.pdfx
    if not part:
        return
    info, version = check.info, check.pdf.pdf_version
    if part == "PDF/X-1a":
        if not info.get("/GTS_PDFXVersion", "").startswith("PDF/X-1"):
            yield check.finding("pdfx-version", 0, "error", "no GTS_PDFXVersion PDF/X-1… in the document info")
        if not info.get("/GTS_PDFXConformance", "").startswith("PDF/X-1a"):
            yield check.finding("pdfx-version", 0, "error", "no GTS_PDFXConformance PDF/X-1a… in the document info")
        wanted = "1.3" if info.get("/GTS_PDFXConformance", "").endswith(":2001") else "1.4"
    else:
        with check.pdf.open_metadata() as xmp:
            claimed = str(xmp.get("pdfxid:GTS_PDFXVersion", ""))
        if not claimed.startswith("PDF/X-4"):
            yield check.finding("pdfx-version", 0, "error", "no pdfxid:GTS_PDFXVersion PDF/X-4 in the XMP metadata")
        wanted = "1.6"
    if version > wanted:
        yield check.finding("pdfx-version", 0, "error", f"PDF {version}; {part} is PDF {wanted} at most")
    if info.get("/Trapped") not in ("/True", "/False"):
        yield check.finding("pdfx-version", 0, "error", "the document info has no Trapped key (True or False)")


@rule("image-resolution", "images at the printer's resolution where they are placed", "both")
def image_resolution(check: Check) -> Iterator[Finding]:
    for number, _ in _pages(check):
        for image in check.content(number - 1).images:
            if image.dpi < check.printer.min_dpi - 0.5:
                yield check.finding("image-resolution", number, "warning", f"image {image.name} is "
                                    f"{image.dpi:.0f} dpi as placed ({_inch(image.size[0])} × "
                                    f"{_inch(image.size[1])}); {check.printer.name} wants "
                                    f"{check.printer.min_dpi:.0f}")


@rule("text-size", "no text smaller than the printer's minimum", "both")
def text_size(check: Check) -> Iterator[Finding]:
    for number, _ in _pages(check):
        sizes = [s for s in check.content(number - 1).text_sizes if s > 0]
        if sizes and min(sizes) < check.printer.min_text - 0.05:
            yield check.finding("text-size", number, "warning", f"text at {min(sizes):.1f} pt; "
                                f"{check.printer.name} wants {check.printer.min_text:g} pt or more")


@rule("stroke-width", "no line thinner than the printer's minimum", "both")
def stroke_width(check: Check) -> Iterator[Finding]:
    for number, _ in _pages(check):
        content, least = check.content(number - 1), check.printer.min_stroke - 0.01
        thin = [w for w in content.stroke_widths if w < least]
        # A border is drawn as a filled rectangle: a long one thinner than the minimum is a thin rule.
        thin += [min(x1 - x0, y1 - y0) for x0, y0, x1, y1 in content.filled_rects
                 if 0 < min(x1 - x0, y1 - y0) < least and max(x1 - x0, y1 - y0) >= 4 * min(x1 - x0, y1 - y0)]
        if thin:
            yield check.finding("stroke-width", number, "warning", f"a line {min(thin):.2f} pt wide; "
                                f"{check.printer.name} wants {check.printer.min_stroke:g} pt or more")


@rule("transparency", "no transparency groups, soft masks or opacity where the printer refuses them", "both")
def transparency(check: Check) -> Iterator[Finding]:
    if check.printer.transparency:
        return
    for number, page in _pages(check):
        found = set(check.content(number - 1).transparency)
        group = page.obj.get("/Group")
        if group is not None and group.get("/S") == pikepdf.Name.Transparency:
            found.add("page transparency group")
        if found:
            yield check.finding("transparency", number, "error", f"transparency ({', '.join(sorted(found))}); "
                                f"{check.printer.pdfx or check.printer.name} has none")


@rule("annotations", "no annotations (links, comments) where the printer refuses them", "both")
def annotations(check: Check) -> Iterator[Finding]:
    for number, page in _pages(check):
        kinds = sorted({str(a.get("/Subtype", "/?")).lstrip("/") for a in page.obj.get("/Annots", [])}
                       - {"PrinterMark", "TrapNet"})
        if kinds and (not check.printer.annotations or check.printer.pdfx):
            yield check.finding("annotations", number, "error", f"annotations ({', '.join(kinds)}); "
                                f"{check.printer.pdfx or check.printer.name} refuses them")


@rule("outline", "no outline (bookmarks) where the printer refuses it")
def outline(check: Check) -> Iterator[Finding]:
    outlines = check.pdf.Root.get("/Outlines")
    if not check.printer.outline and outlines is not None and outlines.get("/First") is not None:
        yield check.finding("outline", _destination_page(check.pdf, outlines.First), "error",
                            f"an outline (bookmarks); {check.printer.name} refuses it")


def _destination_page(pdf: pikepdf.Pdf, item: pikepdf.Dictionary) -> int:
    """The page (1-based) an outline item goes to, 0 when it names none directly."""
    destination = item.get("/Dest")
    if destination is None and item.get("/A") is not None:
        destination = item.A.get("/D")
    if isinstance(destination, pikepdf.Array) and len(destination) and isinstance(destination[0], pikepdf.Dictionary):
        pages = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}
        return pages.get(destination[0].objgen, -1) + 1
    return 0


@rule("marks", "crop and registration marks only where the printer wants them", "both")
def marks(check: Check) -> Iterator[Finding]:
    for number, page in _pages(check):
        outside = check.content(number - 1).outside_strokes
        if "/Contents" not in page.obj:
            continue  # a blank page (the one that makes the count even): imposition marks it
        if outside and not check.printer.marks:
            yield check.finding("marks", number, "error", f"printer's marks outside the trim ({len(outside)} "
                                f"lines); {check.printer.name} refuses marks")
        elif not outside and check.printer.marks:
            yield check.finding("marks", number, "warning", "no crop marks; the press wants them")


def _cover_panels(check: Check) -> tuple[tuple, float, float] | None:
    page = check.pdf.pages[0]
    trim = box(page, "/TrimBox")
    if trim is None or check.interior_trim is None:
        return None
    return trim, check.interior_trim[0], spine_width(check.interior_pages or 0, check.paper)


@rule("cover-size", "the cover is 2 × trim + spine + 2 × bleed for the interior's pages and paper", "cover")
def cover_size(check: Check) -> Iterator[Finding]:
    if len(check.pdf.pages) != 1:
        yield check.finding("cover-size", 0, "error", f"{len(check.pdf.pages)} pages; a cover is one")
    panels = _cover_panels(check)
    if panels is None:
        yield check.finding("cover-size", 1, "error", "no TrimBox on the cover (or none on the interior)")
        return
    trim, width, spine = panels
    bleed_box = box(check.pdf.pages[0], "/BleedBox") or trim
    wanted = 2 * width + spine + 2 * check.printer.bleed
    got = bleed_box[2] - bleed_box[0]
    if abs(got - wanted) > TOLERANCE:
        yield check.finding("cover-size", 1, "error", f"the cover is {got / 72 * 25.4:.1f} mm wide with bleed; "
                            f"{check.interior_pages} pages on {check.paper} want {wanted / 72 * 25.4:.1f} mm "
                            f"(spine {spine / 72 * 25.4:.1f} mm)")
    height = check.interior_trim[1] + 2 * check.printer.bleed
    if abs((bleed_box[3] - bleed_box[1]) - height) > TOLERANCE:
        yield check.finding("cover-size", 1, "error", f"the cover is {(bleed_box[3] - bleed_box[1]) / 72 * 25.4:.1f}"
                            f" mm high with bleed; the interior wants {height / 72 * 25.4:.1f} mm")


@rule("cover-barcode", "the ISBN barcode lies inside the printer's barcode area on the back", "cover")
def cover_barcode(check: Check) -> Iterator[Finding]:
    panels = _cover_panels(check)
    if panels is None:
        return
    trim, width, _ = panels
    bars = [r for r in check.content(0).filled_rects if r[2] - r[0] < 4 and r[3] - r[1] > 15]
    if len(bars) < 20:
        return  # no barcode (a book without an ISBN)
    x0, y0 = min(r[0] for r in bars), min(r[1] for r in bars)
    x1, y1 = max(r[2] for r in bars), max(r[3] for r in bars)
    area_w, area_h, inset = check.printer.barcode_area
    spine_edge = trim[0] + width
    area = (spine_edge - inset - area_w, trim[1] + inset, spine_edge - inset, trim[1] + inset + area_h)
    if not _inside((x0, y0, x1, y1), area):
        yield check.finding("cover-barcode", 1, "error", f"the barcode ({_inch(x1 - x0)} × {_inch(y1 - y0)}) "
                            f"is outside {check.printer.name}'s barcode area ({_inch(area_w)} × {_inch(area_h)}, "
                            f"{_inch(inset)} from the spine and the foot)")


@rule("cover-spine-text", "text on the spine only when the book has pages enough for it", "cover")
def cover_spine_text(check: Check) -> Iterator[Finding]:
    panels = _cover_panels(check)
    if panels is None:
        return
    trim, width, spine = panels
    left, right = trim[0] + width, trim[0] + width + spine
    on_spine = [p for p in check.content(0).text_points if left - 0.5 <= p[0] <= right + 0.5]
    pages, least = check.interior_pages or 0, check.printer.spine_text_pages
    if on_spine and pages < least:
        yield check.finding("cover-spine-text", 1, "error", f"text on a {spine / 72 * 25.4:.1f} mm spine; "
                            f"{check.printer.name} allows spine text from {least} pages ({pages} here)")
