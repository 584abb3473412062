"""The print layout: the document as the HTML WeasyPrint lays out, the layout, and the PDF written and
finished from it (same input, same bytes)."""

from __future__ import annotations

import shutil
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from markupsafe import Markup

from publish.fonts import MONO, body_typeface, font_face_css, shipped_css
from publish.geometry import page_css
from publish.glyphs import fallback_css
from publish.model import Document
from publish.preflight.printers import PRINTERS
from publish.render import STYLES, context, render_template, sets_code
from publish.render.markup import chapter_body
from publish.render.pagemap import read_pages
from publish.render.printready import FINISHES, finish_for_printer, save_options

# What the PDF of each profile is: a tagged PDF/UA-1 for readers (the default), the printer's interior
# with bleed, crop marks and a TrimBox (plain PDF 1.7: crop marks are no content a reader needs), and a
# PDF/A-3b for archives.
# The printers' own profiles (publish/render/printready.py): KDP's plain PDF without marks, outline or
# links; IngramSpark's PDF/X-1a:2001 in CMYK; an offset press's PDF/X-4 with crop and registration marks.
PROFILES = {"default": "pdf/ua-1", "printer": None, "archive": "pdf/a-3b",
            "kdp": None, "ingramspark": "pdf/x-1a", "offset": "pdf/x-4"}
PRINT_PROFILES = ("printer", "kdp", "ingramspark", "offset")  # bleed, TrimBox, even pages, a cover


def for_printer(profile: str) -> bool:
    """Whether a profile makes a printer's interior (and a cover)."""
    return profile in PRINT_PROFILES


def book_profile(profile: str, doc: Document) -> str:
    """The profile a book is built with: `printer` is the book's own printer (`print: {printer: kdp}`)
    when it names one; the printer's bleed replaces the book's, and its usual paper stands in when the
    book names none."""
    settings = doc.config.print
    if profile == "printer" and settings.printer:
        profile = settings.printer
    if profile in PRINTERS:
        from dataclasses import replace
        printer = PRINTERS[profile]
        doc.config.print = replace(settings, bleed=printer.bleed, paper=settings.paper or printer.paper)
    return profile


def hyphenation_language(language: str) -> str | None:
    """The language the print edition hyphenates in when it differs from the book's: a book in plain
    `en` is hyphenated with the American patterns (`sat-is-fac-to-ry`, not the British `sat-is-fact-ory`)."""
    return "en-US" if language.lower() == "en" else None


def render_html(doc: Document, timestamp: str, profile: str = "default", chunk: Any = None) -> str:
    """The HTML that WeasyPrint lays out: the whole book, or one chunk of a long one. Of the chunks, only
    the opening pages' carry the build's date (`timestamp`): the assembled PDF takes its metadata from
    them, so a build on another date (every save moves it, outside git) lays out no other chunk again."""
    if chunk is not None and not chunk.head:
        timestamp = ""
    bodies = {chapter.id: chapter_body(chapter, "pdf") for chapter in doc.chapters
              if chunk is None or chapter.id in chunk.chapters}
    marks = FINISHES[profile].marks if profile in FINISHES else "crop"
    css = page_css(doc.config.print, printer=for_printer(profile), marks=marks) + fallback_css(
        body_typeface(doc.config.fonts).family, doc.config.fallback_fonts)
    if chunk is not None:
        css += chunk_css(doc, chunk)
    typeface = body_typeface(doc.config.fonts)
    return render_template(
        "pdf/book.html", doc.config.layouts,
        **context(doc, "pdf", bodies=bodies, timestamp=timestamp, chunk=chunk,
                  font_css=font_face_css(typeface) + ("\n" + font_face_css(MONO) if sets_code(doc) else ""),
                  shipped_css=Markup(shipped_css("print", typeface)),
                  page_css=Markup(css),
                  hyphenation_lang=hyphenation_language(doc.config.language),
                  book_stylesheets=[sheet.path.as_uri() for sheet in doc.config.css.get("print", [])]),
    )


def chunk_css(doc: Document, chunk: Any) -> str:
    """What the chunk's layout needs besides print.css."""
    # A CSS string inside a <style> element: quotes, backslashes and angle brackets escaped.
    title = doc.config.title.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    title = title.replace("<", "\\3c ").replace(">", "\\3e ")
    rules = [f'.chunk-anchors {{ string-set: book-title "{title}"; }}']
    if chunk.notes_before:
        rules.append(f"html {{ counter-reset: footnote {chunk.notes_before}; }}")
    if chunk.head:
        rules.append(".toc a[data-page]::after { content: leader('.') attr(data-page) !important; }")
    if chunk.stand_ins:  # the empty chapters where the indexes will begin (publish/layout/chunks.py)
        rules.append(".index-stand-in-page { break-before: page; }")
    if chunk.first_page:  # the indexes after them, their folios counting on
        rules.append(f"@page :first {{ counter-reset: page {chunk.first_page}; }}")
    return "\n".join(rules) + "\n"


