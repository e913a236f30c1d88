"""Survey a workbook: every tracker on every sheet, found without knowing its headers.

``survey_workbook(path)`` is what ``pmo-sync map`` starts from. A tracker is an Excel
table (authoritative: its ref and column names) or, on a plain sheet, a header row
followed by data rows, found under title blocks, with merged and two-row headers,
several trackers per sheet stacked or side by side (rules: ``headerscan``; how a sheet
is walked: ``plainfind``). Each column is described by its header, header cells, hidden
flag, typed sample values, kinds, distinct count and drop-down list: the evidence the
header classifier (``mapper``) weighs. Sheets without a tracker are listed with why.

A mapping written from a survey pins what was found (``SurveyTracker.excel_location``:
the table, or the sheet with ``header_row``, ``header_rows`` and ``columns``), and
``locate.locate_tracker`` then finds the same header texts and the same end from it.

Performance: only the head of a sheet is decoded (the header scan plus the sample rows);
a plain tracker's last row comes from the row skeleton (``sheetscan``: where each row
starts and whether it holds a value, found by byte searches, no cell typed), a table's
from its ref. ``python -m bench.map_bench`` surveys 50 sheets holding 100,000 rows in
total; the figure is in the README of this package.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .columns import ColumnStats
from .headerscan import TITLE_MAX_ROWS, HeaderCell
from .locate import TrackerPins
from .package import NS_MAIN, NS_REL, SheetInfo, TableInfo
from .plainfind import PlainFound, find_plain, masked
from .refs import CellRange, cell_ref, column_index, column_letter
from .sheetscan import SheetScan, pivot_areas
from .strings import unescape_ooxml
from .validation import list_rules, rule_for_column
from .workbook import WorkbookView

HEADER_SCAN_ROWS = 30
SAMPLE_ROWS = 200
_NOT_WORKSHEETS = {
    "chartsheet": "a chart sheet",
    "dialogsheet": "a dialog sheet",
    "macrosheet": "an Excel 4 macro sheet",
}


@dataclass(frozen=True)
class SurveyColumn:
    """One column of a tracker, as the classifier sees it (see mapper.evidence)."""

    letter: str
    header: str  # "" for a blank header cell between titled columns
    header_cells: tuple[str, ...]  # addresses the header text comes from
    hidden: bool
    samples: tuple[Any, ...]  # up to sample_rows non-empty typed values, in row order
    kinds: Mapping[str, int]  # text/number/percent/date/datetime/time/bool/error, formula
    distinct: int
    list_values: tuple[str, ...] | None = None  # the drop-down list's items, when readable
    list_source: str | None = None  # the list's formula, e.g. 'INDIRECT("Impact")'


@dataclass(frozen=True)
class SurveyTracker:
    """One tracker: where it is, what is above it, and its columns.

    `header_row` is the first header row; a two-row header has `header_rows` = 2 and its
    data start at header_row + 2. `last_data_row` < `first_data_row` when the tracker has
    no data rows. `last_row_from`: "table" (the table's ref), "cells" (every row read) or
    "skeleton" (below the sample window only rows' stored values were looked at, so a
    blank row in this tracker's columns alone went unseen). `next_tracker_row`: another
    tracker starts at this row below it (stacked); `beside`: trackers sharing its rows."""

    sheet: str
    table: str | None
    header_row: int
    header_rows: int
    first_data_row: int
    last_data_row: int
    columns: tuple[SurveyColumn, ...]
    title: str | None = None
    title_lines: tuple[str, ...] = ()
    last_row_from: str = "cells"
    next_tracker_row: int | None = None
    beside: tuple[str, ...] = ()
    sheet_hidden: bool = False

    @property
    def name(self) -> str:
        return self.table or self.sheet

    @property
    def rows(self) -> int:
        """Data rows (the extent from the first to the last data row)."""
        return max(0, self.last_data_row - self.first_data_row + 1)

    @property
    def column_range(self) -> str:
        return f"{self.columns[0].letter}:{self.columns[-1].letter}"

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    @property
    def where(self) -> str:
        if self.table:
            return f"table {self.table!r} on sheet {self.sheet!r}"
        return f"sheet {self.sheet!r}, {self.column_range}, header row {self.header_row}"

    def excel_location(self) -> dict[str, Any]:
        """The mapping's ``excel`` keys that pin this tracker exactly: a table by name; a
        plain tracker by sheet, header row(s) and columns. The columns are pinned even
        when nothing sits beside the tracker now, so that the sync reads exactly the
        columns surveyed and a note typed to the right later is not taken for a column."""
        if self.table:
            return {"table": self.table}
        pins: dict[str, Any] = {"sheet": self.sheet, "header_row": self.header_row}
        if self.header_rows > 1:
            pins["header_rows"] = self.header_rows
        pins["columns"] = self.column_range
        return pins

    @property
    def pins(self) -> TrackerPins:
        """The pins of excel_location(), as the locator takes them."""
        if self.table:
            return TrackerPins()
        return TrackerPins(
            header_row=self.header_row,
            header_rows=self.header_rows,
            columns=(column_index(self.columns[0].letter), column_index(self.columns[-1].letter)),
        )

    def evidence(self) -> Any:
        """This tracker as ``mapper.evidence.TrackerEvidence`` (the classifier's input)."""
        from mapper.evidence import ColumnEvidence, TrackerEvidence

        columns = tuple(
            ColumnEvidence(
                header=c.header, samples=c.samples, kinds=dict(c.kinds), distinct=c.distinct,
                list_values=c.list_values, hidden=c.hidden, letter=c.letter,
            )
            for c in self.columns
        )  # fmt: skip
        return TrackerEvidence(self.name, self.sheet, columns, self.title, self.rows)


@dataclass(frozen=True)
class SkippedSheet:
    """A sheet without a recognisable tracker, and why."""

    sheet: str
    reason: str


@dataclass(frozen=True)
class WorkbookSurvey:
    """Every tracker of a workbook, and the sheets that hold none."""

    path: Path
    trackers: tuple[SurveyTracker, ...]
    skipped: tuple[SkippedSheet, ...] = ()

    def on_sheet(self, sheet: str) -> list[SurveyTracker]:
        return [t for t in self.trackers if t.sheet.casefold() == sheet.casefold()]

    def table(self, name: str) -> SurveyTracker | None:
        return next(
            (t for t in self.trackers if (t.table or "").casefold() == name.casefold()), None
        )


@dataclass
class _Area:
    """A found tracker before its columns are described."""

    sheet: SheetInfo
    table: str | None
    header_rows: tuple[int, ...]
    first_col: int
    last_col: int
    last_row: int
    headers: dict[int, HeaderCell]
    last_row_from: str
    next_row: int | None = None
    extra_rows: int = 0  # rows below the data that belong to it (a totals row)
    title_lines: list[str] = field(default_factory=list)

    @property
    def first_data_row(self) -> int:
        return self.header_rows[-1] + 1

    def overlaps_rows(self, lo: int, hi: int) -> bool:
        return self.header_rows[0] <= hi and self.last_row + self.extra_rows >= lo

    def contains(self, r: int, c: int) -> bool:
        bottom = self.last_row + self.extra_rows
        return self.header_rows[0] <= r <= bottom and self.first_col <= c <= self.last_col


def survey_workbook(path: str | Path, *, sample_rows: int = SAMPLE_ROWS) -> WorkbookSurvey:
    """Every tracker on every sheet of the workbook at `path` (see the module docstring).

    Raises WorkbookUnreadable (and its kinds) for a file that is not a readable workbook;
    nothing is written."""
    view = WorkbookView(path)
    package = view.package
    by_rid = {r.rid: r for r in package.workbook_rels}
    worksheets = {s.rid: s for s in package.sheets}
    trackers: list[SurveyTracker] = []
    skipped: list[SkippedSheet] = []
    entries = package.workbook_xml.find(f"{{{NS_MAIN}}}sheets")
    for el in entries if entries is not None else []:
        name = el.get("name", "")
        rid = el.get(f"{{{NS_REL}}}id", "")
        sheet = worksheets.get(rid)
        if sheet is None:
            kind = by_rid[rid].type.rsplit("/", 1)[-1] if rid in by_rid else ""
            skipped.append(SkippedSheet(name, _NOT_WORKSHEETS.get(kind, "not a worksheet")))
            continue
        found, reason = _survey_sheet(view, sheet, sample_rows)
        trackers.extend(found)
        if reason is not None:
            skipped.append(SkippedSheet(sheet.name, reason))
    return WorkbookSurvey(view.path, tuple(trackers), tuple(skipped))


def _survey_sheet(
    view: WorkbookView, sheet: SheetInfo, sample_rows: int
) -> tuple[list[SurveyTracker], str | None]:
    scan = SheetScan(view, sheet)
    tables = view.package.tables_on(sheet)
    pivots = pivot_areas(view, sheet)
    areas = [_table_area(sheet, t) for t in tables if t.header_row_count]
    masks = [t.ref for t in tables] + pivots
    forms: list[str] = []
    if scan.value_rows:
        plain = find_plain(scan, masks, sample_rows=sample_rows, scan_rows=HEADER_SCAN_ROWS)
        areas += [_plain_area(sheet, p) for p in plain.found]
        forms = plain.forms
    areas.sort(key=lambda a: (a.header_rows[0], a.first_col))
    for area in areas:
        area.title_lines = _title_lines(scan, area, areas, pivots)
    rules = list_rules(view.path, sheet.name, view=view, sheet_xml=scan.head + scan.tail)
    out = [_describe(scan, a, areas, rules, sample_rows) for a in areas]
    return out, (None if out else _why_none(scan, pivots, forms))


def _table_area(sheet: SheetInfo, info: TableInfo) -> _Area:
    headers = {
        info.ref.min_col + i: HeaderCell(
            unescape_ooxml(c.name), (cell_ref(info.ref.min_row, info.ref.min_col + i),)
        )
        for i, c in enumerate(info.columns)
    }
    return _Area(
        sheet, info.name, (info.ref.min_row,), info.ref.min_col, info.ref.max_col,
        info.last_data_row, headers, "table", extra_rows=info.totals_row_count,
    )  # fmt: skip


def _plain_area(sheet: SheetInfo, found: PlainFound) -> _Area:
    h = found.header
    return _Area(
        sheet, None, h.rows, h.first_col, h.last_col, found.last_row,
        {c: v for c, v in h.headers.items() if h.first_col <= c <= h.last_col},
        "cells" if found.exact else "skeleton", next_row=found.next_row,
    )  # fmt: skip


def _title_lines(
    scan: SheetScan, area: _Area, areas: list[_Area], pivots: list[CellRange]
) -> list[str]:
    """Text of the rows (up to six) above the header that belong to no other tracker, in
    the columns from the tracker on its left (or column A) to its own last column. Only
    text cells: numbers above a header (working days per month) are not a title."""
    top = area.header_rows[0]
    lo_row = max(1, top - TITLE_MAX_ROWS)
    others = [a for a in areas if a is not area]
    left = [
        a.last_col for a in others if a.overlaps_rows(lo_row, top) and a.last_col < area.first_col
    ]
    lo_col = max(left, default=0) + 1
    above = [
        a.last_row + a.extra_rows
        for a in others
        if a.header_rows[0] < top and a.first_col <= area.last_col and a.last_col >= lo_col
    ]
    lo_row = max([lo_row, *[r + 1 for r in above]])
    lines = []
    rows = masked(scan.rows(lo_row, top - 1), pivots)
    for r in range(lo_row, top):
        texts = [
            str(v.value).strip()
            for c, v in sorted(rows.get(r, {}).items())
            if lo_col <= c <= area.last_col
            and v.kind == "text"
            and str(v.value).strip()
            and not any(o.contains(r, c) for o in others)
        ]
        line = " ".join(t for t in texts if t)
        if line:
            lines.append(line)
    return lines


def _describe(
    scan: SheetScan,
    area: _Area,
    areas: list[_Area],
    rules: list[Any],
    sample_rows: int,
) -> SurveyTracker:
    first, last = area.first_data_row, area.last_row
    stats = {c: ColumnStats(sample_rows) for c in range(area.first_col, area.last_col + 1)}
    if last >= first:
        rows = scan.rows(first, min(last, first + sample_rows - 1), stats)
        for r in sorted(rows):
            for c, value in rows[r].items():
                stats[c].add(value)
    columns = []
    for c, st in stats.items():
        header = area.headers.get(c, HeaderCell(""))
        rule = rule_for_column(rules, c, first, last)
        columns.append(
            SurveyColumn(
                letter=column_letter(c), header=header.text, header_cells=header.cells,
                hidden=scan.hidden(c), samples=tuple(st.samples), kinds=dict(st.kinds),
                distinct=st.distinct, list_values=rule.values if rule else None,
                list_source=rule.source if rule else None,
            )
        )  # fmt: skip
    beside = tuple(
        a.table or f"{column_letter(a.first_col)}:{column_letter(a.last_col)}"
        for a in areas
        if a is not area
        and a.overlaps_rows(area.header_rows[0], last)
        and (a.last_col < area.first_col or a.first_col > area.last_col)
    )
    return SurveyTracker(
        sheet=area.sheet.name, table=area.table, header_row=area.header_rows[0],
        header_rows=len(area.header_rows), first_data_row=first, last_data_row=last,
        columns=tuple(columns), title=" — ".join(area.title_lines) or None,
        title_lines=tuple(area.title_lines), last_row_from=area.last_row_from,
        next_tracker_row=area.next_row, beside=beside,
        sheet_hidden=area.sheet.state != "visible",
    )  # fmt: skip


def _why_none(scan: SheetScan, pivots: list[CellRange], forms: list[str]) -> str:
    """Why a sheet holds no tracker, in words for the person who made it."""
    if not scan.value_rows:
        return "empty"
    if forms:
        return f"a form ({', '.join(forms)}: labels with one value each), not rows of records"
    rest = masked(scan.rows(1, scan.value_rows[0] + HEADER_SCAN_ROWS + SAMPLE_ROWS), pivots)
    texts = [r for r, cells in rest.items() if all(v.kind == "text" for v in cells.values())]
    if pivots:
        where = ", ".join(str(p) for p in sorted(pivots, key=lambda p: (p.min_row, p.min_col)))
        others = f" and {len(rest)} rows of text around them" if rest else ""
        return f"only pivot tables ({where}){others}: summaries, not records"
    if len(rest) == 1 and texts:
        return "only 1 text row"
    return (
        f"no header row: {len(scan.value_rows)} rows with values, none of them a row of "
        "two or more column titles with rows of data under it"
    )


__all__ = [
    "SkippedSheet",
    "SurveyColumn",
    "SurveyTracker",
    "WorkbookSurvey",
    "survey_workbook",
]
