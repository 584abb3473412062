"""The linter's rules: what PDF extraction and hand editing leave behind in a manuscript.

Each rule reads the chapter text with code, comments, tags and link destinations masked out (see
`publish.lint.mask`), so that nothing inside them is reported.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from publish.lint.registry import MASK, Block, Finding, Manuscript, Source, per_chapter, rule

PROSE = ("text", "quote")
NOT_PROSE = ("code", "html", "rule")


def _pairs(source: Source) -> Iterator[tuple[Block, Block]]:
    """Consecutive prose paragraphs of the same kind: where a page break may have split one."""
    for a, b in zip(source.blocks, source.blocks[1:]):
        if a.kind == b.kind and a.kind in PROSE:
            yield a, b


def _escaped(text: str, at: int) -> bool:
    backslashes = 0
    while at - backslashes - 1 >= 0 and text[at - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


# --- brackets and quotation marks ------------------------------------------------------------------

@rule("unbalanced-brackets", "a square bracket opened or closed without its partner in the paragraph")
@per_chapter
def unbalanced_brackets(source: Source) -> Iterator[tuple[int, str]]:
    for block in source.blocks:
        if block.kind in NOT_PROSE:
            continue
        opened: list[int] = []
        for m in re.finditer(r"[\[\]]", source.block_text(block)):
            at = block.start + m.start()
            if _escaped(source.masked, at):
                continue
            if m[0] == "[":
                opened.append(at)
            elif opened:
                opened.pop()
            else:
                yield at, "']' closes no '[' in this paragraph"
        for at in opened:
            yield at, "'[' is not closed in this paragraph"


_OPENS_AFTER = set(" \t\n([{—–\u00a0") | {MASK}


def _before(text: str, at: int, start: int) -> str:
    """The character before `at`, looking through emphasis markers and a block quote's '>'."""
    at -= 1
    while at >= start and text[at] in "*_":
        at -= 1
    return text[at] if at >= start and text[at] != ">" else " "


@rule("unbalanced-quotes", "a quotation mark opened or closed without its partner in the paragraph")
@per_chapter
def unbalanced_quotes(source: Source) -> Iterator[tuple[int, str]]:
    prose = [b for b in source.blocks if b.kind not in NOT_PROSE]
    for i, block in enumerate(prose):
        text = source.masked
        doubles: list[int] = []
        singles: list[int] = []
        for m in re.finditer(r"[“”\"‘’']", source.block_text(block)):
            at, mark = block.start + m.start(), m[0]
            before = _before(text, at, block.start)
            after = text[at + 1] if at + 1 < block.end else " "
            if mark == "“" or (mark == '"' and before in _OPENS_AFTER | set("‘'")):
                doubles.append(at)
            elif mark in "”\"":
                if doubles:
                    doubles.pop()
                else:
                    yield at, f"closing quotation mark {mark} with no opening one in this paragraph"
            elif mark == "‘" or (mark == "'" and before in _OPENS_AFTER | set("“\"") and after.isalpha()):
                singles.append(at)
            elif not after.isalpha() and singles:
                singles.pop()  # a closing single quote; one without an opener is an apostrophe
        # A quotation running over several paragraphs closes only at its end; each of its paragraphs
        # opens with a quotation mark.
        following = prose[i + 1] if i + 1 < len(prose) else None
        continued = following is not None and following.kind == block.kind and re.match(
            r"[\s>*_]*[“\"]", source.block_text(following))
        if not continued:
            for at in doubles:
                yield at, "quotation mark opened here is not closed in this paragraph"
        for at in singles:
            yield at, "single quotation mark opened here is not closed in this paragraph"


# --- paragraphs split by the source's page breaks ------------------------------------------------

_TAIL = re.compile(r"(?:[\s*_" + MASK + r"]|\[\^[^\]]+\]|\[[^\[\]]*@[^\[\]]*\])*$")
_CLOSERS = "”’\"')]»*_"
_FINAL = ".!?…:;—–"


def _last(source: Source, block: Block) -> int:
    """Offset of the last character that could end a sentence (trailing notes, citations, markup,
    closing quotes and brackets passed over); -1 if none."""
    text = source.block_text(block)
    end = _TAIL.search(text).start()
    while end > 0 and text[end - 1] in _CLOSERS:
        end -= 1
    return block.start + end - 1 if end > 0 else -1


