"""One entity type's reading of a tracker: a field per column, no field twice.

For each column, the candidate fields of the entity with their confidences (header match
x value verdict, ``mapper.classify`` documents the numbers); then the required field
first, every other (column, field) pair strongest first, and, when no column is the
summary, the best text column as one, said as a guess. Every column ends with a reason:
the field and why, or why none (which column kept its field, which values refuted the
header, which other tracker has the field its header names).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mapper.evidence import ColumnEvidence, FieldGuess, TrackerEvidence
from mapper.synonyms import IDENTITY, OWN_ID, HeaderMatch
from mapper.valuefit import ColumnValues, classifiable_fields, field_kind, value_suggestions
from mappings.model import ENTITY_TYPES, Record

MIN_FIELD = 0.4  # below this a candidate is not proposed
REQUIRED_MIN = 0.7  # the required field's first pick needs a header that names it
FALLBACK_DESCRIBED, FALLBACK_TEXT = 0.6, 0.45
_OWN_NUMBERING = "left unmapped: pmo-sync keeps its own ids in the Jira Key and Sync ID columns"


@dataclass
class Candidate:
    field: str | None  # None: the tracker's own numbering
    confidence: float
    reason: str
    specific: bool  # said by the entity's own synonyms: evidence for this entity


@dataclass
class Plan:
    """One entity type's reading of the tracker."""

    entity: str
    candidates: list[list[Candidate]]
    chosen: dict[int, Candidate] = field(default_factory=dict)
    holder: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    summary_missing: bool = False

    def explained(self, index: int) -> float:
        chosen = self.chosen.get(index)
        if chosen is None or chosen.field in IDENTITY:
            return 0.0
        if chosen.field is None and not chosen.specific:
            return 0.0
        return chosen.confidence

    def take(self, index: int, candidate: Candidate) -> None:
        self.chosen[index] = candidate
        if candidate.field is not None:
            self.holder[candidate.field] = index


def where(column: ColumnEvidence, index: int) -> str:
    return f"column {column.letter or index + 1} ({column.header!r})"


def human(entity: str) -> str:
    """An entity type as prose: "change request", "RAID issue"."""
    return {"raid_issue": "RAID issue"}.get(entity, entity.replace("_", " "))


def required_field(entity: str) -> str:
    return "name" if entity == "project" else "summary"


def _derived(entity: str, name: str) -> str:
    if name not in ENTITY_TYPES[entity].derived_fields:
        return ""
    source = "the status" if name == "decision" else "probability x impact"
    return (
        f"; {name} is derived (pmo-sync computes it from {source}), so the mapping must make "
        "it one-way: jira-to-excel, or excel-to-jira where the workbook's formula stays"
    )


def _candidates(
    entity: str, column: ColumnEvidence, values: ColumnValues, matches: tuple[HeaderMatch, ...]
) -> list[Candidate]:
    fields = classifiable_fields(entity)
    record = issubclass(ENTITY_TYPES[entity], Record)
    best: dict[str | None, Candidate] = {}
    for match in matches:
        if match.entity not in (None, entity):
            continue
        if match.entity is None and not record and match.field != "sync_id":
            continue  # [common] is about records; a project shares only the Sync ID column
        said = match.describe(column.header)
        if match.field == OWN_ID:
            said += "" if match.how == "exact" else ", so the tracker's own numbering"
            found = Candidate(None, match.score, f"{said}; {_OWN_NUMBERING}", bool(match.entity))
        elif match.field in fields:
            fit = values.fit(field_kind(entity, match.field))
            reason = f"{said}; {fit.reason}{_derived(entity, match.field)}"
            found = Candidate(
                match.field, match.score * fit.factor, reason, match.entity is not None
            )
        else:
            continue
        if found.field not in best or found.confidence > best[found.field].confidence:
            best[found.field] = found
    for name, confidence, reason in value_suggestions(values, entity):
        if name not in best:
            best[name] = Candidate(name, confidence, reason + _derived(entity, name), True)
    return sorted(best.values(), key=lambda c: -c.confidence)


def _greedy(plan: Plan) -> None:
    pairs = sorted(
        (
            (candidate.confidence, index, candidate)
            for index, candidates in enumerate(plan.candidates)
            for candidate in candidates
            if candidate.confidence >= MIN_FIELD
        ),
        key=lambda pair: (-pair[0], pair[1]),
    )
    for _, index, candidate in pairs:
        if index in plan.chosen or (candidate.field is not None and candidate.field in plan.holder):
            continue
        plan.take(index, candidate)


