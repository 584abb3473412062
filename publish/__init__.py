"""publish: Markdown manuscripts to a print PDF, an EPUB 3 and an HTML web edition."""

__version__ = "0.1.0"
