"""The Markdown a Pandoc or CommonMark user writes: each construct built into a real small book and read
back from the web edition, the EPUB and the PDF; what publish does not read, reported by `publish check`."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from markdown_it import MarkdownIt
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTChar, LTTextContainer, LTTextLine

from publish.markup import make_markdown
from tests.conftest import run_publish, write_book
from tests.editions import epub_documents
from tests.reading_systems import assert_ace_finds_no_violation, assert_each_chapter_opens_on_its_heading
from tests.test_build import assert_epubcheck_clean

CODE = 'print("hi [x] -- \'q\'")  # "quoted" -- not dashed'

CHAPTER = f"""\
    # Code and Lists

    Prose with `inline [x] code` and an editor's [word].

    ```python
    def greet():
        {CODE}
    ```

    ~~~
    tilde fence
    ~~~

    - two-space parent
      - two-space child
        - two-space grandchild
    - second parent

    1. four-space parent
        - four-space child
    2. ordered again
       1. three-space child

    | left | centre | right |
    |:-----|:------:|------:|
    | a    | b      | c     |

    Words ~~struck out~~ and kept.

    Term
    : Its definition.

    Roses are red,\\
    violets are blue,  
    sugar is sweet.

    Section by underline
    --------------------

        indented code [y]
    """

FRONT_MATTER_CHAPTER = """\
    ---
    title: Given in "Front Matter"
    ---

    The text of a chapter whose title is in its front matter.
    """


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A book with every construct and a plain one without code, built in every format."""
    root = tmp_path_factory.mktemp("markdown")
    write_book(root / "code", {"code.md": CHAPTER, "front.md": FRONT_MATTER_CHAPTER}, "title: Code\n")
    write_book(root / "plain", {"plain.md": "# Plain\n\nNo code at all.\n"}, "title: Plain\n")
    result = run_publish("build", root / "code", root / "plain", "--out", root / "dist")
    assert result.code == 0, result.stderr
    return root / "dist"


def web(built: Path) -> etree._Element:
    return lxml.html.parse(str(built / "code" / "all.html")).getroot()


def epub_chapter(built: Path, heading: str) -> etree._Element:
    for _, root in epub_documents(built / "code.epub"):
        if heading in ["".join(h.itertext()).strip() for h in xpath(root, "//{h1}")]:
            return root
    raise AssertionError(f"no EPUB document holds {heading!r}")


def xpath(root: etree._Element, path: str) -> list:
    """XPath over HTML or XHTML alike: `{x}` stands for an element named x in either."""
    return root.xpath(re.sub(r"\{(\w+)\}", r"*[local-name()='\1']", path))


@pytest.fixture(params=["web", "epub"])
def edition(request: pytest.FixtureRequest, built: Path) -> etree._Element:
    return web(built) if request.param == "web" else epub_chapter(built, "Code and Lists")


# Code ----------------------------------------------------------------------

def test_fenced_code_is_pre_code_with_its_language_and_its_text_untouched(edition: etree._Element):
    [code] = xpath(edition, "//{pre}/{code}[@class='language-python']")
    assert "".join(code.itertext()) == f"def greet():\n    {CODE}"
    assert not xpath(code, ".//{span}"), "no editorial mark or typography inside code"
    [tilde] = xpath(edition, "//{pre}/{code}[not(@class)][contains(., 'tilde fence')]")
    assert "".join(tilde.itertext()) == "tilde fence"


def test_inline_and_indented_code_keep_their_brackets_literal(edition: etree._Element):
    assert [c.text for c in xpath(edition, "//{p}/{code}")] == ["inline [x] code"]
    assert [c.text for c in xpath(edition, "//{pre}/{code}[contains(., 'indented')]")] == ["indented code [y]"]
    marks = ["".join(m.itertext()) for m in xpath(edition, "//{span}[contains(@class, 'ed-insert')]")]
    assert marks == ["[word]"]


