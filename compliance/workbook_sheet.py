"""The "PMO Compliance" sheet: a pair's compliance shown inside its own workbook.

Written after every audit when ``[sync] compliance_sheet = true``: the pair's projects
with their score and breaches by severity, then every breach with whom to tell. The
sheet is owned by pmo-sync and replaced whole through the lossless writer's owned-sheet
replacement, so every other sheet, chart and format of the workbook stays byte for byte
as it was; text from Jira is written as literal text (formula-looking text is
quote-prefixed), and the file is not written at all when the sheet would not change.

The sheet holds nothing that changes by itself (no audit time), so a cycle in which
nothing changed leaves the workbook alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from compliance.audit import AuditResult
from connectors.excel import refresh_owned_sheet

SHEET = "PMO Compliance"
SEVERITIES = ("error", "warning", "info")
HEADER = ("Project", "Score %", "Checks", "Passed", "Errors", "Warnings", "Info")
BREACH_HEADER = ("Project", "Item", "Summary", "Rule", "Severity", "Why", "Tell")
NO_SCORE = "-"  # a project with nothing to check
NO_BREACHES = "No breaches."
MAX_BREACHES = 5000  # rows of breaches shown; the rest are counted


def compliance_rows(projects: Sequence[str], result: AuditResult) -> list[list[Any]]:
    """The sheet's rows under its header: one per project (in the pair's order), a blank
    row, then the breach table (its own header row first)."""
    rows: list[list[Any]] = []
    for key in dict.fromkeys(projects):
        score = result.projects.get(key)
        mine = result.breaches_of(key)
        count = [sum(b.severity == s for b in mine) for s in SEVERITIES]
        checks = score.checks if score else 0
        passed = score.passed if score else 0
        shown = NO_SCORE if score is None or score.score is None else round(score.score * 100, 1)
        rows.append([key, shown, checks, passed, *count])
    rows.append([])
    rows.append(list(BREACH_HEADER))
    mine = set(projects)
    breaches = [b for b in result.breaches if b.project in mine]
    for b in breaches[:MAX_BREACHES]:
        rows.append([b.project, b.key, b.summary, b.rule, b.severity, b.why, b.who])
    if not breaches:
        rows.append([NO_BREACHES])
    elif len(breaches) > MAX_BREACHES:
        rows.append([f"and {len(breaches) - MAX_BREACHES:,} more: see `pmo-sync audit`"])
    return rows


def write_compliance_sheet(
    workbook: Path, projects: list[str], result: AuditResult, keep_backups: int
) -> int:
    """Create or replace the sheet; bytes written (0 when nothing changed).

    Raises what the owned-sheet writer raises, and writes nothing then: WorkbookLocked
    (the workbook is open in a spreadsheet application), WorkbookChanged (saved by
    someone while this wrote), SheetNotOwned (a person's sheet of that name), OSError.
    """
    rows = compliance_rows(projects, result)
    return refresh_owned_sheet(workbook, SHEET, HEADER, rows, keep_backups=keep_backups)
