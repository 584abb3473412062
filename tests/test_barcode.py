"""The ISBN barcode on the printed cover: decoded back from the SVG bars, it gives the ISBN."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from publish.render.barcode import ean13_svg

# EAN-13 set A (odd parity) from the GS1 specification; set C is its complement, set B set C reversed.
A = ["0001101", "0011001", "0010011", "0111101", "0100011", "0110001", "0101111", "0111011", "0110111", "0001011"]
C = ["".join("1" if b == "0" else "0" for b in code) for code in A]
B = [code[::-1] for code in C]
FIRST = {"AAAAAA": 0, "AABABB": 1, "AABBAB": 2, "AABBBA": 3, "ABAABB": 4, "ABBAAB": 5, "ABBBAA": 6,
         "ABABAB": 7, "ABABBA": 8, "ABBABA": 9}
SVG = "{http://www.w3.org/2000/svg}"


def decode(svg: str, module: float = 0.33) -> str:
    """Read the SVG's bars as a scanner would."""
    root = ET.fromstring(svg)
    return decode_bars([(float(r.get("x")), float(r.get("width"))) for r in root.iter(f"{SVG}rect")
                        if r.get("fill") == "#000"], module)


def decode_bars(bars: list[tuple[float, float]], module: float) -> str:
    """The digits of an EAN-13 symbol from its dark bars, (left edge, width) each in one unit with the
    module's width: read module by module, then digit by digit."""
    start = min(x for x, _ in bars)
    modules = ["0"] * 95
    for x, width in bars:
        first = round((x - start) / module)
        for k in range(round(width / module)):
            modules[first + k] = "1"
    bits = "".join(modules)
    assert bits[:3] == "101" and bits[45:50] == "01010" and bits[92:] == "101", "guard bars"
    parity, digits = "", ""
    for i in range(6):
        code = bits[3 + 7 * i: 10 + 7 * i]
        parity += "A" if code in A else "B"
        digits += str((A if code in A else B).index(code))
    for i in range(6):
        digits += str(C.index(bits[50 + 7 * i: 57 + 7 * i]))
    return str(FIRST[parity]) + digits


@pytest.mark.parametrize("isbn, digits", [
    ("9780140449136", "9780140449136"),
    ("978-1-56619-909-4", "9781566199094"),
    ("0306406152", "9780306406157"),  # an ISBN-10 takes the 978 prefix and a new check digit
    ("979-10-90636-07-1", "9791090636071"),
])
def test_bars_decode_to_the_isbn(isbn: str, digits: str):
    svg = ean13_svg(isbn)
    assert decode(svg) == digits
    texts = [t.text for t in ET.fromstring(svg).iter(f"{SVG}text")]
    assert texts[0] == f"ISBN {isbn if '-' in isbn else digits}"
    assert "".join(texts[1:]) == digits
    assert svg == ean13_svg(isbn)  # same input, same bytes


@pytest.mark.parametrize("isbn", ["9780140449137", "978-1-56619-909-5", "0306406153", "12345", "9771234567003"])
def test_wrong_check_digits_and_malformed_isbns_are_refused(isbn: str):
    with pytest.raises(ValueError):
        ean13_svg(isbn)


def test_nominal_size():
    root = ET.fromstring(ean13_svg("9780140449136"))
    assert abs(float(root.get("width").removesuffix("mm")) - 37.29) < 0.01