def _starts_lower(source: Source, block: Block) -> bool:
    """Whether a paragraph begins in lower case (or with a figure: "1989 to" / "1991 …")."""
    m = re.match(r"[\s>*_“‘\"'(\[]*(\w)", source.block_text(block))
    return bool(m and (m[1].islower() or m[1].isdigit()))


_SPLIT_WORD = re.compile(r"(\w+)[-\u2010\u00ad]$")


@rule("hyphen-split", "a word hyphenated across two paragraphs")
@per_chapter
def hyphen_split(source: Source) -> Iterator[tuple[int, str]]:
    for a, b in _pairs(source):
        head = _SPLIT_WORD.search(source.block_text(a).rstrip())
        if head and _starts_lower(source, b):
            tail = re.match(r"[\s>*_]*(\w+)", source.block_text(b))
            word = tail[1] if tail else ""
            at = a.start + head.end() - 1
            yield at, (f"'{head[1]}-' and '{word}' are one word split across two paragraphs by a page break: "
                       f"join them ('{head[1]}{word}' or '{head[1]}-{word}')")


@rule("page-break-split", "a paragraph split in two by a page break of the source")
@per_chapter
def page_break_split(source: Source) -> Iterator[tuple[int, str]]:
    for a, b in _pairs(source):
        last = _last(source, a)
        if last < 0 or source.masked[last] in _FINAL or _SPLIT_WORD.search(source.block_text(a).rstrip()):
            continue
        if _starts_lower(source, b):
            yield last, ("paragraph ends without closing punctuation and the next begins in lower case "
                         "or with a figure: "
                         "a page break of the source split it; join them")


# --- links and citations -------------------------------------------------------------------------

_EMPTY_LINK = re.compile(r"(?<!\\)\[(?P<text>[^\[\]]*)\]\(\s*(?:<\s*>|#?)\s*\)")
_EMPTY_HREF = re.compile(r"""<a\s[^>]*?\bhref\s*=\s*(?:"\s*#?\s*"|'\s*#?\s*')""", re.I)
_REFERENCE = re.compile(r"(?<![\\\]])\[(?P<text>[^\[\]]+)\]\[(?P<ref>[^\[\]]*)\](?![(:])")
_DEFINITION = re.compile(r"^ {0,3}\[(?P<ref>[^\]^][^\]]*)\]:", re.M)
_FRAGMENT = re.compile(r"(?<!\\)\[[^\[\]]*\]\(\s*<?#(?P<id>[^\s)>]+)>?(?:\s+[\"'][^\"']*[\"'])?\s*\)")


@rule("dead-link", "a link that goes nowhere: empty or '#' targets, undefined references, unknown ids")
def dead_links(manuscript: Manuscript) -> Iterator[Finding]:
    ids = manuscript.ids
    for source in manuscript.sources:
        text = source.code_free
        for m in _EMPTY_LINK.finditer(text):
            image = m.start() > 0 and text[m.start() - 1] == "!"
            what = "image" if image else "link"
            yield Finding(source, m.start() - image, f"{what} '{m['text']}' has an empty target")
        for m in _EMPTY_HREF.finditer(text):
            yield Finding(source, m.start(), "link has an empty target")
        defined = {d["ref"].strip().lower() for d in _DEFINITION.finditer(text)}
        for m in _REFERENCE.finditer(text):
            ref = (m["ref"] or m["text"]).strip().lower()
            if ref not in defined:
                yield Finding(source, m.start(), f"reference link to '[{m['ref'] or m['text']}]' has no "
                                                 f"definition ('[{m['ref'] or m['text']}]: URL')")
        if ids is not None:
            for m in _FRAGMENT.finditer(text):
                if m["id"] not in ids:
                    yield Finding(source, m.start(), f"link to '#{m['id']}': no heading or element has that id")


_LEGACY = re.compile(
    r"(?<!\\)\[(?P<body>(?P<year>1[5-9]\d\d|20\d\d)[a-z]?(?:\s*:\s*(?P<pages>[\divxlc]+(?:\s*[-–—,]\s*[\divxlc]+)*))?"
    r"|(?P<number>\d{1,3})(?:\s*[:,]\s*(?:pp?\.\s*)?\d+(?:\s*[-–]\s*\d+)*)?)\]")


