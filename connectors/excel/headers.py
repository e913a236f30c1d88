"""Match header texts: case- and space-insensitive, with caller-given aliases.

PMO staff retype headers ("Due date", "Due  Date", "DUE DATE\\n") and rename them; the
mapping layer gives aliases. All header comparisons go through `normalise_header`.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping, Sequence

from .strings import unescape_ooxml

_SPACE_RE = re.compile(r"\s+")


def normalise_header(text: object) -> str:
    """Fold case, unicode width and remove all whitespace ("Due  Date\\n" -> "duedate").

    OOXML escapes are decoded first: Excel stores a line break in a table column's name
    as ``_x000a_``, so "Due_x000a_Date" (the tableColumn) and "Due\\nDate" (the cell, as
    the survey reports it) are the same header."""
    if text is None:
        return ""
    return _normalise(str(text))


@functools.lru_cache(maxsize=4096)
def _normalise(text: str) -> str:
    if "_x" in text:
        text = unescape_ooxml(text)
    return _SPACE_RE.sub("", unicodedata.normalize("NFKC", text).casefold())


def resolve_header(
    name: str, headers: Sequence[str], aliases: Mapping[str, Sequence[str]] | None = None
) -> str | None:
    """The header in `headers` that `name` (or one of its aliases) designates."""
    index = {normalise_header(h): h for h in reversed(headers) if normalise_header(h)}
    candidates = [name, *((aliases or {}).get(name, ()))]
    for key, values in (aliases or {}).items():
        if normalise_header(key) == normalise_header(name) and key != name:
            candidates.extend(values)
    for cand in candidates:
        hit = index.get(normalise_header(cand))
        if hit is not None:
            return hit
    return None


def match_score(
    row_texts: Sequence[str],
    expected: Sequence[str],
    aliases: Mapping[str, Sequence[str]] | None = None,
) -> int:
    """How many expected headers (or their aliases) appear among `row_texts`."""
    return sum(1 for name in expected if resolve_header(name, row_texts, aliases) is not None)
