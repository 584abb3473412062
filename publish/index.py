"""The back-of-book index: marks in the text and the terms of `index.yaml` -> the entries of each index,
their places anchored in the text; the printed page of every place read from the print layout's page map.

An index is a generated back-matter chapter (its `Chapter.index`), rendered by publish/render/indexes.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from publish.diagnostics import Diagnostics, fail, position
from publish.markup.index import MARK
from publish.model import Chapter, Heading, PageStart, SourcePosition

DEFAULT = "index"
ACTIONS = ("place", "start", "end", "see", "see-also")
LITERAL = {"code", "pre", "kbd", "samp"}
# Text a term is never found in: what the book's editions generate (a speaker's name, a citation's
# rendered author) or print elsewhere as a mark.
UNSEARCHED = {"speaker", "citation", "citation-author", "ix", "noteref"}
INDEX_FILE = "index.yaml"


@dataclass(frozen=True)
class TermSpec:
    """A term of `index.yaml`: the entry (with its sub-entries), the words and patterns that find it in
    the text, the phrases where a match is not it, its cross-references."""

    path: tuple[str, ...]
    index: str
    finds: tuple[str, ...] = ()  # regular expressions
    excludes: tuple[str, ...] = ()
    see: tuple[tuple[str, ...], ...] = ()
    see_also: tuple[tuple[str, ...], ...] = ()
    sort: str = ""
    line: int = 0


@dataclass
class IndexConfig:
    """What `index.yaml` says: the indexes (name, title, line) in order, and the terms."""

    path: Path | None
    indexes: list[tuple[str, str, int]]
    terms: list[TermSpec]
    unsearched: tuple[str, ...] = ()  # chapter files the terms are not looked for in (`skip`)
    root: Path | None = None  # the book's directory, where index.yaml is or would be

    @property
    def file(self) -> Path:
        """The index.yaml the book has, or the one it would have (the index chapters' source)."""
        return self.path or (self.root or Path()) / INDEX_FILE

    @property
    def names(self) -> list[str]:
        return [name for name, _, _ in self.indexes]


@dataclass(frozen=True)
class Mark:
    """One index mark: its anchor in the text (`ix-12`), its index, the entry's path, what it does
    (a place, the start or end of a range, a see or see-also reference to `target`)."""

    anchor: str
    index: str
    path: tuple[str, ...]
    action: str
    source: SourcePosition
    chapter: str = ""
    target: tuple[str, ...] = ()
    passim: bool = False


@dataclass
class BookIndex:
    """One index of the book: its name, title, marks, and (after the print layout) each anchor's page."""

    name: str
    title: str
    language: str
    range_form: str
    marks: list[Mark] = field(default_factory=list)
    sorting: dict[tuple[str, ...], str] = field(default_factory=dict)  # a term's sort form, from index.yaml
    pages: dict[str, PageStart] = field(default_factory=dict)


def parse_mark(body: str, names: list[str]) -> tuple[str, tuple[str, ...], str, tuple[str, ...], bool]:
    """(index, path, action, target, passim) of a mark's content: `names: Bukharin!and Lenin|(`."""
    index = DEFAULT if DEFAULT in names or not names else names[0]
    head, colon, rest = body.partition(":")
    if colon and head.strip() in names:
        index, body = head.strip(), rest
    term, bar, action = body.rpartition("|") if "|" in body else (body, "", "")
    action = action.strip()
    path = split_path(term)
    if not bar:
        return index, path, "place", (), False
    if action in ("(", "(passim"):
        return index, path, "start", (), action == "(passim"
    if action == ")":
        return index, path, "end", (), False
    if action.startswith("see also "):
        return index, path, "see-also", split_path(action[9:]), False
    if action.startswith("see "):
        return index, path, "see", split_path(action[4:]), False
    raise ValueError(f"'|{action}' is no index action (use |( and |) for a range, |(passim, |see X, "
                     "|see also X)")


def split_path(term: str) -> tuple[str, ...]:
    return tuple(" ".join(part.split()) for part in term.split("!") if part.strip())


# index.yaml --------------------------------------------------------------------------------------

def load_index_config(root: Path) -> IndexConfig:
    """The book's `index.yaml`, or an empty config; a malformed one raises ManuscriptError at its line."""
    from publish.yamlfile import load_yaml

    path = root / INDEX_FILE
    if not path.is_file():
        return IndexConfig(None, [], [], root=root)
    data, node = load_yaml(path, path.read_text(encoding="utf-8"))
    data = data or {}
    if not isinstance(data, dict):
        raise fail(path, "index.yaml must be a mapping with 'indexes' and 'terms'", 1, 1)
    lines = _item_lines(node)
    indexes = []
    for n, item in enumerate(data.get("indexes") or []):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise fail(path, "each of 'indexes' needs a 'name' (and a 'title')", *lines["indexes"][n])
        indexes.append((item["name"], str(item.get("title") or "Index"), lines["indexes"][n][0]))
    names = [name for name, _, _ in indexes] or [DEFAULT]
    terms = [_term(item, names, path, lines["terms"][n]) for n, item in enumerate(data.get("terms") or [])]
    skip = data.get("skip") or []
    return IndexConfig(path, indexes, terms, tuple([skip] if isinstance(skip, str) else map(str, skip)), root)


def _item_lines(node) -> dict[str, list[tuple[int, int]]]:
    """The line and column of each item of the 'indexes' and 'terms' lists."""
    found: dict[str, list[tuple[int, int]]] = {"indexes": [], "terms": []}
    for key, value in getattr(node, "value", None) or []:
        if key.value in found and hasattr(value, "value") and isinstance(value.value, list):
            found[key.value] = [(i.start_mark.line + 1, i.start_mark.column + 1) for i in value.value]
    return found


def _term(item: object, names: list[str], path: Path, where: tuple[int, int]) -> TermSpec:
    if isinstance(item, str):
        item = {"term": item}
    if not isinstance(item, dict) or not isinstance(item.get("term"), str):
        raise fail(path, "each of 'terms' needs a 'term'", *where)
    index = item.get("index", names[0])
    if index not in names:
        raise fail(path, f"term '{item['term']}': no index '{index}' (indexes: {', '.join(names)})", *where)

    def strings(key: str) -> list[str]:
        value = item.get(key) or []
        return [value] if isinstance(value, str) else [str(v) for v in value]

    finds = [_word(w) for w in strings("find")] + strings("pattern")
    for pattern in finds + strings("exclude"):
        try:
            re.compile(pattern)
        except re.error as error:
            raise fail(path, f"term '{item['term']}': bad pattern '{pattern}': {error}", *where) from None
    return TermSpec(split_path(item["term"]), index, tuple(finds),
                    tuple(_word(w) for w in strings("exclude")), tuple(split_path(t) for t in strings("see")),
                    tuple(split_path(t) for t in strings("see also")),
                    str(item.get("sort", "")), where[0])


def _word(words: str) -> str:
    """A word or phrase as a pattern: whole words only, any run of spaces between them."""
    return r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words.split()) + r"(?!\w)"


