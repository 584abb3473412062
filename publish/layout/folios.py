"""The folios of a long book laid out in chunks (publish/layout/chunks.py): the page numbers in the
margin boxes, the one thing printed on a chunk's pages that depends on the pages before it.

A chunk of the body is laid out without them (`margin_boxes(keep=not prints_page_number)`), so that
its pages depend on its own content alone and are reused from the layout cache wherever the chunk
moves; its running heads (named strings) stay on its pages. It records what its folios need: the
page type of each page (left or right, blank, its named page and page groups: what the print CSS's
@page selectors match) and the named strings its pages set.

Once every chunk is placed, one WeasyPrint document of empty pages, one for each page of the book
after the opening pages (the blank versos the assembly adds between chunks included), each of the type
its page had, is laid out from the same stylesheets, the page counter running through the book and
the strings of the chunks in place; of its margin boxes only those that print a page number are kept.
So every folio is styled by the print CSS as in a single layout: arabic or roman, at the head of the
page or at the foot of a chapter's first, none on a blank page. `Overlay` draws each of its pages onto
the assembled page, as an artifact (a page number is pagination, not content, for PDF/UA).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import publish.layout.printed as printed

PAGE_COUNTERS = ("page", "pages")
# Operators that paint: a folio page without any draws nothing (a blank page, a chapter's title page
# whose CSS gives it no folio) and is not drawn.
PAINTING = {"Tj", "TJ", "'", '"', "f", "F", "f*", "B", "B*", "b", "b*", "S", "s", "Do", "sh", "BI"}


def prints_page_number(box: Any) -> bool:
    """Whether a laid-out margin box prints a page number: its content reads the page counter."""
    return _reads_page_counter(box.style["content"])


def _reads_page_counter(content: Any) -> bool:
    return isinstance(content, (tuple, list)) and any(
        kind in ("counter()", "counters()") and value[0] in PAGE_COUNTERS for kind, value in content)


@contextmanager
def margin_boxes(keep: Callable[[Any], bool], first: Callable[[Any], None] | None = None) -> Iterator[None]:
    """During one layout, only the margin boxes `keep` accepts are put on the pages; `first(context)`
    is called with WeasyPrint's layout context once pagination is done, before any margin box is made.
    A scoped patch of WeasyPrint's `make_margin_boxes`, which `layout_document` calls for each page
    after paginating the whole document, restored on leaving."""
    import weasyprint.layout as layout_module

    original = layout_module.make_margin_boxes
    waiting = [first]

    def make_margin_boxes(context: Any, page: Any, state: Any) -> Iterator[Any]:
        if waiting:
            call = waiting.pop()
            if call is not None:
                call(context)
        return (box for box in original(context, page, state) if keep(box))

    layout_module.make_margin_boxes = make_margin_boxes
    try:
        yield
    finally:
        layout_module.make_margin_boxes = original


def record_strings(into: dict) -> Callable[[Any], None]:
    """A `margin_boxes` first call that copies the layout's named strings `into` a dictionary."""
    return lambda context: into.update(recorded_strings(context.string_set))


def _folios_alone(strings: dict) -> Callable[[Any], None]:
    """A `margin_boxes` first call for the folios' document: the chunks' named strings given to it (name
    -> page number -> values), and every margin box that prints no page number given no content, so
    that it is not laid out at all (its document is thrown away after). Its neighbours then take no
    room from a folio; a folio is set at its own edge of its box (or in its middle) all the same."""
    def first(context: Any) -> None:
        for name, pages in strings.items():
            for number, values in pages.items():
                context.string_set[name][int(number)].extend(values)
        for (element, pseudo), style in context.style_for.get_computed_styles().items():
            if str(pseudo).startswith("@") and pseudo not in ("@footnote", "@note-area") \
                    and hasattr(element, "groups") and not _reads_page_counter(style["content"]):
                style["content"] = "none"
    return first


