"""The laid-out pages as proofing sees them: every line box WeasyPrint placed, with its page, its place
on the page, its text, the block of the manuscript it belongs to, its hyphen and its word spacing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from publish.render.pagemap import INSERTED_HYPHEN

HEADING_TAGS = {"h2", "h3", "h4", "h5", "h6"}
HYPHENS = (INSERTED_HYPHEN, "-", "\u00ad")
PT = 0.75  # WeasyPrint lays out in CSS pixels; proofing measures in points


@dataclass(frozen=True)
class Line:
    """One line box of the print layout. `page` counts the PDF's pages from 1; `number` the page's lines
    from 1 (the text block's, then the footnotes'). Lengths are in points from the page's top left."""

    page: int
    number: int
    text: str
    top: float
    bottom: float
    left: float
    width: float
    chapter: str  # the chapter's id, "references", or "" for the title pages and the contents
    block: int  # the chapter's block (see publish.render.pagemap.number_blocks); -1: its title
    kind: str  # "text", "heading", "title" (a chapter's) or "footnote"
    note: str = ""  # a footnote's id
    spacing: float = 1.0  # the word spaces' width over their natural width (1.0 when not stretched)
    gaps: tuple[float, ...] = ()  # where the word spaces' middles stand (points), when asked for
    space: float = 0.0  # the natural width of a word space in the line's text (points)

    @property
    def hyphenated(self) -> bool:
        return self.text.rstrip().endswith(HYPHENS)

    @property
    def key(self) -> str:
        """The line's text without its spaces, the same in a layout and in text drawn from a PDF."""
        return "".join(self.text.split())


@dataclass
class Page:
    """A page of the layout: its lines, the bottom of its text block and of its text (points)."""

    number: int
    lines: list[Line]
    block_bottom: float  # where the text block ends (the footnote area's top when it has notes)
    line_height: float  # the body's line height
    blank: bool = False

    @property
    def text_lines(self) -> list[Line]:
        return [line for line in self.lines if line.kind != "footnote"]

    @property
    def chapters(self) -> list[str]:
        return list(dict.fromkeys(line.chapter for line in self.text_lines))


@dataclass
class Layout:
    """Every page of a book's print layout, read from WeasyPrint's boxes."""

    pages: list[Page]
    page_height: float
    page_width: float

    @property
    def lines(self) -> list[Line]:
        return [line for page in self.pages for line in page.lines]


def read_layout(document: Any, line_height: float, gaps: bool = False) -> Layout:
    """The pages of a WeasyPrint Document (`HTML(...).render()`) as proofing reads them; with `gaps`,
    where each line's word spaces stand (for rivers: it measures every word)."""
    from weasyprint.formatting_structure import boxes

    pages = []
    for index, page in enumerate(document.pages, 1):
        found: list[dict[str, Any]] = []
        footnote_top = None
        for child in page._page_box.children:
            if isinstance(child, boxes.FootnoteAreaBox):
                if child.children:
                    footnote_top = child.position_y * PT
                _collect(child, "", -1, "footnote", "", found, boxes, gaps)
            elif not isinstance(child, boxes.MarginBox):
                _collect(child, "", -1, "text", "", found, boxes, gaps)
        box = page._page_box
        bottom = (box.content_box_y() + box.height) * PT
        lines = [Line(page=index, number=n, **values) for n, values in enumerate(found, 1)]
        pages.append(Page(index, lines, footnote_top if footnote_top is not None else bottom, line_height,
                          blank=not lines))
    return Layout(pages, document.pages[0].height * PT if document.pages else 0.0,
                  document.pages[0].width * PT if document.pages else 0.0)


