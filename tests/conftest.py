"""Shared fixtures: real builds of real books, run through the command line as a user would."""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import textwrap
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
MANUSCRIPT = PROJECT / "manuscript"
# The source texts each book was made from, kept beside its manuscript (source.txt).
SOURCES = {"leon-trotsky-speaks-2011.txt": MANUSCRIPT / "leon-trotsky-speaks" / "source.txt",
           "toussaint-perez-varona-interview-2019.txt": MANUSCRIPT / "lesson-of-the-soviet-union" / "source.txt"}
BOOKS = ("leon-trotsky-speaks", "lesson-of-the-soviet-union")


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


def run_publish(*args: str | os.PathLike[str], cwd: Path = PROJECT, env: dict[str, str] | None = None) -> Run:
    """Run the `publish` command in a fresh process, as a user or CI would (`env`: more variables)."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000", **(env or {})}
    done = subprocess.run([sys.executable, "-m", "publish", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    return Run(done.returncode, done.stdout, done.stderr)


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Both pamphlets built once, every format, into a temporary output directory."""
    out = tmp_path_factory.mktemp("dist")
    result = run_publish("build", "--out", out)
    assert result.code == 0, result.stderr
    return out


def write_book(root: Path, chapters: dict[str, str], config: str = "", bibliography: str | None = None) -> Path:
    """A small book on disk: book.yaml, its chapters and (optionally) its own bibliography."""
    root.mkdir(parents=True, exist_ok=True)
    names = "[" + ", ".join(chapters) + "]"
    (root / "book.yaml").write_text(textwrap.dedent(config) + f"chapters: {names}\n" if "chapters:" not in config
                                    else textwrap.dedent(config), encoding="utf-8")
    for name, text in chapters.items():
        (root / name).write_text(textwrap.dedent(text), encoding="utf-8")
    if bibliography is not None:
        (root / "bibliography.yaml").write_text(textwrap.dedent(bibliography), encoding="utf-8")
    return root


TOY_BIBLIOGRAPHY = """\
    references:
    - id: trotsky1937b
      type: book
      author: [{family: Trotsky, given: Leon}]
      title: The Revolution Betrayed
      publisher-place: New York
      issued: {date-parts: [[1970]]}
      original-date: {date-parts: [[1937]]}
    - id: guevara2018
      type: book
      author: [{family: Guevara, given: Che}]
      title: El Gran Debate
      publisher: Ocean Press
      issued: 2018
    """


PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415478da63f8cfc000"
                    "0003010100c9fe92ef0000000049454e44ae426082")  # one pixel


@pytest.fixture
def listener():
    """A local HTTP server on 127.0.0.1 that records every request it gets."""
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(PNG)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()