def test_the_editorial_note_counts_no_bracket_inside_code(built: Path):
    page = web(built)
    [note] = xpath(page, "//{section}[@id='editorial-conventions']")
    text = " ".join(" ".join(note.itertext()).split())
    assert "Words in square brackets were supplied by the editor (1 instance)." in text, text


def pdf_lines(path: Path) -> list[tuple[str, set[str]]]:
    """Each line of text in the PDF with the fonts its characters are set in."""
    result = []
    for page in extract_pages(str(path)):
        for box in page:
            if isinstance(box, LTTextContainer):
                for line in box:
                    if isinstance(line, LTTextLine):
                        fonts = {c.fontname.split("+")[-1] for c in line if isinstance(c, LTChar)}
                        result.append((line.get_text().rstrip("\n"), fonts))
    return result


def test_pdf_sets_code_in_the_mono_face_and_prose_in_the_book_face(built: Path):
    lines = pdf_lines(built / "code.pdf")
    code = [(text, fonts) for text, fonts in lines if "greet" in text or "print(" in text]
    assert [text.strip() for text, _ in code] == ["def greet():", CODE]
    assert all(fonts == {"DejaVu-Sans-Mono"} for _, fonts in code), code
    [prose] = [fonts for text, fonts in lines if text.startswith("Prose with")]
    assert prose == {"Gentium-Book-Plus", "DejaVu-Sans-Mono"}  # the code span is mono, the rest Gentium


def test_the_code_face_is_carried_named_and_licensed_only_where_there_is_code(built: Path):
    with zipfile.ZipFile(built / "code.epub") as epub:
        names = epub.namelist()
        css = epub.read(next(n for n in names if n.endswith("epub.css"))).decode()
    assert any(n.endswith("fonts/DejaVuSansMono.woff2") for n in names)
    assert '"DejaVu Sans Mono"; src: url("../fonts/DejaVuSansMono.woff2")' in css
    assert "code in DejaVu Sans Mono (Bitstream Vera Fonts licence)" in " ".join(web(built).itertext())
    with zipfile.ZipFile(built / "plain.epub") as epub:
        assert not any("DejaVu" in n for n in epub.namelist())
    plain = " ".join(lxml.html.parse(str(built / "plain" / "all.html")).getroot().itertext())
    assert "Set in Gentium Book Plus (SIL Open Font License 1.1). Made with" in plain
    assert (built / "code" / "assets" / "fonts" / "DejaVuSansMono.woff2").is_file()
    assert "DejaVuSansMono.woff2" in (built / "code" / "assets" / "web.css").read_text()
    assert not (built / "plain" / "assets" / "fonts" / "DejaVuSansMono.woff2").exists()


# Lists ---------------------------------------------------------------------

def test_lists_nested_by_two_three_and_four_spaces(edition: etree._Element):
    [grandchild] = xpath(edition, "//{ul}/{li}/{ul}/{li}/{ul}/{li}")
    assert grandchild.text.strip() == "two-space grandchild"
    [parent] = xpath(edition, "//{li}[{ul}/{li}/{ul}]")
    assert parent.text.strip() == "two-space parent"
    assert [li.text.strip() for li in parent.getparent()] == ["two-space parent", "second parent"]
    [ordered] = xpath(edition, "//{ol}[{li}[starts-with(normalize-space(text()), 'four-space parent')]]")
    assert [li.text.strip() for li in ordered] == ["four-space parent", "ordered again"]
    assert [li.text for li in xpath(ordered, "{li}/{ul}/{li}")] == ["four-space child"]
    assert [li.text for li in xpath(ordered, "{li}/{ol}/{li}")] == ["three-space child"]


