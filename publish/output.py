"""Writing outputs: atomic replacement, the output directory's lock, staging and manifest,
reproducible zips, and the build's source date."""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import hashlib
import io
import json
import os
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path` and move it into place only when complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


COMPRESSED = (".woff2", ".woff", ".png", ".jpg", ".jpeg", ".gif", ".webp")


def reproducible_zip(data: bytes, when: datetime.datetime) -> bytes:
    """A zip rewritten with every entry stamped `when`, in its original order (mimetype first, stored)."""
    stamp = max(when, datetime.datetime(1980, 1, 1, tzinfo=datetime.UTC)).timetuple()[:6]
    source = zipfile.ZipFile(io.BytesIO(data))
    target_bytes = io.BytesIO()
    with zipfile.ZipFile(target_bytes, "w") as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.external_attr = 0o644 << 16
            entry.create_system = 3
            if info.filename == "mimetype" or info.filename.endswith(COMPRESSED):
                entry.compress_type = zipfile.ZIP_STORED  # the mimetype must be; fonts and images gain nothing
            else:
                entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, source.read(info.filename), compresslevel=9)
    return target_bytes.getvalue()


def source_date(root: Path, outside: tuple[Path, ...] = ()) -> datetime.datetime:
    """The time a build is stamped with: SOURCE_DATE_EPOCH, else the last commit touching the book,
    else the newest modification time of its files (not those in dot-directories or in `outside`, the
    output directory when it lies inside the book)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), datetime.UTC)
    try:
        result = subprocess.run(["git", "log", "-1", "--format=%ct", "--", "."], cwd=root,
                                capture_output=True, text=True, timeout=10, check=False)
        if result.returncode == 0 and result.stdout.strip().isdigit():
            return datetime.datetime.fromtimestamp(int(result.stdout.strip()), datetime.UTC)
    except (OSError, subprocess.SubprocessError):
        pass
    outside = tuple(o.resolve() for o in outside)
    inputs = (p for p in root.resolve().rglob("*") if p.is_file() and not any(p.is_relative_to(o) for o in outside)
              and not any(part.startswith(".") for part in p.relative_to(root.resolve()).parts))
    newest = max((p.stat().st_mtime for p in inputs), default=0)
    return datetime.datetime.fromtimestamp(int(newest), datetime.UTC)


# Builds into one output directory: a lock, a staging area outside it, and the manifest -----------

MANIFEST = "manifest.json"


def _sidecar(out: Path, suffix: str) -> Path:
    """A path beside the output directory (not in it), on the same file system."""
    out = out.resolve()
    return out.parent / f".{out.name}.{suffix}"


@contextlib.contextmanager
def locked(out: Path, waiting: Callable[[], None] = lambda: None) -> Iterator[None]:
    """Hold the output directory's lock; a second build waits for the first (and says so)."""
    out.mkdir(parents=True, exist_ok=True)
    with open(_sidecar(out, "lock"), "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            waiting()
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class Staging:
    """Outputs written in full to a staging directory beside `out`, then moved into place each by
    one rename; an interrupted build leaves its staging directory, which the next build removes."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.root = _sidecar(out, "staging")
        shutil.rmtree(self.root, ignore_errors=True)
        self.root.mkdir(parents=True)
        self.files: list[str] = []
        self.removed: list[str] = []

    def remove(self, name: str) -> None:
        """An earlier output that this build no longer makes (another profile's cover, say): deleted
        at the commit, after everything new is in place."""
        self.removed.append(name)

    def add(self, name: str, data: bytes) -> None:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        os.chmod(path, 0o644)
        self.files.append(name)

    def commit(self) -> None:
        for name in sorted(self.files):
            target = self.out / name
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.root / name, target)
        for name in self.removed:
            if name not in self.files:
                (self.out / name).unlink(missing_ok=True)
        self.files.clear()

    def discard(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def read_manifest(out: Path) -> dict[str, Any]:
    try:
        data = json.loads((out / MANIFEST).read_text("utf-8"))
        return data if isinstance(data, dict) and isinstance(data.get("books"), dict) else {"books": {}}
    except (OSError, ValueError):
        return {"books": {}}


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    return (json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
