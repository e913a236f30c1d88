"""End to end with the real RAID log made in Excel: nothing of the workbook is lost."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from sandbox import running_sandbox
from sync.log_sheet import SHEET as LOG_SHEET
from sync.resolve import resolve


def _add_id_columns(path: Path) -> None:
    """What the PMO does once in Excel: two columns at the right end of each tracker's
    table (the Definition sheet's lookup tables sit side by side and are left alone)."""
    from openpyxl.worksheet.table import TableColumn

    book = load_workbook(path)
    for ws in book.worksheets:
        for table in ws.tables.values():
            if table.displayName not in ("Risks", "Issues", "CRs"):
                continue
            first, last = table.ref.split(":")
            header_row = int("".join(ch for ch in first if ch.isdigit()))
            last_col = ws[last].column
            last_row = ws[last].row
            for offset, name in enumerate(("Jira Key", "Sync ID"), start=1):
                ws.cell(header_row, last_col + offset, name)
                table.tableColumns.append(TableColumn(id=len(table.tableColumns) + 1, name=name))
            end = ws.cell(last_row, last_col + 2).coordinate
            table.ref = f"{first}:{end}"
            if table.autoFilter is not None:
                table.autoFilter.ref = table.ref
    book.save(path)


def _cells(path: Path, skip: set[str]) -> dict[str, dict[str, object]]:
    book = load_workbook(path)
    return {
        ws.title: {
            c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None
        }
        for ws in book.worksheets
        if ws.title not in skip
    }


def test_sync_edits_conflict_and_resolve_on_the_real_raid_log(
    tmp_path, real_raid_log, world_factory
):
    with running_sandbox(mode="cloud", seed="demo", timezone="UTC") as server:
        world = world_factory(
            tmp_path, server, source=real_raid_log, sync_settings="log_sheet = true"
        )
        refused = world.cycle()
        assert refused.outcome == "errors" and refused.counts == {}
        assert all("no 'Jira Key' and no 'Sync ID' column" in e for e in refused.all_errors)
        _add_id_columns(world.workbook)
        untouched = _cells(
            world.workbook, {"Risk Register", "Issue Register", "Change Requests", LOG_SHEET}
        )
        first = world.cycle()
        assert first.outcome == "ok", first.all_errors
        assert first.counts == {"excel_append": 10}
        risks = world.rows("risk")
        assert len(risks.rows) == 5 and len(world.rows("change_request").rows) == 3
        # The template's pre-numbered blank rows were filled, not appended after.
        assert [r.row_number for r in risks.rows] == [5, 6, 7, 8, 9]
        assert risks.location.last_data_row == 24
        # Every other sheet of the PMO's workbook is exactly as it was.
        after = _cells(
            world.workbook, {"Risk Register", "Issue Register", "Change Requests", LOG_SHEET}
        )
        assert after == untouched
        risk = world.rows("risk").rows[0].record
        world.edit_row("risk", risk.key, impact=1)
        other = world.rows("risk").rows[1].record
        world.edit_row("risk", other.key, mitigation="Excel side")
        server.store.human_edit(other.key, {"Mitigation": "Jira side"})
        second = world.cycle()
        assert second.outcome == "conflicts"
        assert world.jira("risk", risk.key).impact == 1
        (conflict,) = world.store.open_conflicts()
        resolve(world.store, conflict.id, "jira")
        assert world.cycle().outcome == "ok"
        assert world.row("risk", other.key).record.mitigation == "Jira side"
        log = load_workbook(world.workbook)[LOG_SHEET]
        logged = {(r[4], r[6]) for r in log.iter_rows(min_row=2, values_only=True)}
        assert ("impact", 1) in logged and ("mitigation", "Jira side") in logged
        backups = list((world.workbook.parent / ".pmo-sync" / "backups").glob("*"))
        assert backups, "each workbook write keeps a backup"
        world.runner.close()
