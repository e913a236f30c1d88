"""The Resources sheet: the resource plan's people against Jira's open work, per week.

    rows 1-2    title; what utilisation is, as of when, how a cell is coloured
    row 4..     the heat map: one row per person (the plan's, then people with work who
                are not in it), one column per week (``WEEKS_SHOWN`` from the report's
                week): utilisation as a percentage, Green below 85%, Amber 85-100%, Red
                above 100% (the number is always shown: colour is never the only signal)
    then        over-allocated people: each week above the threshold, with the items
                driving it and the hours each puts into that week
    then        planned allocation against demand per project over the weeks shown
    then        unassigned open work, and every plan row or item not counted as it is

Every figure is the capacity engine's (``resources``) over the store, computed by
``resources.portfolio.load`` exactly as the PMO_UTILISATION worksheet function computes
it, so a heat-map cell and the function agree for the same person and week.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from report import palette
from report.layout import BOLD, BOX, SECTION, SUBTITLE, WRAP, fit_height, font, header_row, put
from report.layout import title as sheet_title
from report.layout import widths as set_widths
from report.strings import Strings
from resources import planned_vs_actual
from resources.portfolio import Load, load, person_id

WEEKS_SHOWN = 12
AMBER_FROM, RED_ABOVE = 0.85, 1.0
MAX_DRIVERS = 5
HEAT_HEADER_ROW = 5
FIRST_WEEK_COLUMN = 5  # E: A person, B role, C team, D capacity a week
WIDTHS = [30, 14, 12, 10]
WEEK_WIDTH = 8.5
DASH = "–"


@dataclass
class Resources:
    """What the Resources sheet shows: the engine's load and the plan rows behind it."""

    load: Load
    plan: dict[str, Mapping[str, Any]] = field(default_factory=dict)  # person id -> row
    summaries: dict[str, str] = field(default_factory=dict)  # work item key -> summary
    threshold: float = RED_ABOVE

    @property
    def weeks(self) -> tuple[date, ...]:
        return self.load.weeks[:WEEKS_SHOWN]


def resources_of(
    items: Iterable[Mapping[str, Any]],
    today: date,
    hours_per_point: float = 0.0,
    threshold: float = RED_ABOVE,
) -> Resources | None:
    """The sheet's data from store items; None when the store holds no resource plan."""
    items = list(items)
    plan = {person_id(i.get("key")): i for i in items if i.get("_entity") == "resource"}
    if not plan:
        return None
    summaries = {
        str(i.get("key")): str(i.get("summary") or "")
        for i in items
        if i.get("_entity") == "work_item"
    }
    return Resources(load(items, today, hours_per_point), plan, summaries, threshold)


def band(utilisation: float | None) -> str | None:
    """The heat map's colour of a utilisation: Green, Amber or Red (None: no capacity)."""
    if utilisation is None:
        return None
    if utilisation > RED_ABOVE:
        return "Red"
    return "Amber" if utilisation >= AMBER_FROM else "Green"


def heat_people(data: Resources) -> list[str]:
    """The heat map's rows: the plan's people in plan order, then anyone with demand in
    the weeks shown who is not in the plan (by id)."""
    people = list(data.load.people)
    shown = set(data.weeks)
    others = sorted(
        {pid for (pid, week), h in data.load.demand.hours.items() if week in shown and h}
        - set(people)
    )
    return people + others


def resources_sheet(sheet: Worksheet, data: Resources, s: Strings, as_of: date) -> None:
    sheet_title(sheet, s("resources_title"))
    percent = f"{AMBER_FROM:.0%}", f"{RED_ABOVE:.0%}"
    note = put(sheet, 2, 1, s("resources_subtitle", as_of=s.date(as_of), amber=percent[0],
                              red=percent[1]))  # fmt: skip
    note.font, note.alignment = SUBTITLE, Alignment(wrap_text=True, vertical="top")
    last_column = get_column_letter(FIRST_WEEK_COLUMN + WEEKS_SHOWN - 1)
    sheet.merge_cells(f"A2:{last_column}2")
    sheet.row_dimensions[2].height = 30
    set_widths(sheet, WIDTHS)
    set_widths(sheet, [WEEK_WIDTH] * WEEKS_SHOWN, start=FIRST_WEEK_COLUMN)
    row = _heat_map(sheet, data, s)
    row = _overallocated(sheet, data, s, row + 2)
    row = _planned(sheet, data, s, row + 2)
    row = _unassigned(sheet, data, s, row + 2)
    row = _problems(sheet, data, s, row + 2)
    sheet.print_area = f"A1:{last_column}{row}"
    sheet.freeze_panes = f"{get_column_letter(FIRST_WEEK_COLUMN)}{HEAT_HEADER_ROW + 1}"


