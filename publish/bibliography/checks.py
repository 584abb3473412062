"""Checks of a bibliography against the books that use it: entries no book cites, and entries whose
fields differ in form from the other entries of their type."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

from publish.bibliography import load_bibliography
from publish.diagnostics import Diagnostics

# A field counts as the norm for a type when this share of at least MIN_ENTRIES entries have it.
NORM_SHARE = 0.75
MIN_ENTRIES = 4
FORM_FIELDS = ("publisher-place", "publisher", "container-title", "URL", "issued", "author")


def bibliography_checks(cited_by_file: dict[tuple[Path, ...], set[str]]) -> Diagnostics:
    """Warnings for each set of bibliography files, given every key the checked books cite from it."""
    found = Diagnostics()
    for paths, cited in sorted(cited_by_file.items()):
        bibliography = load_bibliography(list(paths), keep_empty=True)
        for key, (path, line, col) in bibliography.where.items():
            if key not in cited:
                found.warning(path, f"entry '{key}' is cited by no book", line, col, rule="uncited-entry")
        by_type: dict[str, list[str]] = defaultdict(list)
        for key, entry in bibliography.entries.items():
            by_type[str(entry.get("type"))].append(key)
        for kind, keys in by_type.items():
            if len(keys) < MIN_ENTRIES:
                continue
            have = Counter(f for k in keys for f in FORM_FIELDS if bibliography.entries[k].get(f))
            for field, count in have.items():
                if count == len(keys) or count / len(keys) < NORM_SHARE:
                    continue
                for key in keys:
                    # A field written empty (`publisher-place: ~`) records that the source has none.
                    if field not in bibliography.entries[key]:
                        path, line, col = bibliography.where[key]
                        found.warning(path, f"entry '{key}' has no {field}, unlike {count} of the "
                                            f"{len(keys)} {kind} entries", line, col,
                                      rule="bibliography-form")
    return found
