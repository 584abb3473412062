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


def start_early() -> None:
    """The fork server started now, its preloading under way while this process goes on (not at the
    first task given to a worker)."""
    if worker_context().get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()
