"""Link cells as the workbook spells them and as the sync compares them.

A link field's canonical value is the sorted, comma-separated keys of the linked issues
(``connectors.jira.links.keys_text``): what the Jira side reads. A workbook may spell the
same links differently: in another order, in lower case, or naming a row of the pair's
trackers by the tracker's own numbering (the ``ref`` field: "R-3", "DEP-004") instead of
its Jira key. Read, a cell is brought to the canonical form, so spelling alone never
looks like an edit; written, a key whose row has its own number is shown as that number,
so a tracker that refers to its rows by number keeps doing so.

A number whose row is not in Jira yet (a row added in the same cycle) cannot be linked
yet: it is left out of the value for this cycle, with a warning, and linked by the next
cycle once the row has its key. A token that is neither a key nor a row's number stays
as typed, so the Jira writer refuses the row naming it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from connectors.excel.errors import MissingColumns, TableOutOfStep, TrackerNotFound
from connectors.excel.records import RecordsRead
from connectors.jira.links import ISSUE_KEY, KEY_SEPARATORS, keys_text
from mappings.mapping import EntityMapping, MappingSpec
from mappings.model import REF_FIELD as REF
from mappings.values import fold
from sync.excel_side import read_entity


@dataclass
class RowRefs:
    """The pair's rows by their own number: number -> Jira key, and back."""

    keys: dict[str, str | None] = field(default_factory=dict)  # fold(ref) -> key or None
    refs: dict[str, str] = field(default_factory=dict)  # key -> ref as the workbook has it
    ambiguous: set[str] = field(default_factory=set)  # fold(ref) held by several rows

    @classmethod
    def of(cls, reads: Iterable[RecordsRead]) -> RowRefs:
        found = cls()
        for read in reads:
            for row in read.rows:
                ref = getattr(row.record, REF, None)
                if ref in (None, ""):
                    continue
                folded, key = fold(str(ref)), row.record.key
                if folded in found.keys and found.keys[folded] != key:
                    found.ambiguous.add(folded)
                found.keys[folded] = key
                if key:
                    found.refs[str(key)] = str(ref)
        return found

    def __bool__(self) -> bool:
        return bool(self.keys)


def pair_row_refs(
    workbook: Path,
    mapping: MappingSpec,
    entities: Sequence[EntityMapping],
    refused: set[str],
    context: Mapping[str, Any],
) -> RowRefs:
    """The rows of a pair's trackers by their own number, when a link cell may name them
    so (the reads are the cycle's own: ``read_entity`` caches them)."""
    if not any(link_fields(e) for e in entities):
        return RowRefs()
    reads = []
    for entity in entities:
        if entity.type in refused or not any(f.name == REF and f.excel for f in entity.fields):
            continue
        with contextlib.suppress(TrackerNotFound, TableOutOfStep, MissingColumns):
            reads.append(read_entity(workbook, mapping, entity, context))
    return RowRefs.of(reads)


def link_fields(entity: EntityMapping) -> list[str]:
    return [f.name for f in entity.fields if f.link is not None and f.excel]


def canonical(text: Any, refs: RowRefs) -> tuple[Any, list[str]]:
    """A cell's links in canonical form, and the row numbers that wait for their row's
    key. Text holding anything that is neither a key nor a row's number is returned as
    it is (the writer refuses it with the token named)."""
    if text is None or str(text).strip() == "":
        return None, []
    keys, waiting = [], []
    for token in (t for t in KEY_SEPARATORS.split(str(text).strip()) if t):
        folded = fold(token)
        if folded in refs.keys and folded not in refs.ambiguous:
            key = refs.keys[folded]
            if key is None:
                waiting.append(token)
            else:
                keys.append(key)
        elif ISSUE_KEY.match(token.upper()):
            keys.append(token.upper())
        else:
            return text, []
    return keys_text(keys), waiting


def shown(value: Any, refs: RowRefs) -> Any:
    """Canonical links as the cell shows them: keys whose row has a number, by number."""
    if value is None or not refs.refs:
        return value
    tokens = [t for t in KEY_SEPARATORS.split(str(value).strip()) if t]
    if not all(ISSUE_KEY.match(t) for t in tokens):
        return value
    return ", ".join(refs.refs.get(t, t) for t in tokens) or None


def shown_links(entity: EntityMapping, values: dict[str, Any], refs: RowRefs) -> dict[str, Any]:
    """Values about to be written to a row, with link fields as the cell shows them."""
    names = set(link_fields(entity)) & set(values)
    if not names or not refs.refs:
        return values
    return {**values, **{n: shown(values[n], refs) for n in names}}


@dataclass
class CanonicalRows:
    """A tracker's rows with link cells in canonical form, and what to tell about them."""

    read: RecordsRead
    warnings: list[str] = field(default_factory=list)
    waiting: bool = False  # a cell names a row not in Jira yet: the next cycle links it


def canonical_rows(read: RecordsRead, entity: EntityMapping, refs: RowRefs) -> CanonicalRows:
    """The tracker's rows with their link cells in canonical form, with warnings for
    numbers several rows hold and for rows that wait to reach Jira."""
    names = link_fields(entity)
    if not names:
        return CanonicalRows(read)
    rows, warnings, waits = [], [], False
    for row in read.rows:
        update = {}
        for name in names:
            value = getattr(row.record, name, None)
            if name in row.unknown:
                continue
            value_now, waiting = canonical(value, refs)
            if value_now != value:
                update[name] = value_now
            twice = [t for t in KEY_SEPARATORS.split(str(value or "")) if fold(t) in refs.ambiguous]
            if twice:
                warnings.append(
                    f"row {row.row_number}: {name} {', '.join(map(repr, twice))}: several "
                    "rows of the workbook have that number; name the issue by its Jira key"
                )
            if waiting:
                waits = True
                warnings.append(
                    f"row {row.row_number}: {name} {', '.join(map(repr, waiting))}: that row "
                    "is not in Jira yet, so its link is added by the next cycle"
                )
        if update:
            row = replace(row, record=row.record.model_copy(update=update))
        rows.append(row)
    return CanonicalRows(replace(read, rows=rows), warnings, waits)