@rule("legacy-citation", "a citation or note number in the source's own form, not converted")
@per_chapter
def legacy_citations(source: Source) -> Iterator[tuple[int, str]]:
    for m in _LEGACY.finditer(source.masked):
        following = source.text[m.end():m.end() + 1]
        if following in ("(", "[", ":"):
            continue  # a link, a reference link or a definition
        if m["year"]:
            example = f"[@key, {m['pages']}]" if m["pages"] else "[@key]"
            yield m.start(), (f"'{m[0]}' is a citation in the source's form: write it as a citation "
                              f"against the bibliography, {example}")
        else:
            yield m.start(), (f"'{m[0]}' looks like a note or reference number left from the source: make "
                              f"it a footnote ([^{m['number']}]) or a citation ([@key])")


_CITATION = re.compile(r"(?<!\\)\[[^\[\]]*@[^\[\]]*\]")
_RANGE = re.compile(r"(?<![\w.])(?P<first>\d+)(?P<sep>\s*(?:[-–—]|to)\s*)(?P<last>\d+)(?![\w.])")


@rule("page-range-form", "page ranges in citations written in more than one form, abbreviated or reversed")
def page_range_forms(manuscript: Manuscript) -> Iterator[Finding]:
    ranges = []
    for source in manuscript.sources:
        for citation in _CITATION.finditer(source.masked):
            for part in re.finditer(r"@[^;\]]*", citation[0]):
                comma = part[0].find(",")
                if comma < 0:
                    continue
                for m in _RANGE.finditer(part[0], comma):
                    ranges.append((source, citation.start() + part.start() + m.start(), m))
    forms = Counter(m["sep"] for _, _, m in ranges)
    usual = max(forms, key=lambda sep: (forms[sep], sep == "-")) if forms else "-"
    for source, at, m in ranges:
        first, last = m["first"], m["last"]
        if len(last) < len(first) and int(first[:-len(last)] + last) > int(first):
            yield Finding(source, at, f"page range '{m[0]}' is abbreviated: write both numbers in full "
                                      f"('{first}{m['sep']}{first[:-len(last)]}{last}'); the citation style "
                                      f"shortens ranges itself")
        elif int(last) <= int(first):
            yield Finding(source, at, f"page range '{m[0]}' ends before it starts")
        elif m["sep"] != usual:
            yield Finding(source, at, f"page range '{m[0]}' is written with '{m['sep']}' where this book's "
                                      f"other ranges use '{usual}' ('{first}{usual}{last}')")


# --- spacing -------------------------------------------------------------------------------------

# What may stand before aligning spaces at the start of a line: list markers, quotation marks of a
# block quote, heading marks, note and link definitions (`1.  Item`, `>  text`, `[^1]:  A note`).
_LINE_MARKUP = re.compile(r"\s*(?:(?:[-*+]|\d{1,9}[.)]|>|#{1,6}|\[\^?[^\]]+\]:)\s*)+")


@rule("double-space", "two or more spaces between words")
@per_chapter
def double_spaces(source: Source) -> Iterator[tuple[int, str]]:
    for block in source.blocks:
        if block.kind in NOT_PROSE or block.kind == "table":
            continue
        for m in re.finditer(r"(?<=\S)[ \t]{2,}(?=\S)", source.block_text(block)):
            at = block.start + m.start()
            line_start = source.masked.rfind("\n", 0, at) + 1
            if _LINE_MARKUP.fullmatch(source.masked[line_start:at + len(m[0])]):
                continue
            yield at, f"{len(m[0])} spaces where one belongs"


@rule("space-before-punctuation", "a space before a comma, full stop, colon, semicolon, ! or ?")
@per_chapter
def space_before_punctuation(source: Source) -> Iterator[tuple[int, str]]:
    # French sets a (thin) space before ; : ! ? — only the comma and full stop are checked there.
    marks = ",." if source.language.lower().startswith("fr") else ",.;:!?"
    pattern = re.compile(rf"(?<=[^\s{MASK}])[ \t]+(?=[{re.escape(marks)}](?![.\d]))")
    for block in source.blocks:
        if block.kind in NOT_PROSE or block.kind == "table":
            continue
        for m in pattern.finditer(source.block_text(block)):
            mark = source.masked[block.start + m.end()]
            yield block.start + m.start(), f"space before '{mark}'"
