"""What changed since an earlier printing: the book's lines, each keyed by its text, compared as one
sequence (difflib), so that a line added on page 12 changes the pages it reflows and leaves every page
that merely moved, or did not move, reported as such. The earlier printing is a git revision of the
manuscript, laid out again, or a PDF file, whose lines pdftotext reads."""

from __future__ import annotations

import difflib
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from publish.diagnostics import fail
from publish.proof.layout import Layout, Line, Page
from publish.proof.printing import Printing, lay_out
from publish.proof.sources import SourceMap, Written

SAME_PLACE = 0.5  # points a line may stand higher or lower and still be where it was


@dataclass
class PageChange:
    """A page of the new printing: `changed` (lines of it are new), `moved` (every line was printed
    before, but not on this page or not here) or `unchanged`; the earlier pages its lines stood on, its
    new lines, and the manuscript lines that caused them."""

    page: int
    status: str
    before: list[int] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    causes: list[Written] = field(default_factory=list)


@dataclass
class Comparison:
    against: str
    pages: list[PageChange]
    pages_before: int
    pages_after: int
    spine_before: float
    spine_after: float
    removed: dict[int, list[Line]] = field(default_factory=dict)  # earlier page -> its lines now gone

    def with_status(self, status: str) -> list[int]:
        return [change.page for change in self.pages if change.status == status]


@dataclass
class Earlier:
    """The earlier printing: its layout, where its lines were written, and the PDF it came from."""

    layout: Layout
    sources: SourceMap | None = None
    pdf: bytes = b""
    changed_source: dict[str, set[int]] = field(default_factory=dict)  # file -> changed lines (new side)


def compare(new: Printing, earlier: Earlier, against: str, spine_before: float) -> Comparison:
    """The pages of `new` against those of `earlier`."""
    old_lines, new_lines = earlier.layout.lines, new.layout.lines
    matcher = difflib.SequenceMatcher(None, [line.key for line in old_lines],
                                      [line.key for line in new_lines], autojunk=False)
    matched: dict[int, int] = {}
    touched: set[int] = set()  # new lines at which something was taken out or replaced
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            matched.update({j1 + k: i1 + k for k in range(i2 - i1)})
        elif tag == "delete":
            touched.add(min(j1, len(new_lines) - 1))
    index = {id(line): n for n, line in enumerate(new_lines)}
    old_pages = {page.number: page for page in earlier.layout.pages}
    changes = []
    for page in new.layout.pages:
        positions = [index[id(line)] for line in page.lines]
        fresh = [n for n in positions if n not in matched or n in touched]
        before = sorted({old_lines[matched[n]].page for n in positions if n in matched})
        if fresh:
            status = "changed"
        elif _same(page, old_pages.get(page.number), [old_lines[matched[n]] for n in positions],
                   earlier.sources is not None):
            status = "unchanged"
        else:
            status = "moved"
        causes = _causes([new_lines[n] for n in fresh], new.sources, earlier.changed_source) if fresh else []
        changes.append(PageChange(page.number, status, before, [new_lines[n].number for n in fresh], causes))
    removed: dict[int, list[Line]] = {}
    for n in sorted(set(range(len(old_lines))) - set(matched.values())):
        removed.setdefault(old_lines[n].page, []).append(old_lines[n])
    return Comparison(against, changes, len(earlier.layout.pages), len(new.layout.pages), spine_before,
                      new.spine, removed)


def _same(page: Page, old: Page | None, matched_old: list[Line], placed: bool = True) -> bool:
    """Whether a page whose every line was printed before holds exactly the lines of the same page
    then, and (when the two layouts place lines alike: not for a PDF read back) where they stood."""
    if old is None:
        return False
    if len(old.lines) != len(page.lines) or any(line.page != page.number for line in matched_old):
        return False
    return not placed or all(abs(a.top - b.top) <= SAME_PLACE for a, b in zip(old.lines, page.lines))


def _causes(lines: list[Line], sources: SourceMap, changed: dict[str, set[int]]) -> list[Written]:
    """The manuscript lines behind a page's new lines: the edited lines of their paragraphs when the
    edit is known, else each paragraph's first line."""
    found: list[Written] = []
    for line in lines:
        written = sources.where(line.chapter, line.block, line.note)
        if not written.path:
            continue
        span = sources.spans.get((line.chapter, line.block), range(written.line, written.line + 1))
        edited = sorted(n for n in changed.get(written.path, ()) if n in span)
        found.extend(Written(written.path, n) for n in edited) if edited else found.append(written)
    return sorted(set(found), key=lambda w: (w.path, w.line))