def layout(doc: Document, roots: list[Path], timestamp: str, profile: str = "default", chunk: Any = None):
    """The print edition laid out once by WeasyPrint; WeasyPrint may read files only inside `roots`.

    Everything that needs the printed pages (the PDF itself, the page map for the EPUB and the web
    edition) is taken from this one layout. An index's columns are balanced on its last page
    (publish/layout/columns.py)."""
    return render(render_html(doc, timestamp, profile, chunk), doc, roots,
                  balance_columns=bool(chunk is not None and doc.indexes
                                       and any(c.id in chunk.chapters for c in doc.indexes)))


def render(markup: str, doc: Document, roots: list[Path], balance_columns: bool = False):
    """HTML laid out by WeasyPrint, which may read files only inside `roots`, with the book's fonts;
    `balance_columns`: laid out again with an index's columns balanced on its last page, where they
    are not (publish/layout/columns.py)."""
    from weasyprint import HTML

    from publish.layout.columns import balance
    from publish.render.fetch import local_fetcher

    html = HTML(string=markup, base_url=str(roots[0]) + "/", url_fetcher=local_fetcher(roots + [STYLES]))
    faces = body_typeface(doc.config.fonts).faces
    fonts = tuple((face.print_file, face.print_file.stat().st_mtime_ns) for face in faces)
    laid_out = html.render(font_config=_font_config(roots[0], fonts))
    if balance_columns and balance(laid_out):  # the breaks are set on html's own elements
        laid_out = html.render(font_config=_font_config(roots[0], fonts))
    return laid_out


@lru_cache(maxsize=4)
def _font_config(root: Path, _fonts: tuple[tuple[Path, int], ...]):
    """One WeasyPrint font configuration for every layout of a book in this process (a long book's
    chunks, the opening pages and the index laid out apart): making one loads the system's fonts anew,
    about half a second each time. A new one when the book's font files change (`serve`)."""
    from multiprocessing import util

    from weasyprint.text.fonts import FontConfiguration

    config = FontConfiguration()
    util.Finalize(config, _remove_fonts_folder, args=(weakref.ref(config),), exitpriority=0)
    return config


def _remove_fonts_folder(config: weakref.ref) -> None:
    """A font configuration's folder of the book's fonts (3 MB, in the temporary directory) removed at
    the end of the process, as WeasyPrint removes it when the configuration is deleted (`__del__`). A
    worker process ends by os._exit, which deletes nothing: every worker of every build left one behind
    (and a configuration a layout still refers to in a cycle is not deleted before the end). Run by
    multiprocessing's finalizers, which run there too, and at this process's own end."""
    found = config()
    folder = getattr(found, "_folder", None)  # WeasyPrint's own, made at the first @font-face
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


def page_map(laid_out, doc: Document, first_number: int | None = None, with_labels: bool = False):
    """Where each printed page of the body and back matter begins, read from the layout (for a chunk
    of a long book, whose first page is printed as `first_number`); `with_labels`: and the printed
    label of each page of the layout."""
    body = doc.chapters_in("body")
    starts, labels = read_pages(laid_out, body[0].id if body else "", first_number)
    if not body:
        starts = []
    return (starts, labels) if with_labels else starts


def body_from(labels: list[str]) -> int:
    """The index of the first page numbered in arabic (the body's first), from a layout's page labels
    (`page_map(with_labels=True)`); their count when none is."""
    return next((i for i, label in enumerate(labels) if label.isdigit()), len(labels))


def print_warnings(laid_out, doc: Document, profile: str) -> list[tuple[Path, int, str]]:
    """What a layout warns a printer's profile of (an image printed under 300 dpi); nothing for the
    other profiles."""
    if not for_printer(profile):
        return []
    from publish.render.resolution import low_resolution_images

    return low_resolution_images(laid_out, doc)


def write_pdf(laid_out, profile: str = "default", language: str = "", body_from: int | None = None) -> bytes:
    """The PDF of a layout for a profile, finished: the document language in its XMP metadata too, the
    page labels when `body_from` says where the body begins, and for a printer an even number of pages."""
    return finish(weasyprint_pdf(laid_out, profile), language, even=for_printer(profile), profile=profile,
                  body_from=body_from)


