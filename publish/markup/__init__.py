"""Our Markdown: Python-Markdown with footnotes, tables, attribute lists, smart typography, what a Pandoc or
CommonMark user writes (fenced code, nested lists, strikethrough, definition lists, hard breaks, front
matter) and our extensions."""

from __future__ import annotations

import re

import markdown

from publish.markup.automail import AutomailExtension
from publish.markup.bounded import BoundedExtension
from publish.markup.breaks import HardBreakExtension
from publish.markup.citations import CitationExtension
from publish.markup.editorial import EditorialExtension
from publish.markup.fences import FenceSpacingExtension
from publish.markup.frontmatter import FrontMatterExtension
from publish.markup.lists import NestedListExtension
from publish.markup.speakers import SpeakerExtension
from publish.markup.tables import TableAlignExtension

# Smart typography as characters, not HTML entities, so every format reads the same text.
TYPOGRAPHY = {
    "left-single-quote": "‘", "right-single-quote": "’", "left-double-quote": "“",
    "right-double-quote": "”", "ellipsis": "…", "ndash": "–", "mdash": "—",
}


# A spaced dash ends its line, never starts the next: a no-break space ties it to the word before, in
# every edition (a browser or a reading system breaks before it as readily as WeasyPrint does).
SPACED_DASH = re.compile(r" ([–—])(?=\s)")


def tie_spaced_dashes(text: str) -> str:
    """Text (or markup holding no code) with each spaced dash tied to the word before it."""
    return SPACED_DASH.sub("\u00a0\\1", text)


def make_markdown(speakers: dict[str, str]) -> markdown.Markdown:
    """A Markdown converter for one book; its extensions keep per-book state (speakers seen)."""
    return markdown.Markdown(
        output_format="xhtml",
        extensions=[
            FrontMatterExtension(),
            "pymdownx.superfences",  # fenced code, in lists and quotations too
            "pymdownx.highlight",
            FenceSpacingExtension(),
            "pymdownx.tilde",
            "footnotes",
            "tables",
            TableAlignExtension(),
            "def_list",
            "sane_lists",
            NestedListExtension(),
            HardBreakExtension(),
            "attr_list",
            "smarty",
            CitationExtension(),
            EditorialExtension(),
            SpeakerExtension(speakers),
            BoundedExtension(),
            AutomailExtension(),
        ],
        extension_configs={
            "footnotes": {"SEPARATOR": "-", "BACKLINK_TEXT": "↩", "BACKLINK_TITLE": "Back to the text"},
            "smarty": {"smart_angled_quotes": False, "substitutions": TYPOGRAPHY},
            "tables": {"use_align_attribute": True},  # made classes by TableAlignExtension
            # `<pre><code class="language-python">`, no highlighting: the text as written, in every format.
            "pymdownx.highlight": {"use_pygments": False, "css_class": ""},
            "pymdownx.tilde": {"subscript": False},  # `~~struck~~` only; a lone `~` stays a tilde
        },
    )
