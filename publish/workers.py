"""The processes local work runs in: a fork server with the heavy modules preloaded."""

from __future__ import annotations

from typing import Any

# What every worker needs, loaded once by the fork server each worker is forked from (a fresh interpreter
# importing WeasyPrint and the rest takes 0.7 s, once per worker with "spawn"): see publish/preload.py.
PRELOAD = ["publish.preload"]


def worker_context() -> Any:
    """The multiprocessing context for local workers: a fork server with the heavy modules preloaded
    (never a plain fork of this process, which may hold threads and locks), else spawn."""
    import multiprocessing

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def start_early(detached: bool = False) -> None:
    """The fork server started now, its preloading under way while this process goes on (not at the
    first task given to a worker); nothing when it runs already.

    `detached`: started before this process knows whether it will give a worker anything (a build may
    find nothing to do), so with /dev/null for its standard output and error, and those of the
    processes it starts: it never keeps this process's caller (a pipe read to its end) waiting after
    this process has ended. Nothing is lost: a worker's error comes back as its task's result, and
    WeasyPrint's log is not printed (a NullHandler). Only where this process has no thread yet that
    may write meanwhile (the start of the command line)."""
    if worker_context().get_start_method() != "forkserver":
        return
    from multiprocessing import forkserver

    if not detached:
        forkserver.ensure_running()
        return
    import os
    import sys

    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    saved = [os.dup(1), os.dup(2)]
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        os.dup2(null, 2)
        forkserver.ensure_running()
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (null, *saved):
            os.close(fd)
