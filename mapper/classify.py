"""Which entity a tracker holds, and which canonical field each of its columns is.

``classify`` is a pure function of the survey's evidence (``mapper.evidence``): headers in
any shipped language (``mapper.synonyms``), the values and drop-down lists under them
(``mapper.valuefit``), and the sheet, table and title names.

How confidence is computed (every number is documented where it is defined):

*Field.* A header match scores 1.0 (a synonym listed for the entity), 0.95 (listed for
every record), 0.8/0.75 (a *weak* synonym: "Description" is a risk register's summary
only when no column is titled), about 0.6-0.9 when the header contains a synonym (by the
share of the header it covers), 0.72-0.85 for a spelling variant. That score is
multiplied by the values' verdict: 1.0 they fit the field, 0.9 there are none to check,
0.7 they partly fit, 0.25 they refute it. Values alone (High/Medium/Low under an unknown
header) propose a field at 0.5. Below 0.4 nothing is proposed. So 0.9 or more means an
exact header whose values agree; 0.6-0.9 a partial header or unchecked values; below 0.6
a guess to confirm. For a column left unmapped, confidence is how sure the classifier is
that it maps to nothing: 1 minus its best candidate's confidence (0 when it lost a field
to a stronger column), or the header score of a tracker's own numbering ("Risk ID").

*Assignment.* The required field (summary; a project's name) goes first to the strongest
column (>= 0.7); then every (column, field) pair, strongest first, one field per column
and one column per field. A column that loses says which column kept its field. With no
summary column, the column whose header names the description (0.6 x its values' fit),
else the longest unmapped text column (0.45), becomes the summary, and the reason says so.

*Entity.* Each column adds, for each entity type, how much better that entity explains
it than the average entity type does (its field's confidence minus the mean over all nine
types): a Probability column counts for a risk register, a Status column for none. The
sheet, table or title naming an entity adds the same way (1.0 exact, 0.8 contained, 0.6
for a "RAID log"). With s1 and s2 the best two totals, confidence is
min(1, s1/2) x (0.5 + 0.5 x min(1, s1 - s2)): two columns only this entity explains (or
one and a sheet name) give full strength, and a tie gives at most 0.5. No entity is
chosen when s1 < 0.75 (less than one distinctive column or cue) or the best two tie.
Without a summary column the entity's confidence is halved.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mapper.evidence import ColumnEvidence, FieldGuess, TrackerEvidence, TrackerGuess
from mapper.synonyms import (
    CUE_EXACT,
    IDENTITY,
    OWN_ID,
    RAID_SHARE,
    HeaderMatch,
    key_of,
    knowledge,
)
from mapper.valuefit import ColumnValues, classifiable_fields, field_kind, value_suggestions
from mappings.model import ENTITY_TYPES, Record

MIN_FIELD = 0.4  # below this a candidate is not proposed
REQUIRED_MIN = 0.7  # the required field's first pick needs a header that names it
FALLBACK_DESCRIBED, FALLBACK_TEXT = 0.6, 0.45
CUE_WEIGHT = 1.0
MIN_ENTITY, STRONG, SEPARATION, TIE = 0.75, 2.0, 1.0, 0.02
MISSING_SUMMARY = 0.5
_OWN_NUMBERING = "left unmapped: pmo-sync keeps its own ids in the Jira Key and Sync ID columns"


@dataclass
class _Candidate:
    field: str | None  # None: the tracker's own numbering
    confidence: float
    reason: str
    specific: bool  # said by the entity's own synonyms: evidence for this entity


@dataclass
class _Plan:
    """One entity type's reading of the tracker."""

    entity: str
    candidates: list[list[_Candidate]]
    chosen: dict[int, _Candidate] = field(default_factory=dict)
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

    def take(self, index: int, candidate: _Candidate) -> None:
        self.chosen[index] = candidate
        if candidate.field is not None:
            self.holder[candidate.field] = index


def _where(column: ColumnEvidence, index: int) -> str:
    return f"column {column.letter or index + 1} ({column.header!r})"


def _human(entity: str) -> str:
    """An entity type as prose: "change request", "RAID issue"."""
    return {"raid_issue": "RAID issue"}.get(entity, entity.replace("_", " "))


