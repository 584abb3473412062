"""Page ranges as CSL 1.0.2 specifies them (examples from its appendix "Page Range Formats")."""

import pytest

from publish.bibliography.ranges import format_ranges


@pytest.mark.parametrize("form, given, expected", [
    # expanded
    ("expanded", "42-45", "42–45"), ("expanded", "321-28", "321–328"), ("expanded", "2787-816", "2787–2816"),
    # minimal
    ("minimal", "42-45", "42–5"), ("minimal", "321-328", "321–8"), ("minimal", "2787-2816", "2787–816"),
    # minimal-two
    ("minimal-two", "42-45", "42–45"), ("minimal-two", "321-328", "321–28"),
    ("minimal-two", "2787-2816", "2787–816"),
    # chicago (Chicago Manual of Style 15th ed., 9.64)
    ("chicago", "3-10", "3–10"), ("chicago", "71-72", "71–72"), ("chicago", "96-113", "96–113"),
    ("chicago", "100-104", "100–104"), ("chicago", "1100-1123", "1100–1123"), ("chicago", "107-108", "107–8"),
    ("chicago", "505-517", "505–17"), ("chicago", "1002-1006", "1002–6"), ("chicago", "321-325", "321–25"),
    ("chicago", "415-532", "415–532"), ("chicago", "11564-11568", "11564–68"),
    ("chicago", "13792-13803", "13792–803"), ("chicago", "1496-1504", "1496–1504"),
    ("chicago", "2787-2816", "2787–2816"),
])
def test_csl_specification_examples(form, given, expected):
    assert format_ranges(given, form) == expected


def test_abbreviated_second_number_is_expanded_first():
    assert format_ranges("93-4", "expanded") == "93–94"
    assert format_ranges("93-4", "chicago") == "93–94"


def test_lists_and_text_around_ranges_are_kept():
    assert format_ranges("13, 14, 15", "chicago") == "13, 14, 15"
    assert format_ranges("275, 265, 274", "expanded") == "275, 265, 274"
    assert format_ranges("6-7 and 19-21", "expanded") == "6–7 and 19–21"
