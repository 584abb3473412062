"""The position of each cite in a book, as CSL 1.0.2 defines it ("Position" in the specification's
conditions), in citeproc-js's numbers: first, subsequent, ibid, ibid-with-locator; and near-note
and the first reference's note number for note styles.

Worked out here, in reading order, so that citeproc-js can render each distinct cluster once.
"""

from __future__ import annotations

from dataclasses import dataclass

FIRST, SUBSEQUENT, IBID, IBID_WITH_LOCATOR = 0, 1, 2, 3


@dataclass(frozen=True)
class Cite:
    key: str
    locator: str = ""
    label: str = ""


def positions(clusters: list[list[Cite]], notes: list[int], near_note_distance: int = 5) -> list[list[dict]]:
    """For each cluster (one citation's cites, in reading order) and the note number it stands in (0
    in the text), each cite's position fields: `position`, and with notes `near-note` and
    `first-reference-note-number`."""
    first_note: dict[str, int] = {}
    last_note: dict[str, int] = {}
    previous: list[Cite] = []
    result = []
    for cites, note in zip(clusters, notes):
        fields = []
        for n, cite in enumerate(cites):
            before = cites[n - 1] if n else (previous[0] if len(previous) == 1 else None)
            if cite.key not in first_note:
                position = FIRST
            elif before is not None and before.key == cite.key:
                position = _ibid(before, cite)
            else:
                position = SUBSEQUENT
            field: dict = {"position": position}
            if note and cite.key in first_note:
                field["first-reference-note-number"] = first_note[cite.key]
                field["near-note"] = note - last_note[cite.key] <= near_note_distance
            fields.append(field)
            first_note.setdefault(cite.key, note)
            last_note[cite.key] = note
        result.append(fields)
        previous = cites
    return result


def _ibid(before: Cite, cite: Cite) -> int:
    """Ibid. when the locators agree (or neither has one); with a locator when this cite's differs or
    only it has one; a cite without the locator its predecessor had is only subsequent."""
    if (before.locator, before.label) == (cite.locator, cite.label):
        return IBID
    if cite.locator:
        return IBID_WITH_LOCATOR
    return SUBSEQUENT
