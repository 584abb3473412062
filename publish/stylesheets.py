"""A book's own stylesheets (`css:` in book.yaml), which are untrusted: checked when the book is loaded
and prepared for each edition.

A stylesheet may not `@import`, and may name files only with `url()`, only images and fonts inside the
book's roots (through publish.resources); `src()`, `image()` and `image-set()`, which name files by
strings, are refused. The PDF reads those files through WeasyPrint's restricted fetcher; an EPUB or a
web edition carries a copy of each under its published name and its stylesheet points at the copy."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import tinycss2
from tinycss2 import ast

from publish.diagnostics import Diagnostics
from publish.fonts import FONT_TYPES
from publish.resources import IMAGE_TYPES, Refused, local_file

RESOURCE_TYPES = IMAGE_TYPES | FONT_TYPES | {".woff": "font/woff"}
REFUSED_FUNCTIONS = ("src", "image", "image-set", "-webkit-image-set", "cross-fade", "element")
MAX_STYLESHEET_BYTES = 1_000_000


@dataclass(frozen=True)
class Stylesheet:
    """A stylesheet of the book's and the files its url()s name, by the URL as written."""

    path: Path
    resources: dict[str, Path] = field(default_factory=dict)


def _tokens(path: Path) -> list[ast.Node]:
    return tinycss2.parse_component_value_list(path.read_text("utf-8"))


def _walk(nodes: list[ast.Node]) -> Iterator[ast.Node]:
    """Every token, those inside blocks and functions included."""
    for node in nodes:
        yield node
        inner = getattr(node, "arguments", None) or getattr(node, "content", None)
        if isinstance(inner, list):
            yield from _walk(inner)


def _url(node: ast.Node) -> str | None:
    """The URL a url() token names: `url(x)` or `url("x")`."""
    if isinstance(node, ast.URLToken):
        return node.value
    if isinstance(node, ast.FunctionBlock) and node.lower_name == "url":
        strings = [arg for arg in node.arguments if isinstance(arg, ast.StringToken)]
        return strings[0].value if strings else ""
    return None


def check_stylesheet(path: Path, roots: list[Path]) -> tuple[dict[str, Path], Diagnostics]:
    """The files the stylesheet names by url(), by the URL as written, and what is wrong with it."""
    found = Diagnostics()
    if path.stat().st_size > MAX_STYLESHEET_BYTES:
        found.error(path, f"stylesheet is larger than {MAX_STYLESHEET_BYTES} bytes")
        return {}, found
    try:
        nodes = _tokens(path)
    except UnicodeDecodeError:
        found.error(path, "stylesheet is not valid UTF-8")
        return {}, found
    resources: dict[str, Path] = {}
    for node in _walk(nodes):
        where = (node.source_line, node.source_column)
        if isinstance(node, ast.AtKeywordToken) and node.lower_value == "import":
            found.error(path, "a book's stylesheet may not @import (name each stylesheet in book.yaml's css)",
                        *where)
        elif isinstance(node, ast.FunctionBlock) and node.lower_name in REFUSED_FUNCTIONS:
            found.error(path, f"{node.lower_name}() is not allowed in a book's stylesheet (use url())", *where)
        elif (url := _url(node)) is not None:
            try:
                file = local_file(url, path.parent, roots)
            except Refused as refused:
                found.error(path, f"url({url}): {refused}", *where)
                continue
            if file.suffix.lower() not in RESOURCE_TYPES:
                found.error(path, f"url({url}): only images and fonts may be named "
                            f"({', '.join(sorted(RESOURCE_TYPES))})", *where)
            else:
                resources[url] = file
    return resources, found


def published_name(path: Path) -> str:
    """Where an edition carries a file a stylesheet names: images/ or fonts/, by digest and name."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    folder = "fonts" if path.suffix.lower() in FONT_TYPES or path.suffix.lower() == ".woff" else "images"
    return f"{folder}/{digest}-{path.name}"


def screen_stylesheets(sheets: list[Stylesheet]) -> tuple[str, dict[str, Path]]:
    """The book's stylesheets for an EPUB or a web edition, one text, each url() pointing at the copy
    published beside the stylesheet's directory (`../images/…`, `../fonts/…`); and the copies, by
    published name. The stylesheets were checked when the book was loaded."""
    texts, copies = [], {}
    for sheet in sheets:
        nodes = _tokens(sheet.path)
        for node in _walk(nodes):
            url = _url(node)
            if url is None or url not in sheet.resources:
                continue
            name = published_name(sheet.resources[url])
            copies[name] = sheet.resources[url]
            if isinstance(node, ast.URLToken):
                node.value = f"../{name}"
                node.representation = f'url("../{name}")'
            else:
                node.arguments = [ast.StringToken(node.source_line, node.source_column, f"../{name}",
                                                  f'"../{name}"')]
        texts.append(f"/* {sheet.path.name} */\n" + tinycss2.serialize(nodes))
    return "\n".join(texts), copies
