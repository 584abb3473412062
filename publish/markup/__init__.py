"""Our Markdown: Python-Markdown with footnotes, tables, attribute lists, smart typography and our extensions."""

from __future__ import annotations

import markdown

from publish.markup.citations import CitationExtension
from publish.markup.editorial import EditorialExtension
from publish.markup.speakers import SpeakerExtension

# Smart typography as characters, not HTML entities, so every format reads the same text.
TYPOGRAPHY = {
    "left-single-quote": "‘", "right-single-quote": "’", "left-double-quote": "“",
    "right-double-quote": "”", "ellipsis": "…", "ndash": "–", "mdash": "—",
}


def make_markdown(speakers: dict[str, str]) -> markdown.Markdown:
    """A Markdown converter for one book; its extensions keep per-book state (speakers seen)."""
    return markdown.Markdown(
        output_format="xhtml",
        extensions=[
            "footnotes",
            "tables",
            "attr_list",
            "smarty",
            CitationExtension(),
            EditorialExtension(),
            SpeakerExtension(speakers),
        ],
        extension_configs={
            "footnotes": {"SEPARATOR": "-", "BACKLINK_TEXT": "↩", "BACKLINK_TITLE": "Back to the text"},
            "smarty": {"smart_angled_quotes": False, "substitutions": TYPOGRAPHY},
            "tables": {"use_align_attribute": True},
        },
    )
