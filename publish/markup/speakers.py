"""Interview turns: a paragraph that begins `**LABEL:**`, LABEL a key of book.yaml `speakers`.

The label becomes `<span class="speaker">`: the full name with the label on a speaker's first
turn in the book, the label (an `<abbr>` carrying the name) afterwards.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree

from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor


class _SpeakerProcessor(Treeprocessor):
    def __init__(self, md: Markdown, speakers: dict[str, str]) -> None:
        super().__init__(md)
        self.speakers = speakers
        self.seen: set[str] = set()

    def run(self, root: etree.Element) -> None:
        for p in root.iter("p"):
            if (p.text or "").strip() or not len(p) or p[0].tag != "strong" or len(p[0]):
                continue
            label = (p[0].text or "").strip()
            if not label.endswith(":") or label[:-1] not in self.speakers:
                continue
            self._mark(p, p[0], label[:-1])

    def _mark(self, p: etree.Element, strong: etree.Element, label: str) -> None:
        name = self.speakers[label]
        p.set("class", " ".join(filter(None, [p.get("class"), "turn"])))
        p.set("data-speaker", label)
        strong.tag = "span"
        strong.set("class", "speaker")
        abbr = etree.SubElement(strong, "abbr", {"title": name})
        abbr.text = label
        if label in self.seen:
            strong.text = ""
            abbr.tail = ":"
        else:
            self.seen.add(label)
            strong.text = f"{name} ("
            abbr.tail = "):"


class SpeakerExtension(Extension):
    def __init__(self, speakers: dict[str, str]) -> None:
        super().__init__()
        self.speakers = speakers

    def extendMarkdown(self, md: Markdown) -> None:
        # After the inline patterns (20) have made <strong>, before attribute lists (8).
        md.treeprocessors.register(_SpeakerProcessor(md, self.speakers), "speakers", 15)
