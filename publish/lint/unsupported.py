"""The rule `unsupported-markdown`: Markdown of Pandoc, CommonMark or GitHub that publish does not read,
and would otherwise print wrongly or drop without a word, reported where it is written.

What it finds: math (`$x$`, `$$x$$`), task-list boxes (`- [ ]`), Pandoc's inline notes (`^[note]`),
fenced divs (`:::`), line blocks (`| verse`), ordered lists
marked `1)`, and raw HTML elements or attributes that the sanitiser removes (`<details>`, `style=`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from publish.lint.registry import Source, per_chapter, rule
from publish.markup.sanitize import ATTRIBUTES, TAGS

SKIPPED = ("code", "html")  # code is literal; an HTML block's tags are read below, on the whole text

# Pandoc's rule: `$` then a non-space; a non-space then `$`, not followed by a digit ($20 and $30 is money).
_MATH = re.compile(r"(?<![\\$])\$\$(?P<display>.+?)\$\$|(?<![\\$\w])\$(?=[^\s$])(?P<inline>[^$\n]*?[^\s\\$])\$(?![\d$])",
                   re.DOTALL)
_TASK = re.compile(r"^[ \t>]*(?:[-*+]|\d{1,9}\.)[ \t]+(?P<box>\[[ xX]\])(?=[ \t])", re.MULTILINE)
_INLINE_NOTE = re.compile(r"(?<![\\\]])\^\[")
_FENCED_DIV = re.compile(r"^ {0,3}:{3,}[ \t]*[^:\s]", re.MULTILINE)  # an opening fence: a class or word after it
_PAREN_LIST = re.compile(r" {0,3}\d{1,9}\)[ \t]")
_LINE_BLOCK = re.compile(r" {0,3}\|(?: |$)")
_TABLE_RULE = re.compile(r"^[ \t|:-]+$", re.MULTILINE)
_TAG = re.compile(r"<(?P<tag>[A-Za-z][\w-]*)(?P<attributes>(?:\s[^<>]*?)?)/?>")
_ATTRIBUTE = re.compile(r"(?P<name>[^\s=/>\"']+)(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?")
# Removed with their content, not only their tags.
_DROPPED_WHOLE = {"script", "style", "template", "textarea", "title", "noscript", "iframe", "object"}


@rule("unsupported-markdown", "Markdown that publish does not read: math, task lists, inline notes, fenced "
                              "divs, line blocks, `1)` lists, raw HTML the sanitiser removes")
@per_chapter
def unsupported_markdown(source: Source) -> Iterator[tuple[int, str]]:
    yield from _math(source)
    yield from _tasks(source)
    yield from _notes(source)
    yield from _blocks(source)
    yield from _raw_html(source)


def _math(source: Source) -> Iterator[tuple[int, str]]:
    for m in _MATH.finditer(source.masked):
        kind = "display math '$$…$$'" if m["display"] is not None else "math '$…$'"
        yield m.start(), (f"{kind} is not supported: it would print as written, dollar signs and all; "
                          "write the formula as text (or an image), or escape a dollar sign as '\\$'")


def _tasks(source: Source) -> Iterator[tuple[int, str]]:
    for m in _TASK.finditer(source.masked):
        yield m.start("box"), (f"task-list box '{m['box']}' is not supported: it would read as an editorial "
                               "bracket; write the item without it (or with ☐ or ☑)")


def _notes(source: Source) -> Iterator[tuple[int, str]]:
    text = source.masked
    for m in _INLINE_NOTE.finditer(text):
        yield m.start(), ("inline note '^[…]' is not supported: write a footnote reference '[^1]' in the text "
                          "and the note as '[^1]: …' on a line of its own")
    # A footnote reference without a definition is the parser's error (publish/anchors.py), not a lint.


def _blocks(source: Source) -> Iterator[tuple[int, str]]:
    for m in _FENCED_DIV.finditer(source.masked):
        yield m.start(), ("fenced div ':::' is not supported: its fences would print as text; a class for "
                          "a paragraph is written after it, '{.class}'")
    for block in source.blocks:
        if block.kind in SKIPPED:
            continue
        text = source.block_text(block)
        lines = text.split("\n")
        if _PAREN_LIST.match(text):
            yield block.start, "an ordered list item marked '1)' is not supported: write '1.'"
        elif all(_LINE_BLOCK.match(line) for line in lines) and not _TABLE_RULE.search(text):
            yield block.start, ("line block ('| ' at the start of each line) is not supported: end each line "
                                "with a backslash '\\' to break it there")


def _raw_html(source: Source) -> Iterator[tuple[int, str]]:
    for m in _TAG.finditer(source.code_free):
        tag = m["tag"].lower()
        if tag not in TAGS:
            kept = "removed with its content" if tag in _DROPPED_WHOLE else "removed (its text is kept)"
            yield m.start(), f"raw HTML <{tag}> is not supported: the element is {kept}"
            continue
        allowed = ATTRIBUTES["*"] | ATTRIBUTES.get(tag, set())
        for attribute in _ATTRIBUTE.finditer(m["attributes"]):
            name = attribute["name"].lower()
            if name not in allowed and not name.startswith("data-"):
                yield m.start("attributes") + attribute.start(), (
                    f"attribute '{name}' of <{tag}> is not supported: it is removed")
