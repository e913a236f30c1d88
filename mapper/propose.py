"""`pmo-sync map`'s engine: survey a workbook, guess each tracker, check against Jira.

Three independent parts meet here: the survey (``connectors.excel.survey``: where the
trackers are and what their columns hold), the classifier (``mapper.classify``: which
entity, which field per column, from headers in any language and from the values) and
the Jira side (``mapper.jira_match``: which Jira field and issue type). The result is a
``Proposal`` the person confirms or edits; nothing is written here.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from connectors.excel.records import read_records
from connectors.excel.survey import SurveyTracker, survey_workbook
from connectors.jira.site import JiraSiteContext
from mapper.classify import classify
from mapper.evidence import ColumnEvidence, FieldGuess, TrackerEvidence
from mapper.jira_match import (
    choose_issue_types,
    jira_names,
    match_fields,
    suggest_fields,
    value_map_for,
)
from mapper.labels import propose_labels
from mapper.proposal import LOW_CONFIDENCE, ColumnProposal, Proposal, TrackerProposal
from mapper.render import checked_mapping, render_mapping
from mappings.errors import MappingsError
from mappings.model import ENTITY_TYPES

PREVIEW_ROWS = 5
CHECKED_ROWS = 2_000  # rows a preview reads for the rows a sync would reject
ID_FIELDS = ("key", "sync_id")


def evidence_of(tracker: SurveyTracker) -> TrackerEvidence:
    """A surveyed tracker as the classifier's input."""
    return TrackerEvidence(
        name=tracker.table or tracker.sheet,
        sheet=tracker.sheet,
        title=tracker.title,
        rows=max(0, tracker.last_data_row - tracker.first_data_row + 1),
        columns=tuple(
            ColumnEvidence(
                header=c.header,
                samples=c.samples,
                kinds=c.kinds,
                distinct=c.distinct,
                list_values=c.list_values,
                hidden=c.hidden,
                letter=c.letter,
            )
            for c in tracker.columns
        ),
    )


def propose(
    path: Path,
    *,
    site: JiraSiteContext | None = None,
    site_name: str | None = None,
) -> Proposal:
    """The proposal for every tracker of a workbook (checked against ``site`` if given)."""
    survey = survey_workbook(path)
    site_types = _issue_types(site)
    trackers = [
        _tracker(t, site, site_types) for t in survey.trackers if any(c.header for c in t.columns)
    ]
    skipped = [(s.sheet, s.reason) for s in survey.skipped]
    return Proposal(Path(path), trackers, skipped, site_name if site is not None else None)


def _issue_types(site: JiraSiteContext | None) -> list[str] | None:
    if site is None:
        return None
    return [str(t.get("name")) for t in site.http.get("issuetype") or [] if t.get("name")]


def _tracker(
    surveyed: SurveyTracker, site: JiraSiteContext | None, site_types: list[str] | None
) -> TrackerProposal:
    guess = classify(evidence_of(surveyed))
    tracker = assemble(
        surveyed,
        guess.entity,
        guess.fields,
        guess.confidence,
        guess.reason,
        site,
        site_types,
        list(guess.alternatives),
    )
    if tracker.entity is None:
        tracker.accepted = False
    elif (why := unsyncable(tracker)) is not None:
        tracker.accepted = False
        tracker.reason = f"{tracker.reason}; left out: {why}"
    elif tracker.confidence < LOW_CONFIDENCE:
        tracker.accepted = False  # never synced on a guess: the person takes it in
        tracker.reason = (
            f"{tracker.reason}; left out: confidence {tracker.confidence:.2f} is below "
            f"{LOW_CONFIDENCE}, run `pmo-sync map` without --yes to take it in as "
            f"{tracker.entity} or as another type"
        )
    return tracker


def unsyncable(tracker: TrackerProposal) -> str | None:
    """Why a tracker cannot be synced as proposed (a lookup list, a column of values), or
    None. The person may still take it in, after mapping the missing column."""
    required = "name" if tracker.entity == "project" else "summary"
    if tracker.column(required) is None:
        return f"no column is the {required} every record needs (a lookup list?)"
    return None


