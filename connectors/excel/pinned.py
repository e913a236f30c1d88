"""Locate a plain tracker exactly where the mapping pins it (``TrackerPins``).

A mapping written from the survey says where a tracker is: ``header_row`` (its first
header row), ``header_rows`` (2: a group row over the header row) and ``columns``
("B:H": the only columns that belong to it, for trackers side by side). Here those pins
are used as given, with the same rules as the survey (``headerscan``): merged header
cells apply to every column they span, a two-row header is joined "group / sub", and a
tracker ends at a blank row when another tracker sits below it. A pinned header row that
does not hold the mapped headers is refused, saying where they are now, because reading
the wrong row as a header would turn data into "columns" and the real header into data.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from .cells import CellValue
from .columns import format_column_range
from .errors import MissingColumns, TrackerNotFound
from .headers import match_score, resolve_header
from .headerscan import Grid, HeaderCell, TrackerProfile, header_cells, tracker_end
from .locate import (
    HEADER_SCAN_ROWS,
    TrackerLocation,
    TrackerPins,
    check_table_header,
    from_table,
)
from .package import SheetInfo
from .refs import column_letter
from .sheetscan import pivot_areas, sheet_merges
from .workbook import WorkbookView


def _head(
    view: WorkbookView, sheet: SheetInfo, last: int, span: tuple[int, int] | None
) -> dict[int, dict[int, CellValue]]:
    cols = set(range(span[0], span[1] + 1)) if span else None
    out = {}
    for n, cells in view.rows(sheet, max_row=last, columns=cols):
        kept = {c: v for c, v in cells.items() if not v.is_empty or v.is_formula}
        if kept:
            out[n] = kept
    return out


def _candidates(
    grid: Grid, rows: int, last: int
) -> Iterator[tuple[tuple[int, ...], dict[int, HeaderCell]]]:
    """Every (header rows, headers) the scan window could hold, top down."""
    for r in range(rows, last + 1):
        head = tuple(range(r - rows + 1, r + 1))
        found = header_cells(grid, head)
        if found:
            yield head, found


def locate_pinned(
    view: WorkbookView,
    sheet: SheetInfo,
    wanted: Sequence[str],
    required: Sequence[str],
    aliases: Mapping[str, Sequence[str]],
    pins: TrackerPins,
) -> TrackerLocation:
    """The tracker on `sheet` as `pins` say (see the module docstring)."""
    span = pins.columns
    merges = sheet_merges(view.sheet_bytes(sheet))
    scan_last = max(HEADER_SCAN_ROWS, (pins.header_row or 0) + pins.header_rows)
    grid = Grid(_head(view, sheet, scan_last, span), merges, span)
    if pins.header_row is not None:
        head = tuple(range(pins.header_row, pins.header_row + pins.header_rows))
        headers = header_cells(grid, head)
        texts = [h.text for h in headers.values()]
        missing = [n for n in required if resolve_header(n, texts, aliases) is None]
        if missing or not any(texts):
            raise _not_on_row(view, sheet, grid, pins, texts, missing or list(wanted), aliases)
    else:
        best: tuple[int, tuple[int, ...], dict[int, HeaderCell]] | None = None
        for head, found in _candidates(grid, pins.header_rows, scan_last):
            score = match_score([h.text for h in found.values()], wanted, aliases)
            if score > (best[0] if best else 0):
                best = (score, head, found)
        if best is None:
            where = f" in columns {format_column_range(*span)}" if span else ""
            raise TrackerNotFound(
                f"{view.path}: sheet {sheet.name!r}: no header row{where} in the first "
                f"{HEADER_SCAN_ROWS} rows holds the mapped headers "
                f"({', '.join(repr(w) for w in wanted[:6])}). Set header_row in the mapping "
                "to the row of the column titles (run `pmo-sync map` to see it).",
                path=view.path,
            )
        _, head, headers = best
    first_col = min(c for c, h in headers.items() if h.text)
    last_col = max(c for c, h in headers.items() if h.text)
    for info in view.package.tables_on(sheet):
        if info.ref.min_col <= last_col and info.ref.max_col >= first_col:
            if info.header_row == head[0]:
                return from_table(view, info, aliases)
            if info.ref.min_row <= head[-1] <= info.ref.max_row:
                check_table_header(view, info)  # a stale table's range covers this header
    span_cols = (first_col, last_col)
    stops = [
        area.min_row
        for area in [*(t.ref for t in view.package.tables_on(sheet)), *pivot_areas(view, sheet)]
        if area.min_row > head[-1] and area.min_col <= last_col and area.max_col >= first_col
    ]
    profile = TrackerProfile({c: h.text for c, h in headers.items()})
    last, below = tracker_end(
        _data_rows(view, sheet, head[-1] + 1, span_cols), after=head[-1], merges=merges,
        span=span_cols, profile=profile, stop=min(stops) if stops else None,
    )  # fmt: skip
    shown = [headers[c].text for c in range(first_col, last_col + 1)]
    columns: dict[str, str] = {}
    for c in range(first_col, last_col + 1):
        if headers[c].text:
            columns.setdefault(headers[c].text, column_letter(c))
    return TrackerLocation(
        path=view.path, sheet=sheet.name, table=None, header_row=head[0],
        first_data_row=head[-1] + 1, last_data_row=last, headers=shown, columns=columns,
        aliases=aliases, header_rows=len(head), pins=pins, next_tracker_row=below,
    )  # fmt: skip


def _data_rows(
    view: WorkbookView, sheet: SheetInfo, first: int, span: tuple[int, int]
) -> Iterator[tuple[int, dict[int, CellValue] | None]]:
    for n, cells in view.rows(sheet, min_row=first, columns=set(range(span[0], span[1] + 1))):
        yield n, {c: v for c, v in cells.items() if not v.is_empty or v.is_formula}


def _not_on_row(
    view: WorkbookView,
    sheet: SheetInfo,
    grid: Grid,
    pins: TrackerPins,
    texts: list[str],
    missing: Sequence[str],
    aliases: Mapping[str, Sequence[str]],
) -> MissingColumns:
    """The pinned header row does not hold the mapped headers: say what it holds and,
    when the headers are elsewhere in the first rows, where."""
    assert pins.header_row is not None
    rows = (
        f"rows {pins.header_row}-{pins.header_row + pins.header_rows - 1}"
        if pins.header_rows > 1
        else f"row {pins.header_row}"
    )
    held = ", ".join(repr(t) for t in texts if t)[:300] or "no column titles"
    moved = ""
    best = (0, 0)
    for head, found in _candidates(grid, pins.header_rows, max(grid.last_row, 1)):
        score = match_score([h.text for h in found.values()], list(missing), aliases)
        if score > best[0]:
            best = (score, head[0])
    if best[0]:
        moved = (
            f" The mapped headers are on row {best[1]} now (rows were inserted or deleted "
            f"above the tracker): set header_row = {best[1]} in the mapping."
        )
    where = f" in columns {format_column_range(*pins.columns)}" if pins.columns else ""
    return MissingColumns(
        f"{view.path}: sheet {sheet.name!r}, {rows}{where} (header_row in the mapping) holds "
        f"{held}, not the mapped column(s) {', '.join(repr(m) for m in missing)}.{moved} "
        "Otherwise correct header_row (`pmo-sync map` shows where each tracker's header is), "
        "or add the column to the sheet.",
        path=view.path,
        missing=list(missing),
        found=texts,
    )


__all__ = ["locate_pinned"]