def _summary_fallback(plan: Plan, tracker: TrackerEvidence, values: list[ColumnValues]) -> None:
    """No column names the summary: the description column, else the best text column."""
    required = required_field(plan.entity)
    kind = field_kind(plan.entity, required)
    options: list[tuple[float, int, int, int, str]] = []  # confidence, tie-breaks, index, why
    for index in range(len(tracker.columns)):
        chosen = plan.chosen.get(index)
        fit = values[index].fit(kind)
        if fit.verdict == "refutes":
            continue
        if chosen is not None and chosen.field == "description":
            why = "its header names the description"
            options.append((FALLBACK_DESCRIBED * fit.factor, 1, 0, -index, why))
        elif chosen is None and values[index].words:
            longest = max(len(w) for w in values[index].words)
            options.append(
                (FALLBACK_TEXT * fit.factor, 0, longest, -index, "it holds the longest texts")
            )
    if not options:
        plan.summary_missing = True
        plan.notes.append(f"no column can be the {required}, which the model requires")
        return
    confidence, _, _, negative, why = max(options)
    index = -negative
    old = plan.chosen.pop(index, None)
    if old is not None and old.field is not None:
        plan.holder.pop(old.field, None)
    column = where(tracker.columns[index], index)
    reason = (
        f"no column is a clear {required} (the model requires one): {column} is the best text "
        f"column ({why}), so it is proposed as the {required}; check it"
    )
    plan.take(index, Candidate(required, confidence, reason, False))
    plan.notes.append(f"the {required} is a guess: {column}")
    _greedy(plan)  # a field the fallback freed may go to another column


def plan_for(
    entity: str,
    tracker: TrackerEvidence,
    values: list[ColumnValues],
    matches: list[tuple[HeaderMatch, ...]],
) -> Plan:
    plan = Plan(
        entity,
        [
            _candidates(entity, column, values[i], matches[i])
            for i, column in enumerate(tracker.columns)
        ],
    )
    required = required_field(entity)
    firsts = [
        (candidate.confidence, -index, index, candidate)
        for index, candidates in enumerate(plan.candidates)
        for candidate in candidates
        if candidate.field == required and candidate.confidence >= REQUIRED_MIN
    ]
    if firsts:
        _, _, index, candidate = max(firsts, key=lambda f: (f[0], f[1]))
        plan.take(index, candidate)
    _greedy(plan)
    if required not in plan.holder:
        _summary_fallback(plan, tracker, values)
    return plan


def _unmapped_reason(
    plan: Plan, tracker: TrackerEvidence, index: int, matches: tuple[HeaderMatch, ...]
) -> str:
    column = tracker.columns[index]
    candidates = plan.candidates[index]
    strong = [c for c in candidates if c.confidence >= MIN_FIELD and c.field is not None]
    if strong:
        best = strong[0]
        kept = plan.holder[best.field or ""]
        other = plan.chosen[kept]
        how = (
            "with higher confidence"
            if other.confidence > best.confidence
            else "with the same confidence, and it comes first"
        )
        return (
            f"also matches {best.field}, which {where(tracker.columns[kept], kept)} has "
            f"{how} ({best.reason})"
        )
    if candidates:
        return f"left unmapped: {candidates[0].reason}"
    if plan.entity == "project" and any(m.field == "key" and m.entity is None for m in matches):
        return (
            f"header {column.header!r} names a Jira issue key column; a project's key is its "
            "Jira project key (a 'Project Key' column): kept in the workbook only"
        )
    foreign = next((m for m in matches if m.field not in (OWN_ID, *IDENTITY)), None)
    if foreign is not None:
        owner = f"a {human(foreign.entity)} field" if foreign.entity else "a field"
        return (
            f"{foreign.describe(column.header)}, {owner} a {human(plan.entity)} does not have: "
            "kept in the workbook only"
        )
    if not column.header.strip():
        return "the column has no header: kept in the workbook only"
    return (
        f"no shipped language has a header like {column.header!r}, and its values point to "
        f"no {human(plan.entity)} field: kept in the workbook only"
    )


def guesses_of(
    plan: Plan, tracker: TrackerEvidence, matches: list[tuple[HeaderMatch, ...]]
) -> tuple[FieldGuess, ...]:
    guesses = []
    for index, column in enumerate(tracker.columns):
        candidates = plan.candidates[index]
        chosen = plan.chosen.get(index)
        alternatives = tuple(
            (c.field, round(c.confidence, 2))
            for c in candidates
            if c.field is not None and c is not chosen
        )[:3]
        if chosen is not None:
            reason = chosen.reason
            first = candidates[0] if candidates else None
            if first is not None and first is not chosen and first.field in plan.holder:
                kept = plan.holder[first.field or ""]
                went = where(tracker.columns[kept], kept)
                reason += f"; its first choice, {first.field}, went to {went}"
            guesses.append(
                FieldGuess(
                    column.header, chosen.field, round(chosen.confidence, 2), reason, alternatives
                )
            )
            continue
        best = max((c.confidence for c in candidates if c.field is not None), default=0.0)
        reason = _unmapped_reason(plan, tracker, index, matches[index])
        guesses.append(FieldGuess(column.header, None, round(1 - best, 2), reason, alternatives))
    return tuple(guesses)


__all__ = ["Candidate", "Plan", "guesses_of", "human", "plan_for", "required_field", "where"]
