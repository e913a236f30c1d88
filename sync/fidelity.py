"""What the workbook cannot tell, or cannot hold: Excel values the merge must not trust.

The merge compares each side with the base, so a cell that shows something other than
the record's value would read as an edit and be sent to Jira. Two kinds of cells do:

- cells that say nothing about the value: an error value (#REF!, #N/A), a formula
  whose result is missing or may be out of date, a 0 formatted as a date. Their field
  is *unknown* for that row, never "empty": Excel's side is taken to agree with Jira
  (nothing is sent, whichever way the field flows), and the person is told which cells
  to fix. A value pmo-sync cannot know to be current is
  never written to Jira.
- cells that hold a value only partly: Jira text longer than Excel's 32,767-character
  cell limit is shown cut, and characters no workbook can store (a lone surrogate)
  are replaced. Such a field is one-way (Jira to Excel) for that record while Jira's
  value is like that: the cut text reads as Jira's own value, an edit of the cut cell
  is held back and reported, and nothing ever shortens the text in Jira.

A date before 1900 is not in this list: it is written as ISO text, which reads back as
the same date.

Everything here is a pure function of the three views (base, Jira, Excel), like the
merge, so a dry run shows the same warnings a real cycle acts on.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from connectors.excel.values import storable_text
from sync.plan import Match, SideRecord


def as_excel_holds(value: Any) -> Any:
    """``value`` as a cell holds it and reads back (text made storable; others as they are)."""
    if isinstance(value, str):
        return storable_text(value)[0]
    return value


def is_lossy(value: Any) -> bool:
    """True when a workbook cell cannot hold ``value`` whole."""
    return isinstance(value, str) and as_excel_holds(value) != value


def lossy_reason(value: str) -> str:
    """Why a text cannot be held whole, as the person reads it."""
    return "; ".join(storable_text(value)[1])


class _Notes:
    """Warnings gathered per (field, reason), so a column of 500 stale formulas is one
    line naming the rows, not 500 lines."""

    def __init__(self, entity: str) -> None:
        self.entity = entity
        self.rows: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.lines: list[str] = []

    def unknown(self, name: str, why: str, where: str) -> None:
        self.rows[(name, why)].append(where)

    def line(self, text: str) -> None:
        self.lines.append(text)

    def render(self) -> list[str]:
        out = []
        for (name, why), places in self.rows.items():
            shown = ", ".join(places[:10]) + (
                f" and {len(places) - 10} more" if places[10:] else ""
            )
            out.append(
                f"{self.entity}.{name}: {shown}: {why}; the cell is read as unknown, so "
                "nothing is written to Jira for it until it holds a value"
            )
        return out + self.lines


def hold_unfaithful(
    matches: Iterable[Match], fields: frozenset[str], entity: str
) -> tuple[list[Match], list[str]]:
    """The matches with Excel values the merge must not trust replaced by the value Excel
    is known to stand for (the base, else Jira's), and the warnings saying so."""
    notes = _Notes(entity)
    out = []
    for match in matches:
        excel = match.excel
        if excel is None:
            out.append(match)
            continue
        values = dict(excel.values)
        changed = False
        for name in sorted(fields):
            if name not in values and name not in excel.unknown:
                continue
            held = _held_value(match, name, values.get(name), notes)
            if held is not _KEEP:
                values[name] = held
                changed = True
        out.append(replace(match, excel=replace(excel, values=values)) if changed else match)
    return out, notes.render()


_KEEP = object()  # sentinel: Excel's value stands


def _held_value(match: Match, name: str, current: Any, notes: _Notes) -> Any:
    """The value to merge for Excel's side of one field, or _KEEP."""
    excel = match.excel
    assert excel is not None
    base = match.base.values.get(name) if match.base else None
    jira = match.jira.values.get(name) if match.jira else None
    where = _where(match)
    if name in excel.unknown:
        notes.unknown(name, excel.unknown[name], where)
        # Taken to agree with Jira, so nothing flows to Jira whatever the field's direction
        # (Jira's own change may still reach a cell that is not a formula); a row whose
        # issue left Jira keeps what was agreed; a new row's issue is created without it.
        if match.jira is not None:
            return jira
        return base
    if current in (base, jira):
        return _KEEP  # it holds a value exactly: nothing to restore
    for value in (jira, base):
        if is_lossy(value) and current == as_excel_holds(value):
            return value  # the cell shows that value as far as a cell can
    last_written = base if match.base is not None else jira
    if is_lossy(last_written):
        notes.line(
            f"{where}: {name} was edited in the workbook but is not sent to Jira: the cell "
            f"cannot hold Jira's value whole ({lossy_reason(last_written)}), so the edit "
            "would shorten or corrupt it; edit it in Jira"
        )
        return last_written
    return _KEEP


def lossy_writes(match: Match, names: Iterable[str], values: dict[str, Any]) -> list[str]:
    """Warnings for Jira values about to be written into cells that cannot hold them whole."""
    return [
        f"{_where(match)}: {name}: {lossy_reason(values[name])}; the cell shows it cut or "
        "replaced, and the field is not sent back to Jira for this record while Jira's value "
        "is like that"
        for name in names
        if is_lossy(values.get(name))
    ]


def _where(match: Match) -> str:
    parts = []
    if match.key:
        parts.append(match.key)
    if match.excel is not None:
        parts.append(f"row {match.excel.ref}")
    return " ".join(parts) or str(match.sync_id)[:8]


__all__ = ["SideRecord", "as_excel_holds", "hold_unfaithful", "is_lossy", "lossy_writes"]
