"""The printer profiles' finishing, on the PDF WeasyPrint wrote (an open pikepdf document): the bleed
cut from the binding edge for the print-on-demand printers, links and (for KDP) the outline removed,
and for the PDF/X profiles every colour in CMYK (content streams' RGB operators and RGB images
converted with an ICC transform, neutral greys to black ink only), transparency groups dropped for
X-1a, a CMYK output intent, and the PDF/X version keys (PDF/X-1a:2001 in PDF 1.3 for IngramSpark).

WeasyPrint 70 writes the PDF/X identification but leaves colours as the stylesheet gives them (sRGB)
and needs a CMYK profile to write an output intent; converting here catches every colour, the SVG
barcode's and the cover palette's included, and keeps the stylesheets shared by all profiles."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from publish.preflight.printers import PRINTERS

# Ghostscript's default CMYK profile (Debian libgs-common, installed with ghostscript): a SWOP-like
# coated press, freely licensed (AGPL Ghostscript ships it for exactly this use).
CMYK_PROFILE = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")
CMYK_CONDITION = "Ghostscript default CMYK (SWOP-like coated)"


@dataclass(frozen=True)
class Finish:
    """What a printer profile does after WeasyPrint."""

    variant: str | None  # WeasyPrint's pdf_variant
    marks: str  # the CSS `marks` value
    cut_binding_bleed: bool
    outline: bool
    cmyk: bool
    pdfx: str | None  # the version written: "PDF/X-1a:2001", "PDF/X-4"


FINISHES = {
    "kdp": Finish(None, "none", True, False, False, None),
    "ingramspark": Finish("pdf/x-1a", "none", True, True, True, "PDF/X-1a:2001"),
    "offset": Finish("pdf/x-4", "crop cross", False, True, True, "PDF/X-4"),
}


class MissingProfile(RuntimeError):
    """The CMYK ICC profile is not installed."""


def finish_for_printer(pdf: pikepdf.Pdf, profile: str, cover: bool = False) -> None:
    """Everything a printer profile does to the PDF (see the module's docstring)."""
    import pikepdf

    finish = FINISHES[profile]
    if finish.cut_binding_bleed and not cover:
        cut_binding_bleed(pdf, PRINTERS[profile].bleed)
    for page in pdf.pages:
        if "/Annots" in page.obj:
            del page.obj["/Annots"]
    if not finish.outline and "/Outlines" in pdf.Root:
        del pdf.Root["/Outlines"]
        if pdf.Root.get("/PageMode") == pikepdf.Name.UseOutlines:
            del pdf.Root["/PageMode"]
    if finish.cmyk:
        to_cmyk(pdf, keep_groups=finish.pdfx == "PDF/X-4")
        add_output_intent(pdf)
    if finish.pdfx == "PDF/X-1a:2001":
        pdf.docinfo["/GTS_PDFXVersion"] = "PDF/X-1:2001"
        pdf.docinfo["/GTS_PDFXConformance"] = "PDF/X-1a:2001"
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
            xmp["pdfxid:GTS_PDFXVersion"] = "PDF/X-1:2001"
    if finish.pdfx:
        pdf.docinfo["/Trapped"] = pikepdf.Name("/False")
        steady_document_id(pdf)


def steady_document_id(pdf: pikepdf.Pdf) -> None:
    """WeasyPrint's PDF/X XMP carries a random xmpMM:DocumentID (and the file /ID a digest of it); one
    from the pages' content instead, so the same input gives the same bytes."""
    import pikepdf

    import hashlib
    import uuid

    digest = hashlib.sha256()
    for page in pdf.pages:
        for stream in page.obj.get("/Contents", pikepdf.Array()).wrap_in_array() if "/Contents" in page.obj else []:
            digest.update(stream.read_raw_bytes())
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
        for key in ("xmpMM:DocumentID", "xmpMM:InstanceID"):
            if key in xmp:
                xmp[key] = f"uuid:{uuid.UUID(bytes=digest.digest()[:16], version=4)}"
    if "/ID" in pdf.trailer:  # WeasyPrint's, a digest of the random XMP: qpdf writes one from the content
        del pdf.trailer["/ID"]


def save_options(profile: str) -> dict:
    """pikepdf `save` options: PDF/X-1a:2001 is PDF 1.3 (no object streams)."""
    import pikepdf

    if profile in FINISHES and FINISHES[profile].pdfx == "PDF/X-1a:2001":
        return {"force_version": "1.3", "object_stream_mode": pikepdf.ObjectStreamMode.disable}
    return {}


def cut_binding_bleed(pdf: pikepdf.Pdf, bleed: float) -> None:
    """The bleed on the outer, top and bottom edges only: a print-on-demand interior is trimmed on
    three sides, so a right-hand page (odd) loses its left bleed and a left-hand page its right."""
    import pikepdf

    for index, page in enumerate(pdf.pages):
        trim = page.obj.get("/TrimBox")
        if trim is None:
            continue
        x0, y0, x1, y1 = (float(v) for v in trim)
        recto = index % 2 == 0
        box = pikepdf.Array([x0 if recto else x0 - bleed, y0 - bleed, x1 + bleed if recto else x1, y1 + bleed])
        page.obj["/MediaBox"] = box
        page.obj["/BleedBox"] = box
        if "/CropBox" in page.obj:
            del page.obj["/CropBox"]


@cache
def _transform():
    from PIL import ImageCms

    if not CMYK_PROFILE.is_file():
        raise MissingProfile(f"the CMYK profile {CMYK_PROFILE} is not installed (Debian: libgs-common; "
                             f"scripts/install-system-deps build)")
    srgb = ImageCms.createProfile("sRGB")
    cmyk = ImageCms.getOpenProfile(str(CMYK_PROFILE))
    return ImageCms.buildTransform(srgb, cmyk, "RGB", "CMYK", ImageCms.Intent.RELATIVE_COLORIMETRIC)


def cmyk(red: float, green: float, blue: float) -> list[float]:
    """An sRGB colour (0–1) as CMYK ink (0–1): a neutral grey in black ink only (text stays sharp on
    press), any other colour through the ICC transform."""
    if abs(red - green) < 1e-3 and abs(green - blue) < 1e-3:
        return [0.0, 0.0, 0.0, round(1 - red, 4)]
    from PIL import Image, ImageCms

    pixel = Image.new("RGB", (1, 1), tuple(round(max(0.0, min(1.0, v)) * 255) for v in (red, green, blue)))
    return [round(v / 255, 4) for v in ImageCms.applyTransform(pixel, _transform()).getpixel((0, 0))]


def to_cmyk(pdf: pikepdf.Pdf, keep_groups: bool) -> None:
    """Every page's and form's colours, and every RGB image, in DeviceCMYK."""
    _transform()
    seen: set[tuple[int, int]] = set()
    for page in pdf.pages:
        _convert_stream(pdf, page.obj, page.obj.get("/Resources"), seen, keep_groups)
        _group(page.obj, keep_groups)


def _group(holder: pikepdf.Dictionary, keep: bool) -> None:
    import pikepdf

    group = holder.get("/Group")
    if group is None:
        return
    if keep:
        group["/CS"] = pikepdf.Name.DeviceCMYK
    else:
        del holder["/Group"]


def _convert_stream(pdf: pikepdf.Pdf, holder, resources, seen: set, keep_groups: bool) -> None:
    """One content stream (a page's or a form's) with RGB operators rewritten, then its resources."""
    import pikepdf

    if isinstance(holder, pikepdf.Dictionary) and not isinstance(holder, pikepdf.Stream) \
            and "/Contents" not in holder:
        return  # a blank page
    instructions, rgb_fill, rgb_stroke = [], False, False
    for item in pikepdf.parse_content_stream(holder):
        if isinstance(item, pikepdf.ContentStreamInlineImage):
            instructions.append(item)
            continue
        operands, op = list(item.operands), str(item.operator)
        if op in ("rg", "RG"):
            operands, op = cmyk(*(float(v) for v in operands)), "k" if op == "rg" else "K"
        elif op in ("cs", "CS"):
            rgb = operands[0] == pikepdf.Name.DeviceRGB
            rgb_fill, rgb_stroke = (rgb, rgb_stroke) if op == "cs" else (rgb_fill, rgb)
            if rgb:
                operands = [pikepdf.Name.DeviceCMYK]
        elif op in ("sc", "scn") and rgb_fill and len(operands) == 3 or op in ("SC", "SCN") and rgb_stroke \
                and len(operands) == 3:
            operands = cmyk(*(float(v) for v in operands))
        instructions.append(pikepdf.ContentStreamInstruction(operands, pikepdf.Operator(op)))
    data = pikepdf.unparse_content_stream(instructions)
    if isinstance(holder, pikepdf.Stream):
        holder.write(data)
    else:
        holder.Contents = pdf.make_stream(data)
    _convert_resources(pdf, resources, seen, keep_groups)


def _convert_resources(pdf: pikepdf.Pdf, resources, seen: set, keep_groups: bool) -> None:
    import pikepdf

    if not isinstance(resources, pikepdf.Dictionary):
        return
    for xobject in resources.get("/XObject", {}).values():
        if xobject.objgen in seen:
            continue
        seen.add(xobject.objgen)
        if xobject.get("/Subtype") == pikepdf.Name.Image:
            _convert_image(pdf, xobject)
        elif xobject.get("/Subtype") == pikepdf.Name.Form:
            _convert_stream(pdf, xobject, xobject.get("/Resources"), seen, keep_groups)
            _group(xobject, keep_groups)


def _convert_image(pdf: pikepdf.Pdf, image: pikepdf.Stream) -> None:
    """An RGB (or indexed RGB) image as CMYK pixels; an alpha channel (soft mask) laid on white."""
    import pikepdf

    from PIL import Image, ImageCms

    if image.get("/ColorSpace") in (pikepdf.Name.DeviceCMYK, pikepdf.Name.DeviceGray) and "/SMask" not in image:
        return
    picture = pikepdf.PdfImage(image).as_pil_image()
    if "/SMask" in image:
        alpha = pikepdf.PdfImage(image.SMask).as_pil_image().convert("L").resize(picture.size)
        ground = Image.new("RGB", picture.size, (255, 255, 255))
        ground.paste(picture.convert("RGB"), mask=alpha)
        picture = ground
        del image["/SMask"]
    if picture.mode == "CMYK":
        converted = picture
    else:
        converted = ImageCms.applyTransform(picture.convert("RGB"), _transform())
    image.write(zlib.compress(converted.tobytes(), 9), filter=pikepdf.Name.FlateDecode)
    image["/ColorSpace"] = pikepdf.Name.DeviceCMYK
    image["/BitsPerComponent"] = 8
    for key in ("/DecodeParms", "/Decode", "/Intent"):
        if key in image:
            del image[key]


def add_output_intent(pdf: pikepdf.Pdf) -> None:
    """The PDF/X output intent: the CMYK press the colours were converted for."""
    import pikepdf

    profile = pdf.make_stream(CMYK_PROFILE.read_bytes())
    profile["/N"] = 4
    pdf.Root["/OutputIntents"] = pikepdf.Array([pikepdf.Dictionary(
        Type=pikepdf.Name.OutputIntent, S=pikepdf.Name("/GTS_PDFX"),
        OutputConditionIdentifier=pikepdf.String("Custom"), OutputCondition=pikepdf.String(CMYK_CONDITION),
        Info=pikepdf.String(CMYK_CONDITION), RegistryName=pikepdf.String("http://www.color.org"),
        DestOutputProfile=profile)])


__all__ = ["FINISHES", "MissingProfile", "cmyk", "finish_for_printer", "save_options"]