def weasyprint_pdf(laid_out, profile: str = "default") -> bytes:
    """The PDF WeasyPrint writes from a layout for a profile, before `finish`."""
    with _memoised_page_references():
        return laid_out.write_pdf(uncompressed_pdf=False, pdf_variant=PROFILES[profile])


@contextmanager
def _memoised_page_references() -> Iterator[None]:
    """While WeasyPrint writes a PDF: pydyf's `PDF.page_references` builds a tuple of every page's
    reference each time it is read, and WeasyPrint reads it for every tagged element and link, so
    writing takes time quadratic in the pages (24,000 reads, 0.7 s of the 5 s that writing a 234-page
    chunk of the long-book benchmark takes; 0.02 s for a pamphlet). Here the same tuple is kept until a
    page is added; pydyf's own property is back once the PDF is written."""
    import pydyf

    original = pydyf.PDF.page_references
    build = original.fget

    def page_references(self):
        count = self.pages["Count"]
        kept = self.__dict__.get("_publish_page_references")
        if kept is None or kept[0] != count:
            kept = self._publish_page_references = (count, build(self))
        return kept[1]

    pydyf.PDF.page_references = property(page_references)
    try:
        yield
    finally:
        pydyf.PDF.page_references = original


def finish(data: bytes, language: str, even: bool = False, profile: str = "default", cover: bool = False,
           body_from: int | None = None) -> bytes:
    """The PDF WeasyPrint wrote, finished (see `finish_document`). Same input, same bytes."""
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        finish_document(pdf, language, even, profile, cover, body_from)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, **save_options(profile))
        return out.getvalue()


def finish_document(pdf, language: str, even: bool = False, profile: str = "default", cover: bool = False,
                    body_from: int | None = None) -> None:
    """What every PDF of ours gets after WeasyPrint, on an open pikepdf document: XMP metadata carrying
    the document info and its language (WeasyPrint writes XMP only for PDF variants, and never
    dc:language); no empty /Pattern or /Shading resources (they say nothing, and a PDF/A validator that
    approves only what it recognises refuses them); page labels as the folios print them, when
    `body_from` gives the index of the body's first page (see `page_labels`); a blank page at the end
    when `even` and the count is odd (a printer's book ends on a left-hand page); for a printer's own
    profile, its finishing (publish/render/printready.py)."""
    import pikepdf

    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
        if not xmp.get("dc:title"):
            xmp.load_from_docinfo(pdf.docinfo)
        if language:
            xmp["dc:language"] = [language]
    seen: set[tuple[int, int]] = set()

    def clean(resources) -> None:
        if not isinstance(resources, pikepdf.Dictionary):
            return
        if resources.is_indirect:
            if resources.objgen in seen:
                return
            seen.add(resources.objgen)
        for key in ("/Pattern", "/Shading"):
            value = resources.get(key)
            if isinstance(value, pikepdf.Dictionary) and not len(value.keys()):
                del resources[key]
        for xobject in resources.get("/XObject", {}).values():
            clean(xobject.get("/Resources"))

    for page in pdf.pages:  # the pages' resources (one dictionary shared by many) and their forms'
        clean(page.obj.get("/Resources"))
    if body_from is not None:
        page_labels(pdf, body_from)
    if even and len(pdf.pages) % 2:
        add_blank_page(pdf)
    if profile in FINISHES:  # after the blank page, whose boxes are the last page's
        finish_for_printer(pdf, profile, cover)


def page_labels(pdf, body_from: int) -> None:
    """The PDF's page labels (/PageLabels), so that a reader's "go to page" and the page box show the
    folio printed on the page: the pages before the body in lower-case roman numerals from i, as the
    front matter is numbered; the body's from 1, in arabic numerals."""
    import pikepdf

    nums = [0, pikepdf.Dictionary(S=pikepdf.Name.r)] if body_from > 0 else []
    nums += [body_from, pikepdf.Dictionary(S=pikepdf.Name.D)]
    pdf.Root.PageLabels = pdf.make_indirect(pikepdf.Dictionary(Nums=pikepdf.Array(nums)))


def add_blank_page(pdf) -> None:
    """A blank page at the end of a pikepdf document, sized and boxed as its last page."""
    last = pdf.pages[-1]
    blank = pdf.add_blank_page(page_size=(float(last.mediabox[2] - last.mediabox[0]),
                                          float(last.mediabox[3] - last.mediabox[1])))
    for box in ("/MediaBox", "/TrimBox", "/BleedBox"):
        if box in last.obj:
            blank.obj[box] = last.obj[box]
    if "/Contents" in blank.obj:  # no content stream at all: saved, an empty one is a zero-byte Flate
        del blank.obj["/Contents"]  # stream, which Ghostscript reports as an error reading a stream
