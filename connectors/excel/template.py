"""Fresh tracker workbooks generated from a mapping (what `pmo-sync init --workbook` writes).

A PMO's templates are its policy (duty 1 in pmo-duties.md): every project's RAID log
has the same tables, headers and drop-down lists, so a generated workbook is laid out
exactly as the mapping reads it: a title row, an Excel table per entity, the pmo-sync
id columns, and list validation built from the value maps' preferred labels.

This writes a *new* file with openpyxl; existing workbooks are only ever patched by
the lossless writer.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo

from mappings.mapping import EntityMapping, MappingSpec

from .newbook import save_new_workbook

TITLE_ROW = 1
HEADER_ROW = 4
PLACEHOLDER_ROWS = 1  # Excel tables need at least one data row
_SHEET_TITLES = {
    "risk": "Risk Register",
    "raid_issue": "Issue Register",
    "change_request": "Change Requests",
    "assumption": "Assumptions",
    "dependency": "Dependencies",
    "action": "Actions",
    "decision": "Decisions",
    "work_item": "Status Tracker",
    "project": "Projects",
}


def _headers(entity: EntityMapping) -> list[str]:
    columns = [entity.excel.key_column]
    columns += [field.excel for field in entity.fields if field.excel]
    if entity.excel.flag_column:
        columns.append(entity.excel.flag_column)
    if entity.jira is not None:  # records only the workbook holds need no sync id
        columns.append(entity.excel.sync_id_column)
    return columns


def _sheet_name(entity: EntityMapping) -> str:
    return entity.excel.sheet or _SHEET_TITLES.get(entity.type, entity.type.title())


def write_template(mapping: MappingSpec, path: Path, *, overwrite: bool = False) -> Path:
    """Write a blank tracker workbook for every entity of a mapping.

    Raises:
        FileExistsError: the file exists and ``overwrite`` is false (a user's workbook
            is never replaced by a blank one by accident).
    """
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} already exists; choose another path or pass --force")
    workbook = Workbook()
    workbook.remove(workbook.active)
    for entity in mapping.entities:
        sheet = workbook.create_sheet(_sheet_name(entity))
        sheet.cell(TITLE_ROW, 1, f"{sheet.title} ({mapping.name})").font = Font(bold=True, size=14)
        headers = _headers(entity)
        for index, header in enumerate(headers, start=1):
            cell = sheet.cell(HEADER_ROW, index, header)
            cell.font = Font(bold=True, color="FFFFFF")
            cell.fill = PatternFill("solid", fgColor="1F4E78")
            sheet.column_dimensions[get_column_letter(index)].width = max(12, len(header) + 4)
        last_row = HEADER_ROW + PLACEHOLDER_ROWS
        ref = f"A{HEADER_ROW}:{get_column_letter(len(headers))}{last_row}"
        if entity.excel.table:
            table = Table(displayName=entity.excel.table, ref=ref)
            table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
            sheet.add_table(table)
        else:
            sheet.auto_filter.ref = ref
        for field in entity.fields:
            labels = _validation_labels(mapping, entity, field.name)
            if field.excel and labels:
                column = get_column_letter(headers.index(field.excel) + 1)
                validation = DataValidation(
                    type="list", formula1='"' + ",".join(labels) + '"', allow_blank=True
                )
                validation.error = f"Choose one of: {', '.join(labels)}"
                validation.showErrorMessage = True
                sheet.add_data_validation(validation)
                validation.add(f"{column}{HEADER_ROW + 1}:{column}{HEADER_ROW + 1000}")
        if entity.jira is not None:  # the Sync ID column, last: pmo-sync's own, kept out of sight
            sheet.column_dimensions[get_column_letter(len(headers))].hidden = True
        sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 2)
    return save_new_workbook(workbook, path)


def _validation_labels(mapping: MappingSpec, entity: EntityMapping, name: str) -> list[str]:
    field = entity.field(name)
    value_map = mapping.value_map(field, "excel")
    if value_map is None:
        return []
    labels = value_map.preferred_labels
    # Excel caps an inline list at 255 characters, and the list is one quoted string
    # whose items are split at commas: a label holding a comma would become two items,
    # one holding a quote would end the string early (a formula Excel removes when it
    # repairs the file). Such lists are left unvalidated rather than wrong.
    if any("," in label or '"' in label for label in labels):
        return []
    return labels if len(",".join(labels)) <= 250 else []