# The earlier printing ------------------------------------------------------------------------------

def earlier_printing(root: Path, against: str, new: Printing) -> tuple[Earlier, float]:
    """The earlier printing named by `--against` (a PDF file, else a git revision) and its spine."""
    if against.lower().endswith(".pdf") and Path(against).is_file():
        data = Path(against).read_bytes()
        layout = pdf_layout(data, new)
        return Earlier(layout, pdf=data), new.doc.config.print.spine(len(layout.pages))
    with tempfile.TemporaryDirectory(prefix="publish-proof-") as tmp:
        old_root = checkout(root, against, Path(tmp))
        old = lay_out(old_root, shown_as=root)
        changed = changed_source_lines(old_root, root.resolve())
        return Earlier(old.layout, old.sources, old.pdf(), changed), old.spine


def checkout(root: Path, revision: str, into: Path) -> Path:
    """The book directory and its parent (the shared files beside it) as they were at `revision`,
    written under `into` with `git archive`; the book's directory there."""
    root = root.resolve()

    def git(*args: str, cwd: Path = root) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)

    top = git("rev-parse", "--show-toplevel")
    if top.returncode:
        raise fail(root, f"--against {revision}: the book is not in a git repository (and no such PDF file)")
    toplevel = Path(top.stdout.decode().strip()).resolve()
    parent = root.parent.relative_to(toplevel)
    archive = git("archive", "--format=tar", revision, *(["--", str(parent)] if parent.parts else []),
                  cwd=toplevel)
    if archive.returncode:
        message = archive.stderr.decode(errors="replace").strip().splitlines()
        raise fail(root, f"--against {revision}: no such revision or PDF file"
                   + (f" ({message[-1]})" if message else ""))
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    old_root = into / parent / root.name
    if not (old_root / "book.yaml").is_file():
        raise fail(root, f"--against {revision}: the book did not exist at that revision")
    return old_root


def changed_source_lines(old_root: Path, new_root: Path) -> dict[str, set[int]]:
    """By manuscript file (as the user names it), the lines of the new text that differ from the old."""
    from publish.diagnostics import display_path

    changed: dict[str, set[int]] = {}
    for path in sorted(new_root.rglob("*.md")):
        old_path = old_root / path.relative_to(new_root)
        old = old_path.read_text("utf-8").split("\n") if old_path.is_file() else []
        new = path.read_text("utf-8").split("\n")
        lines: set[int] = set()
        for tag, _, _, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
            if tag != "equal":
                lines.update(range(j1 + 1, max(j2, j1 + 1) + 1))
        if lines:
            changed[display_path(path)] = lines
    return changed


def pdf_layout(data: bytes, new: Printing) -> Layout:
    """The lines of a PDF's text blocks (running heads and folios left out), read by pdftotext."""
    from lxml import etree

    settings = new.doc.config.print
    try:
        done = subprocess.run(["pdftotext", "-bbox-layout", "-", "-"], input=data, capture_output=True,
                              check=False)
    except FileNotFoundError:
        raise fail("pdftotext", "poppler-utils is not installed (scripts/install-system-deps)") from None
    if done.returncode:
        raise fail("pdftotext", f"cannot read the earlier PDF: {done.stderr.decode(errors='replace').strip()}")
    root = etree.fromstring(done.stdout, etree.XMLParser(recover=True))
    pages = []
    for number, page in enumerate(root.iter("{*}page"), 1):
        lines = []
        for line in page.iter("{*}line"):
            top, bottom = float(line.get("yMin")), float(line.get("yMax"))
            if bottom <= settings.top or top >= settings.height - settings.bottom:
                continue  # a running head or a folio
            text = " ".join(word.text or "" for word in line.iter("{*}word"))
            left = float(line.get("xMin"))
            lines.append(Line(number, len(lines) + 1, text, top, bottom, left,
                              float(line.get("xMax")) - left, "", -1, "text"))
        pages.append(Page(number, lines, settings.height - settings.bottom, 0.0, blank=not lines))
    return Layout(pages, settings.height, settings.width)
