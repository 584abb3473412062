"""What a page draws, read from its content stream with pikepdf: the size of every run of text, the
width of every stroke, where each image is placed and how large, the colour spaces painted with, the
transparency used, and the strokes that lie wholly outside the trim (printer's marks). The graphics
state (`q`/`Q`, `cm`, `w`, the text matrix) is followed as a PDF reader would, into form XObjects."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pikepdf

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1, 0, 0, 1, 0, 0)
STROKES = {"S", "s", "B", "B*", "b", "b*"}
PAINTS = STROKES | {"f", "F", "f*", "n"}
TEXT_SHOWS = {"Tj", "TJ", "'", '"'}
DEVICE = {"/DeviceRGB": "DeviceRGB", "/DeviceCMYK": "DeviceCMYK", "/DeviceGray": "DeviceGray",
          "/RGB": "DeviceRGB", "/CMYK": "DeviceCMYK", "/G": "DeviceGray", "/Pattern": "Pattern"}


def multiply(m: Matrix, n: Matrix) -> Matrix:
    """m then n: the matrix product m × n as PDF writes it (row vectors)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
            e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)


def apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def scale(m: Matrix) -> float:
    """How much the matrix enlarges a length: the square root of its determinant."""
    return math.sqrt(abs(m[0] * m[3] - m[1] * m[2]))


@dataclass(frozen=True)
class Placement:
    """An image as placed on the page: its pixels, the points it covers, its colour space."""

    name: str
    pixels: tuple[int, int]
    size: tuple[float, float]
    colour_space: str
    soft_mask: bool

    @property
    def dpi(self) -> float:
        """The effective resolution: the lower of the two directions."""
        return min(self.pixels[0] / max(self.size[0], 1e-6), self.pixels[1] / max(self.size[1], 1e-6)) * 72


@dataclass
class PageContent:
    """Everything the rules read from one page's drawing."""

    text_sizes: list[float] = field(default_factory=list)
    text_points: list[tuple[float, float, float]] = field(default_factory=list)  # x, y, size
    stroke_widths: list[float] = field(default_factory=list)  # inside the trim
    images: list[Placement] = field(default_factory=list)
    colour_spaces: set[str] = field(default_factory=set)
    transparency: set[str] = field(default_factory=set)
    outside_strokes: list[tuple[float, float, float, float]] = field(default_factory=list)
    filled_rects: list[tuple[float, float, float, float]] = field(default_factory=list)


def colour_space_name(space, resources) -> str:
    """A colour space as the rules name it: DeviceRGB, DeviceCMYK, DeviceGray, ICC-RGB, ICC-CMYK,
    ICC-Gray, Lab, Separation, DeviceN, Pattern, Indexed bases as their base."""
    if isinstance(space, pikepdf.Name):
        key = str(space)
        if key in DEVICE:
            return DEVICE[key]
        named = resources.get("/ColorSpace", {}).get(key) if resources is not None else None
        return colour_space_name(named, None) if named is not None else key.lstrip("/")
    if isinstance(space, pikepdf.Array) and len(space):
        family = str(space[0])
        if family == "/ICCBased":
            components = int(space[1].get("/N", 0))
            return {1: "ICC-Gray", 3: "ICC-RGB", 4: "ICC-CMYK"}.get(components, "ICC")
        if family in ("/Indexed", "/I"):
            return colour_space_name(space[1], resources)
        return family.lstrip("/")
    return "unknown"


