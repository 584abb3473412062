"""The proof rules: what an editor looks for on the laid-out pages before signing off a print edition.

Each reads the layout's lines (publish.proof.layout) and yields findings at a page and line."""

from __future__ import annotations

from collections.abc import Iterator

from publish.proof.layout import Line
from publish.proof.registry import Finding, Proof, rule


@rule("widow", "a paragraph's last line alone at the top of a page")
def widow(proof: Proof) -> Iterator[Finding]:
    for lines in proof.block_lines().values():
        last = lines[-1]
        if len(lines) > 1 and last.kind == "text" and lines[-2].page != last.page:
            yield proof.finding("widow", last, "the last line of a paragraph stands alone at the top of "
                                               "the page (a widow)")


@rule("orphan", "a paragraph's first line alone at the foot of a page")
def orphan(proof: Proof) -> Iterator[Finding]:
    for lines in proof.block_lines().values():
        first = lines[0]
        if len(lines) > 1 and first.kind == "text" and lines[1].page != first.page:
            yield proof.finding("orphan", first, "the first line of a paragraph stands alone at the foot "
                                                 "of the page (an orphan)")


@rule("hyphen-stack", "more hyphenated line ends in a row than `proof: hyphens` allows")
def hyphen_stack(proof: Proof) -> Iterator[Finding]:
    allowed = proof.settings.hyphens
    for page in proof.layout.pages:
        run: list[Line] = []
        for line in proof.text_lines(page) + [None]:
            if line is not None and line.hyphenated:
                run.append(line)
                continue
            if len(run) > allowed:
                yield proof.finding("hyphen-stack", run[0], f"{len(run)} hyphenated line ends in a row "
                                                            f"(at most {allowed})")
            run = []


@rule("loose-line", "a justified line whose word spaces are stretched beyond `proof: loose`")
def loose_line(proof: Proof) -> Iterator[Finding]:
    for page in proof.layout.pages:
        for line in proof.text_lines(page):
            if line.spacing > proof.settings.loose:
                yield proof.finding("loose-line", line, f"word spaces stretched to {line.spacing:.2f} times "
                                                        f"their width (at most {proof.settings.loose:g})")


@rule("tight-line", "a line whose word spaces are squeezed below `proof: tight`")
def tight_line(proof: Proof) -> Iterator[Finding]:
    for page in proof.layout.pages:
        for line in proof.text_lines(page):
            if line.spacing < proof.settings.tight:
                yield proof.finding("tight-line", line, f"word spaces squeezed to {line.spacing:.2f} times "
                                                        f"their width (at least {proof.settings.tight:g})")


@rule("stranded-heading", "a heading in the last two lines of a page, its text on the next")
def stranded_heading(proof: Proof) -> Iterator[Finding]:
    ends = proof.chapter_last_pages()
    for page in proof.layout.pages:
        lines = proof.text_lines(page)
        for line in lines[-2:]:
            if line.kind in ("heading", "title") and ends.get(line.chapter, 0) > page.number:
                yield proof.finding("stranded-heading", line, "a heading in the last two lines of the page; "
                                                              "its text begins on the next")
                break


@rule("short-page", "a page whose text falls short of the text block by more than `proof: short_page` lines")
def short_page(proof: Proof) -> Iterator[Finding]:
    ends = proof.chapter_last_pages()
    for page in proof.layout.pages:
        lines = proof.text_lines(page)
        if not lines or ends.get(lines[-1].chapter) == page.number:
            continue
        short = (page.block_bottom - lines[-1].bottom) / page.line_height
        if short > proof.settings.short_page + 0.5:  # half a line for the space headings and notes take
            yield proof.finding("short-page", lines[-1], f"the page's text ends {round(short)} lines short of "
                                                         f"the text block (at most {proof.settings.short_page})")


@rule("last-page-short", "a chapter whose last page holds fewer than `proof: last_page_lines` lines")
def last_page_short(proof: Proof) -> Iterator[Finding]:
    wanted = proof.settings.last_page_lines
    by_page: dict[tuple[str, int], list[Line]] = {}
    for page in proof.layout.pages:
        for line in proof.text_lines(page):
            by_page.setdefault((line.chapter, page.number), []).append(line)
    for chapter, last in proof.chapter_last_pages().items():
        lines = by_page[(chapter, last)]
        if len(lines) < wanted and (chapter, last - 1) in by_page:
            yield proof.finding("last-page-short", lines[0], f"the chapter's last page holds {len(lines)} "
                                                             f"line{'s' if len(lines) != 1 else ''} "
                                                             f"(at least {wanted})")


@rule("facing-pages", "facing pages whose last lines do not stand at the same height")
def facing_pages(proof: Proof) -> Iterator[Finding]:
    ends = set(proof.chapter_last_pages().values())
    pages = proof.layout.pages
    for verso, recto in zip(pages[1::2], pages[2::2]):  # page 1 is a right-hand page
        # The foot of the page: its last line of text or of footnotes.
        left, right = proof.foot_lines(verso), proof.foot_lines(recto)
        if not left or not right or verso.number in ends or recto.number in ends:
            continue
        apart = right[-1].bottom - left[-1].bottom
        if abs(apart) > proof.settings.facing_tolerance:
            yield proof.finding("facing-pages", left[-1], f"the last line of this page and of page "
                                                          f"{recto.number} facing it differ by {abs(apart):.1f} pt")


RIVER_LINES = 4  # lines a river runs down before it is reported


@rule("river", "word spaces that line up down several lines (with --rivers)", optional=True)
def river(proof: Proof) -> Iterator[Finding]:
    for page in proof.layout.pages:
        # The References are set ragged and their entries begin alike: only the text is looked at.
        lines = [line for line in proof.text_lines(page) if line.kind == "text" and line.chapter != "references"]
        # For each gap of each line, how many lines down to here it has lined up with a gap above it.
        runs: dict[float, tuple[int, Line]] = {}
        reported: set[int] = set()
        for line in lines:
            here: dict[float, tuple[int, Line]] = {}
            for gap in line.gaps:
                above = [(x, run) for x, run in runs.items() if abs(x - gap) <= line.space / 2]
                length, start = max((run for _, run in above), default=(0, line), key=lambda r: r[0])
                here[gap] = (length + 1, start if length else line)
                if length + 1 >= RIVER_LINES and id(start) not in reported:
                    reported.add(id(start))
                    yield proof.finding("river", start, f"word spaces line up down {RIVER_LINES} or more lines "
                                                        f"(a river), {gap:.0f} pt from the page's edge")
            runs = here