TOP = Alignment(vertical="top")


def _header(
    sheet: Worksheet, row: int, names: list[str], numeric: list[int], lines: int = 2
) -> None:
    """A table header ``lines`` high: the numeric columns' headers wrap in their width."""
    header_row(sheet, row, names, numeric=numeric)
    sheet.row_dimensions[row].height = 15 * lines


def _heat_map(sheet: Worksheet, data: Resources, s: Strings) -> int:
    put(sheet, HEAT_HEADER_ROW - 1, 1, s("section_resource_heat")).font = SECTION
    names = [s("col_person"), s("col_role"), s("col_team"), s("col_capacity_week")]
    _header(sheet, HEAT_HEADER_ROW, names, numeric=[3])
    for n, week in enumerate(data.weeks):
        cell = put(sheet, HEAT_HEADER_ROW, FIRST_WEEK_COLUMN + n, week)
        cell.font, cell.fill, cell.border = BOLD, palette.HEADER.pattern(), BOX
        cell.font = palette.HEADER.font(bold=True)
        cell.number_format = "mm-dd" if s.lang == "en" else 'm"月"d"日"'
        cell.alignment = Alignment(horizontal="center", vertical="bottom")
    row = HEAT_HEADER_ROW
    for row, pid in enumerate(heat_people(data), start=HEAT_HEADER_ROW + 1):
        plan = data.plan.get(pid)
        person = data.load.people.get(pid)
        label = str(plan.get("key")) if plan else pid
        values = [label, plan.get("role") if plan else s("not_in_plan"),
                  plan.get("team") if plan else None,
                  person.capacity_hours_per_week if person else None]  # fmt: skip
        for c, value in enumerate(values, start=1):
            put(sheet, row, c, value).border = BOX
        if plan is None:
            sheet.cell(row, 2).font = font(italic=True, color=palette.MUTED)
        sheet.cell(row, 4).number_format = "0.#"
        for n, week in enumerate(data.weeks):
            _heat_cell(sheet, row, FIRST_WEEK_COLUMN + n, data.load.util.get((pid, week)), s)
    return row


def _heat_cell(sheet: Worksheet, row: int, column: int, value: float | None, s: Strings) -> None:
    colour = band(value)
    cell = put(sheet, row, column, DASH if value is None else value)
    cell.border = BOX
    cell.alignment = Alignment(horizontal="center")
    if colour is None:
        cell.font = font(color=palette.MUTED)
        return
    cell.number_format = s.percent_format
    cell.fill = palette.RAG[colour].pattern()
    cell.font = palette.RAG[colour].font()


def _overallocated(sheet: Worksheet, data: Resources, s: Strings, top: int) -> int:
    shown = set(data.weeks)
    over = [
        (pid, week, u)
        for (pid, week), u in sorted(data.load.util.items())
        if week in shown and u is not None and u > data.threshold
    ]
    heading = s("section_overallocated", threshold=f"{data.threshold:.0%}", count=len(over))
    put(sheet, top, 1, heading).font = SECTION
    if not over:
        put(sheet, top + 1, 1, s("no_overallocated")).font = SUBTITLE
        return top + 1
    header = top + 1
    names = [s("col_person"), s("col_week_of"), s("col_utilisation"), s("col_demand_h"),
             s("col_capacity_h"), s("col_drivers")]  # fmt: skip
    _header(sheet, header, names, numeric=[2, 3, 4])
    last = get_column_letter(FIRST_WEEK_COLUMN + WEEKS_SHOWN - 1)
    sheet.merge_cells(f"F{header}:{last}{header}")
    row = header
    for row, (pid, week, u) in enumerate(over, start=header + 1):
        hours = data.load.demand.hours.get((pid, week), 0.0)
        label = str(data.plan[pid].get("key")) if pid in data.plan else pid
        drivers = data.load.drivers(pid, [week])
        lines = [f"{w.key} {data.summaries.get(w.key, '')}".rstrip() + f": {h:.1f} h"
                 for w, h in drivers[:MAX_DRIVERS]]  # fmt: skip
        if len(drivers) > MAX_DRIVERS:
            lines.append(s("more_drivers", count=len(drivers) - MAX_DRIVERS))
        text = "\n".join(lines)
        values = [label, week, u, hours, hours / u if u else None, text]
        for c, value in enumerate(values, start=1):
            cell = put(sheet, row, c, value)
            cell.border, cell.alignment = BOX, TOP
        sheet.cell(row, 2).number_format = s.date_format
        sheet.cell(row, 3).number_format = s.percent_format
        sheet.cell(row, 3).fill = palette.RAG["Red"].pattern()
        sheet.cell(row, 3).font = palette.RAG["Red"].font(bold=True)
        sheet.cell(row, 4).number_format = sheet.cell(row, 5).number_format = "0.0"
        sheet.cell(row, 6).alignment = WRAP
        sheet.merge_cells(f"F{row}:{last}{row}")
        sheet.row_dimensions[row].height = 15
        fit_height(sheet, row, text, 10 + WEEK_WIDTH * (WEEKS_SHOWN - 1))
    return row