def assemble(
    surveyed: SurveyTracker,
    entity: str | None,
    guesses: Sequence[FieldGuess],
    confidence: float,
    reason: str,
    site: JiraSiteContext | None,
    site_types: list[str] | None,
    alternatives: list[tuple[str, float]] | None = None,
) -> TrackerProposal:
    """A tracker's proposal from the classifier's guesses (or a person's choices)."""
    catalog = site.catalog if site is not None else None
    names = [g.field for g in guesses if g.field and g.field not in ID_FIELDS]
    jira = match_fields(entity, names, catalog) if entity else {}
    columns = []
    for column, guess in zip(surveyed.columns, guesses, strict=True):
        proposal = ColumnProposal(
            header=column.header,
            letter=column.letter,
            field=guess.field,
            confidence=guess.confidence,
            reason=guess.reason,
            jira=jira.get(guess.field) if guess.field else None,
            alternatives=list(guess.alternatives),
            hidden=column.hidden,
        )
        derived = ENTITY_TYPES[entity].derived_fields if entity else frozenset()
        if guess.field in derived:
            proposal.field = None
            said = guess.reason.split(f"; {guess.field} is derived")[0]
            proposal.reason = (
                f"{said}; {guess.field} is computed by pmo-sync from other fields, so the "
                "column is left to the workbook"
            )
        elif entity and guess.field and guess.field not in ID_FIELDS:
            proposal.value_map = value_map_for(entity, guess.field)
            if proposal.value_map is not None:
                labels = _labels(column)
                if labels:
                    found = propose_labels(proposal.value_map, labels)
                    proposal.excel_labels = dict(found.excel_labels)
                    proposal.unknown_labels = list(found.unknown)
        columns.append(proposal)
    tracker = TrackerProposal(
        sheet=surveyed.sheet,
        table=surveyed.table,
        header_row=surveyed.header_row,
        header_rows=surveyed.header_rows,
        rows=max(0, surveyed.last_data_row - surveyed.first_data_row + 1),
        columns=columns,
        entity=entity,
        confidence=confidence,
        reason=reason,
        title=surveyed.title,
        alternatives=alternatives or [],
        column_range=_column_range(surveyed),
        stacked=surveyed.next_tracker_row is not None,
    )
    if entity:
        tracker.issue_types = choose_issue_types(entity, site_types)
        tracker.suggestions = suggest_fields(entity, catalog, jira_names(jira))
    tracker._surveyed = surveyed  # type: ignore[attr-defined]  # for re-assembly after edits
    return tracker


def _labels(column: Any) -> list[str]:
    """The labels a value-mapped column uses: its drop-down list, else its values."""
    if column.list_values:
        return list(column.list_values)
    seen: list[str] = []
    for value in column.samples:
        text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
        if text not in seen:
            seen.append(text)
    return seen


def _column_range(tracker: SurveyTracker) -> str | None:
    """ "B:H" when other trackers sit beside this one on its sheet (tables need none)."""
    if tracker.table or not tracker.beside or not tracker.columns:
        return None
    letters = [c.letter for c in tracker.columns]
    return f"{letters[0]}:{letters[-1]}"


def preview(proposal: Proposal, rows: int = PREVIEW_ROWS) -> None:
    """Fill each chosen tracker's preview (its first rows as canonical records) and the
    rows that would be rejected, read through the proposed mapping exactly as a sync
    reads them."""
    try:
        spec = checked_mapping(render_mapping(proposal), "proposal")
    except MappingsError as exc:
        for tracker in proposal.chosen:
            tracker.failures = [f"the proposed mapping is not valid: {exc}"]
        return
    by_type = {t.entity: t for t in proposal.chosen}
    for entity in spec.entities:
        tracker = by_type.get(entity.type)
        if tracker is None:
            continue
        try:
            read = read_records(proposal.workbook, spec, entity, first_rows=CHECKED_ROWS)
        except Exception as exc:  # the workbook cannot be read this way: say so, once
            tracker.failures = [str(exc)]
            continue
        fields = [f.name for f in entity.fields]
        tracker.preview = [
            {name: getattr(r.record, name) for name in fields} for r in read.rows[:rows]
        ]
        tracker.failures = [str(e) for e in read.errors]
        if tracker.rows > CHECKED_ROWS:
            tracker.failures.append(
                f"(the first {CHECKED_ROWS:,} of {tracker.rows:,} rows were checked; "
                "`pmo-sync check` reads them all)"
            )


__all__ = ["assemble", "evidence_of", "preview", "propose"]
