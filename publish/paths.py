"""Where the shipped styles are: package data (`publish.styles`, the repository's `styles/` directory),
found through importlib.resources, so that an installed wheel finds them wherever it is."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

STYLES = Path(str(files("publish.styles")))
LAYOUTS = STYLES / "layouts"
FONTS = STYLES / "fonts"
CSL = STYLES / "csl"
CSS = STYLES / "css"
