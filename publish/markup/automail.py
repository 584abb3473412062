"""Python-Markdown's automatic e-mail link, `<ed@example.org>`, with the backslash escapes in it
restored. The stock pattern writes every letter as a character reference before the escapes are
restored, so `<\\>@x>` left the parser's own placeholder characters (STX, ETX, which XML cannot hold)
in the address and its text."""

from __future__ import annotations

import re

import markdown
from markdown import inlinepatterns as patterns
from markdown import util

PLACEHOLDER = re.compile(f"[{util.STX}{util.ETX}]")  # what any pattern's placeholder starts or ends with
ESCAPED = re.compile(f"{util.STX}(\\d+){util.ETX}")  # how the escape pattern stashes `\>`


def restored(processor: patterns.InlineProcessor, text: str) -> str:
    """Text an inline pattern matched, with what earlier patterns stashed in it (a backslash escape, a
    code span) given back as plain text: for a pattern that keeps the text apart from the tree."""
    return ESCAPED.sub(lambda e: chr(int(e.group(1))), processor.unescape(text))


class _Automail(patterns.AutomailInlineProcessor):
    def handleMatch(self, m: re.Match[str], data: str):  # type: ignore[override]
        address = restored(self, m.group(1))
        if PLACEHOLDER.search(address):  # another construct's placeholder: no address
            return None, None, None
        element, _, _ = super().handleMatch(re.fullmatch(r"(.*)", address, re.S), data)
        return element, m.start(0), m.end(0)


class AutomailExtension(markdown.Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.inlinePatterns.register(_Automail(patterns.AUTOMAIL_RE, md), "automail", 110)
