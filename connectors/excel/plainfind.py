"""Find the plain trackers (header row + data rows, no Excel table) on one sheet.

How a sheet is read (the survey's performance rests on it; see ``sheetscan``):

1. The *window*: the first HEADER_SCAN_ROWS + sample rows from the sheet's first row
   with a value are decoded. Excel tables and pivot tables are masked out of it (tables
   are reported from their own definition; pivots are summaries, not records).
2. *Bands*: columns empty in every row of the window (rows holding a single item, such
   as a title merged across the sheet, do not count) separate trackers side by side.
3. In each band, blocks of rows are tried top down for a header (``headerscan``); a
   block that starts with data is skipped. New trackers are searched for in the window
   only, so a sheet whose first tracker starts after row ~230 is reported as having none.
4. A tracker's end (``headerscan.tracker_end``): inside the window every row is read;
   below it only the row skeleton is used, and the rows after each gap (a row without
   values) are decoded to see whether another tracker starts there (at most
   MAX_GAP_CHECKS gaps). The last row then comes from the skeleton, refined backwards to
   the last row holding a value in the tracker's own columns.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from .cells import CellValue
from .headerscan import (
    BLOCK_WINDOW,
    LOOKAHEAD,
    MAX_GAP_CHECKS,
    Grid,
    HeaderFound,
    TrackerProfile,
    find_header,
    tracker_end,
)
from .refs import CellRange, column_letter
from .sheetscan import Rows, SheetScan


@dataclass(frozen=True)
class PlainFound:
    """A plain tracker: its header, its band of columns and where its data ends."""

    header: HeaderFound
    band: tuple[int, int]
    last_row: int
    next_row: int | None  # first row of the tracker below (stacked), if any
    exact: bool  # False: the last row comes from the row skeleton (see the docstring)


@dataclass
class PlainScan:
    """What one sheet's plain trackers are, and what was seen when none were."""

    found: list[PlainFound]
    forms: list[str]  # "A:B": label/value forms seen (not trackers)


def masked(rows: Rows, masks: Sequence[CellRange]) -> Rows:
    """Rows without the cells inside `masks` (tables, pivot tables)."""
    if not masks:
        return rows
    out: Rows = {}
    for r, cells in rows.items():
        hit = [m for m in masks if m.min_row <= r <= m.max_row]
        kept = (
            {c: v for c, v in cells.items() if not any(m.min_col <= c <= m.max_col for m in hit)}
            if hit
            else cells
        )
        if kept:
            out[r] = kept
    return out


def column_bands(rows: Rows, merges: Sequence[CellRange]) -> list[tuple[int, int]]:
    """Runs of columns holding something in the window; a row with one item (a title,
    possibly merged across everything) does not join bands."""
    grid = Grid(rows, merges)
    used: set[int] = set()
    for r in rows:
        if grid.items(r) <= 1:
            continue
        used.update(grid.cells(r))
        for m in grid.anchored_merges(r):
            used.update(range(m.min_col, m.max_col + 1))
    if not used:
        for cells in rows.values():
            used.update(cells)
    bands: list[tuple[int, int]] = []
    for c in sorted(used):
        if bands and c == bands[-1][1] + 1:
            bands[-1] = (bands[-1][0], c)
        else:
            bands.append((c, c))
    return bands


def _is_form(grid: Grid, found: HeaderFound) -> bool:
    """Two columns, labels on the left, values of several kinds on the right: a form
    ("Project Name | Project X", "Start Date | 2018-09-01"), not a list of records."""
    titled = [c for c, h in found.headers.items() if h.text]
    if len(titled) != 2:
        return False
    left, right = titled
    kinds = set()
    labels = []
    for r in found.data_rows:
        cells = grid.cells(r)
        if right in cells:
            kinds.add(cells[right].kind)
        if left in cells:
            labels.append(cells[left])
    texts = [v for v in labels if v.kind == "text"]
    distinct = len({str(v.value) for v in texts}) == len(texts)
    return len(kinds) >= 2 and len(texts) == len(labels) and distinct