@pytest.mark.parametrize("written, expected", [
    ("- a\n  - b\n    - c\n", "<ul><li>a<ul><li>b<ul><li>c</li></ul></li></ul></li></ul>"),
    ("- a\n    - b\n        - c\n", "<ul><li>a<ul><li>b<ul><li>c</li></ul></li></ul></li></ul>"),
    ("* a\n  1. b\n  2. c\n* d\n", "<ul><li>a<ol><li>b</li><li>c</li></ol></li><li>d</li></ul>"),
    ("- a\n - b\n", "<ul><li>a</li><li>b</li></ul>"),  # one space is not a level
    ("- a\n\n  more of a\n\n- b\n", "<ul><li><p>a</p><p>more of a</p></li><li><p>b</p></li></ul>"),
    ("- a\n  - b\n\n    more of b\n", "<ul><li>a<ul><li><p>b</p><p>more of b</p></li></ul></li></ul>"),
    ("- a\n\n      code\n", "<ul><li>a<pre><code>code</code></pre></li></ul>"),
    ("- a\ncontinued\n", "<ul><li>a\ncontinued</li></ul>"),
    ("> - a\n>   - b\n", "<blockquote><ul><li>a<ul><li>b</li></ul></li></ul></blockquote>"),
    ("- a\n\n  ```\n  - not an item\n  ```\n", "<ul><li><p>a</p><pre><code>- not an item</code></pre></li></ul>"),
    ("3. three\n4. four\n", '<ol start="3"><li>three</li><li>four</li></ol>'),
    ("- - -\n", "<hr />"),
])
def test_list_nesting_follows_commonmark(written: str, expected: str):
    html = make_markdown({}).convert(written)
    assert re.sub(r">\s+<", "><", html).strip() == expected


def list_trees(depth: int) -> st.SearchStrategy:
    """A list as a tree, `depth` levels at most: its kind ("-", "*" or "1.") and its items, each with
    maybe a sub-list."""
    sub = st.none() | list_trees(depth - 1) if depth > 1 else st.none()
    return st.tuples(st.sampled_from(["-", "*", "1."]), st.lists(st.tuples(st.just(""), sub), min_size=1, max_size=3))


def written(tree, indent: int, deeper: list[bool], count: list[int]) -> list[str]:
    """The tree as Markdown: each sub-list indented as CommonMark allows, either to its item's text
    (two spaces under `-`, three under `1.`) or by four spaces, as `deeper` says level by level."""
    marker, items = tree
    lines = []
    for number, (_, sub) in enumerate(items, 1):
        count[0] += 1
        mark = f"{number}." if marker == "1." else marker
        lines.append(" " * indent + f"{mark} item{count[0]}")
        if sub is not None:
            four = deeper[len(lines) % len(deeper)]
            step = max(4, len(mark) + 1) if four else len(mark) + 1
            lines += written(sub, indent + step, deeper, count)
    return lines


def shape(html: str) -> str:
    """Only the nesting: tags and texts, no paragraphs, spaces or start numbers."""
    html = re.sub(r"</?p>|\s+", "", html)
    return re.sub(r'<ol start="\d+">', "<ol>", html)


@settings(max_examples=300, deadline=None)
@given(tree=list_trees(4), deeper=st.lists(st.booleans(), min_size=1, max_size=4))
def test_nested_lists_have_the_structure_commonmark_gives_them(tree, deeper: list[bool]):
    source = "\n".join(written(tree, 0, deeper, [0])) + "\n"
    assert shape(make_markdown({}).convert(source)) == shape(MarkdownIt("commonmark").render(source)), source


@pytest.mark.parametrize("written, expected", [
    ("Text:\n```\ncode\n```\nAfter.\n", "<p>Text:</p><pre><code>code</code></pre><p>After.</p>"),
    ("> Text:\n> ```\n> code\n> ```\n", "<blockquote><p>Text:</p><pre><code>code</code></pre></blockquote>"),
    ("- a\n  ```\n  code\n  ```\n- b\n", "<ul><li><p>a</p><pre><code>code</code></pre></li><li><p>b</p></li></ul>"),
])
def test_a_fenced_block_that_interrupts_a_paragraph_is_a_block_of_its_own(written: str, expected: str):
    assert re.sub(r">\s+<", "><", make_markdown({}).convert(written)).strip() == expected


