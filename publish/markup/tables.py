"""Aligned table columns (`|:---:|`) as classes, `align-left`, `align-center`, `align-right`: the
`align` attribute Python-Markdown writes is obsolete in HTML5, and EPUBCheck rejects it."""

from __future__ import annotations

import xml.etree.ElementTree as etree

from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor

ALIGNMENTS = ("left", "center", "right")


class _AlignClasses(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        for cell in root.iter():
            if cell.tag not in ("th", "td") or "align" not in cell.attrib:
                continue
            align = cell.attrib.pop("align")
            if align in ALIGNMENTS:
                cell.set("class", " ".join(filter(None, [cell.get("class"), f"align-{align}"])))


class TableAlignExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        md.treeprocessors.register(_AlignClasses(md), "table-align", 18)
