"""The back-of-book index: a small book with marks, a term list, ranges, sub-entries, see and see also and
accented names, built once to all three formats; the index's page numbers checked against the text of
the PDF's pages, its links and its EPUB and web locators against the marked places."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import lxml.html
import pytest
from lxml import etree
from pypdf import PdfReader

from tests.conftest import run_publish, write_book
from tests.test_build import assert_epubcheck_clean

FILLER = ("The delegates of the congress spoke at length about the harvest, the railways and the price of "
          "grain, and the minutes record every word of it in a careful hand. ")


def _para(extra: str = "", repeat: int = 4) -> str:
    return FILLER * repeat + extra + "\n\n"


ONE = ("# One\n\n" + _para("Bukharin spoke of planning{^subjects: planning}.")
       + _para("The word Thermidor{^subjects: Thermidor|(} first.")
       + _para("Lenin went to Łódź, and Ångström met Axelrod.")
       + _para("Of the market{^subjects: planning!and the market} little was said.")
       + _para("The bureaucracy{^subjects: bureaucracy|(passim} grew.") + _para() + _para()
       + _para("Bukharin again, with a note.[^a]") + _para() + _para()
       + _para("The bureaucracy{^subjects: bureaucracy|)} and Thermidor{^subjects: Thermidor|)} at last.")
       + _para("Nabokov, Ñúñez and Oates, and Lyons.")
       + "[^a]: On the state{^subjects: planning!and the state} and Bukharin.\n")
TWO = ("# Two\n\n" + _para("Stalinism{^subjects: Stalinism} named.") + _para() + _para()
       + _para("The Bukharin Street was quiet.") + _para() + _para()
       + _para("Ñúñez{^names: Ñúñez, Ana} once more{^subjects: market|see planning!and the market}."))
TERMS = """\
    indexes:
      - {name: names, title: Index of Names}
      - {name: subjects, title: Index of Subjects}
    terms:
      - {term: "Bukharin, Nikolai", index: names, find: [Bukharin], exclude: [Bukharin Street]}
      - {term: "Lenin, V. I.", index: names, find: [Lenin]}
      - {term: "Łódź", index: names, find: [Łódź]}
      - {term: "Ångström, Anders", index: names, find: [Ångström]}
      - {term: "Axelrod, Pavel", index: names, find: [Axelrod]}
      - {term: "Nabokov, Vladimir", index: names, find: [Nabokov]}
      - {term: "Ñúñez, Ana", index: names, find: [Ñúñez]}
      - {term: "Oates, Titus", index: names, find: [Oates]}
      - {term: "Lyons", index: names, find: [Lyons]}
      - {term: Stalinism, index: subjects, see also: [bureaucracy]}
    """
# The word each entry is found by on the pages it cites.
PROBES = {"Ångström, Anders": "Ångström", "Axelrod, Pavel": "Axelrod", "Bukharin, Nikolai": "Bukharin",
          "Lenin, V. I.": "Lenin", "Łódź": "Łódź", "Lyons": "Lyons", "Nabokov, Vladimir": "Nabokov",
          "Ñúñez, Ana": "Ñúñez", "Oates, Titus": "Oates", "planning": "planning", "and the market": "market",
          "and the state": "state", "Thermidor": "Thermidor", "bureaucracy": "bureaucracy",
          "Stalinism": "Stalinism"}
NAMES_ORDER = ["Ångström, Anders", "Axelrod, Pavel", "Bukharin, Nikolai", "Lenin, V. I.", "Łódź", "Lyons",
               "Nabokov, Vladimir", "Ñúñez, Ana", "Oates, Titus"]
LOCATORS = re.compile(r"((?:[ivxlc]+|\d+)(?:–(?:[ivxlc]+|\d+))?)(?: passim)?")
EPUB_NS = "http://www.idpf.org/2007/ops"


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = write_book(tmp_path_factory.mktemp("index") / "indexed", {"one.md": ONE, "two.md": TWO},
                      "title: Indexed\nauthor: [{name: A. Writer, role: author}]\nlanguage: en\n")
    (root / "index.yaml").write_text(TERMS.replace("\n    ", "\n").removeprefix("    "), encoding="utf-8")
    out = root.parent / "dist"
    result = run_publish("build", root, "--out", out)
    assert result.code == 0, result.stderr
    return root, out


def printed_pages(pdf: Path) -> list[tuple[str, str]]:
    """(printed page number, text) of every page of a PDF, the number read from its folio."""
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")
    result = []
    for text in pages[:-1]:
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        folio = ""
        number = r"(\d+|[ivxlc]+)"
        if lines and (m := re.fullmatch(number + r"\s{3,}.+", lines[0]) or re.fullmatch(r".+\s{3,}" + number,
                                                                                        lines[0])):
            folio = m[1]
        elif lines and re.fullmatch(number, lines[-1]):
            folio = lines[-1]
        result.append((folio, re.sub(r"\u2010\n\s*", "", text)))  # a word hyphenated at a line's end, whole
    return result


def index_entries(pdf: Path, title: str) -> list[tuple[str, list[str]]]:
    """(term, locators) of each entry of an index as the PDF prints it, in order."""
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    start = text.rindex(title + "\n")
    lines = text[start:].split("\n")[1:]
    entries = []
    for line in lines:
        line = line.strip()
        if line.startswith("Index of") or not line:
            break
        if re.fullmatch(r"\w", line) or re.fullmatch(r"\d+", line):  # a letter group, a folio
            continue
        term = re.split(r"(?=, [\divxlc])|(?=\. See)", line, maxsplit=1)[0]
        numbers = line[len(term):].split(". See")[0].lstrip(", ")
        entries.append((term, LOCATORS.findall(numbers)))
    return entries


def test_every_printed_page_number_is_a_page_where_the_term_stands(indexed: tuple[Path, Path]):
    pdf = indexed[1] / "indexed.pdf"
    pages = {folio: text for folio, text in printed_pages(pdf) if folio}
    checked = 0
    for title in ("Index of Names", "Index of Subjects"):
        for term, locators in index_entries(pdf, title):
            for locator in locators:
                for number in locator.split("–"):
                    assert PROBES[term] in pages[number], f"{title}: {term} is not on page {number}"
                    checked += 1
    assert checked >= 15


def test_pages_merged_folded_and_sorted(indexed: tuple[Path, Path]):
    pdf = indexed[1] / "indexed.pdf"
    names = dict(index_entries(pdf, "Index of Names"))
    assert list(names) == NAMES_ORDER  # Å with A, Ł with L, Ñ with N: the collation of English
    pages = {folio: text for folio, text in printed_pages(pdf) if folio}
    # Bukharin Street is excluded: the page that has only it is not cited.
    street = next(f for f, t in pages.items() if "Bukharin Street" in t)
    for locator in names["Bukharin, Nikolai"]:
        first, _, last = locator.partition("–")
        assert not int(first) <= int(street) <= int(last or first)
        assert not last or int(last) > int(first)
    numbers = [int(n.split("–")[0]) for n in names["Bukharin, Nikolai"]]
    assert numbers == sorted(set(numbers))
    subjects = dict(index_entries(pdf, "Index of Subjects"))
    (thermidor,) = subjects["Thermidor"]  # one range, start mark to end mark
    first, last = map(int, thermidor.split("–"))
    assert last > first
    assert "Thermidor" in pages[str(first)] and "Thermidor" in pages[str(last)]
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True).stdout
    assert re.search(r"bureaucracy, \d+–\d+ passim", text)
    assert "Stalinism, " in text and ". See also bureaucracy" in text


Line = tuple[float, float, float, str]  # left, top, bottom, text


def _index_pages(pdf: Path, title: str) -> list[int]:
    """The indexes of the pages an index is printed on (not a blank one with only its folio)."""
    texts = [text for _, text in printed_pages(pdf)]
    contents = next(n for n, text in enumerate(texts) if "Contents" in text)
    first = next(n for n in range(contents + 1, len(texts)) if title in texts[n])
    pages = [first]
    for n in range(first + 1, len(texts)):
        if "Index of" in texts[n] and title not in texts[n]:  # the next index begins
            break
        if len(texts[n].split()) > 1:
            pages.append(n)
    return pages


def _column_lines(pdf: Path, title: str, page: int = -1) -> tuple[list[Line], list[Line]]:
    """The lines of the left and of the right column of a page of an index (its last by default),
    read from the PDF, without its heading, running head and folio."""
    pages = _index_pages(pdf, title)
    number = pages[page]
    layout = subprocess.run(["pdftotext", "-f", str(number + 1), "-l", str(number + 1), "-bbox-layout",
                             str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    middle = float(re.search(r'<page width="([\d.]+)"', layout)[1]) / 2
    lines = [(float(x), float(top), float(bottom), " ".join(re.findall(r">([^<]+)</word>", words)))
             for x, top, bottom, words in re.findall(
                 r'<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">(.*?)</line>', layout,
                 flags=re.S)]
    below = lines[0][2]  # the index's title on its first page, the running head and folio on the others
    body = [line for line in lines if line[1] >= below and not re.fullmatch(r"\d+", line[3])]
    return [line for line in body if line[0] < middle], [line for line in body if line[0] >= middle]


def _pieces(column: list[Line]) -> list[list[Line]]:
    """A column's lines in the pieces a column break may fall between: a letter group's heading with
    the entry after it, and each other entry with its sub-entries and runover lines (indented)."""
    left = min(line[0] for line in column)
    pieces: list[list[Line]] = []
    for line in column:
        heading = re.fullmatch(r"\w", line[3]) is not None
        if heading or (line[0] - left < 1 and not (pieces and re.fullmatch(r"\w", pieces[-1][-1][3]))):
            pieces.append([])
        pieces[-1].append(line)
    return pieces


@pytest.mark.parametrize("title", ["Index of Names", "Index of Subjects"])
def test_an_index_s_columns_are_balanced_and_level_on_its_last_page(indexed: tuple[Path, Path], title: str):
    left, right = _column_lines(indexed[1] / "indexed.pdf", title)
    assert left and right
    assert abs(left[0][1] - right[0][1]) < 1  # a letter heading atop the right column is level with the left
    line = left[0][2] - left[0][1]
    tall, short = left[-1][2] - left[0][1], right[-1][2] - right[0][1]
    # Moving the piece at the break to the other column would leave it the taller (a line's slack for
    # the margins that come and go at the top of a column).
    if tall >= short:
        moved = _pieces(left)[-1]
        assert tall - short <= moved[-1][2] - moved[0][1] + line, (left, right)
    else:
        moved = _pieces(right)[0]
        assert short - tall <= moved[-1][2] - moved[0][1] + line, (left, right)


def _contents_and_first_folios(pdf: Path, titles: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """The page the contents give each index, and the folio printed on the index's first page."""
    pages = printed_pages(pdf)
    contents = next(text for _, text in pages if "Contents" in text)
    given = {title: re.search(re.escape(title) + r"[ .]*(\d+)", contents)[1] for title in titles}
    printed = {title: pages[_index_pages(pdf, title)[0]][0] for title in titles}
    return given, printed


