"""Tracker layouts as people really make them, for tests of the survey, the mapper and the
sync: title blocks, merged and two-row headers, trackers stacked and side by side,
tables next to plain ranges, headers in Chinese, Japanese and German, hidden columns.

Each ``layout_*`` function writes a fresh workbook at ``path`` (openpyxl: nothing of
anyone's can be lost in a new file) and returns a ``Layout`` saying what the trackers
are: sheet, header row(s), header texts as the survey reports them (a two-row header
joined "group / sub"), data rows, title and the values of every data row, so a test
can assert the survey, then map and sync the same workbook::

    from connectors.excel.layouts import LAYOUTS, layout_stacked
    layout = layout_stacked(tmp_path / "stacked.xlsx")
    upper, lower = layout.trackers
    upper.header_row, upper.headers, upper.rows  # 3, ("ID", "Title", ...), ((...), ...)
    for name, make in LAYOUTS.items(): make(tmp_path / f"{name}.xlsx")

Every tracker holds risk-like records (an ID, a title, probability and impact 1-5 or
labels, an owner, a status, a due date) unless its ``kind`` says otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from .newbook import save_new_workbook

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=16)
_FILL = PatternFill("solid", fgColor="DDEBF7")
_BASE = dt.date(2026, 3, 2)
_OWNERS = ("Alice Martin", "Bob Chen", "Carla Diaz", "Dev Patel")
_TITLES = ("Vendor delivers late", "Budget overrun", "Key engineer leaves", "Scope creep",
           "Test lab unavailable", "Licence renewal", "Data migration errors")  # fmt: skip


@dataclass(frozen=True)
class LayoutTracker:
    """One tracker a layout holds, as the survey must report it."""

    sheet: str
    header_row: int  # the first header row
    headers: tuple[str, ...]  # left to right, "" for a blank header cell
    first_data_row: int
    last_data_row: int
    rows: tuple[tuple[Any, ...], ...]  # the data rows' values, in header order
    table: str | None = None
    header_rows: int = 1
    columns: str = ""  # "A:G"
    title: str | None = None
    hidden: tuple[str, ...] = ()  # headers of hidden columns
    kind: str = "risk"
    lists: dict[str, tuple[str, ...]] = field(default_factory=dict)  # header -> drop-down


@dataclass(frozen=True)
class Layout:
    """A generated workbook and what is in it."""

    name: str
    path: Path
    trackers: tuple[LayoutTracker, ...]
    no_tracker_sheets: dict[str, str] = field(default_factory=dict)  # sheet -> why

    def tracker(self, sheet: str, index: int = 0) -> LayoutTracker:
        return [t for t in self.trackers if t.sheet == sheet][index]


def risk_rows(
    count: int, *, levels: Sequence[Any] = (1, 2, 3, 4, 5), prefix: str = "R",
    statuses: Sequence[str] = ("Open", "Closed", "Open", "Mitigating"),
) -> list[tuple[Any, ...]]:  # fmt: skip
    """`count` risks: (id, title, probability, impact, owner, status, due date)."""
    out = []
    for i in range(count):
        out.append((
            f"{prefix}-{i + 1}", _TITLES[i % len(_TITLES)], levels[i % len(levels)],
            levels[(i + 2) % len(levels)], _OWNERS[i % len(_OWNERS)],
            statuses[i % len(statuses)], _BASE + dt.timedelta(days=7 * i),
        ))  # fmt: skip
    return out


RISK_HEADERS = ("ID", "Title", "Probability", "Impact", "Owner", "Status", "Due Date")


def _write_block(
    ws: Worksheet, top: int, left: int, headers: Sequence[str], rows: Sequence[Sequence[Any]]
) -> int:
    """Header at row `top` from column `left`, rows under it; returns the last row."""
    for j, header in enumerate(headers):
        if header:
            cell = ws.cell(top, left + j, header)
            cell.font, cell.fill = _BOLD, _FILL
    for i, values in enumerate(rows, start=1):
        for j, value in enumerate(values):
            if value is not None:
                cell = ws.cell(top + i, left + j, value)
                if isinstance(value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
    return top + len(rows)


def _span(left: int, width: int) -> str:
    return f"{get_column_letter(left)}:{get_column_letter(left + width - 1)}"


def _save(wb: Workbook, path: Path) -> Path:
    return save_new_workbook(wb, Path(path))


def _book(title: str) -> tuple[Workbook, Worksheet]:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    return wb, ws


_TITLE_LINES = {  # height -> row of each title line (other rows of the block are blank)
    0: (),
    1: (1,),
    2: (1,),
    3: (1, 2),
    4: (1, 2, 3),
    5: (1, 3, 4),
    6: (1, 3, 5),
}


def layout_title_block(path: Path, height: int = 3) -> Layout:
    """A risk log under a title block of `height` rows (0-6): a bold title merged across
    the tracker's columns (over two rows when the block has six), a subtitle and a status
    line, blank rows between. The header is on row height + 1."""
    wb, ws = _book("Risks")
    texts = ("Project Apollo Risk Register", "Owner: PMO", "Status as of week 12")
    lines = _TITLE_LINES[height]
    for text, row in zip(texts, lines, strict=False):
        ws.cell(row, 1, text).font = _TITLE if row == 1 else _BOLD
    if height:
        ws.merge_cells(start_row=1, start_column=1, end_row=2 if height == 6 else 1,
                       end_column=len(RISK_HEADERS))  # fmt: skip
    title = " — ".join(texts[: len(lines)]) or None
    rows = risk_rows(6)
    top = height + 1
    last = _write_block(ws, top, 1, RISK_HEADERS, rows)
    tracker = LayoutTracker("Risks", top, RISK_HEADERS, top + 1, last, tuple(rows),
                            columns=_span(1, len(RISK_HEADERS)), title=title)  # fmt: skip
    return Layout(f"title_block_{height}", _save(wb, path), (tracker,))


def layout_merged_header(path: Path) -> Layout:
    """A title merged across the tracker and a header cell merged across two columns
    ("Comments" over F:G): its text is the header of both columns."""
    wb, ws = _book("Register")
    ws["A1"] = "Delivery Risks"
    ws["A1"].font = _TITLE
    ws.merge_cells("A1:G1")
    ws["A1"].alignment = Alignment(horizontal="center")
    headers = ("ID", "Title", "Probability", "Impact", "Owner", "Comments", "Comments")
    rows = [(*r[:5], f"note {i}", None) for i, r in enumerate(risk_rows(5))]
    _write_block(ws, 3, 1, headers[:6], [r[:6] for r in rows])
    ws.merge_cells("F3:G3")
    tracker = LayoutTracker("Register", 3, headers, 4, 8, tuple(rows), columns="A:G",
                            title="Delivery Risks")  # fmt: skip
    return Layout("merged_header", _save(wb, path), (tracker,))


def layout_two_row_header(path: Path) -> Layout:
    """A two-row header: "Assessment" merged over Probability and Impact, "Dates" over
    Raised and Due; ID, Title and Owner merged down over both rows."""
    wb, ws = _book("Risk Log")
    ws["A1"] = "Risk Log"
    ws["A1"].font = _TITLE
    top = ("ID", "Title", "Assessment", None, "Owner", "Dates", None)
    sub = (None, None, "Probability", "Impact", None, "Raised", "Due")
    for j, text in enumerate(top, start=1):
        if text:
            ws.cell(3, j, text).font = _BOLD
    for j, text in enumerate(sub, start=1):
        if text:
            ws.cell(4, j, text).font = _BOLD
    for col in ("A", "B", "E"):
        ws.merge_cells(f"{col}3:{col}4")
    ws.merge_cells("C3:D3")
    ws.merge_cells("F3:G3")
    base = risk_rows(5)
    rows = [(r[0], r[1], r[2], r[3], r[4], _BASE, r[6]) for r in base]
    _write_block(ws, 4, 1, (), rows)
    headers = ("ID", "Title", "Assessment / Probability", "Assessment / Impact", "Owner",
               "Dates / Raised", "Dates / Due")  # fmt: skip
    tracker = LayoutTracker("Risk Log", 3, headers, 5, 9, tuple(rows), header_rows=2,
                            columns="A:G", title="Risk Log")  # fmt: skip
    return Layout("two_row_header", _save(wb, path), (tracker,))


def layout_stacked(path: Path) -> Layout:
    """Two trackers on one sheet, one above the other: "Risks" (title, header, 5 rows),
    two blank rows, then "Actions" (title, header, 3 rows)."""
    wb, ws = _book("RAID")
    ws["A1"] = "Risks"
    ws["A1"].font = _TITLE
    risks = risk_rows(5)
    last = _write_block(ws, 3, 1, RISK_HEADERS, risks)
    action_top = last + 3
    ws.cell(action_top, 1, "Actions").font = _TITLE
    action_headers = ("Action ID", "Action", "Owner", "Due", "Done %")
    actions = [(f"A-{i + 1}", f"Follow up {i + 1}", _OWNERS[i], _BASE + dt.timedelta(days=i),
                0.25 * i) for i in range(3)]  # fmt: skip
    a_last = _write_block(ws, action_top + 1, 1, action_headers, actions)
    upper = LayoutTracker("RAID", 3, RISK_HEADERS, 4, last, tuple(risks),
                          columns=_span(1, 7), title="Risks")  # fmt: skip
    lower = LayoutTracker("RAID", action_top + 1, action_headers, action_top + 2, a_last,
                          tuple(actions), columns=_span(1, 5), title="Actions",
                          kind="action")  # fmt: skip
    return Layout("stacked", _save(wb, path), (upper, lower))


def layout_side_by_side(path: Path) -> Layout:
    """Two trackers side by side, separated by an empty column: risks in A:G, actions
    in I:L, each with its own title; the actions are longer than the risks."""
    wb, ws = _book("Board")
    ws["A1"] = "Risks"
    ws["I1"] = "Actions"
    risks = risk_rows(4)
    last = _write_block(ws, 2, 1, RISK_HEADERS, risks)
    action_headers = ("Action ID", "Action", "Owner", "Due")
    actions = [(f"A-{i + 1}", f"Chase supplier {i + 1}", _OWNERS[i % 4],
                _BASE + dt.timedelta(days=3 * i)) for i in range(7)]  # fmt: skip
    a_last = _write_block(ws, 2, 9, action_headers, actions)
    left = LayoutTracker("Board", 2, RISK_HEADERS, 3, last, tuple(risks), columns="A:G",
                         title="Risks")  # fmt: skip
    right = LayoutTracker("Board", 2, action_headers, 3, a_last, tuple(actions),
                          columns="I:L", title="Actions", kind="action")  # fmt: skip
    return Layout("side_by_side", _save(wb, path), (left, right))


def layout_table_and_range(path: Path) -> Layout:
    """An Excel table "Risks" (A3:G8) and, below it on the same sheet, a plain range of
    decisions under its own title."""
    wb, ws = _book("Log")
    ws["A1"] = "Project Log"
    risks = risk_rows(5)
    last = _write_block(ws, 3, 1, RISK_HEADERS, risks)
    table = Table(displayName="Risks", ref=f"A3:G{last}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(table)
    top = last + 3
    ws.cell(top, 1, "Decisions").font = _TITLE
    headers = ("Decision", "Date", "Made by", "Status")
    decisions = [(f"Use vendor {c}", _BASE + dt.timedelta(days=i), _OWNERS[i], "Approved")
                 for i, c in enumerate("XYZ")]  # fmt: skip
    d_last = _write_block(ws, top + 1, 1, headers, decisions)
    in_table = LayoutTracker("Log", 3, RISK_HEADERS, 4, last, tuple(risks), table="Risks",
                             columns="A:G", title="Project Log")  # fmt: skip
    plain = LayoutTracker("Log", top + 1, headers, top + 2, d_last, tuple(decisions),
                          columns="A:D", title="Decisions", kind="decision")  # fmt: skip
    return Layout("table_and_range", _save(wb, path), (in_table, plain))


def _language_layout(
    path: Path, name: str, sheet: str, title: str, headers: tuple[str, ...],
    levels: tuple[str, ...], statuses: tuple[str, ...], list_header: str,
) -> Layout:  # fmt: skip
    wb, ws = _book(sheet)
    ws["A1"] = title
    ws["A1"].font = _TITLE
    ws.merge_cells(f"A1:{get_column_letter(len(headers))}1")
    rows = risk_rows(6, levels=levels, statuses=statuses, prefix="RK")
    rows = [(r[0], r[1], r[2], r[3], r[4], r[5], f"措施 {i}" if name == "chinese" else "-", r[6])
            for i, r in enumerate(rows)]  # fmt: skip
    last = _write_block(ws, 3, 1, headers, rows)
    col = get_column_letter(headers.index(list_header) + 1)
    dv = DataValidation(type="list", formula1='"' + ",".join(levels) + '"', allow_blank=True)
    ws.add_data_validation(dv)
    dv.add(f"{col}4:{col}200")
    tracker = LayoutTracker(sheet, 3, headers, 4, last, tuple(rows),
                            columns=_span(1, len(headers)), title=title,
                            lists={list_header: levels})  # fmt: skip
    return Layout(name, _save(wb, path), (tracker,))


def layout_chinese(path: Path) -> Layout:
    """A Chinese risk register (风险登记册) with 高/中/低 labels and a drop-down list on 概率."""
    headers = ("风险编号", "风险描述", "概率", "影响", "负责人", "状态", "应对措施", "到期日")
    return _language_layout(path, "chinese", "风险登记册", "项目风险登记册", headers,
                            ("高", "中", "低"), ("打开", "已关闭"), "概率")  # fmt: skip


def layout_japanese(path: Path) -> Layout:
    """A Japanese risk register (リスク管理表) with 高/中/低 labels."""
    headers = (
        "リスクID",
        "リスク内容",
        "発生確率",
        "影響度",
        "担当者",
        "ステータス",
        "対応策",
        "期限",
    )
    return _language_layout(path, "japanese", "リスク管理表", "リスク管理表", headers,
                            ("高", "中", "低"), ("未対応", "完了"), "発生確率")  # fmt: skip


def layout_german(path: Path) -> Layout:
    """A German risk register with Hoch/Mittel/Niedrig labels."""
    headers = ("Risiko-Nr.", "Beschreibung", "Wahrscheinlichkeit", "Auswirkung",
               "Verantwortlich", "Status", "Maßnahmen", "Fällig am")  # fmt: skip
    return _language_layout(path, "german", "Risiken", "Risikoregister Projekt Süd", headers,
                            ("Hoch", "Mittel", "Niedrig"), ("Offen", "Geschlossen"),
                            "Wahrscheinlichkeit")  # fmt: skip


def layout_hidden_columns(path: Path) -> Layout:
    """A tracker whose "Internal Ref" column (C) is hidden."""
    wb, ws = _book("Issues")
    headers = ("ID", "Title", "Internal Ref", "Probability", "Impact", "Owner", "Status",
               "Due Date")  # fmt: skip
    rows = [(r[0], r[1], f"X{i:03}", *r[2:]) for i, r in enumerate(risk_rows(4))]
    last = _write_block(ws, 1, 1, headers, rows)
    ws.column_dimensions["C"].hidden = True
    tracker = LayoutTracker("Issues", 1, headers, 2, last, tuple(rows), columns="A:H",
                            hidden=("Internal Ref",))  # fmt: skip
    return Layout("hidden_columns", _save(wb, path), (tracker,))


def layout_header_with_blanks(path: Path) -> Layout:
    """A header row with a blank cell between titled columns (column C holds data but no
    title) and a blank row inside the data."""
    wb, ws = _book("Tracker")
    ws["A1"] = "Change Log"
    headers = ("ID", "Title", "", "Status", "Owner")
    rows = [(f"CR-{i}", f"Change {i}", f"x{i}", "Approved" if i % 2 else "Rejected",
             _OWNERS[i % 4]) for i in range(1, 6)]  # fmt: skip
    _write_block(ws, 3, 1, headers, rows[:3])
    _write_block(ws, 7, 1, (), rows[3:])  # rows 8-9, after the blank row 7
    data = (*rows[:3], (None,) * 5, *rows[3:])
    tracker = LayoutTracker("Tracker", 3, headers, 4, 9, data, columns="A:E",
                            title="Change Log", kind="change_request")  # fmt: skip
    return Layout("header_with_blanks", _save(wb, path), (tracker,))


def layout_no_tracker(path: Path) -> Layout:
    """Sheets with nothing to sync: notes only, an empty sheet, a form of labels and
    values, a block of numbers; and one real tracker so the workbook is not empty."""
    wb, ws = _book("Notes")
    ws["A1"] = "Read me: this workbook is updated every Friday."
    wb.create_sheet("Empty")
    form = wb.create_sheet("Summary")
    for r, (label, value) in enumerate(
        [("Project", "Apollo"), ("Start", _BASE), ("Budget", 120000), ("Manager", "Alice")], 1
    ):
        form.cell(r, 1, label)
        form.cell(r, 2, value).number_format = (
            "yyyy-mm-dd" if isinstance(value, dt.date) else "General"
        )
    numbers = wb.create_sheet("Matrix")
    for r in range(1, 6):
        for c in range(1, 6):
            numbers.cell(r, c, r * c)
    real = wb.create_sheet("Risks")
    rows = risk_rows(3)
    last = _write_block(real, 1, 1, RISK_HEADERS, rows)
    tracker = LayoutTracker("Risks", 1, RISK_HEADERS, 2, last, tuple(rows), columns="A:G")
    why = {
        "Notes": "only 1 text row",
        "Empty": "empty",
        "Summary": "a form",
        "Matrix": "no header row",
    }
    return Layout("no_tracker", _save(wb, path), (tracker,), why)


LAYOUTS: dict[str, Callable[[Path], Layout]] = {
    **{
        f"title_block_{h}": (lambda p, h=h: layout_title_block(p, h))  # type: ignore[misc]
        for h in range(7)
    },
    "merged_header": layout_merged_header,
    "two_row_header": layout_two_row_header,
    "stacked": layout_stacked,
    "side_by_side": layout_side_by_side,
    "table_and_range": layout_table_and_range,
    "chinese": layout_chinese,
    "japanese": layout_japanese,
    "german": layout_german,
    "hidden_columns": layout_hidden_columns,
    "header_with_blanks": layout_header_with_blanks,
    "no_tracker": layout_no_tracker,
}
"""Every layout by name: ``LAYOUTS[name](path) -> Layout``."""

__all__ = ["LAYOUTS", "RISK_HEADERS", "Layout", "LayoutTracker", "risk_rows"]
