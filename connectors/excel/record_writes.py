"""Record values as cells: a row's changed fields and whole new rows, as a patch.

The write half of the records layer (``records`` reads): a canonical value becomes the
label, number, date or text its column shows, in the column's drop-down spelling or the
style it already uses, and rows become ``WorkbookPatch`` operations that the lossless
writer applies.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from mappings.mapping import EntityMapping, FieldMapping, MappingSpec
from mappings.model import CELL_TEXT
from mappings.model import REF_FIELD as REF

from .locate import TrackerLocation
from .patch import WorkbookPatch
from .records import ColumnStyle, _id_columns


def excel_value(
    mapping: MappingSpec, mapped: FieldMapping, value: Any, style: ColumnStyle | None = None
) -> Any:
    """A canonical value as the workbook shows it (its label, date, number or text); a
    label in the column's drop-down spelling, else in the style the column uses."""
    if value is None:
        return None
    value_map = mapping.value_map(mapped, "excel")
    if value_map is not None:
        if style is not None:
            label = value_map.to_label(value, allowed=style.allowed, seen=style.seen)
        else:
            label = value_map.to_label(value)
        # A scale whose workbook labels are numbers (1-5 drop-downs) stays numeric.
        return int(label) if label.isdigit() else label
    if isinstance(value, datetime | date | int | float | bool | str):
        return value
    as_text = CELL_TEXT.get(mapped.name)
    if as_text is not None:
        return as_text(value) or None  # no holidays: an empty cell
    return str(value)


def row_values(
    mapping: MappingSpec,
    entity: EntityMapping,
    record: Any,
    location: TrackerLocation,
    seed: Iterable[str] = (),
    styles: Mapping[str, ColumnStyle] | None = None,
) -> dict[str, Any]:
    """Header -> cell value of a whole new row for a record (ids included).

    ``seed``: fields the workbook owns (``excel-to-jira``) whose column starts with Jira's
    value in a new row, so the row does not read as having emptied them."""
    values: dict[str, Any] = {}
    seeded = set(seed)
    for mapped in entity.fields:
        if mapped.name == REF and getattr(record, REF, None) is None:
            continue  # keep the number a template's row has (or its formula) for the row
        if mapped.excel and (mapped.to_excel or mapped.name in seeded):
            style = (styles or {}).get(mapped.name)
            values[mapped.excel] = excel_value(mapping, mapped, getattr(record, mapped.name), style)
    for name, header in _id_columns(location, entity).items():
        value = getattr(record, name)
        values[header] = None if value is None else str(value)
    return values


def add_row_changes(
    patch: WorkbookPatch,
    mapping: MappingSpec,
    entity: EntityMapping,
    location: TrackerLocation,
    row_number: int,
    changes: Mapping[str, Any],
    styles: Mapping[str, ColumnStyle] | None = None,
) -> WorkbookPatch:
    """Cell writes for some canonical fields of one row (ids included as 'key'/'sync_id')."""
    ids = _id_columns(location, entity)
    for name, value in changes.items():
        if name in ids:
            patch.set_in(location, row_number, ids[name], None if value is None else str(value))
            continue
        mapped = entity.field(name)
        if mapped.excel is None:
            raise ValueError(f"{entity.type}.{name} has no Excel column in mapping {mapping.name}")
        style = (styles or {}).get(name)
        patch.set_in(location, row_number, mapped.excel, excel_value(mapping, mapped, value, style))
    return patch


def add_new_rows(
    patch: WorkbookPatch,
    mapping: MappingSpec,
    entity: EntityMapping,
    location: TrackerLocation,
    records: Iterable[Any],
    seed: Iterable[str] = (),
    styles: Mapping[str, ColumnStyle] | None = None,
) -> WorkbookPatch:
    """Append one row per record to the entity's tracker."""
    fields = tuple(seed)
    rows = [row_values(mapping, entity, r, location, fields, styles) for r in records]
    if rows:
        patch.append(rows, location=location)
    return patch
