"""What the fork server that local workers are forked from loads once, so that no worker pays for it:
the heavy modules, and the hyphenation patterns a book in plain `en` uses (American: see
`publish.layout.printed.hyphenation_language`; 0.05 s to parse). Anything else is loaded by the worker that
needs it: whatever is loaded here delays every worker's start."""

from __future__ import annotations

import pikepdf  # noqa: F401
import PIL.Image  # noqa: F401
import pyphen
import weasyprint  # noqa: F401

import publish.build  # noqa: F401
import publish.render.epub  # noqa: F401
import publish.render.html  # noqa: F401
import publish.render.pdf  # noqa: F401

pyphen.Pyphen(lang="en_US")  # parsed once into pyphen's own cache
