"""What a book's outputs depend on, hashed: the key of the incremental build.

The key covers the book's directory (book.yaml, chapters, a style of its own; not its dot-directories
or an output directory inside it), the files of its own design wherever they are (cover, stylesheets
and what they name, fonts, layouts: they may be shared beside the book), the bibliography entries its
text names, the press's publish.yaml, the shipped styles, layouts, stylesheets and fonts, and
publish's own code. It is computed from the
files as they are, without parsing, so that a build with nothing changed costs almost nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from publish import __version__
from publish.book import Book, BookConfig, load_book
from publish.files import read_text
from publish.paths import STYLES
from publish.yamlfile import load_yaml

PACKAGE = Path(__file__).resolve().parent
CITED = re.compile(r"@\{?([\w][\w:.#$%&+?<>~/-]*)")


_digests: dict[tuple, str] = {}


def _inputs(root: Path, pattern: str, outside: tuple[Path, ...] = ()) -> list[Path]:
    """The files under `root` matching `pattern`, less dot-directories (.git, a cache), __pycache__ and
    the directories in `outside` (the build's output, when it lies inside the book)."""
    files = []
    for path in root.rglob(pattern):
        parts = path.relative_to(root).parts
        if any(p.startswith(".") or p == "__pycache__" for p in parts[:-1]) or parts[-1].startswith("."):
            continue
        if path.is_file() and not any(path.is_relative_to(o) for o in outside):
            files.append(path)
    return sorted(files)


def _tree_digest(root: Path, pattern: str, outside: tuple[Path, ...] = ()) -> str:
    """One digest of every input file under `root` matching `pattern`, names and contents (read again
    only when a file's size or modification time has changed)."""
    files = _inputs(root, pattern, outside)
    signature = (root, pattern, tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files))
    if signature not in _digests:
        digest = hashlib.sha256()
        for path in files:
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
        _digests[signature] = digest.hexdigest()
    return _digests[signature]


def file_digest(path: Path) -> str:
    """A file's SHA-256 ("" for none), read again only when its size or modification time has changed."""
    try:
        stat = path.stat()
    except OSError:
        return ""
    signature = (path, stat.st_mtime_ns, stat.st_size)
    if signature not in _digests:
        _digests[signature] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
    return _digests[signature]


def code_digest() -> str:
    """One digest of publish's own code: an entry of a cache made by other code is never read."""
    return _tree_digest(PACKAGE, "*.py")


def digest(*parts: str | bytes) -> str:
    """One key of many parts (each ended, so that parts cannot run into each other)."""
    value = hashlib.sha256()
    for part in parts:
        value.update((part.encode() if isinstance(part, str) else part) + b"\0")
    return value.hexdigest()


def _yaml(path: Path) -> object:
    """A YAML file's data, read as the build reads it (a bomb or a malformed file is its diagnostic)."""
    return load_yaml(path, read_text(path))[0]


def _cited_entries(paths: list[Path], text: str) -> str:
    """The bibliography entries whose keys the text names, as canonical JSON (over-inclusive is fine);
    a file that is not CSL YAML counts whole."""
    names = set(CITED.findall(text))
    parts: list[object] = []
    for path in paths:
        data = _yaml(path) if path.suffix in (".yaml", ".yml") else None
        items = data.get("references", []) if isinstance(data, dict) else data
        if not isinstance(items, list):
            parts.append(file_digest(path))  # JSON, BibTeX, or YAML that does not parse
            continue
        parts += [e for e in items if isinstance(e, dict) and str(e.get("id")) in names]
    return json.dumps(parts, sort_keys=True, default=str)


def design_files(config: BookConfig) -> list[Path]:
    """The book's own cover, stylesheets (and the files they name) and font files."""
    files = [config.cover] if config.cover else []
    for sheets in config.css.values():
        files += [part for sheet in sheets for part in (sheet.path, *sheet.resources.values())]
    return files + [face.print_file for typeface in config.fonts.values() for face in typeface.faces]


def input_files(book: Book) -> list[Path]:
    """The files a build of the book reads besides those in its directory and the shipped styles: its
    design's (which may lie outside it), its bibliographies, its CSL style and the press's publish.yaml."""
    style = book.config.csl
    return [*design_files(book.config), *book.bibliography_paths, *([book.press.path] if book.press else []),
            *([book.root / style] if style.endswith(".csl") else [])]


def _design_digest(config: BookConfig) -> str:
    """One digest of the book's own cover, stylesheets (and the files they name), fonts and layouts."""
    digest = hashlib.sha256()
    for path in design_files(config):
        digest.update(path.name.encode() + b"\0" + file_digest(path).encode())
    if config.layouts:
        digest.update(_tree_digest(config.layouts, "*").encode())
    return digest.hexdigest()


def book_key(root: Path, formats: tuple[str, ...], profile: str = "", out: Path | None = None) -> str:
    """The cache key of one book's outputs in the given formats (`out`: the output directory, which is
    not an input even when it lies inside the book)."""
    book = load_book(root)
    # The entries the text cites and those `nocite` lists (`@*`: every entry, so every file's bytes).
    text = "\n".join([chapter.text for chapter in book.chapters] + [f"@{k}" for k in book.config.nocite])
    outside = (out.resolve(),) if out is not None else ()
    style = book.config.csl
    digest = hashlib.sha256()
    for part in (__version__, ",".join(formats), profile, _tree_digest(book.root, "*", outside),
                 _design_digest(book.config), _cited_entries(book.bibliography_paths, text),
                 "".join(file_digest(p) for p in book.bibliography_paths) if "*" in book.config.nocite else "",
                 file_digest(book.press.path) if book.press else "",
                 file_digest(book.root / style) if style.endswith(".csl") else "",
                 _tree_digest(STYLES, "*"), _tree_digest(PACKAGE, "*.py")):
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()