def _planned(sheet: Worksheet, data: Resources, s: Strings, top: int) -> int:
    weeks = data.weeks
    put(sheet, top, 1, s("section_planned", first=s.date(weeks[0]),
                         last=s.date(weeks[-1]))).font = SECTION  # fmt: skip
    table = planned_vs_actual(data.load.inputs.plans, data.load.demand,
                              data.load.inputs.people, weeks)  # fmt: skip
    totals: dict[str | None, list[float]] = {}
    for (project, _week), (planned, actual) in table.items():
        pair = totals.setdefault(project, [0.0, 0.0])
        pair[0] += planned
        pair[1] += actual
    if not totals:
        put(sheet, top + 1, 1, s("no_plans")).font = SUBTITLE
        return top + 1
    header = top + 1
    names = [s("col_project"), s("col_planned_h"), s("col_demand_h"), s("col_difference_h"),
             s("col_ratio")]  # fmt: skip
    _header(sheet, header, names, numeric=[1, 2, 3, 4], lines=3)
    row = header
    for row, (project, (planned, actual)) in enumerate(totals.items(), start=header + 1):
        values = [project or s("no_project"), planned, actual, actual - planned,
                  actual / planned if planned else None]  # fmt: skip
        for c, value in enumerate(values, start=1):
            put(sheet, row, c, value).border = BOX
        for c in (2, 3, 4):
            sheet.cell(row, c).number_format = "#,##0.0"
        sheet.cell(row, 5).number_format = s.percent_format
    return row


def _unassigned(sheet: Worksheet, data: Resources, s: Strings, top: int) -> int:
    work = [w for w in data.load.inputs.work if w.person is None]
    put(sheet, top, 1, s("section_unassigned", count=len(work))).font = SECTION
    if not work:
        put(sheet, top + 1, 1, s("no_unassigned")).font = SUBTITLE
        return top + 1
    header = top + 1
    names = [s("col_key"), s("col_project"), s("col_hours_left"), s("col_due"), s("col_summary")]
    _header(sheet, header, names, numeric=[2])
    last = get_column_letter(FIRST_WEEK_COLUMN + WEEKS_SHOWN - 1)
    sheet.merge_cells(f"E{header}:{last}{header}")
    row = header
    for row, w in enumerate(sorted(work, key=lambda w: w.key), start=header + 1):
        values = [w.key, w.project, w.hours if w.hours is not None else s("no_estimate"),
                  w.due, data.summaries.get(w.key)]  # fmt: skip
        for c, value in enumerate(values, start=1):
            put(sheet, row, c, value).border = BOX
        sheet.merge_cells(f"E{row}:{last}{row}")
        sheet.cell(row, 3).number_format = "0.0"
        sheet.cell(row, 4).number_format = s.date_format
        sheet.cell(row, 3).alignment = Alignment(horizontal="right")
    return row


def _problems(sheet: Worksheet, data: Resources, s: Strings, top: int) -> int:
    problems = data.load.problems
    put(sheet, top, 1, s("section_resource_problems", count=len(problems))).font = SECTION
    if not problems:
        put(sheet, top + 1, 1, s("no_resource_problems")).font = SUBTITLE
        return top + 1
    header = top + 1
    header_row(sheet, header, [s("col_row_or_item"), s("col_problem")])
    last = get_column_letter(FIRST_WEEK_COLUMN + WEEKS_SHOWN - 1)
    sheet.merge_cells(f"B{header}:{last}{header}")
    row = header
    for row, problem in enumerate(problems, start=header + 1):
        cell = put(sheet, row, 1, problem.key)
        cell.border, cell.alignment = BOX, TOP
        put(sheet, row, 2, problem.message).alignment = WRAP
        sheet.merge_cells(f"B{row}:{last}{row}")
        # An explicit height: LibreOffice sizes a wrapped merged cell by its first column.
        sheet.row_dimensions[row].height = 15
        fit_height(sheet, row, problem.message, sum(WIDTHS[1:]) + WEEK_WIDTH * WEEKS_SHOWN)
    return row
