"""Citations as footnotes, for a note style (`class="note"`): before the citations are formatted,
each citation in the text becomes a footnote of its own at the place it stood (a citation already in
a footnote stays there), and the book's notes are numbered again in reading order, so that the
engine sees every citation's note number (ibid., short forms) and all three editions show the notes.

A narrative citation (`@key`) leaves the author's name in the text, its note after it.
"""

from __future__ import annotations

import re

from lxml import etree

from publish.model import Chapter, Citation, Note

NOTEREF = re.compile(r'<a class="noteref" id="noteref-(\d+)" href="#note-\d+">\d+</a>')


def citations_to_notes(chapters: list[Chapter], citations: list[Citation]) -> dict[str, int]:
    """Move every citation of the text into a new footnote and number all notes anew; returns the
    note number of each citation (by id)."""
    by_id = {c.id: c for c in citations}
    number = 0
    note_of: dict[str, int] = {}
    for chapter in chapters:
        old = {note.number: note for note in chapter.notes}
        root = etree.fromstring(f"<div>{chapter.body}</div>")
        notes: list[Note] = []
        for element in list(root.iter("a", "span")):
            if element.tag == "a" and element.get("class") == "noteref":
                note = old.get(int(element.get("id", "noteref-0").removeprefix("noteref-")))
                if note is None:
                    continue
                number += 1
                _number(element, number)
                notes.append(Note(number, f"note-{number}", f"noteref-{number}", note.html))
                for cid in re.findall(r'class="citation" id="([^"]+)"', note.html):
                    note_of[cid] = number
            elif element.get("class") == "citation" and element.get("id") in by_id:
                number += 1
                notes.append(_moved(element, by_id[element.get("id")], number))
                note_of[element.get("id")] = number
        chapter.body = (root.text or "") + "".join(etree.tostring(c, encoding="unicode") for c in root)
        chapter.notes = notes
    return note_of


def _number(ref: etree._Element, number: int) -> None:
    ref.set("id", f"noteref-{number}")
    ref.set("href", f"#note-{number}")
    ref.text = str(number)


def _after_punctuation(ref: etree._Element) -> None:
    """The note reference against the word before it and after the punctuation that follows it, as
    Pandoc places it: "shows [@a]." -> "shows.¹"."""
    previous, parent = ref.getprevious(), ref.getparent()
    if previous is not None:
        previous.tail = (previous.tail or "").rstrip(" \u00a0") or None
    else:
        parent.text = (parent.text or "").rstrip(" \u00a0") or None
    match = re.match(r"[.,;:!?]+", ref.tail or "")
    if match:
        ref.tail = ref.tail[match.end():] or None
        if previous is not None:
            previous.tail = (previous.tail or "") + match[0]
        else:
            parent.text = (parent.text or "") + match[0]


def _moved(span: etree._Element, citation: Citation, number: int) -> Note:
    """The citation's span replaced by a note reference (after the author's name, for a narrative
    citation), and the note holding it."""
    ref = etree.Element("a", {"class": "noteref"})
    _number(ref, number)
    ref.tail = span.tail
    parent = span.getparent()
    if citation.narrative:
        author = etree.Element("span", {"class": "citation-author", "data-citation": citation.id})
        author.text = ""
        parent.replace(span, author)
        author.addnext(ref)
    else:
        parent.replace(span, ref)
    span.tail = None
    _after_punctuation(ref)
    note = etree.Element("p")
    note.append(span)
    return Note(number, f"note-{number}", f"noteref-{number}", etree.tostring(note, encoding="unicode"))