def _required(entity: str) -> str:
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
) -> list[_Candidate]:
    fields = classifiable_fields(entity)
    record = issubclass(ENTITY_TYPES[entity], Record)
    best: dict[str | None, _Candidate] = {}
    for match in matches:
        if match.entity not in (None, entity):
            continue
        if match.entity is None and not record and match.field != "sync_id":
            continue  # [common] is about records; a project shares only the Sync ID column
        said = match.describe(column.header)
        if match.field == OWN_ID:
            said += "" if match.how == "exact" else ", so the tracker's own numbering"
            found = _Candidate(None, match.score, f"{said}; {_OWN_NUMBERING}", bool(match.entity))
        elif match.field in fields:
            fit = values.fit(field_kind(entity, match.field))
            reason = f"{said}; {fit.reason}{_derived(entity, match.field)}"
            found = _Candidate(
                match.field, match.score * fit.factor, reason, match.entity is not None
            )
        else:
            continue
        if found.field not in best or found.confidence > best[found.field].confidence:
            best[found.field] = found
    for name, confidence, reason in value_suggestions(values, entity):
        if name not in best:
            best[name] = _Candidate(name, confidence, reason + _derived(entity, name), True)
    return sorted(best.values(), key=lambda c: -c.confidence)


def _greedy(plan: _Plan) -> None:
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


def _summary_fallback(plan: _Plan, tracker: TrackerEvidence, values: list[ColumnValues]) -> None:
    """No column names the summary: the description column, else the best text column."""
    required = _required(plan.entity)
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
    where = _where(tracker.columns[index], index)
    reason = (
        f"no column is a clear {required} (the model requires one): {where} is the best text "
        f"column ({why}), so it is proposed as the {required}; check it"
    )
    plan.take(index, _Candidate(required, confidence, reason, False))
    plan.notes.append(f"the {required} is a guess: {where}")
    _greedy(plan)  # a field the fallback freed may go to another column


def _plan(
    entity: str,
    tracker: TrackerEvidence,
    values: list[ColumnValues],
    matches: list[tuple[HeaderMatch, ...]],
) -> _Plan:
    plan = _Plan(
        entity,
        [
            _candidates(entity, column, values[i], matches[i])
            for i, column in enumerate(tracker.columns)
        ],
    )
    required = _required(entity)
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
    plan: _Plan, tracker: TrackerEvidence, index: int, matches: tuple[HeaderMatch, ...]
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
            f"also matches {best.field}, which {_where(tracker.columns[kept], kept)} has "
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
        owner = f"a {_human(foreign.entity)} field" if foreign.entity else "a field"
        return (
            f"{foreign.describe(column.header)}, {owner} a {_human(plan.entity)} does not have: "
            "kept in the workbook only"
        )
    if not column.header.strip():
        return "the column has no header: kept in the workbook only"
    return (
        f"no shipped language has a header like {column.header!r}, and its values point to "
        f"no {_human(plan.entity)} field: kept in the workbook only"
    )