def _collect(box: Any, chapter: str, block: int, kind: str, note: str, found: list[dict[str, Any]],
             boxes: Any, gaps: bool = False) -> None:
    """The line boxes under `box`, in order, each with what its ancestors say about it."""
    element = getattr(box, "element", None)
    if element is not None and getattr(box, "element_tag", None) and not isinstance(box, boxes.TextBox):
        classes = set((element.get("class") or "").split())
        tag = box.element_tag.split("::")[0]
        if "chapter" in classes and element.get("id"):
            chapter, block = element.get("id"), -1
        elif element.get("data-block") is not None and kind != "footnote":
            block = int(element.get("data-block"))
            kind = "heading" if tag in HEADING_TAGS else "text"
        if "chapter-title" in classes:
            kind = "title"
        if "footnote" in classes and element.get("id"):
            note = element.get("id")
    if (getattr(box, "element_tag", None) or "").endswith("::marker"):
        return  # a list item's bullet or number: its own line box beside the item's first line
    if isinstance(box, boxes.LineBox):
        text, spacing = _line_text(box, boxes)
        if text.strip():
            found.append({**(_gaps(box, boxes) if gaps else {}),"text": text.strip(), "top": box.position_y * PT,
                          "bottom": (box.position_y + box.height) * PT, "left": box.position_x * PT,
                          "width": box.width * PT, "chapter": chapter, "block": block,
                          "kind": kind, "note": note, "spacing": spacing})
        return
    for child in getattr(box, "children", ()) or ():
        _collect(child, chapter, block, kind, note, found, boxes, gaps)


def _text_boxes(box: Any, boxes: Any) -> Iterator[Any]:
    """The text boxes under a box, in order."""
    if isinstance(box, boxes.TextBox):
        yield box
        return
    for child in getattr(box, "children", ()) or ():
        yield from _text_boxes(child, boxes)


def _line_text(line: Any, boxes: Any) -> tuple[str, float]:
    """A line box's text and how far its word spaces are stretched (their width over the natural one)."""
    parts: list[str] = []
    spacing = 1.0
    for box in _text_boxes(line, boxes):
        parts.append(box.text)
        if box.justification_spacing and " " in box.text.strip():
            natural = space_width(box.style)
            spacing = max(spacing, (natural + box.justification_spacing) / natural if natural else 1.0)
    return "".join(parts), round(spacing, 3)


def _gaps(line: Any, boxes: Any) -> dict[str, Any]:
    """Where the middle of each word space between a line's words stands, and a space's width."""
    middles: list[float] = []
    space = 0.0
    for box in _text_boxes(line, boxes):
        natural = space_width(box.style)
        space = space or natural
        stretch = box.justification_spacing
        for index, char in enumerate(box.text):
            if char == " " and box.text[:index].strip() and box.text[index:].strip():
                before = text_width(box.text[:index], box.style) + box.text[:index].count(" ") * stretch
                middles.append((box.position_x + before + (natural + stretch) / 2) * PT)
    return {"gaps": tuple(round(x, 2) for x in middles), "space": space * PT}


def text_width(text: str, style: Any) -> float:
    """The natural width of a text in a text box's font (CSS pixels)."""
    from weasyprint.text.line_break import Layout as TextLayout
    from weasyprint.text.line_break import line_size

    layout = TextLayout(style)
    layout.set_text(text)
    return line_size(layout.get_first_line()[0], style)[0]


_SPACES: dict[tuple[Any, ...], float] = {}


def space_width(style: Any) -> float:
    """The natural width of a word space in a text box's font, with its CSS word-spacing (CSS pixels)."""
    word_spacing = style["word_spacing"] if isinstance(style["word_spacing"], (int, float)) else 0
    key = (tuple(style["font_family"]), style["font_size"], style["font_weight"], style["font_style"],
           style["font_stretch"], style["font_variant_caps"], str(style["letter_spacing"]), word_spacing)
    if key not in _SPACES:
        measure = style.copy()
        measure["word_spacing"] = 0
        _SPACES[key] = text_width("x x", measure) - text_width("xx", measure) + word_spacing
    return _SPACES[key]
