"""The layout cache: laid-out pieces of the print edition on disk, content-addressed, least recently
used out past a size, each entry written atomically (an interrupted build leaves none half-written)."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from publish.cache import digest
from publish.press import CACHE_SIZE as DEFAULT_LIMIT  # bytes (publish.yaml `cache_size`)

DIRECTORY = ".publish-cache"  # beside the output directory


def chunks_record(slug: str) -> str:
    """The key of the entry that says which entries the last layout of a book (by its slug) took for
    each of its chunks (`publish.layout.chunks.Previous`)."""
    return digest(slug, "the last layout's chunks")


def last_chunks(cache: LayoutCache | None, slug: str) -> dict[str, str]:
    """That entry's keys, by the chapters of each chunk; empty when the book's last layout was not in
    chunks (or the cache has no entry of it)."""
    found = cache.get(chunks_record(slug)) if cache is not None else None
    return found[0].get("chunks", {}) if found else {}


def laid_out_in_chunks(out: Path, slug: str) -> bool:
    """Whether the layout cache beside the output directory `out` holds that entry for a book (its
    last layout there was in chunks), looked at before the book is even read."""
    return LayoutCache(cache_dir(out))._path(chunks_record(slug)).is_file()


def cache_dir(out: Path) -> Path:
    """Where the layout cache of an output directory lives: beside it (never inside, which is published)."""
    return out.resolve().parent / DIRECTORY


class LayoutCache:
    """Entries by key: facts (JSON) and bytes (a piece's PDF, a chapter's parse, a cover). Each entry's
    first line, its facts, holds the digest of its bytes (`sha256`): an entry cut short or damaged on
    disk is not returned, and is made again rather than believed. `read=False` (`--force`): nothing is
    taken from the cache, everything made is put into it."""

    def __init__(self, directory: Path, limit: int = DEFAULT_LIMIT, read: bool = True) -> None:
        self.directory = directory
        self.limit = limit
        self.read = read

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / key

    def get(self, key: str) -> tuple[dict[str, Any], bytes] | None:
        if not self.read:
            return None
        path = self._path(key)
        try:
            raw = path.read_bytes()
            os.utime(path)  # recently used
        except OSError:
            return None
        head, _, data = raw.partition(b"\n")
        try:
            facts = json.loads(head)
        except ValueError:  # not an entry of ours: made again
            return None
        if not isinstance(facts, dict) or facts.get("sha256") != hashlib.sha256(data).hexdigest():
            return None  # cut short or damaged
        return facts, data

    def put(self, key: str, facts: dict[str, Any], data: bytes = b"") -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(handle, "wb") as file:
                facts = {**facts, "sha256": hashlib.sha256(data).hexdigest()}
                file.write(json.dumps(facts, sort_keys=True, separators=(",", ":")).encode() + b"\n" + data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def prune(self) -> None:
        """Least recently used entries removed until the cache holds at most `limit` bytes (and the
        leftovers of interrupted writes)."""
        if not self.directory.is_dir():
            return
        entries = []
        for path in self.directory.glob("*/*"):
            try:
                stat = path.stat()
            except OSError:
                continue
            if path.name.startswith(".tmp-"):
                if time.time() - stat.st_mtime > 3600:  # left by a build that was killed
                    path.unlink(missing_ok=True)
                continue  # else another build may be writing it
            entries.append((stat.st_mtime_ns, stat.st_size, path))
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= self.limit:
                break
            path.unlink(missing_ok=True)
            total -= size


def environment(doc: Any) -> str:
    """What every laid-out page depends on besides its HTML: publish's code, the shipped styles, the
    book's own design files (stylesheets and what they name, fonts, layouts), its images, WeasyPrint
    (its version read from its metadata: a build that takes every page from the cache never imports it)."""
    from importlib.metadata import version

    from publish import cache

    images = "".join(f"{name}:{cache.file_digest(path)}" for name, path in sorted(doc.images.items()))
    return digest(version("weasyprint"), cache.code_digest(),
                  cache._tree_digest(cache.STYLES, "*"), cache._design_digest(doc.config), images)
