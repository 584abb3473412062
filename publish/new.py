"""`publish new`: a small, complete book that builds at once, from the starter files in the package."""

from __future__ import annotations

import datetime
import json
import shutil
import tempfile
import uuid
from importlib.resources import files
from pathlib import Path

STARTER = Path(str(files("publish") / "starter"))
# Starter file -> its name in the new book (a wheel carries no dot-files, so .gitignore is renamed).
NAMES = {"gitignore": ".gitignore"}
TEXT = (".yaml", ".md")


class NotEmpty(ValueError):
    """The target exists and holds something: `publish new` never overwrites."""


def title_from(path: Path) -> str:
    """A title from a directory name: 'the-lost-year' -> 'The Lost Year'."""
    words = path.resolve().name.replace("_", " ").replace("-", " ").split()
    return " ".join(w[:1].upper() + w[1:] for w in words) or "Untitled"


def new_book(path: Path, title: str = "", today: datetime.date | None = None) -> list[Path]:
    """Write the starter book into `path` (absent or empty); returns the files written. The files are
    written beside it first and moved in, so an interrupted run leaves nothing half-written."""
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise NotEmpty(f"{path} exists and is not an empty directory; nothing written")
    values = {
        "title": json.dumps(title or title_from(path), ensure_ascii=False),  # a YAML double-quoted scalar
        "identifier": f"urn:uuid:{uuid.uuid4()}",
        "date": (today or datetime.date.today()).isoformat(),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".publish-new-") as staging:
        for source in sorted(STARTER.iterdir()):
            if not source.is_file() or source.name.startswith(("_", ".")):
                continue
            target = Path(staging) / NAMES.get(source.name, source.name)
            if source.suffix in TEXT:
                target.write_text(_filled(source.read_text("utf-8"), values, source.suffix), "utf-8")
            else:
                shutil.copyfile(source, target)
        path.mkdir(exist_ok=True)
        for staged in sorted(Path(staging).iterdir()):
            staged.replace(path / staged.name)
            written.append(path / staged.name)
    return written


def _filled(text: str, values: dict[str, str], suffix: str) -> str:
    """The starter text with its {{placeholders}}: YAML gets the quoted title, Markdown the plain one."""
    for name, value in values.items():
        if name == "title" and suffix != ".yaml":
            value = json.loads(value)
        text = text.replace("{{" + name + "}}", value)
    return text