class Reader:
    """Follows one page's content stream (and its forms') collecting a `PageContent`."""

    def __init__(self, trim: tuple[float, float, float, float] | None):
        self.trim = trim
        self.found = PageContent()

    def read(self, stream, resources, ctm: Matrix = IDENTITY, depth: int = 0) -> None:
        stack: list[tuple[Matrix, float]] = []
        width, path = 1.0, []
        text_matrix, line_matrix, font_size = IDENTITY, IDENTITY, 0.0
        for item in pikepdf.parse_content_stream(stream):
            if isinstance(item, pikepdf.ContentStreamInlineImage):
                self._inline_image(item, ctm, resources)
                continue
            operands, op = item.operands, str(item.operator)
            if op == "q":
                stack.append((ctm, width))
            elif op == "Q" and stack:
                ctm, width = stack.pop()
            elif op == "cm":
                ctm = multiply(tuple(float(v) for v in operands), ctm)
            elif op == "w":
                width = float(operands[0])
            elif op in ("m", "l"):
                path.append(apply(ctm, float(operands[0]), float(operands[1])))
            elif op == "c":
                path.append(apply(ctm, float(operands[4]), float(operands[5])))
            elif op == "re":
                x, y, w, h = (float(v) for v in operands)
                corners = [apply(ctm, x, y), apply(ctm, x + w, y + h)]
                path += corners
                path.append(("rect", corners))
            elif op in PAINTS:
                self._paint(op, path, width, ctm)
                path = []
            elif op == "BT":
                text_matrix = line_matrix = IDENTITY
            elif op == "Tf":
                font_size = float(operands[1])
            elif op == "Tm":
                text_matrix = line_matrix = tuple(float(v) for v in operands)
            elif op in ("Td", "TD"):
                line_matrix = text_matrix = multiply((1, 0, 0, 1, float(operands[0]), float(operands[1])),
                                                     line_matrix)
            elif op in TEXT_SHOWS:
                placed = multiply(text_matrix, ctm)
                size = abs(font_size) * math.hypot(placed[2], placed[3])
                self.found.text_sizes.append(size)
                self.found.text_points.append((placed[4], placed[5], size))
            elif op in ("rg", "RG", "k", "K", "g", "G"):
                self.found.colour_spaces.add({"rg": "DeviceRGB", "k": "DeviceCMYK", "g": "DeviceGray"}[op.lower()])
            elif op in ("cs", "CS"):
                self.found.colour_spaces.add(colour_space_name(operands[0], resources))
            elif op == "gs":
                self._state(resources, operands[0])
            elif op == "sh":
                shading = resources.get("/Shading", {}).get(str(operands[0]))
                if shading is not None:
                    self.found.colour_spaces.add(colour_space_name(shading.get("/ColorSpace"), resources))
            elif op == "Do":
                self._xobject(resources, operands[0], ctm, depth)

    def _paint(self, op: str, path: list, width: float, ctm: Matrix) -> None:
        points = [p for p in path if p[0] != "rect"]
        if op in STROKES:
            if points and self.trim and all(_outside(p, self.trim) for p in points):
                xs, ys = [p[0] for p in points], [p[1] for p in points]
                self.found.outside_strokes.append((min(xs), min(ys), max(xs), max(ys)))
            else:
                self.found.stroke_widths.append(width * scale(ctm))
        if op in ("f", "F", "f*"):
            for entry in path:
                if entry[0] == "rect":
                    (x0, y0), (x1, y1) = entry[1]
                    self.found.filled_rects.append((min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))

    def _state(self, resources, name) -> None:
        state = resources.get("/ExtGState", {}).get(str(name))
        if state is None:
            return
        mask = state.get("/SMask")
        if mask is not None and mask != pikepdf.Name.None_:
            self.found.transparency.add("soft mask")
        for key in ("/ca", "/CA"):
            if key in state and float(state[key]) < 1:
                self.found.transparency.add(f"opacity {key[1:]} {float(state[key]):g}")
        blend = state.get("/BM")
        if blend is not None and str(blend if not isinstance(blend, pikepdf.Array) else blend[0]) not in (
                "/Normal", "/Compatible"):
            self.found.transparency.add(f"blend mode {blend}")

    def _xobject(self, resources, name, ctm: Matrix, depth: int) -> None:
        xobject = resources.get("/XObject", {}).get(str(name))
        if xobject is None:
            return
        subtype = xobject.get("/Subtype")
        if subtype == pikepdf.Name.Image:
            self._image(str(name), xobject, ctm, resources)
        elif subtype == pikepdf.Name.Form and depth < 12:
            group = xobject.get("/Group")
            if group is not None and group.get("/S") == pikepdf.Name.Transparency:
                self.found.transparency.add("transparency group")
            matrix = tuple(float(v) for v in xobject.get("/Matrix", IDENTITY))
            self.read(xobject, xobject.get("/Resources", resources), multiply(matrix, ctm), depth + 1)

    def _image(self, name: str, image, ctm: Matrix, resources) -> None:
        if image.get("/ImageMask", False):
            return
        space = colour_space_name(image.get("/ColorSpace", pikepdf.Name.DeviceGray), resources)
        soft = image.get("/SMask") is not None
        if soft:
            self.found.transparency.add("soft mask")
        self.found.colour_spaces.add(space)
        self.found.images.append(Placement(
            name, (int(image.Width), int(image.Height)), (math.hypot(ctm[0], ctm[1]), math.hypot(ctm[2], ctm[3])),
            space, soft))

    def _inline_image(self, item, ctm: Matrix, resources) -> None:
        image = item.iimage
        space = colour_space_name(image.obj.get("/ColorSpace", image.obj.get("/CS", pikepdf.Name.DeviceGray)),
                                  resources)
        self.found.colour_spaces.add(space)
        self.found.images.append(Placement("inline", (int(image.width), int(image.height)),
                                           (math.hypot(ctm[0], ctm[1]), math.hypot(ctm[2], ctm[3])), space, False))


def _outside(point: tuple[float, float], box: tuple[float, float, float, float]) -> bool:
    x, y = point
    return x < box[0] - 0.5 or x > box[2] + 0.5 or y < box[1] - 0.5 or y > box[3] + 0.5


def page_content(page: pikepdf.Page, trim: tuple[float, float, float, float] | None) -> PageContent:
    """What one page draws."""
    reader = Reader(trim)
    reader.read(page, page.obj.get("/Resources", pikepdf.Dictionary()))
    return reader.found