def find_plain(
    scan: SheetScan, masks: Sequence[CellRange], *, sample_rows: int, scan_rows: int
) -> PlainScan:
    """Every plain tracker on the sheet (see the module docstring)."""
    first = scan.value_rows[0] if scan.value_rows else 1
    window_end = first + scan_rows + sample_rows
    window = masked(scan.rows(first, window_end), masks)
    merges = scan.merges
    out = PlainScan([], [])
    for band in column_bands(window, merges):
        full = Grid(window, merges, band)
        nonblank = sorted(r for r in window if not full.blank(r))
        cursor: int | None = nonblank[0] if nonblank else None
        while cursor is not None:
            grid = Grid(
                masked(scan.rows(cursor, cursor + BLOCK_WINDOW + LOOKAHEAD), masks), merges, band
            )
            rows = sorted(r for r in range(cursor, cursor + BLOCK_WINDOW + 1) if not grid.blank(r))
            found = find_header(grid, rows)
            if found is not None and _is_form(grid, found):
                cols = [c for c, h in found.headers.items() if h.text]
                out.forms.append(
                    f"{column_letter(cols[0])}:{column_letter(cols[-1])} from row {found.rows[0]}"
                )
                found = None
            if found is None:
                cursor = _next_block(nonblank, cursor)
                continue
            span = (found.first_col, found.last_col)
            stops = [
                m.min_row
                for m in masks
                if m.min_row > found.last_row and m.min_col <= span[1] and m.max_col >= span[0]
            ]
            profile = TrackerProfile({c: h.text for c, h in found.headers.items()})
            feed = _rows_after(scan, masks, found.last_row, span, window_end)
            last, below = tracker_end(
                feed, after=found.last_row, merges=merges, span=span, profile=profile,
                stop=min(stops) if stops else None,
            )  # fmt: skip
            exact = True
            if last > window_end:
                refined = scan.last_row_in_columns(span[0], span[1], upto=last)
                last = max(found.last_row, refined or found.last_row)
                exact = False
            out.found.append(PlainFound(found, band, last, below, exact))
            cursor = below if below is not None else None
    return out


def _next_block(nonblank: list[int], cursor: int) -> int | None:
    """The first row of the next block (after a blank row) below `cursor`, in the window."""
    previous = cursor
    for r in nonblank:
        if r <= cursor:
            continue
        if r > previous + 1:
            return r
        previous = r
    return None


def _rows_after(
    scan: SheetScan, masks: Sequence[CellRange], after: int, span: tuple[int, int], window_end: int
) -> Iterator[tuple[int, dict[int, CellValue] | None]]:
    """Rows below a header for ``tracker_end``: every row inside the window; below it,
    the first rows of each block of rows with values (decoded, to test for a tracker
    starting there) and a placeholder for the rest of the block."""
    cols = range(span[0], span[1] + 1)
    inside = masked(scan.rows(after + 1, window_end, cols), masks)
    for n in range(after + 1, window_end + 1):
        if n in inside:
            yield n, inside[n]
    valued = scan.value_rows_between(max(after, window_end) + 1)
    segments: list[tuple[int, int]] = []
    for n in valued:
        if segments and n == segments[-1][1] + 1:
            segments[-1] = (segments[-1][0], n)
        else:
            segments.append((n, n))
    for index, (start, end) in enumerate(segments):
        if index >= MAX_GAP_CHECKS:
            yield segments[-1][1], None
            return
        head_end = min(end, start + BLOCK_WINDOW)
        decoded = masked(scan.rows(start, head_end, cols), masks)
        for n in range(start, head_end + 1):
            yield n, decoded.get(n, {})
        if end > head_end:
            yield end, None


__all__ = ["PlainFound", "PlainScan", "column_bands", "find_plain", "masked"]
