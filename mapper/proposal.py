"""A proposed mapping for a workbook: per tracker, the entity and per column the field.

Built by ``mapper.propose`` from the survey, the classifier and the Jira site; shown to
the person (a table per tracker, or ``--json``), edited by them, then written as an
annotated mapping TOML (``mapper.render``). Everything here is plain data with the reason
for each choice, so the terminal, the JSON and the TOML comments say the same thing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mapper.jira_match import IssueTypeChoice, JiraChoice

LOW_CONFIDENCE = 0.6  # below this a choice is marked "?" for the person to check


@dataclass
class ColumnProposal:
    """One column: the field it maps to (or why none), and how it syncs."""

    header: str
    letter: str
    field: str | None  # canonical field, "key"/"sync_id", or None (workbook only)
    confidence: float
    reason: str
    jira: JiraChoice | None = None
    value_map: str | None = None
    excel_labels: dict[str, list[str]] = field(default_factory=dict)
    unknown_labels: list[str] = field(default_factory=list)
    alternatives: list[tuple[str, float]] = field(default_factory=list)
    hidden: bool = False

    @property
    def doubtful(self) -> bool:
        return self.field is not None and self.confidence < LOW_CONFIDENCE


@dataclass
class TrackerProposal:
    """One tracker (an Excel table, or a header row with rows under it)."""

    sheet: str
    table: str | None
    header_row: int
    rows: int
    columns: list[ColumnProposal]
    entity: str | None
    confidence: float
    reason: str
    header_rows: int = 1
    column_range: str | None = None  # "B:H" when the sheet holds other trackers beside it
    stacked: bool = False  # another tracker sits below this one on the sheet
    title: str | None = None
    issue_types: IssueTypeChoice | None = None
    suggestions: list[str] = field(default_factory=list)
    alternatives: list[tuple[str, float]] = field(default_factory=list)
    accepted: bool = True
    preview: list[dict[str, Any]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.table or self.sheet

    @property
    def where(self) -> str:
        at = (
            f"table {self.table!r} on sheet {self.sheet!r}"
            if self.table
            else f"sheet {self.sheet!r}"
        )
        return f"{at}, header row {self.header_row}"

    def column(self, name: str) -> ColumnProposal | None:
        return next((c for c in self.columns if c.field == name), None)

    @property
    def id_headers(self) -> dict[str, str]:
        """ "key"/"sync_id" -> the header of the identity columns the tracker already has."""
        return {c.field: c.header for c in self.columns if c.field in ("key", "sync_id")}


@dataclass
class Proposal:
    """Everything `pmo-sync map` proposes for one workbook."""

    workbook: Path
    trackers: list[TrackerProposal]
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (sheet, why)
    site: str | None = None  # the Jira site the fields were checked against

    @property
    def chosen(self) -> list[TrackerProposal]:
        """Trackers the mapping will hold: accepted, with an entity."""
        return [t for t in self.trackers if t.accepted and t.entity is not None]

    def to_json(self) -> dict[str, Any]:
        def plain(value: Any) -> Any:
            if isinstance(value, dict):
                return {str(k): plain(v) for k, v in value.items()}
            if isinstance(value, list | tuple):
                return [plain(v) for v in value]
            if isinstance(value, Path):
                return str(value)
            if value is None or isinstance(value, str | int | float | bool):
                return value
            return str(value)

        return plain(
            {
                "workbook": self.workbook,
                "site": self.site,
                "trackers": [asdict(t) for t in self.trackers],
                "skipped": [{"sheet": s, "why": w} for s, w in self.skipped],
            }
        )