# Marks in the chapters ---------------------------------------------------------------------------

def index_chapters(chapters: list[Chapter], raw_marks: dict[str, list[tuple[str, SourcePosition]]],
                   config: IndexConfig, language: str, range_form: str, found: Diagnostics) -> list[Chapter]:
    """Anchor every mark and every term of the config found in the text (book-wide ids `ix-N`), and
    make one back-matter chapter for each index that has entries."""
    names = config.names or [DEFAULT]
    titles = {name: title for name, title, _ in config.indexes} or {DEFAULT: "Index"}
    indexes = {name: BookIndex(name, titles[name], language, range_form) for name in names}
    for term in config.terms:
        if term.sort:
            indexes[term.index].sorting[term.path] = term.sort
    counter = [0]
    for chapter in chapters:
        marks: list[Mark] = []
        chapter.body = _anchor(chapter.body, chapter, raw_marks.get(chapter.id, []), names, config, counter,
                               marks, found)
        for note in chapter.notes:
            note.html = _anchor(note.html, chapter, raw_marks.get(chapter.id, []), names, config, counter,
                                marks, found)
        for mark in marks:
            indexes[mark.index].marks.append(mark)
    where = SourcePosition(config.file, 0, 0)
    for term in config.terms:
        for target, action in [(t, "see") for t in term.see] + [(t, "see-also") for t in term.see_also]:
            indexes[term.index].marks.append(Mark("", term.index, term.path, action,
                                                  SourcePosition(where.path, term.line, 1), target=target))
    made = []
    for name in names:
        index = indexes[name]
        if not index.marks:
            continue
        ident = "index" if name == DEFAULT else f"index-{name}"
        title = Heading(1, f"{ident}-title", index.title, _escape(index.title))
        made.append(Chapter(ident, "back", title, [], "", [], where.path, index=index))
    return made


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _anchor(markup: str, chapter: Chapter, raw: list[tuple[str, SourcePosition]], names: list[str],
            config: IndexConfig, counter: list[int], marks: list[Mark], found: Diagnostics) -> str:
    """The markup with each mark's placeholder given its id, and an anchor before each term found."""
    finders = [(term, re.compile("|".join(term.finds)), [re.compile(e) for e in term.excludes])
               for term in config.terms if term.finds and chapter.source.name not in config.unsearched]
    if 'class="ix"' not in markup and not finders:
        return markup
    root = etree.fromstring(f"<div>{markup}</div>")

    def new_anchor() -> str:
        counter[0] += 1
        return f"ix-{counter[0]}"

    if finders:
        _find_terms(root, finders, chapter, new_anchor, marks)
    for span in list(root.iter("span")):
        if span.get("class") != "ix" or span.get("data-ix") is None:
            continue
        number = int(span.attrib.pop("data-ix"))
        if number >= len(raw):
            continue
        body, source = raw[number]
        try:
            index, path, action, target, passim = parse_mark(body, names)
        except ValueError as error:
            found.warning(source.path, str(error), source.line, source.col, "index-mark")
            _drop_mark(span)
            continue
        if not path:
            found.warning(source.path, "an index mark names no term", source.line, source.col, "index-mark")
            _drop_mark(span)
            continue
        span.set("id", new_anchor())
        _hold_word(span)
        marks.append(Mark(span.get("id"), index, path, action, source, chapter.id, target, passim))
    return (root.text or "") + "".join(etree.tostring(c, encoding="unicode") for c in root)


