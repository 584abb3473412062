"""The one way publish reads YAML (book.yaml, publish.yaml, bibliographies): the safe loader, with a
bound on aliases and on the size of what they expand to, so that an expansion bomb is an error at its
line instead of a build that never ends."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from publish.diagnostics import fail

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML has it (ten times faster)
MAX_ALIASES = 1_000  # alias uses (`*name`) in one file
MAX_EXPANDED_NODES = 1_000_000  # scalars, sequences and mappings once every alias is expanded


def load_yaml(path: Path, text: str, kind: type = LOADER) -> tuple[Any, yaml.Node | None]:
    """The data of a YAML document and its node tree (for positions), read by a safe loader (`kind`);
    a malformed document or one whose aliases expand past the bounds raises ManuscriptError at its line."""
    loader = kind(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        _check_expansion(path, node)
        return loader.construct_document(node), node
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        raise fail(path, f"malformed YAML: {error.problem or error.context}", line, col) from None
    except yaml.YAMLError as error:
        raise fail(path, f"malformed YAML: {error}") from None
    finally:
        loader.dispose()


def _check_expansion(path: Path, root: yaml.Node) -> None:
    """Count the nodes of the document as if every alias were written out, without writing them out:
    a node met again is an alias, and its expanded size is remembered from the first time."""
    sizes: dict[int, int] = {}
    aliases = 0
    # An explicit stack, not recursion: nesting depth is the document's to choose.
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    open_nodes: set[int] = set()
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            open_nodes.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            if sizes[key] > MAX_EXPANDED_NODES:
                _refuse(path, node, f"aliases expand to more than {MAX_EXPANDED_NODES:,} values")
            continue
        if key in sizes or key in open_nodes:
            aliases += 1
            if key in open_nodes:
                _refuse(path, node, "an alias refers to a value that contains it")
            if aliases > MAX_ALIASES:
                _refuse(path, node, f"more than {MAX_ALIASES:,} aliases")
            continue
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _refuse(path: Path, node: yaml.Node, reason: str) -> None:
    mark = node.start_mark
    raise fail(path, f"YAML refused: {reason}", mark.line + 1, mark.column + 1)
