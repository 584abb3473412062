"""YAML front matter at the start of a chapter, as Pandoc, Jekyll and Hugo write it: `---`, YAML (not a
blank line first), `---` (or `...`). Its `title` is the chapter's title when the chapter has no
`# heading`; the book's metadata is book.yaml's, so every other key is reported as not used.

The block is taken out before Markdown reads the chapter; what it holds and the problems found in it
(with their line and column in the chapter) are kept on `md.front_matter` and
`md.front_matter_problems` for the parse stage to report.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor

OPENING = re.compile(r"---[ \t]*$")
CLOSING = re.compile(r"(?:---|\.\.\.)[ \t]*$")
ATX_TITLE = re.compile(r" {0,3}#(?:[ \t]|$)")
SETEXT_TITLE = re.compile(r" {0,3}=+[ \t]*$")
KEYS = ("title",)

Problem = tuple[int, int, str, str]  # line, column, "error" or "warning", message


def split_front_matter(lines: list[str]) -> tuple[list[str], list[str]] | None:
    """(the front matter's lines, the chapter's lines after it), or None when it has none."""
    if len(lines) < 2 or not OPENING.match(lines[0]) or not lines[1].strip():
        return None  # as in Pandoc, the opening line is followed by YAML, not by a blank line
    for index in range(1, len(lines)):
        if CLOSING.match(lines[index]):
            return lines[1:index], lines[index + 1:]
    return None  # never closed: a thematic break, not front matter


def front_matter_end(text: str) -> int:
    """Offset just past a chapter's front matter (its closing line), 0 when it has none."""
    lines = text.split("\n")
    split = split_front_matter(lines)
    if split is None:
        return 0
    return len("\n".join(lines[:len(split[0]) + 2]))


def read_front_matter(lines: list[str]) -> tuple[dict[str, Any], list[Problem]]:
    """The keys of a front matter block and the problems in it; line 1 is the opening `---`."""
    text = "\n".join(lines)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line, col = (mark.line + 2, mark.column + 1) if mark else (1, 1)
        problem = getattr(error, "problem", None) or str(error)
        return {}, [(line, col, "error", f"front matter is not valid YAML: {problem}")]
    if data is None:
        return {}, []
    if not isinstance(data, dict) or node is None:
        return {}, [(2, 1, "error", "front matter must be a mapping of keys to values ('title: ...')")]
    problems: list[Problem] = []
    for key_node, _ in node.value:
        key, line, col = key_node.value, key_node.start_mark.line + 2, key_node.start_mark.column + 1
        if key not in KEYS:
            message = (f"front matter key '{key}' is not used: a chapter's front matter gives only its "
                       "'title' (the book's metadata belongs in book.yaml)")
            problems.append((line, col, "warning", message))
        elif not isinstance(data[key], (str, int, float)) or not str(data[key]).strip():
            problems.append((line, col, "error", "front matter 'title' must be a line of text"))
            del data[key]
    return {k: str(v).strip() for k, v in data.items() if k in KEYS}, problems


def begins_with_title(lines: list[str]) -> bool:
    """Whether the text begins with a level-1 heading, `# Title` or a title underlined with `=`."""
    written = [line for line in lines if line.strip()]
    if not written:
        return False
    first = lines.index(written[0])
    following = lines[first + 1] if first + 1 < len(lines) else ""
    return bool(ATX_TITLE.match(written[0]) or SETEXT_TITLE.match(following))


class _FrontMatter(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        split = split_front_matter(lines)
        if split is None:
            return lines
        front, rest = split
        data, problems = read_front_matter(front)
        self.md.front_matter, self.md.front_matter_problems = data, problems
        title = data.get("title")
        if title and not begins_with_title(rest):
            rest = [f"# {title}", ""] + rest
        return rest


class FrontMatterExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        self.md = md
        md.registerExtension(self)
        self.reset()
        # Before the whitespace is normalised (30) and fenced blocks are stashed (25).
        md.preprocessors.register(_FrontMatter(md), "front-matter", 35)

    def reset(self) -> None:
        self.md.front_matter = {}
        self.md.front_matter_problems = []
