"""The editorial-conventions note: generated for each book from the editorial marks it contains."""

from __future__ import annotations

from collections import Counter
from html import escape

from publish.model import Chapter, Document, Heading

NOTE_ID = "editorial-conventions"
TITLE = "Editorial Conventions"


def _instances(count: int) -> str:
    return f"{count} instance{'s' if count != 1 else ''}"


def editorial_counts(doc: Document) -> Counter[str]:
    counts: Counter[str] = Counter()
    for chapter in doc.chapters:
        counts.update(chapter.editorial_counts)
    return counts


def conventions_chapter(doc: Document) -> Chapter | None:
    """The note, or None for a book with no editorial marks and no interview."""
    counts = editorial_counts(doc)
    sentences = []
    if counts["insert"]:
        sentences.append(f"Words in square brackets were supplied by the editor ({_instances(counts['insert'])}).")
    if counts["omission"]:
        sentences.append(f"An ellipsis in square brackets, […], marks words left out "
                         f"({_instances(counts['omission'])}).")
    if counts["sic"]:
        sentences.append(f"[<i>sic</i>] follows a word or phrase printed as "
                         f"the original has it, though it looks mistaken ({_instances(counts['sic'])}).")
    if counts["note"]:
        sentences.append(f"A note in square brackets ending “– ed.” is the editor’s ({_instances(counts['note'])}).")
    if doc.config.speakers:
        legend = "; ".join(f"{escape(label)}, {escape(name)}" for label, name in doc.config.speakers.items())
        sentences.append(f"Speakers are named in full at their first turn and by their initials after it: "
                         f"{legend}.")
    if not sentences:
        return None
    body = "".join(f"<p>{s}</p>" for s in sentences)
    return Chapter(NOTE_ID, "front", Heading(1, NOTE_ID, TITLE, TITLE), [], body, [], doc.chapters[0].source)


def place_conventions(doc: Document) -> None:
    """Put the note in the front matter, after the book's own editorial note if it has one."""
    note = conventions_chapter(doc)
    if note is None:
        return
    ids = [c.id for c in doc.chapters]
    if "editorial-note" in ids:
        at = ids.index("editorial-note") + 1
    else:
        at = len(doc.chapters_in("front"))
    doc.chapters.insert(at, note)
