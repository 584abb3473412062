"""Writing outputs: atomic replacement, reproducible zips, and the build's source date."""

from __future__ import annotations

import datetime
import io
import os
import subprocess
import tempfile
import zipfile
from pathlib import Path


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


def write_tree(directory: Path, files: dict[str, bytes]) -> None:
    """Write several files under `directory`, each atomically."""
    for name, data in sorted(files.items()):
        write_atomic(directory / name, data)


def reproducible_zip(data: bytes, when: datetime.datetime) -> bytes:
    """A zip rewritten with every entry stamped `when`, in its original order (mimetype first, stored)."""
    stamp = max(when, datetime.datetime(1980, 1, 1, tzinfo=datetime.timezone.utc)).timetuple()[:6]
    source = zipfile.ZipFile(io.BytesIO(data))
    target_bytes = io.BytesIO()
    with zipfile.ZipFile(target_bytes, "w") as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.external_attr = 0o644 << 16
            entry.create_system = 3
            if info.filename == "mimetype":
                entry.compress_type = zipfile.ZIP_STORED
            else:
                entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, source.read(info.filename), compresslevel=9)
    return target_bytes.getvalue()


def source_date(root: Path) -> datetime.datetime:
    """The time a build is stamped with: SOURCE_DATE_EPOCH, else the last commit touching the book,
    else the newest modification time of its files."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc)
    try:
        result = subprocess.run(["git", "log", "-1", "--format=%ct", "--", "."], cwd=root,
                                capture_output=True, text=True, timeout=10, check=False)
        if result.returncode == 0 and result.stdout.strip().isdigit():
            return datetime.datetime.fromtimestamp(int(result.stdout.strip()), datetime.timezone.utc)
    except (OSError, subprocess.SubprocessError):
        pass
    newest = max((p.stat().st_mtime for p in root.rglob("*") if p.is_file()), default=0)
    return datetime.datetime.fromtimestamp(int(newest), datetime.timezone.utc)
