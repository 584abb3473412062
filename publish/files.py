"""Reading a book's files safely: text (UTF-8, bounded in size, no control characters) and YAML
configuration (book.yaml, publish.yaml) with the place of every key and item."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from publish.diagnostics import fail, position
from publish.yamlfile import LOADER, load_yaml

MAX_CHAPTER_BYTES = 5_000_000
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")

Positions = dict[Any, tuple[int, int]]


class ConfigLoader(LOADER):
    """YAML's safe loader, reading dates as the text they are written as: a date is checked (and
    reported at its line) by the key that holds it, not turned into a Python date, or an error, by
    the YAML reader."""

    yaml_implicit_resolvers = {
        first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def read_text(path: Path) -> str:
    """A manuscript file as text: UTF-8 (a BOM is dropped), CRLF and CR become LF."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise fail(path, f"cannot read file: {error.strerror}") from None
    if len(data) > MAX_CHAPTER_BYTES:
        raise fail(path, f"file is larger than {MAX_CHAPTER_BYTES} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        good = data[: error.start].decode("utf-8", errors="replace")
        line, col = position(good, len(good))
        raise fail(path, f"not valid UTF-8 (byte offset {error.start})", line, col) from None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    control = CONTROL.search(text)
    if control:
        line, col = position(text, control.start())
        raise fail(path, f"control character U+{ord(control[0]):04X} is not allowed in a manuscript", line, col)
    return text


def parse_yaml(path: Path, text: str) -> tuple[Any, Positions, dict[Any, str]]:
    """The YAML's value; where each key and list item stands (a top-level key by its name, a nested
    one by its path as a tuple: `("print", "trim")`, `("chapters", 0)`); and the source text of each
    plain scalar (by the same keys), to tell `2.10` from `2.1`."""
    raw, node = load_yaml(path, text, ConfigLoader)  # aliases bounded
    positions: Positions = {}
    literals: dict[Any, str] = {}
    _walk(node, (), positions, literals)
    return raw, positions, literals


def _walk(node: yaml.Node | None, where: tuple, positions: Positions, literals: dict[Any, str]) -> None:
    if len(where) > 2:  # deep enough for every key a diagnostic names
        return
    children: list[tuple[Any, yaml.Node, yaml.Node]] = []
    if isinstance(node, yaml.MappingNode):
        children = [(key.value, key, value) for key, value in node.value if isinstance(key, yaml.ScalarNode)]
    elif isinstance(node, yaml.SequenceNode):
        children = [(index, item, item) for index, item in enumerate(node.value)]
    for name, marker, value in children:
        key = name if not where else (*where, name)
        positions[key] = (marker.start_mark.line + 1, marker.start_mark.column + 1)
        if isinstance(value, yaml.ScalarNode) and not value.style:  # plain, not quoted
            literals[key] = value.value
        _walk(value, (*where, name), positions, literals)
