"""`publish check` as a manuscript linter: each rule found at its line and column, nothing on finished books."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import BOOKS, MANUSCRIPT, TOY_BIBLIOGRAPHY, run_publish, write_book

# Each problem line carries the rule that must find it and the text at which it must be reported.
SEEDED = [
    ("# Seeded", None, None),
    ("", None, None),
    ("The state [was built by the party and stood.", "unbalanced-brackets", "["),
    ("", None, None),
    ("It closed] early, he wrote.", "unbalanced-brackets", "]"),
    ("", None, None),
    ("He said “we must go on, and never stopped.", "unbalanced-quotes", "“"),
    ("", None, None),
    ("And then she said: no.” It was over.", "unbalanced-quotes", "”"),
    ("", None, None),
    ("Her letter said 'come at once and stay.", "unbalanced-quotes", "'come"),
    ("", None, None),
    ("The workers of the", "page-break-split", "e\n"),
    ("", None, None),
    ("country rose again.", None, None),
    ("", None, None),
    ("The counter-", "hyphen-split", "-\n"),
    ("", None, None),
    ("revolution came, as it had before.", None, None),
    ("", None, None),
    ("See [this page](#) for more.", "dead-link", "[this"),
    ("", None, None),
    ("See [that page][nowhere] for more.", "dead-link", "[that"),
    ("", None, None),
    ("See [the end](#no-such-heading) for more.", "dead-link", "[the end"),
    ("", None, None),
    ("As Trotsky wrote [1939b:45], the right holds.", "legacy-citation", "[1939b"),
    ("", None, None),
    ("As the note says [12], the right holds.", "legacy-citation", "[12]"),
    ("", None, None),
    ("First [@trotsky1937b, 56-57], then [@trotsky1937b, 60-61].", None, None),
    ("", None, None),
    ("Then [@trotsky1937b, 13–14], in another form.", "page-range-form", "13–14"),
    ("", None, None),
    ("Then [@trotsky1937b, 132-3], abbreviated.", "page-range-form", "132-3"),
    ("", None, None),
    ("Two  spaces here.", "double-space", "  spaces"),
    ("", None, None),
    ("A space before , a comma.", "space-before-punctuation", " , a"),
    ("", None, None),
    ("Energy is $E = mc^2$, written as math.", "unsupported-markdown", "$E"),
    ("", None, None),
    ("Bukharin{^Bukharin} spoke, Bukharin{^Bukharin} twice; Bucharin{^Bucharin} once.", "index-spelling",
     "{^Bucharin}"),
    ("", None, None),
    ("Stalinism{^Stalinism|see Thermidor} named.", "index-see-missing", "{^Stalinism"),
    ("", None, None),
    ("The years from 1989 to", "page-break-split", "o\n"),
    ("", None, None),
    ("1991 were hard.", None, None),
]

# Lines no rule may report: the forms a finished manuscript uses.
CLEAN = """\

Escaped \\[brackets\\] are literal; `code [with "quotes` is not read.

An omission [...] and [sic] and [in 1926 – ed.] are balanced; so is the “workers’ state” and ‘this’.

The workers' party and the '90s are apostrophes; "counter-" / "revolutionary" are two words quoted.

“A quotation running over two paragraphs opens each of them.

“It closes only at its end.”

Ellipses ... stay spaced, and so do numbers such as 3.5 and .45 calibre; a line ends in a hard break  
and goes on.

Lines of a list:

- an item without a full stop
- another one
1.  a numbered item aligned with two spaces

| a  | table    |
|----|----------|
| x  | y        |