def _drop_mark(span: etree._Element) -> None:
    """A mark that indexes nothing, taken out (its tail text stays)."""
    previous, parent = span.getprevious(), span.getparent()
    if previous is not None:
        previous.tail = (previous.tail or "") + (span.tail or "")
    else:
        parent.text = (parent.text or "") + (span.tail or "")
    parent.remove(span)


def _hold_word(span: etree._Element) -> None:
    """A mark's anchor holds the word it is written against: the one before (`Bukharin{^…}`), else the
    one after (`{^…}Bukharin`). An empty inline box can make WeasyPrint break the line before it."""
    previous, parent = span.getprevious(), span.getparent()
    before = previous.tail if previous is not None else parent.text
    word = re.search(r"\S+$", before or "")
    if word:
        span.text = word[0]
        if previous is not None:
            previous.tail = before[:word.start()]
        else:
            parent.text = before[:word.start()]
        return
    if not before and previous is not None and previous.get("class") == "ix" and previous.text:
        tail = span.tail  # a term found just before: the mark's anchor goes inside its anchor
        parent.remove(span)
        span.text, previous.text, span.tail = previous.text, "", None
        previous.append(span)
        previous.tail = tail
        return
    word = re.match(r"\S+", span.tail or "")
    if word:
        span.text, span.tail = word[0], span.tail[word.end():]


def _find_terms(root: etree._Element, finders, chapter: Chapter, new_anchor, marks: list[Mark]) -> None:
    """An anchor before every match of a term's words in the text (not in code), unless the match lies in
    one of the term's exclusions."""
    def hidden(element: etree._Element) -> bool:
        return element.tag in LITERAL or bool(set((element.get("class") or "").split()) & UNSEARCHED)

    slots = []
    for element in root.iter():
        if not isinstance(element.tag, str) or element is root:
            continue
        outside = not any(hidden(a) for a in element.iterancestors())
        if element.text and outside and not hidden(element):
            slots.append((element, "text"))
        if element.tail and outside:
            slots.append((element, "tail"))
    if root.text:
        slots.insert(0, (root, "text"))
    for node, attr in slots:
        text = getattr(node, attr)
        hits = []
        for term, finder, excludes in finders:
            spans = [m.span() for e in excludes for m in e.finditer(text)]
            for match in finder.finditer(text):
                if not any(a <= match.start() and match.end() <= b for a, b in spans):
                    hits.append((match.start(), match.end(), term))
        if hits:
            _insert_anchors(node, attr, sorted(hits, key=lambda h: h[:2]), chapter, new_anchor, marks)


