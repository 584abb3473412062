"""What the fork server that local workers are forked from loads once, so that no worker pays for it:
the heavy modules, and the hyphenation patterns a book in plain `en` uses (American: see
`publish.layout.printed.hyphenation_language`; 0.05 s to parse). Anything else is loaded by the worker that
needs it: whatever is loaded here delays every worker's start. So pikepdf is not (0.05 s): a chapter's
layout never uses it, and a worker that finishes a whole book's PDF (many books built at once) imports
it itself."""

from __future__ import annotations

import atexit
import gc
import os
import sys

import PIL.Image  # noqa: F401
import pyphen
import weasyprint  # noqa: F401

import publish.build  # noqa: F401
import publish.render.epub  # noqa: F401
import publish.render.html  # noqa: F401
import publish.render.pdf  # noqa: F401

pyphen.Pyphen(lang="en_US")  # parsed once into pyphen's own cache
# What is loaded above is never collected: the workers' garbage collections no longer go through it
# (0.07 s of a chapter's layout, 0.04 s with it frozen), nor touch its pages (shared with the server).
gc.freeze()

# The fork server ends when the build that started it does, with nothing of its own to write or clean
# up: its teardown of the modules above (0.1 s) is skipped, which the build's caller waited out (the
# server holds the build's standard output and error). Its workers end by os._exit, never running this.
# Only in the fork server (multiprocessing starts it with `-c 'from multiprocessing.forkserver import
# main; ...'`; were that to change, it would merely end at the usual pace): any other process that
# imports this module ends as usual.
if any("multiprocessing.forkserver import main" in arg for arg in sys.orig_argv):
    atexit.register(os._exit, 0)