# Tables, strikethrough, definition lists, line breaks, headings -----------

def test_aligned_table_columns_are_classes_and_the_epub_is_valid(built: Path, edition: etree._Element):
    cells = xpath(edition, "//{table}//{td}")
    assert [c.get("class") for c in cells] == ["align-left", "align-center", "align-right"]
    assert not xpath(edition, "//*[@align]")
    assert_epubcheck_clean(built / "code.epub")


def test_code_tables_and_lists_pass_ace_and_open_in_epubjs(built: Path):
    assert_ace_finds_no_violation([built / "code.epub"])
    assert_each_chapter_opens_on_its_heading([built / "code.epub"])


def test_strikethrough_and_definition_list(edition: etree._Element):
    assert [d.text for d in xpath(edition, "//{p}/{del}")] == ["struck out"]
    [dl] = xpath(edition, "//{dl}")
    assert [(etree.QName(e).localname, e.text) for e in dl] == [("dt", "Term"), ("dd", "Its definition.")]


def test_backslash_and_two_space_line_breaks(edition: etree._Element):
    [verse] = xpath(edition, "//{p}[starts-with(., 'Roses')]")
    assert len(xpath(verse, "{br}")) == 2
    assert [t.strip() for t in verse.itertext()] == ["Roses are red,", "violets are blue,", "sugar is sweet."]


def test_hard_breaks_end_the_printed_lines(built: Path):
    texts = [text.strip() for text, _ in pdf_lines(built / "code.pdf")]
    start = texts.index("Roses are red,")
    assert texts[start:start + 3] == ["Roses are red,", "violets are blue,", "sugar is sweet."]


def test_setext_heading_is_a_section(edition: etree._Element):
    [heading] = xpath(edition, "//*[@id='section-by-underline']")
    assert etree.QName(heading).localname in ("h2", "h3") and heading.text == "Section by underline"
    assert not xpath(edition, "//{p}[contains(., '-----')]")


# Front matter --------------------------------------------------------------

def test_front_matter_title_is_the_chapter_heading(built: Path):
    page = web(built)
    assert "Given in “Front Matter”" in [" ".join(h.itertext()).strip() for h in xpath(page, "//{h1}|//{h2}")]
    toc = " ".join(" ".join(a.itertext()) for a in xpath(page, "//{nav}//{a}"))
    assert "Given in “Front Matter”" in toc
    assert "title:" not in " ".join(page.itertext())


@pytest.mark.parametrize("front, expected", [
    ("---\ntitle: T\nauthor: Someone\n---\n\nText.\n",
     "a.md:3:1: warning: front matter key 'author' is not used"),
    ("---\ntitle: [unclosed\n---\n\nText.\n", "a.md:2:17: error: front matter is not valid YAML"),
    ("---\n- a list\n---\n\nText.\n", "a.md:2:1: error: front matter must be a mapping"),
    ("---\nsubject: x\n---\n\nText.\n",
     "a.md:1:1: error: a chapter must begin with a level-1 heading ('# Title'); its front matter gives no 'title'"),
])
def test_front_matter_problems_at_their_line(tmp_path: Path, front: str, expected: str):
    book = write_book(tmp_path / "book", {"a.md": front}, "title: Front\n")
    result = run_publish("check", book, cwd=tmp_path / "book")
    assert expected in result.stderr, result.stderr
    assert result.code == (1 if ": error:" in expected else 0)


