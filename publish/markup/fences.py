"""A fenced code block that interrupts a paragraph (`Text:` then ```` ``` ```` on the next line), as
CommonMark allows: pymdownx.superfences stashes the block, but leaves its placeholder on a line of the
paragraph, and the block would be written inside the `<p>`. A blank line on either side of each
placeholder (inside a block quotation, a `>` line) makes the block one of its own."""

from __future__ import annotations

import re

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor
from markdown.util import HTML_PLACEHOLDER

PLACEHOLDER_LINE = re.compile(r"(?P<prefix>[ >]*)" + re.escape(HTML_PLACEHOLDER).replace(r"%s", r"\d+") + r"\s*")


class _FenceSpacing(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        for index, line in enumerate(lines):
            m = PLACEHOLDER_LINE.fullmatch(line)
            if m is None:
                out.append(line)
                continue
            blank = m["prefix"].rstrip(" ")  # '' or the quotation's '>'
            if out and out[-1].strip(" >"):
                out.append(blank)
            out.append(line)
            if index + 1 < len(lines) and lines[index + 1].strip(" >"):
                out.append(blank)
        return out


class FenceSpacingExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        # After superfences has stashed the fenced blocks (25), before raw HTML blocks are (20).
        md.preprocessors.register(_FenceSpacing(md), "fence-spacing", 24)