def recorded_strings(string_set: dict) -> dict[str, dict[str, list[str]]]:
    """A layout's named strings as JSON-ready data: name -> page number (from 1) -> values set on it."""
    return {name: {str(number): list(values) for number, values in sorted(pages.items()) if values}
            for name, pages in sorted(string_set.items()) if any(pages.values())}


def page_type(page: Any) -> list:
    """A laid-out page's type (WeasyPrint's PageType) as JSON-ready data."""
    kind = page._page_box.page_type
    return [kind.side, kind.blank, kind.name, kind.index, [list(group) for group in kind.groups]]


def blank_verso(before: list) -> list:
    """The type of the blank left-hand page the assembly adds after a chunk that ends on a right-hand
    page: the type WeasyPrint gives a blank page before a chapter (no named page, no page group)."""
    return ["left", True, "", before[3] + 1, []]


def book_pages(parts: list[tuple[list, dict]]) -> tuple[list, dict]:
    """The page types and named strings of the pages of the chunks `parts` (each: its page types and
    strings) as assembled: a blank verso after each that ends on a right-hand page, but the last."""
    types: list = []
    strings: dict[str, dict[str, list[str]]] = {}
    for position, (kinds, named) in enumerate(parts):
        for name, pages in named.items():
            for number, values in pages.items():
                strings.setdefault(name, {})[str(len(types) + int(number))] = values
        types += kinds
        if len(kinds) % 2 and position < len(parts) - 1:
            types.append(blank_verso(kinds[-1]))
    return types, strings


def page_html(html: str, pages: int) -> str:
    """The HTML of a chunk (its stylesheets) with its text replaced by `pages` empty blocks, each on a
    page of its own (a blank page holds none)."""
    # Whatever the book's stylesheets say of blocks, each takes no room and breaks the page before it
    # only (the recorded page types, not the breaks, make the blank pages).
    style = ("<style>html, body, .publish-folio { display: block !important; float: none !important; "
             "position: static !important; height: auto !important; min-height: 0 !important; margin: 0 "
             "!important; padding: 0 !important; border: 0 !important; columns: auto !important; } "
             ".publish-folio { height: 0 !important; break-before: auto !important; break-after: auto "
             "!important; } .publish-folio + .publish-folio { break-before: page !important; } "
             "html::before, html::after, body::before, body::after, .publish-folio::before, "
             ".publish-folio::after { content: none !important; }</style>")
    blocks = '<div class="publish-folio"></div>' * pages
    html = html.replace("</head>", style + "</head>", 1)
    return re.sub(r"(<body[^>]*>).*(</body>)", lambda m: m[1] + blocks + m[2], html, count=1, flags=re.S)


def lay_out(html: str, roots: list[Path], doc: Any, types: list, strings: dict) -> bytes:
    """The folios of the pages whose types and strings are given (see `book_pages`), one PDF page each,
    laid out from the stylesheets of a chunk's `html`; untagged (`Overlay` marks them as artifacts).

    Two scoped patches of WeasyPrint during this one layout, restored after it: each page is given its
    recorded type (`remake_page` makes a page's type from the document's breaks and named pages, which
    this document of empty blocks does not have), and only the margin boxes that print a page number
    are laid out and kept (`margin_boxes`), the chunks' strings given to those that print one too."""
    import weasyprint.layout.page as page_module
    from weasyprint.formatting_structure.boxes import MarginBox

    kinds = [page_module.PageType(side, blank, name, index, tuple(tuple(g) for g in groups))
             for side, blank, name, index, groups in types]
    original = page_module.PageType

    def recorded(side: str, blank: bool, name: str, index: int, groups: tuple) -> Any:
        return kinds[index] if index < len(kinds) else original(side, blank, name, index, groups)

    page_module.PageType = recorded
    try:
        with margin_boxes(prints_page_number, first=_folios_alone(strings)):
            laid_out = printed.render(page_html(html, sum(not kind.blank for kind in kinds)), doc, roots)
    finally:
        page_module.PageType = original
    if len(laid_out.pages) != len(kinds):
        raise RuntimeError(f"the folios took {len(laid_out.pages)} pages, not {len(kinds)}: the book's "
                           f"stylesheets print something on every page")
    for page in laid_out.pages:  # the margin boxes alone: no background, no crop marks (the chunk's)
        box = page._page_box
        box.background = box.canvas_background = None
        box.children = tuple(child for child in box.children if isinstance(child, MarginBox))
    return laid_out.write_pdf(uncompressed_pdf=False)