See [the seeded heading](#seeded) and <a href="https://example.org/">a site</a>.

```
code [block "with' stray marks  ,
```

> A quotation in a block quote.
>
> Its second paragraph.
"""


def seeded_book(tmp_path: Path, config: str = "title: Seeded\n") -> tuple[Path, dict[tuple[int, int], str]]:
    """A book whose chapter holds one instance of each rule's problem; the expected (line, col) of each."""
    text = "\n".join(line for line, _, _ in SEEDED) + "\n" + CLEAN
    expected = {}
    for number, (line, rule, at) in enumerate(SEEDED, start=1):
        if rule:
            full = line + "\n"
            expected[(number, full.index(at) + 1)] = rule
    root = write_book(tmp_path / "seeded", {"seeded.md": text}, config, TOY_BIBLIOGRAPHY)
    # An index no mark fills: index-empty, reported at its line of index.yaml.
    (root / "index.yaml").write_text(
        "indexes:\n  - {name: index, title: Index}\n  - {name: places, title: Places}\n", encoding="utf-8")
    return root, expected


def findings(stderr: str) -> dict[tuple[int, int], str]:
    found = {}
    for line in stderr.splitlines():
        if "seeded.md:" in line and line.endswith("]"):
            where, rest = line.split(": warning: ") if ": warning: " in line else line.split(": error: ")
            _, number, col = where.rsplit(":", 2)
            found[(int(number), int(col))] = rest.rsplit("[", 1)[1].rstrip("]")
    return found


def test_each_rule_reports_its_problem_at_the_right_line_and_column(tmp_path: Path):
    root, expected = seeded_book(tmp_path)
    result = run_publish("check", root)
    assert result.code == 0, result.stderr  # warnings only
    assert "Traceback" not in result.stderr
    assert findings(result.stderr) == expected, result.stderr
    # Every registered rule has its seeded problem.
    from publish.lint import rule_ids
    assert f"{root / 'index.yaml'}:3:1: warning: the index 'places' (Places) has no entries" in result.stderr
    assert set(expected.values()) | {"index-empty"} == set(rule_ids())


def test_messages_say_what_to_do(tmp_path: Path):
    root, _ = seeded_book(tmp_path)
    stderr = run_publish("check", root).stderr
    assert "'counter-' and 'revolution' are one word split across two paragraphs" in stderr
    assert "'[1939b:45]' is a citation in the source's form: write it as a citation against the bibliography, " \
           "[@key, 45]" in stderr
    assert "page range '132-3' is abbreviated: write both numbers in full ('132-133')" in stderr
    assert "page range '13–14' is written with '–' where this book's other ranges use '-' ('13-14')" in stderr
    assert "link to '#no-such-heading': no heading or element has that id" in stderr


def test_strict_makes_findings_errors(tmp_path: Path):
    root, expected = seeded_book(tmp_path)
    result = run_publish("check", "--strict", root)
    assert result.code == 1
    errors = [line for line in result.stderr.splitlines() if "seeded.md:" in line]
    assert len(errors) == len(expected) and all(": error: " in line for line in errors)
    assert ": warning: " not in result.stderr


def test_json_format_for_ci(tmp_path: Path):
    root, expected = seeded_book(tmp_path)
    result = run_publish("check", "--format", "json", root)
    assert result.code == 0
    items = json.loads(result.stdout)
    got = {(item["line"], item["column"]): item["rule"] for item in items if item["path"].endswith("seeded.md")}
    assert got == expected
    assert all(item["severity"] == "warning" and item["message"] for item in items)


def test_github_annotations(tmp_path: Path):
    root, expected = seeded_book(tmp_path)
    lines = [line for line in run_publish("check", "--format", "github", root).stdout.splitlines()
             if "seeded.md" in line]
    assert len(lines) == len(expected)
    assert any(line.startswith("::warning file=") and ",line=37,col=4,title=double-space::" in line
               for line in lines), lines


def test_book_yaml_can_ignore_rules(tmp_path: Path):
    root, expected = seeded_book(tmp_path, "title: Seeded\nlint:\n  ignore: [double-space, legacy-citation]\n")
    result = run_publish("check", root)
    assert findings(result.stderr) == {k: v for k, v in expected.items()
                                       if v not in ("double-space", "legacy-citation")}


def test_unknown_rule_in_ignore_is_an_error(tmp_path: Path):
    root, _ = seeded_book(tmp_path, "title: Seeded\nlint:\n  ignore: [double-spaces]\n")
    result = run_publish("check", root)
    assert result.code == 1
    assert f"{root / 'book.yaml'}:2:1: error: 'lint': no lint rule 'double-spaces' (did you mean 'double-space'?)" \
        in result.stderr


@pytest.mark.parametrize("slug", BOOKS)
def test_finished_manuscripts_report_nothing(slug: str):
    result = run_publish("check", "--strict", MANUSCRIPT / slug)
    assert result.code == 0 and result.stderr == "", result.stderr


def test_french_puts_a_space_before_high_punctuation(tmp_path: Path):
    root = write_book(tmp_path / "fr", {"a.md": "# Un\n\nQuoi ? Oui ; c'est ça : bien !\n\nMais ici , non.\n"},
                      "title: Livre\nlanguage: fr\n")
    result = run_publish("check", root)
    assert [line for line in result.stderr.splitlines() if "space-before" in line] == [
        f"{root / 'a.md'}:5:9: warning: space before ',' [space-before-punctuation]"]


def test_a_comment_silences_rules_for_one_paragraph(tmp_path: Path):
    chapter = """\
        # Chapter

        In that year [1917] the state fell. <!-- lint-ignore legacy-citation -->

        <!-- lint-ignore -->

        Two  spaces and [12] both silenced here.

        <!-- lint-ignore double-space -->
        Two  spaces silenced, but not [1939] here.

        Two  spaces reported here. <!-- lint-ignore legacy-citations -->

        ```
        <!-- lint-ignore -->
        ```

        A comment shown in code silences nothing: [1940] here.

        Shown in a code span, `<!-- lint-ignore -->` silences nothing: [1941].
        """
    root = write_book(tmp_path / "quiet", {"a.md": chapter}, "title: Quiet\n")
    result = run_publish("check", root)
    found = [line.split(": warning: ")[0].rsplit(":", 2)[1:] + [line.rsplit("[", 1)[1].rstrip("]")]
             for line in result.stderr.splitlines() if ": warning: " in line]
    assert found == [["10", "31", "legacy-citation"], ["12", "4", "double-space"], ["12", "28", "lint-ignore"],
                     ["18", "43", "legacy-citation"], ["20", "64", "legacy-citation"]], \
        result.stderr
    assert "lint-ignore names no rule 'legacy-citations'" in result.stderr