def _guesses(
    plan: _Plan, tracker: TrackerEvidence, matches: list[tuple[HeaderMatch, ...]]
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
                went = _where(tracker.columns[kept], kept)
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


def _cue(entity: str, tracker: TrackerEvidence) -> tuple[float, str]:
    """The strongest sheet/table/title cue for an entity, and how to say it."""
    best = (0.0, "")
    named = [("title", tracker.title), ("table", tracker.name), ("sheet", tracker.sheet)]
    for where, text in named:
        if not text or (where == "table" and text == tracker.sheet):
            continue
        match = knowledge().match_cues(text).get(entity)
        if match is not None and match.score > best[0]:
            said = (
                f"names a {_human(entity)} tracker"
                if match.score >= CUE_EXACT * RAID_SHARE and _same(match.cue, text)
                else f"contains {match.cue!r}"
            )
            best = (match.score, f"{where} {text!r} {said} ({match.language})")
    return best


def _same(cue: str, text: str) -> bool:
    return key_of(cue) == key_of(text)


def _dominant_language(matches: list[tuple[HeaderMatch, ...]]) -> str | None:
    """The language most headers are exact synonyms in (reasons are told in it)."""
    counts: dict[str, int] = {}
    for found in matches:
        for code in {m.synonym.language.code for m in found if m.how == "exact"}:
            counts[code] = counts.get(code, 0) + 1
    return max(counts, key=lambda c: (counts[c], c == "en")) if counts else None


def _confidence(s1: float, s2: float) -> float:
    strength = min(1.0, max(0.0, s1) / STRONG)
    return strength * (0.5 + 0.5 * min(1.0, max(0.0, s1 - s2) / SEPARATION))


def _no_entity(
    tracker: TrackerEvidence,
    plans: dict[str, _Plan],
    matches: list[tuple[HeaderMatch, ...]],
    reason: str,
    alternatives: tuple[tuple[str, float], ...],
) -> TrackerGuess:
    guesses = []
    for index, column in enumerate(tracker.columns):
        tops = [
            (plan.candidates[index][0], entity)
            for entity, plan in plans.items()
            if plan.candidates[index] and plan.candidates[index][0].field is not None
        ]
        counts: dict[str, int] = {}
        for candidate, _ in tops:
            counts[candidate.field or ""] = counts.get(candidate.field or "", 0) + 1
        tops.sort(key=lambda t: (-counts[t[0].field or ""], -t[0].confidence))
        alternatives_ = tuple(
            dict((c.field or "", round(c.confidence, 2)) for c, _ in tops[::-1]).items()
        )
        if tops:
            candidate, entity = tops[0]
            said = f"as a {_human(entity)} field: " if candidate.specific else ""
            why = f"no tracker type chosen; {said}{candidate.reason}"
        else:
            why = "no tracker type chosen, and nothing suggests a field for this column"
        guesses.append(FieldGuess(column.header, None, 0.0, why, alternatives_[::-1][:3]))
    return TrackerGuess(None, 0.0, reason, tuple(guesses), alternatives)


def classify(tracker: TrackerEvidence) -> TrackerGuess:
    """The entity type of a tracker and the field of each column, with confidences and
    reasons a PMO can check (see the module docstring for what the numbers mean)."""
    values = [ColumnValues(column) for column in tracker.columns]
    matches = [knowledge().match_header(column.header) for column in tracker.columns]
    language = _dominant_language(matches)
    if language is not None:
        matches = [tuple(knowledge().in_language(m, language) for m in found) for found in matches]
    plans = {entity: _plan(entity, tracker, values, matches) for entity in ENTITY_TYPES}
    cues = {entity: _cue(entity, tracker) for entity in ENTITY_TYPES}
    count = len(ENTITY_TYPES)
    means = [sum(p.explained(i) for p in plans.values()) / count for i in range(len(values))]
    mean_cue = sum(score for score, _ in cues.values()) / count
    gains = {
        entity: [plan.explained(i) - means[i] for i in range(len(values))]
        for entity, plan in plans.items()
    }
    scores = {
        entity: sum(gains[entity]) + CUE_WEIGHT * (cues[entity][0] - mean_cue)
        for entity in ENTITY_TYPES
    }
    ranked = sorted(ENTITY_TYPES, key=lambda e: -scores[e])
    best, second = ranked[0], ranked[1]
    s1, s2 = scores[best], scores[second]
    alternatives = tuple(
        (entity, round(_confidence(scores[entity], s1) * 0.5, 2))
        for entity in ranked[1:4]
        if scores[entity] > 0
    )
    if s1 < MIN_ENTITY:
        named = [c.header for c in tracker.columns if c.header.strip()]
        reason = (
            f"nothing fits: no column only one kind of tracker has (headers: "
            f"{', '.join(repr(h) for h in named[:8]) or 'none'}), and neither the sheet, "
            "the table nor the title names one"
        )
        return _no_entity(tracker, plans, matches, reason, alternatives)
    if s1 - s2 < TIE:
        tied = [e for e in ranked if s1 - scores[e] < TIE]
        if len(tied) > 2:
            reason = (
                f"nothing sets one tracker type apart: the columns are fields {len(tied)} types "
                f"share ({', '.join(_human(e) for e in tied)}); say which tracker this is"
            )
        else:
            reason = f"{_human(best)} and {_human(second)} fit equally well: say which this is"
        return _no_entity(tracker, plans, matches, reason, alternatives)
    plan = plans[best]
    confidence = _confidence(s1, s2) * (MISSING_SUMMARY if plan.summary_missing else 1.0)
    return TrackerGuess(
        best,
        round(confidence, 2),
        _entity_reason(best, second, s1, s2, tracker, gains[best], cues[best][1], plan),
        _guesses(plan, tracker, matches),
        alternatives,
    )


def _entity_reason(
    entity: str,
    second: str,
    s1: float,
    s2: float,
    tracker: TrackerEvidence,
    gains: list[float],
    cue: str,
    plan: _Plan,
) -> str:
    parts = []
    telling = sorted((i for i, gain in enumerate(gains) if gain >= 0.3), key=lambda i: -gains[i])
    if telling:
        named = ", ".join(
            f"{tracker.columns[i].header} ({tracker.columns[i].letter or i + 1})"
            for i in telling[:4]
        )
        more = f" and {len(telling) - 4} more" if len(telling) > 4 else ""
        parts.append(f"{named}{more} fit a {_human(entity)} tracker better than other types")
    if cue:
        parts.append(cue)
    parts += plan.notes
    parts.append(f"next best: {second} (score {s2:.2f} against {s1:.2f})")
    return f"{entity}: " + "; ".join(parts)


__all__ = ["classify"]
