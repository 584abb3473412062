"""The document model every format renders from: chapters, headings, notes, citations, editorial marks."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from publish.book import BookConfig

if TYPE_CHECKING:
    from publish.index import BookIndex

EDITORIAL_KINDS = ("insert", "omission", "sic", "note")


@dataclass(frozen=True)
class SourcePosition:
    path: Path
    line: int
    col: int


@dataclass
class CiteItem:
    """One work cited inside a citation: `see @key, 56-57 and elsewhere`."""

    key: str
    prefix: str = ""
    locator: str = ""
    label: str = "page"
    suffix: str = ""
    suppress_author: bool = False


@dataclass
class Citation:
    """A citation as written; `html` is filled in by the resolve stage."""

    id: str
    items: list[CiteItem]
    narrative: bool
    raw: str
    source: SourcePosition
    html: str = ""
    author_html: str = ""  # a narrative citation's author, in the text, when a note style moves it to a note

    @property
    def keys(self) -> list[str]:
        return [item.key for item in self.items]


@dataclass
class Heading:
    level: int
    id: str
    text: str
    html: str


@dataclass
class Note:
    """A footnote: its number in the book, the ids of the note and of its reference, its XHTML."""

    number: int
    id: str
    ref_id: str
    html: str


@dataclass
class Chapter:
    """One chapter file parsed: the title heading, sub-headings, body XHTML (after the title) and notes."""

    id: str
    role: str  # "front", "body" or "back"
    title: Heading
    headings: list[Heading]
    body: str
    notes: list[Note]
    source: Path
    editorial_counts: dict[str, int] = field(default_factory=dict)
    images: dict[str, Path] = field(default_factory=dict)  # published name ("images/…") -> file
    index_marks: list[tuple[str, SourcePosition]] = field(default_factory=list)  # the parser's, in order
    index: BookIndex | None = None  # a generated index chapter's index (publish/index.py)


@dataclass
class Reference:
    """One entry of the References: the cited work's key, its anchor id, its formatted XHTML and the
    id of the first citation of it (for a link back)."""

    key: str
    id: str
    html: str
    first_citation: str = ""


@dataclass(frozen=True)
class PageStart:
    """Where a printed page begins: in a chapter (or "references", "title-page", "copyright"), in its
    n-th block (-1: before the chapter's title), after `offset` non-space characters of that block's
    text. A page of the front matter (`front`) is numbered from the first page of the book and printed
    in roman numerals."""

    number: int
    chapter: str
    block: int
    offset: int
    front: bool = False

    @property
    def label(self) -> str:
        """The page number as printed: `ix` in the front matter, `9` in the body."""
        return roman_numeral(self.number) if self.front else str(self.number)


class PageMap(list):
    """The print layout as a value: the PageStart of each printed page, in order (a list, as before),
    and the printed page of every id the layout placed (`anchors`: id -> page label)."""

    def __init__(self, starts: Iterable[PageStart] = (), anchors: dict[str, str] | None = None) -> None:
        super().__init__(starts)
        self.anchors = dict(anchors or {})

    def page_of(self, anchor: str) -> str | None:
        """The printed page (`ix`, `9`) on which the element with id `anchor` begins, or None."""
        return self.anchors.get(anchor)


def roman_numeral(number: int) -> str:
    """`number` in lower-case roman numerals (1 -> i, 14 -> xiv)."""
    digits = []
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                           (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        count, number = divmod(number, value)
        digits.append(letters * count)
    return "".join(digits)


@dataclass
class Document:
    """A whole book ready to render: configuration, chapters in order, resolved citations and references."""

    slug: str
    config: BookConfig
    chapters: list[Chapter]
    citations: list[Citation]
    references: list[Reference] = field(default_factory=list)
    references_title: str = "References"
    page_map: list[PageStart] = field(default_factory=PageMap)
    page_count: int = 0
    print_warnings: list[tuple[Path, int, str]] = field(default_factory=list)  # the layout's (file, line, message)

    @property
    def images(self) -> dict[str, Path]:
        """Every image of the book: published name -> file."""
        return {name: path for chapter in self.chapters for name, path in chapter.images.items()}

    @property
    def word_count(self) -> int:
        """Words of the text (chapters and notes), as a reader counts them."""
        markup = " ".join([c.body for c in self.chapters] + [n.html for n in self.notes])
        return len(re.sub(r"<[^>]+>", " ", markup).split())

    @property
    def indexes(self) -> list[Chapter]:
        """The generated index chapters, which stand last in the book (after the References)."""
        return [c for c in self.chapters if c.index is not None]

    def chapters_in(self, role: str) -> list[Chapter]:
        return [c for c in self.chapters if c.role == role]

    def ids(self) -> set[str]:
        """Every id a link in the text may name: chapters, headings, elements of the text, references,
        and the parts every edition has."""
        found = {"references", "contents", "title-page", "copyright"}
        for chapter in self.chapters:
            found.update([chapter.id, chapter.title.id] + [h.id for h in chapter.headings])
            found.update(re.findall(r'\bid="([^"]+)"', chapter.body))
            for note in chapter.notes:
                found.update([note.id, note.ref_id, *re.findall(r'\bid="([^"]+)"', note.html)])
        found.update(reference.id for reference in self.references)
        # A cited work's entry, also before the citations are formatted (`publish check`).
        found.update(f"ref-{key}" for citation in self.citations for key in citation.keys)
        return found

    @property
    def notes(self) -> list[Note]:
        return [note for chapter in self.chapters for note in chapter.notes]

    def contributors(self, *roles: str) -> list[str]:
        return [c.name for c in self.config.author if c.role in roles]


@dataclass
class Layout:
    """The print edition laid out: where each printed page begins and on which page every id is, how
    many pages, the finished PDF (when asked for), the profile it was made for, and its warnings."""

    page_map: PageMap
    page_count: int
    pdf: bytes | None = None
    profile: str = "default"
    warnings: list[tuple[Path, int, str]] = field(default_factory=list)

    def same_pages(self, other: Layout) -> bool:
        """Whether `other` places every page and every id as this layout does (and warns the same): what
        the EPUB and the web edition take from a layout, which are then the same from either."""
        return (list(self.page_map) == list(other.page_map) and self.page_map.anchors == other.page_map.anchors
                and self.page_count == other.page_count and self.profile == other.profile
                and self.warnings == other.warnings)


@dataclass
class Ahead:
    """A layout under way: `guess`, what its pages will most likely be (no PDF yet; None when there is
    nothing to go by), and `result()`, the layout itself, waited for. The renderers that need no PDF
    may render from the guess meanwhile, and keep what they made if `result().same_pages(guess)`.
    `close()` cancels what no worker has begun to lay out (the build failed meanwhile; what one has
    begun runs to its end)."""

    guess: Layout | None
    result: Callable[[], Layout]
    close: Callable[[], None] = lambda: None

    @classmethod
    def done(cls, layout: Layout) -> Ahead:
        return cls(None, lambda: layout)
