"""What the fork server that local workers are forked from loads once, so that no worker pays for it:
the heavy modules and the hyphenation patterns of English (0.1 s each to parse)."""

from __future__ import annotations

import pikepdf  # noqa: F401
import PIL.Image  # noqa: F401
import pyphen
import weasyprint  # noqa: F401

import publish.build  # noqa: F401
import publish.render.epub  # noqa: F401
import publish.render.html  # noqa: F401
import publish.render.pdf  # noqa: F401

for _language in ("en_US", "en_GB"):
    pyphen.Pyphen(lang=_language)  # parsed once into pyphen's own cache
