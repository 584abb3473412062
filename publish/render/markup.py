"""Per-format shaping of the model's XHTML: note references, footnotes inline for print, heading levels,
links between the files of an edition in parts (EPUB, web)."""

from __future__ import annotations

import re
from dataclasses import replace

from lxml import etree

from publish.model import Chapter, Document, Note, PageStart
from publish.render.pagemap import insert_markers, number_blocks, opening_markers

EPUB_NS = "http://www.idpf.org/2007/ops"
LINK = re.compile(r'href="#([^"]+)"')
ID = re.compile(r'\bid="([^"]+)"')


def _fragment(markup: str) -> etree._Element:
    return etree.fromstring(f'<div xmlns:epub="{EPUB_NS}">{markup}</div>')


def _serialise(root: etree._Element) -> str:
    text = (root.text or "") + "".join(etree.tostring(c, encoding="unicode") for c in root)
    return text.replace(f' xmlns:epub="{EPUB_NS}"', "")


def noterefs(markup: str, fmt: str) -> str:
    """Note references as pop-up links (EPUB) or superscript links (HTML)."""
    if 'class="noteref"' not in markup:
        return markup
    root = _fragment(markup)
    for link in root.iter("a"):
        if link.get("class") != "noteref":
            continue
        link.set("role", "doc-noteref")
        if fmt == "epub":
            link.set(f"{{{EPUB_NS}}}type", "noteref")
    return _serialise(root)


def inline_footnotes(markup: str, notes: list[Note]) -> str:
    """For print: each note reference replaced by the note itself, floated to the foot of the page."""
    if not notes:
        return markup
    by_id = {note.ref_id: note for note in notes}
    root = _fragment(markup)
    for link in list(root.iter("a")):
        note = by_id.get(link.get("id", ""))
        if link.get("class") != "noteref" or note is None:
            continue
        content = _fragment(note.html)
        footnote = etree.Element("span", {"class": "footnote", "id": note.id})
        # A note's paragraphs become inline runs: a footnote box is inline content.
        for block in content:
            run = etree.SubElement(footnote, "span", {"class": "footnote-para"})
            run.text = block.text
            for child in block:
                run.append(child)
        _unwrap_lines(footnote)
        footnote.tail = link.tail
        link.getparent().replace(link, footnote)
    return _serialise(root)


def _unwrap_lines(footnote: etree._Element) -> None:
    """A note's source line ends as spaces: WeasyPrint 70 breaks a footnote's line at every newline
    of its text, as if it were preformatted (a note written over two lines printed as three). Code
    keeps its own."""
    for element in footnote.iter():
        literal = element.tag in ("code", "pre", "kbd", "samp") or any(
            a.tag in ("code", "pre", "kbd", "samp") for a in element.iterancestors())
        if element.text and not literal:
            element.text = element.text.replace("\n", " ")
        if element.tail and element is not footnote and not any(
                a.tag in ("pre",) for a in element.iterancestors()):
            element.tail = element.tail.replace("\n", " ")


def shift_headings(markup: str, by: int) -> str:
    """Every heading moved `by` levels down (h2 -> h3), for layouts that nest chapters in a page."""
    if not by:
        return markup
    return re.sub(r"<(/?)h([1-6])\b", lambda m: f"<{m[1]}h{min(int(m[2]) + by, 6)}", markup)


def chapter_body(chapter: Chapter, fmt: str, starts: list[PageStart] = (), heading_shift: int = 1) -> str:
    """A chapter's body as a format shows it: for print, numbered blocks and footnotes in place; for
    the others, note references and the print edition's page-break markers (and on the web, headings
    `heading_shift` levels down: under the book's title on the single page, none on a chapter's own)."""
    if chapter.index is not None:
        from publish.render.indexes import index_markup
        chapter = replace(chapter, body=index_markup(chapter.index, fmt))
    if fmt == "pdf":
        body = inline_footnotes(chapter.body, chapter.notes)
        for name, path in chapter.images.items():  # the layout reads images from their files
            body = body.replace(f'src="{name}"', f'src="{path.as_uri()}"')
        return number_blocks(body)
    body = insert_markers(noterefs(chapter.body, fmt), [s for s in starts if s.chapter == chapter.id], fmt)
    return shift_headings(body, heading_shift) if fmt == "html" else body


def page_openings(starts: list[PageStart], fmt: str) -> dict[str, str]:
    """By chapter id, the markers of pages that open with the chapter's title."""
    openings: dict[str, str] = {}
    for start in starts:
        if start.block < 0:
            openings[start.chapter] = openings.get(start.chapter, "") + opening_markers([start], fmt)
    return openings


def references_body(doc: Document, fmt: str) -> str:
    """The References entries: numbered for print, with back-links and page markers elsewhere."""
    entries = []
    for n, entry in enumerate(doc.references):
        if fmt == "pdf":
            entries.append(f'<div class="csl-entry" id="{entry.id}" data-block="{n}">{entry.html}</div>')
            continue
        # DPUB-ARIA 1.1 deprecates the doc-biblioentry role; the web edition's section is doc-bibliography.
        role = ' epub:type="biblioentry"' if fmt == "epub" else ""
        back = (f' <a class="backlink" href="#{entry.first_citation}" role="doc-backlink" '
                f'aria-label="Back to the first citation">↩</a>' if entry.first_citation else "")
        entries.append(f'<div class="csl-entry" id="{entry.id}"{role}>{entry.html}{back}</div>')
    markup = "".join(entries)
    if fmt == "pdf":
        return markup
    return insert_markers(markup, [s for s in doc.page_map if s.chapter == "references"], fmt)


def link_across_files(files: dict[str, str], lead: dict[str, str] | None = None) -> None:
    """Rewrite `#id` links whose target lives in another file of the edition to `file#id`; a link to
    the part a file shows (`lead`: file -> the part's id) becomes the bare file name."""
    home: dict[str, str] = {}
    for name, markup in files.items():
        for ident in ID.findall(markup):
            home.setdefault(ident, name)
    parts = {part: name for name, part in (lead or {}).items()}
    for name, markup in files.items():
        own = set(ID.findall(markup))

        def target(m: re.Match[str], own: set[str] = own) -> str:
            ident = m[1]
            if ident in own or ident not in home:
                return m[0]
            if parts.get(ident):
                return f'href="{parts[ident]}"'
            return f'href="{home[ident]}#{ident}"'

        files[name] = LINK.sub(target, markup)