@pytest.fixture(scope="module")
def long_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The PDF of a short book whose index of names, of 400 entries in letter groups, runs to four pages
    before its index of subjects."""
    names = "".join(f"Here spoke {chr(65 + n % 26)}name{n:03d}{{^names: {chr(65 + n % 26)}name {n:03d}}}. "
                    + ("And more. " if n % 7 else "\n\n") for n in range(400))
    root = write_book(tmp_path_factory.mktemp("long") / "long",
                      {"one.md": "# One\n\n" + names + "\n\nOf planning{^subjects: planning}.\n"},
                      "title: Long\nauthor: [{name: A. Writer, role: author}]\nlanguage: en\n")
    (root / "index.yaml").write_text("indexes:\n  - {name: names, title: Index of Names}\n"
                                     "  - {name: subjects, title: Index of Subjects}\n", encoding="utf-8")
    result = run_publish("build", root, "--out", root.parent / "dist", "--format", "pdf")
    assert result.code == 0, result.stderr
    return root.parent / "dist" / "long.pdf"


def test_the_contents_give_each_index_the_page_it_begins_on(indexed: tuple[Path, Path], long_index: Path):
    titles = ["Index of Names", "Index of Subjects"]
    given, printed = _contents_and_first_folios(indexed[1] / "indexed.pdf", titles)
    assert given == printed
    # An index of names four pages long before the index of subjects: the page the contents give the
    # second is found when the book is laid out again with room for the first.
    given, printed = _contents_and_first_folios(long_index, titles)
    assert given == printed and int(given["Index of Subjects"]) - int(given["Index of Names"]) >= 4


def test_every_column_of_a_long_index_begins_level_with_the_one_beside_it(long_index: Path):
    pages = _index_pages(long_index, "Index of Names")
    assert len(pages) >= 4
    for page in range(len(pages)):
        left, right = _column_lines(long_index, "Index of Names", page)
        assert left and right and abs(left[0][1] - right[0][1]) < 1, (page, left[:2], right[:2])


def test_pdf_locators_link_to_their_pages(indexed: tuple[Path, Path]):
    pdf = indexed[1] / "indexed.pdf"
    reader = PdfReader(str(pdf))
    folios = [folio for folio, _ in printed_pages(pdf)]
    destinations = {name: reader.get_destination_page_number(dest)
                    for name, dest in reader.named_destinations.items()}
    first_index = max(n for n, page in enumerate(reader.pages)
                      if "Index of Names" in (page.extract_text() or ""))
    linked = []
    for page in reader.pages[first_index:]:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            target = annotation.get("/Dest") or (annotation.get("/A") or {}).get("/D")
            if annotation.get("/Subtype") == "/Link" and target is not None:
                linked.append(folios[destinations[str(target)]])
    printed = [number for title in ("Index of Names", "Index of Subjects")
               for _, locators in index_entries(pdf, title)
               for locator in locators for number in locator.split("–")]
    assert linked and sorted(linked) == sorted(printed)


def _preceding_page(root: etree._Element, target: etree._Element, marker: str) -> str:
    """The label of the last page-break marker before `target` in document order; for a place in a
    note, before the note's reference (print sets the note on the page of its reference)."""
    note = next((a for a in target.iterancestors() if a.get("role") in ("doc-footnote", "doc-endnote")
                 or a.get("id", "").startswith("note-")), None)
    if note is not None:
        (target,) = root.xpath(f"//*[@id='noteref-{note.get('id')[5:]}']")
    label = ""
    for element in root.iter():
        if element is target:
            return label
        if isinstance(element.tag, str) and (element.get(f"{{{EPUB_NS}}}type") == "pagebreak"
                                             or element.get("class") == "pagebreak"):
            label = element.get("aria-label") or label
    raise AssertionError("target not found")


