"""What a book's outputs depend on, hashed: the key of the incremental build.

The key covers the book's directory (book.yaml, chapters, a style of its own), the bibliography
entries its text names, the shipped styles, layouts, stylesheets and fonts, and publish's own code. It is computed from the
files as they are, without parsing, so that a build with nothing changed costs almost nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import yaml

from publish import __version__
from publish.book import load_book
from publish.paths import STYLES

PACKAGE = Path(__file__).resolve().parent
CITED = re.compile(r"@\{?([\w][\w:.#$%&+?<>~/-]*)")


_digests: dict[tuple, str] = {}


def _tree_digest(root: Path, pattern: str) -> str:
    """One digest of every file under `root` matching `pattern`, names and contents (read again only
    when a file's size or modification time has changed)."""
    files = sorted(p for p in root.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts)
    signature = (root, pattern, tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files))
    if signature not in _digests:
        digest = hashlib.sha256()
        for path in files:
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
        _digests[signature] = digest.hexdigest()
    return _digests[signature]


def _yaml(path: Path) -> object:
    """A YAML file read with libyaml when PyYAML has it (ten times faster than the pure-Python reader)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_text("utf-8"), Loader=loader)


def _cited_entries(paths: list[Path], text: str) -> str:
    """The bibliography entries whose keys the text names, as canonical JSON (over-inclusive is fine)."""
    names = set(CITED.findall(text))
    entries = []
    for path in paths:
        data = _yaml(path) if path.suffix in (".yaml", ".yml") else None
        items = data.get("references", []) if isinstance(data, dict) else data
        if not isinstance(items, list):
            return hashlib.sha256(path.read_bytes()).hexdigest()  # JSON, BibTeX: the whole file
        entries += [e for e in items if isinstance(e, dict) and str(e.get("id")) in names]
    return json.dumps(entries, sort_keys=True, default=str)


def book_key(root: Path, formats: tuple[str, ...], profile: str = "") -> str:
    """The cache key of one book's outputs in the given formats."""
    book = load_book(root)
    # The entries the text cites and those `nocite` lists (`@*`: every entry, so every file's bytes).
    text = "\n".join([chapter.text for chapter in book.chapters] + [f"@{k}" for k in book.config.nocite])
    digest = hashlib.sha256()
    for part in (__version__, ",".join(formats), profile, _tree_digest(book.root, "*"),
                 _cited_entries(book.bibliography_paths, text),
                 "".join(hashlib.sha256(p.read_bytes()).hexdigest() for p in book.bibliography_paths)
                 if "*" in book.config.nocite else "",
                 _tree_digest(STYLES, "*"), _tree_digest(PACKAGE, "*.py")):
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()