def _insert_anchors(node: etree._Element, attr: str, hits, chapter: Chapter, new_anchor, marks) -> None:
    """Each found word wrapped in its anchor, up to the word's end or the next match (an empty inline
    box can make WeasyPrint break the line before it); a match overlapping the one before is anchored
    inside that one's anchor."""
    text = getattr(node, attr)
    anchors: list[tuple[int, int, etree._Element]] = []
    for n, (start, end, term) in enumerate(hits):
        anchor = etree.Element("span", {"class": "ix", "id": new_anchor()})
        marks.append(Mark(anchor.get("id"), term.index, term.path, "place",
                          SourcePosition(chapter.source, 0, 0), chapter.id))
        if anchors and start < anchors[-1][1]:
            outer = anchors[-1][2]
            anchor.text, outer.text = outer.text, None
            outer.append(anchor)
            continue
        following = next((h[0] for h in hits[n + 1:] if h[0] >= end), len(text))
        end = min(end + len(re.match(r"\S*", text[end:])[0]), following)  # "Stalin’s" shaped whole
        anchor.text = text[start:end]
        anchors.append((start, end, anchor))
    setattr(node, attr, text[:anchors[0][0]])
    place = node
    for n, (start, end, anchor) in enumerate(anchors):
        anchor.tail = text[end:anchors[n + 1][0] if n + 1 < len(anchors) else len(text)]
        if attr == "text" and n == 0:
            node.insert(0, anchor)
        else:
            place.addnext(anchor)
        place = anchor


def raw_marks(text: str, bodies: list[str], path: Path) -> list[tuple[str, SourcePosition]]:
    """Each mark the parser found, with where it stands in the chapter's source (by order of writing)."""
    located = []
    found = [m for m in MARK.finditer(text)]
    cursor: dict[str, int] = {}
    for body in bodies:
        candidates = [m for m in found if m["body"] == body]
        n = cursor.get(body, 0)
        cursor[body] = n + 1
        offset = candidates[n].start() if n < len(candidates) else -1
        line, col = position(text, offset) if offset >= 0 else (0, 0)
        located.append((body, SourcePosition(path, line, col)))
    return located


# Pages --------------------------------------------------------------------------------------------

def anchor_places(pdf_body: str) -> dict[str, tuple[int, int]]:
    """(block, offset) of every index anchor in a chapter's print body (numbered blocks, notes in
    place): the page map's measure. An anchor written against the word before it (`Bukharin{^…}`)
    belongs with that word, on the page of its last character."""
    from publish.render.pagemap import SKIPPED_CLASSES

    root = etree.fromstring(f"<div>{pdf_body}</div>")
    places: dict[str, tuple[int, int]] = {}
    state = {"block": -1, "count": 0, "joined": False}

    def text(value: str | None, counted: bool) -> None:
        if not value:
            return
        if counted:
            state["count"] += sum(1 for ch in value if not ch.isspace())
        state["joined"] = not value[-1].isspace()

    def walk(element: etree._Element, counted: bool) -> None:
        if element.get("data-block") is not None:  # numbered by the print layout's own count
            state["block"], state["count"], state["joined"] = int(element.get("data-block")), 0, False
        if element.get("class") == "ix" and element.get("id"):
            count = state["count"] - 1 if state["joined"] and state["count"] else state["count"]
            places[element.get("id")] = (state["block"], count)
        inside = counted and not (set((element.get("class") or "").split()) & SKIPPED_CLASSES)
        text(element.text, inside)
        for child in element:
            walk(child, inside)
            text(child.tail, counted)

    walk(root, True)
    return places


def place_pages(index: BookIndex, places: dict[str, tuple[str, int, int]], starts: list[PageStart]) -> None:
    """The printed page of each anchor of the index: the last page that begins at or before it."""
    order = {}
    for s in starts:
        order.setdefault(s.chapter, len(order))
    keyed = [((order[s.chapter], s.block, s.offset), s) for s in starts]
    for mark in index.marks:
        if not mark.anchor or mark.anchor not in places:
            continue
        chapter, block, offset = places[mark.anchor]
        if chapter not in order:
            continue
        where = (order[chapter], block, offset)
        page = None
        for key, start in keyed:
            if key <= where:
                page = start
            else:
                break
        if page is not None:
            index.pages[mark.anchor] = page