def test_epub_index_locators_resolve_to_the_marked_places(indexed: tuple[Path, Path]):
    epub = indexed[1] / "indexed.epub"
    assert_epubcheck_clean(epub)
    with zipfile.ZipFile(epub) as archive:
        documents = {Path(n).name: etree.fromstring(archive.read(n)) for n in archive.namelist()
                     if n.endswith(".xhtml")}
    index = documents["index-names.xhtml"]
    assert index.xpath("//*[@epub:type='index']", namespaces={"epub": EPUB_NS})
    locators = index.xpath("//*[@epub:type='index-locator']", namespaces={"epub": EPUB_NS})
    assert len(locators) >= 9
    for locator in locators:
        name, _, anchor = locator.get("href").partition("#")
        root = documents[name]
        (target,) = root.xpath(f"//*[@id='{anchor}']")
        assert "ix" in target.get("class", "").split()
        assert _preceding_page(root, target, "epub") == locator.text, locator.get("href")
    entries = index.xpath("//*[@epub:type='index-entry']/*[@epub:type='index-term']",
                          namespaces={"epub": EPUB_NS})
    assert [e.text for e in entries] == NAMES_ORDER


def test_web_index_locators_resolve_to_the_marked_places(indexed: tuple[Path, Path]):
    page = lxml.html.parse(str(indexed[1] / "indexed" / "all.html")).getroot()  # the whole book
    locators = page.xpath("//section[@id='index-subjects']//a[contains(@class, 'index-locator')]")
    assert len(locators) >= 6
    for locator in locators:
        (target,) = page.xpath(f"//*[@id='{locator.get('href')[1:]}']")
        assert _preceding_page(page, target, "html") == locator.text
    sub = page.xpath("//section[@id='index-subjects']//li[span='planning']/ul/li/span/text()")
    assert sub == ["and the market", "and the state"]
    assert page.xpath("//section[@id='index-subjects']//li[span='market']//i/text()") == ["See"]


