"""Hard line breaks for verse, letters and addresses: a backslash at the end of a line, as CommonMark
and Pandoc write one (two trailing spaces, Python-Markdown's own form, work as well)."""

from __future__ import annotations

from markdown import Extension, Markdown
from markdown.inlinepatterns import SubstituteTagInlineProcessor

BACKSLASH_BREAK_RE = r"\\\n"


class HardBreakExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        # Before the backslash escapes (180), which leave a backslash before a newline as it is.
        md.inlinePatterns.register(SubstituteTagInlineProcessor(BACKSLASH_BREAK_RE, "br"), "backslash-break", 185)
