"""Tracker rows <-> canonical records, through a declarative mapping.

This is where the generic cell layer meets the PMO model: a row becomes a record (its
workbook labels translated by the mapping's Excel-side value maps, its formula cells
contributing their cached values, never their formula text), and a record's changed
fields become cell writes or an appended row.

One bad row never stops a read: it is reported with its row number, field, value and
the allowed values, and every other row is returned.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from mappings.errors import Problem, RecordValidationError, UnknownValueError
from mappings.mapping import EntityMapping, FieldMapping, MappingSpec
from mappings.model import ENTITY_TYPES, build_record
from mappings.model import REF_FIELD as REF
from mappings.values import Choices

from .fingerprint import Fingerprint
from .locate import TrackerLocation, TrackerPins, locate_tracker
from .reader import TrackerRow, read_tracker
from .validation import column_lists


@dataclass(frozen=True)
class RowRecord:
    """A record read from a row, and where it is."""

    row_number: int
    record: Any
    formula_fields: frozenset[str] = frozenset()  # fields whose cell holds a formula
    has_sync_id: bool = True  # False: a row pmo-sync has not stamped yet (its id is new)
    unknown: Mapping[str, str] = field(default_factory=dict)
    """Fields whose cell tells nothing about the value (an error value such as #REF!, a
    formula whose cached result is missing or stale): field -> why. The record holds no
    value for them, which must never be read as "empty"."""


@dataclass
class ColumnStyle:
    """How a column spells values: its drop-down list (None: no list pmo-sync can read)
    and the labels its rows hold now, with counts. Writes follow both, so a column keeps
    one style (高/中/低 stays 高/中/低) and a value its list lacks is noticed."""

    allowed: Choices | None = None
    list_source: str | None = None  # the list's formula, for messages
    seen: Counter[str] = field(default_factory=Counter)

    def outside(self, label: Any) -> bool:
        """True when the column has a readable list and ``label`` is not in it."""
        if self.allowed is None or label is None or label == "":
            return False
        return not self.allowed.allows(label)


@dataclass
class RecordsRead:
    """Everything read from one tracker: good records, rejected rows, the fingerprint."""

    entity: EntityMapping
    location: TrackerLocation
    fingerprint: Fingerprint
    rows: list[RowRecord] = field(default_factory=list)
    errors: list[RecordValidationError] = field(default_factory=list)
    rejected_ids: list[tuple[str | None, str | None]] = field(default_factory=list)
    """(key, sync_id) of rejected rows: the sync must leave their records alone, not
    mistake them for rows deleted from the workbook."""
    rejected_rows: list[int] = field(default_factory=list)
    id_columns: dict[str, str] = field(default_factory=dict)  # "key"/"sync_id" -> header
    recalculation_pending: bool = False
    """The workbook changed since a spreadsheet last calculated it (``fullCalcOnLoad``),
    so formula cells hold results that may be out of date."""
    styles: dict[str, ColumnStyle] = field(default_factory=dict)  # field name -> style


def _excel_fields(entity: EntityMapping) -> list[FieldMapping]:
    """Fields read from the workbook: derived ones are outputs, never inputs."""
    derived = ENTITY_TYPES[entity.type].derived_fields
    return [f for f in entity.fields if f.excel and f.name not in derived]


def _aliases(entity: EntityMapping) -> dict[str, list[str]]:
    return {f.excel: list(f.excel_aliases) for f in entity.fields if f.excel and f.excel_aliases}


def locate_entity(path: Path, entity: EntityMapping) -> TrackerLocation:
    """Find the entity's tracker, requiring every mapped column (key columns optional).

    The one way every reader of a mapping finds a tracker (the sync, `pmo-sync check`,
    the id-column check), so all of them see the same rows and columns; the mapping's
    pins (header_row, header_rows, columns) are honoured (``locate.TrackerPins``)."""
    headers = [f.excel for f in entity.fields if f.excel]
    return locate_tracker(
        path,
        table=entity.excel.table,
        sheet=entity.excel.sheet,
        expected_headers=headers,
        required=headers,
        aliases=_aliases(entity),
        pins=TrackerPins.of(entity.excel),
    )


def _id_columns(location: TrackerLocation, entity: EntityMapping) -> dict[str, str]:
    """Canonical id field -> header, for the id columns this tracker has."""
    found = {}
    for name, header in (
        ("key", entity.excel.key_column),
        ("sync_id", entity.excel.sync_id_column),
    ):
        actual = location.header_for(header)
        if actual is not None:
            found[name] = actual
    return found


def tracker_id_columns(path: Path, entity: EntityMapping) -> dict[str, str]:
    """The id columns ("key", "sync_id" -> header) an entity's tracker has, from its header
    alone: a check that costs the header row, not the rows."""
    return _id_columns(locate_entity(path, entity), entity)


def read_records(
    path: Path,
    mapping: MappingSpec,
    entity: EntityMapping,
    *,
    context: Mapping[str, Any] | None = None,
    first_rows: int | None = None,
) -> RecordsRead:
    """Read every row of an entity's tracker as a canonical record (only the first
    ``first_rows`` rows of it when given: a preview)."""
    location = locate_entity(path, entity)
    if first_rows is not None:
        last = min(location.last_data_row, location.first_data_row + first_rows - 1)
        location = replace(location, last_data_row=last)
    fields = _excel_fields(entity)
    ids = _id_columns(location, entity)
    columns = [f.excel for f in fields if f.excel] + list(ids.values())
    data = read_tracker(path, location, columns)
    stale = recalculation_pending(path, data.fingerprint)
    result = RecordsRead(
        entity, data.location, data.fingerprint, id_columns=ids, recalculation_pending=stale
    )
    result.styles = _column_styles(path, location, fields)
    others = [f.excel for f in fields if f.excel and f.name != REF] + list(ids.values())
    ref_header = next((f.excel for f in fields if f.name == REF and f.excel), None)
    for row in data.rows:
        if ref_header is not None and _numbered_only(row, ref_header, others):
            continue  # a template's pre-numbered row: blank until something is typed in it
        source = f"{Path(path).name}, {location.sheet} row {row.row_number}"
        unknown: dict[str, str] = {}
        _count_labels(row, mapping, fields, result.styles)
        try:
            record, formulas = _row_to_record(
                row, mapping, entity, fields, ids, source, context, unknown, stale
            )
        except RecordValidationError as exc:
            result.errors.append(exc)
            result.rejected_rows.append(row.row_number)
            result.rejected_ids.append(
                tuple(_text(row.value(ids[n])) if n in ids else None for n in ("key", "sync_id"))
            )
            continue
        stamped = "sync_id" in ids and row.value(ids["sync_id"]) not in (None, "")
        result.rows.append(RowRecord(row.row_number, record, formulas, stamped, unknown))
    return result


def _numbered_only(row: TrackerRow, ref_header: str, others: list[str]) -> bool:
    """A row holding the tracker's own number (``ref``) and nothing else that is mapped:
    templates come with numbered empty rows, which are no records."""
    if row.value(ref_header) in (None, ""):
        return False
    cells = [row.cells.get(h) for h in others]
    return all(c is None or (c.value in (None, "") and c.error is None) for c in cells)


def _column_styles(
    path: Path, location: TrackerLocation, fields: list[FieldMapping]
) -> dict[str, ColumnStyle]:
    by_header = {location.header_for(f.excel or "") or f.excel: f.name for f in fields if f.excel}
    styles = {f.name: ColumnStyle() for f in fields if f.excel}
    for header, rule in column_lists(path, location, list(by_header)).items():
        name = by_header.get(header)
        if name is not None:
            choices = Choices(rule.values) if rule.values is not None else None
            styles[name] = ColumnStyle(choices, rule.source)
    return styles


def _count_labels(
    row: TrackerRow, mapping: MappingSpec, fields: list[FieldMapping], styles: dict[str, Any]
) -> None:
    """Tally the labels of value-mapped columns (the style new values are written in)."""
    for mapped in fields:
        if mapped.value_map is None:
            continue
        cell = _cell(row, mapped)
        if cell is not None and cell.value not in (None, "") and not cell.is_formula:
            value = cell.value
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            styles[mapped.name].seen[str(value)] += 1


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value).strip()


def _row_to_record(
    row: TrackerRow,
    mapping: MappingSpec,
    entity: EntityMapping,
    fields: list[FieldMapping],
    ids: Mapping[str, str],
    source: str,
    context: Mapping[str, Any] | None,
    unknown: dict[str, str],
    stale: bool = False,
) -> tuple[Any, frozenset[str]]:
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    formulas: set[str] = set()
    for name, header in ids.items():
        cell = row.cells.get(header)
        if cell is not None and cell.value not in (None, ""):
            values[name] = cell.value
    for mapped in fields:
        cell = _cell(row, mapped)
        if cell is None:
            continue
        if cell.is_formula:
            formulas.add(mapped.name)
        why = _unknown_reason(cell, stale)
        if why is not None:
            unknown[mapped.name] = why
            continue
        if cell.value is None or cell.value == "":
            continue
        raw = cell.value
        value_map = mapping.value_map(mapped, "excel")
        if value_map is not None:
            try:
                raw = value_map.to_canonical(raw)
            except UnknownValueError as exc:
                problems.append(Problem(f"{source}, column '{mapped.excel}'", str(exc)))
                continue
        values[mapped.name] = raw
    try:
        record = build_record(entity.type, values, source=source, context=context)
    except RecordValidationError as exc:
        problems.extend(exc.problems)
    if problems:
        raise RecordValidationError(source, problems)
    return record, frozenset(formulas)


_SERIAL_ZERO = date(1899, 12, 31)  # what serial 0 decodes to in the 1900 date system


def _unknown_reason(cell: Any, stale: bool) -> str | None:
    """Why a cell says nothing about its field's value, or None when it does.

    An error value (#REF!, #N/A) is not an empty cell; a formula whose result was never
    cached, or was cached before the workbook last changed, may not be its value now;
    a date-formatted 0 is what a formula over an empty cell shows (0-Jan-1900), not a
    date anyone meant."""
    if cell.error is not None:
        return f"the cell holds the error value {cell.error}"
    if cell.is_formula:
        if cell.value is None:
            return "its formula has not been calculated yet (the file holds no result)"
        if stale:
            return (
                "its formula's result may be out of date (the workbook changed since it was "
                "last calculated; open and save it in Excel to recalculate)"
            )
    if cell.kind in ("date", "datetime") and cell.value in (
        _SERIAL_ZERO,
        datetime.combine(_SERIAL_ZERO, datetime.min.time()),
    ):
        return "it holds 0 formatted as a date (shown as 0-Jan-1900), not a real date"
    return None


def recalculation_pending(path: Path, fingerprint: Fingerprint | None = None) -> bool:
    """True when the workbook asks to be fully recalculated when next opened.

    pmo-sync sets ``fullCalcOnLoad`` whenever its writes can change a formula's inputs
    (it does not calculate formulas itself), and so do openpyxl and other writers that
    leave no results; Excel and LibreOffice drop it when they save recalculated results.
    While it is set, cached formula results are not known to be current. A file that
    changed since ``fingerprint`` is treated as pending (the safe side)."""
    from .package import NS_MAIN, Package

    try:
        package = Package(path)
    except Exception:  # unreadable now: the read that follows reports why
        return True
    if fingerprint is not None and package.fingerprint != fingerprint:
        return True
    calc = package.workbook_xml.find(f"{{{NS_MAIN}}}calcPr")
    return calc is not None and calc.get("fullCalcOnLoad") in ("1", "true")


def _cell(row: TrackerRow, mapped: FieldMapping) -> Any:
    for header in (mapped.excel, *mapped.excel_aliases):
        if header in row.cells:
            return row.cells[header]
    return None


def blank_rows(path: Path, read: RecordsRead) -> list[int]:
    """Pre-formatted rows of a template (an ID number or a formula in them, but nothing in
    any mapped or id column), to be filled before appending. Rows empty in every column
    are left to the appender, which reuses them itself."""
    taken = {r.row_number for r in read.rows} | set(read.rejected_rows)
    # A tracker's own number (ref) is pre-filled in templates' empty rows: not a sign of use.
    mapped = _excel_fields(read.entity)
    ours = {f.excel for f in mapped if f.excel and f.name != REF} | set(read.id_columns.values())
    data = read_tracker(path, read.location, list(read.location.headers), include_empty=True)
    found = []
    for row in data.rows:
        if row.row_number in taken:
            continue
        mine = [c for h, c in row.cells.items() if h in ours]
        others = [c for h, c in row.cells.items() if h not in ours]
        if all(c.value in (None, "") and not c.is_formula for c in mine) and any(
            c.value not in (None, "") or c.is_formula for c in others
        ):
            found.append(row.row_number)
    return found