def test_front_matter_is_not_linted_and_a_heading_wins(tmp_path: Path):
    chapter = "---\ntitle: Ignored  title\n---\n\n# The Heading\n\nText.\n"
    book = write_book(tmp_path / "book", {"a.md": chapter}, "title: Front\n")
    result = run_publish("check", book)
    assert result.code == 0 and result.stderr == "", result.stderr
    out = tmp_path / "out"
    assert run_publish("build", book, "--out", out, "--format", "html").code == 0
    page = lxml.html.parse(str(out / "book" / "all.html")).getroot()
    assert "The Heading" in [" ".join(h.itertext()).strip() for h in xpath(page, "//{h2}|//{h1}")]
    assert "Ignored" not in " ".join(page.itertext())


# What publish does not read ------------------------------------------------

# Each line: the text, and the column (1-based) where `publish check` must report it (None: not at all).
UNSUPPORTED = [
    ("# Unsupported", None),
    ("Energy is $E = mc^2$ here.", 11),
    ("It cost $20 and $30, and `$x$` is code.", None),
    ("$$x^2$$", 1),
    ("- [ ] a task", 3),
    ("- [x] a done task", 3),
    ("A note^[inline] here.", 7),
    ("::: warning", 1),
    ("| first line of verse", 1),
    ("1) first item", 1),
    ("<details>Hidden</details> text.", 1),
    ('A <span style="color: red">red</span> word.', 9),
    ("A <kbd>key</kbd> and <em>em</em>, allowed.", None),
]


def test_unsupported_markdown_reported_at_its_line_and_column(tmp_path: Path):
    text = "\n\n".join(line for line, _ in UNSUPPORTED) + "\n\n```\n$not math$ <details> - [ ]\n```\n"
    book = write_book(tmp_path / "book", {"a.md": text}, "title: Unsupported\n")
    result = run_publish("check", book, "--format", "json")
    assert result.code == 0, result.stderr
    found = [(d["line"], d["column"]) for d in json.loads(result.stdout) if d["rule"] == "unsupported-markdown"]
    expected = [(2 * i + 1, col) for i, (_, col) in enumerate(UNSUPPORTED) if col is not None]
    assert found == expected


def test_unsupported_markdown_can_be_switched_off(tmp_path: Path):
    book = write_book(tmp_path / "book", {"a.md": "# T\n\nCost $x$ here.\n"},
                      "title: T\nlint: {ignore: [unsupported-markdown]}\n")
    result = run_publish("check", book)
    assert result.code == 0 and "unsupported-markdown" not in result.stderr


def test_a_setext_heading_is_no_paragraph_to_the_linter(tmp_path: Path):
    chapter = "Title\n=====\n\nSection by underline\n--------------------\n\nthen a lower-case paragraph.\n"
    book = write_book(tmp_path / "book", {"a.md": chapter}, "title: T\n")
    result = run_publish("check", book)
    assert result.code == 0 and result.stderr == "", result.stderr


def test_a_footnote_written_over_two_lines_prints_as_running_text(tmp_path: Path):
    # WeasyPrint breaks a footnote's line at each newline of its text: a note whose definition goes on
    # to an indented second line printed that line break (the starter book's note did).
    note = ("[^1]: Notes are numbered through the book, printed at the foot of the page in the PDF and linked\n"
            "    in the EPUB and the web edition.")
    text = f"# A\n\nA footnote is written where it is referred to.[^1]\n\n{note}\n"
    book = write_book(tmp_path / "book", {"a.md": text}, "title: Notes\n")
    out = tmp_path / "dist"
    assert run_publish("build", book, "--out", out, "--format", "pdf").code == 0
    lines = [" ".join(text.split()) for text, _ in pdf_lines(out / "book.pdf")]
    start = next(i for i, line in enumerate(lines) if line.startswith("1. Notes are numbered"))
    # The note fills the text block's width: two lines, the second running on from the first.
    assert lines[start + 1].startswith("linked in the EPUB") or lines[start].endswith("linked"), lines
    assert "linked" not in lines and not lines[start + 1].startswith("in the EPUB"), lines
