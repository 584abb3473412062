"""The JSON Schemas of book.yaml and publish.yaml, shipped in the package for editors' YAML plugins."""

from __future__ import annotations

from importlib.resources import files

SCHEMAS = {"book": "book.schema.json", "press": "publish.schema.json"}


def schema_text(which: str = "book") -> str:
    """The schema of book.yaml (`book`) or publish.yaml (`press`), as JSON text."""
    return (files("publish") / "schemas" / SCHEMAS[which]).read_text("utf-8")
