"""What one cycle read, planned and did: per entity, and for the whole pair.

Shared by the cycle (which fills it), the bookkeeping (which turns it into bases, audit
entries and conflicts) and the CLI (which prints it).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from connectors.excel.records import RecordsRead
from mappings.mapping import EntityMapping
from sync.jira_view import JiraView
from sync.link_cells import RowRefs
from sync.plan import RECREATE, Match, Plan


@dataclass
class EntityRun:
    """Everything one entity of a cycle read, planned and did."""

    entity: EntityMapping
    fields: frozenset[str]
    excel: RecordsRead
    jira: JiraView
    matches: list[Match]
    plan: Plan
    resolutions: dict[tuple[str, str], Any] = field(default_factory=dict)
    failed: set[str] = field(default_factory=set)  # sync ids with a failed write
    created: dict[str, str] = field(default_factory=dict)  # sync id -> new key
    written: dict[str, dict[str, Any]] = field(default_factory=dict)  # sync id -> Jira values
    excel_done: set[str] = field(default_factory=set)  # sync ids whose Excel ops landed
    applied: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """Handled safely but worth a person's look (a field held back, a value written as
    text); they do not make the cycle fail."""
    row_refs: RowRefs = field(default_factory=RowRefs)  # link cells naming rows by number
    links_waiting: bool = False  # a link cell names a row not yet in Jira

    @property
    def recreations(self) -> set[str]:
        """Sync ids of rows a person chose to keep after their issue left Jira."""
        return {str(m.sync_id) for m in self.matches if m.base and m.base.values.get(RECREATE)}


@dataclass
class CycleResult:
    """What a cycle of one pair did (or, in a dry run, would do)."""

    cycle_id: str
    pair: str
    dry_run: bool = False
    runs: list[EntityRun] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    open_conflicts: int = 0
    bytes_written: int = 0
    stopped: bool = False

    @property
    def plans(self) -> list[Plan]:
        return [run.plan for run in self.runs]

    @property
    def outcome(self) -> str:
        if self.errors or any(run.errors for run in self.runs):
            return "errors"
        return "conflicts" if self.open_conflicts else "ok"

    @property
    def all_errors(self) -> list[str]:
        return [*self.errors, *(e for run in self.runs for e in run.errors)]

    @property
    def all_warnings(self) -> list[str]:
        return [*self.warnings, *(w for run in self.runs for w in run.warnings)]

    @property
    def counts(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for run in self.runs:
            total.update(run.applied)
        return dict(total)