def test_check_reports_index_mistakes(tmp_path: Path):
    root = write_book(tmp_path / "book", {"one.md": """\
        # One

        Bukharin{^Bukharin, Nikolai} and Bucharin{^Bucharin, Nikolai}, twice{^Bukharin, Nikolai}.
        Stalinism{^Stalinism|see bureaucracy}.
        """}, "title: T\n")
    (root / "index.yaml").write_text(
        "indexes:\n  - {name: index, title: Index}\n  - {name: places, title: Places}\n", encoding="utf-8")
    result = run_publish("check", root)
    chapter = root / "one.md"
    assert f"{chapter}:3:42: warning: index term 'Bucharin, Nikolai' is spelled nearly as " in result.stderr
    assert "[index-spelling]" in result.stderr
    assert f"{chapter}:4:10: warning: index: 'see bureaucracy' refers to a term with no" in result.stderr
    assert f"{root / 'index.yaml'}:3:1: warning: the index 'places' (Places) has no entries" in result.stderr


def test_a_bad_index_file_is_an_error_at_its_line(tmp_path: Path):
    root = write_book(tmp_path / "book", {"one.md": "# One\n\nText.\n"}, "title: T\n")
    (root / "index.yaml").write_text("terms:\n  - {term: X, index: nowhere}\n", encoding="utf-8")
    result = run_publish("build", root, "--out", tmp_path / "dist")
    assert result.code == 1
    assert f"{root / 'index.yaml'}:2:5: error: term 'X': no index 'nowhere' (indexes: index)" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "dist" / "book.pdf").exists()


def test_trotsky_carries_its_index_of_names(dist: Path):
    slug = "leon-trotsky-speaks"
    entries = dict(index_entries(dist / f"{slug}.pdf", "Index of Names"))
    assert {"Lenin, Vladimir", "Stalin, Joseph", "Yeltsin, Boris", "Gorbachev, Mikhail"} <= set(entries)
    with zipfile.ZipFile(dist / f"{slug}.epub") as archive:
        assert b'epub:type="index"' in archive.read("EPUB/index-names.xhtml")
    web = (dist / slug / "all.html").read_text("utf-8")
    assert 'id="index-names"' in web and "Gorbachev, Mikhail" in web
    assert "Gorbachev, Mikhail" in (dist / slug / "index-names.html").read_text("utf-8")  # a page of its own