class Overlay:
    """The folios' PDF drawn onto the open pikepdf document `out`, each of its pages onto the page
    `first` pages further, after its content and marked as an artifact: `draw` draws those of the pages
    `out` holds so far (a book's PDF is assembled a part at a time), `finish` checks every one was.
    The folios' PDF, `source`, is to stay open until `out` is saved (its objects are copied then)."""

    def __init__(self, out: Any, folios: bytes, first: int) -> None:
        import pikepdf

        self.out, self.first, self.drawn = out, first, 0
        self.source = pikepdf.open(io.BytesIO(folios))

    def draw(self) -> None:
        import pikepdf

        pages = self.source.pages
        upto = max(self.drawn, min(len(pages), len(self.out.pages) - self.first))
        for number in range(self.drawn, upto):
            page = pages[number]
            if "/Contents" not in page.obj:
                continue
            instructions = pikepdf.parse_content_stream(page.obj)
            if not any(str(item.operator) in PAINTING for item in instructions):
                continue
            _draw(self.out, self.out.pages[self.first + number], instructions,
                  self.out.copy_foreign(page.obj.Resources))
        self.drawn = upto

    def finish(self) -> None:
        self.draw()
        if self.drawn < len(self.source.pages):
            pages = len(self.out.pages) - self.first
            raise RuntimeError(f"{len(self.source.pages)} folios for {pages} pages")


def _draw(out: Any, page: Any, instructions: list, resources: Any) -> None:
    """Content drawn on a page after its own, in the page's default coordinates (the page's content is
    wrapped in q/Q: WeasyPrint leaves its initial transformation in force), inside an /Artifact
    marked-content sequence. The content's resources (`resources`, in `out`) join the page's under
    names of their own, the content's operands renamed to match; the page is given a resource
    dictionary of its own (WeasyPrint shares one between pages). Inline, not a form XObject: text
    extraction finds the folio among the page's text, where a single layout puts it."""
    import pikepdf

    names = {str(key): pikepdf.Name("/Folio" + str(key)[1:])
             for kind in resources.keys() if isinstance(resources[kind], pikepdf.Dictionary)
             for key in resources[kind].keys()}
    own = pikepdf.Dictionary(dict(page.obj.get("/Resources", pikepdf.Dictionary()).items()))
    for kind in resources.keys():
        if not isinstance(resources[kind], pikepdf.Dictionary):
            continue
        merged = pikepdf.Dictionary(dict(own.get(kind, pikepdf.Dictionary()).items()))
        for key, value in resources[kind].items():
            merged[names[str(key)]] = value
        own[kind] = merged
    page.obj.Resources = own
    drawn = [pikepdf.ContentStreamInstruction([], pikepdf.Operator("Q")),
             pikepdf.ContentStreamInstruction([pikepdf.Name.Artifact], pikepdf.Operator("BMC")),
             pikepdf.ContentStreamInstruction([], pikepdf.Operator("q"))]
    for item in instructions:
        if isinstance(item, pikepdf.ContentStreamInlineImage):
            drawn.append(item)
            continue
        operands = [names.get(str(o), o) if isinstance(o, pikepdf.Name) else o for o in item.operands]
        drawn.append(pikepdf.ContentStreamInstruction(operands, item.operator))
    drawn += [pikepdf.ContentStreamInstruction([], pikepdf.Operator("Q")),
              pikepdf.ContentStreamInstruction([], pikepdf.Operator("EMC"))]
    page.contents_add(out.make_stream(b"q\n"), prepend=True)
    page.contents_add(out.make_stream(pikepdf.unparse_content_stream(drawn)))
