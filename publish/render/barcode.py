"""The EAN-13 barcode of an ISBN, as SVG, for the back of a printed cover (GS1 General Specifications,
section 5.2: EAN-13 symbol; the Bookland prefix 978/979). No dependency: 95 modules and a few tables."""

from __future__ import annotations

# Encodings of the digits 0-9 in the left half (sets A and B) and the right half (set C), seven
# modules each; the first digit is carried by the pattern of sets A and B in the left half.
SET_A = ["0001101", "0011001", "0010011", "0111101", "0100011", "0110001", "0101111", "0111011", "0110111",
         "0001011"]
SET_B = ["0100111", "0110011", "0011011", "0100001", "0011101", "0111001", "0000101", "0010001", "0001001",
         "0010111"]
SET_C = ["1110010", "1100110", "1101100", "1000010", "1011100", "1001110", "1010000", "1000100", "1001000",
         "1110100"]
PARITY = ["AAAAAA", "AABABB", "AABBAB", "AABBBA", "ABAABB", "ABBAAB", "ABBBAA", "ABABAB", "ABABBA", "ABBABA"]
QUIET_LEFT, QUIET_RIGHT = 11, 7  # modules of white around the symbol


def _check_digit(first12: str) -> int:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return (10 - total % 10) % 10


def ean13_digits(isbn: str) -> str:
    """The 13 digits of an ISBN-13 (or of an ISBN-10, given the 978 prefix); ValueError if malformed or
    if the check digit is wrong."""
    digits = isbn.replace("-", "").replace(" ", "").upper()
    if len(digits) == 10 and digits[:9].isdigit() and (digits[9].isdigit() or digits[9] == "X"):
        check = (11 - sum(int(d) * (10 - i) for i, d in enumerate(digits[:9])) % 11) % 11
        if digits[9] != ("X" if check == 10 else str(check)):
            raise ValueError(f"ISBN {isbn}: check digit is {digits[9]}, expected {'X' if check == 10 else check}")
        digits = "978" + digits[:9]
        return digits + str(_check_digit(digits))
    if len(digits) != 13 or not digits.isdigit() or digits[:3] not in ("978", "979"):
        raise ValueError(f"ISBN {isbn}: expected 13 digits starting 978 or 979, or an ISBN-10")
    expected = _check_digit(digits[:12])
    if int(digits[12]) != expected:
        raise ValueError(f"ISBN {isbn}: check digit is {digits[12]}, expected {expected}")
    return digits


def ean13_modules(digits: str) -> str:
    """The 95 modules of the symbol, 1 dark and 0 light: guards, six left digits, centre, six right."""
    parity = PARITY[int(digits[0])]
    left = "".join((SET_A if p == "A" else SET_B)[int(d)] for p, d in zip(parity, digits[1:7]))
    right = "".join(SET_C[int(d)] for d in digits[7:])
    return "101" + left + "01010" + right + "101"


def ean13_svg(isbn: str, *, module_mm: float = 0.33, height_mm: float = 22.85,
              font_family: str = "Gentium Book Plus") -> str:
    """A standalone SVG (sizes in mm) of the ISBN's EAN-13 symbol at nominal size (0.33 mm modules):
    "ISBN …" above, bars with longer guard bars, the digits below in the standard arrangement, set in
    `font_family`."""
    digits = ean13_digits(isbn)
    modules = ean13_modules(digits)
    text = isbn.strip() if "-" in isbn else digits
    m = module_mm
    label, digit_size = 2.6, 2.75  # mm: height of the ISBN line, size of the digits
    width = (QUIET_LEFT + 95 + QUIET_RIGHT) * m
    top = label + 0.6
    bars_bottom = top + height_mm - 3.5
    height = bars_bottom + digit_size + 0.4
    guards = set(range(3)) | set(range(45, 50)) | set(range(92, 95))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.2f}mm" height="{height:.2f}mm" '
             f'viewBox="0 0 {width:.3f} {height:.3f}" role="img" aria-label="ISBN {text}">',
             f'<rect width="{width:.3f}" height="{height:.3f}" fill="#fff"/>',
             f'<text x="{width / 2:.3f}" y="{label:.3f}" font-family="{font_family}" font-size="{label:.2f}" '
             f'text-anchor="middle">ISBN {text}</text>']
    i = 0
    while i < 95:  # one rect for each run of dark modules (a run never mixes guard and data bars)
        if modules[i] == "1":
            j = i
            while j < 95 and modules[j] == "1":
                j += 1
            bottom = bars_bottom + (digit_size / 2 if i in guards else 0)
            parts.append(f'<rect x="{(QUIET_LEFT + i) * m:.3f}" y="{top:.3f}" width="{(j - i) * m:.3f}" '
                         f'height="{bottom - top:.3f}" fill="#000"/>')
            i = j
        else:
            i += 1
    baseline = bars_bottom + digit_size
    groups = [(digits[0], (QUIET_LEFT - 4) * m), (digits[1:7], (QUIET_LEFT + 3 + 21) * m),
              (digits[7:], (QUIET_LEFT + 50 + 21) * m)]
    for group, x in groups:
        parts.append(f'<text x="{x:.3f}" y="{baseline:.3f}" font-family="{font_family}" '
                     f'font-size="{digit_size:.2f}" text-anchor="middle" letter-spacing="{m * 1.6:.3f}">{group}</text>')
    parts.append("</svg>")
    return "".join(parts)
