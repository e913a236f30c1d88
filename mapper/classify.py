"""Which entity a tracker holds, and which canonical field each of its columns is.

``classify`` is a pure function of the survey's evidence (``mapper.evidence``): headers in
any shipped language (``mapper.synonyms``), the values and drop-down lists under them
(``mapper.valuefit``), and the sheet, table and title names.

How confidence is computed (every number is documented where it is defined):

*Field.* A header match scores 1.0 (a synonym listed for the entity), 0.95 (listed for
every record), 0.8/0.75 (a *weak* synonym: "Description" is a risk register's summary
only when no column is titled), 0.55-0.85 when the header contains a synonym (by the
share of the header it covers, a little more at the language's head word), 0.65-0.85 for
a spelling variant. That score is
multiplied by the values' verdict: 1.0 they fit the field, 0.9 there are none to check,
0.7 they partly fit, 0.25 they refute it. Values alone (High/Medium/Low under an unknown
header) propose a field at 0.5. Below 0.4 nothing is proposed. So 0.9 or more means an
exact header whose values agree; 0.6-0.9 a partial header or unchecked values; below 0.6
a guess to confirm. For a column left unmapped, confidence is how sure the classifier is
that it maps to nothing: 1 minus its best candidate's confidence (0 when it lost a field
to a stronger column), or the header score of a tracker's own numbering ("Risk ID").

*Assignment* (``mapper.assign``). The required field (summary; a project's name) goes
first to the strongest column (>= 0.7); then every (column, field) pair, strongest first,
one field per column and one column per field. A column that loses says which column
kept its field. With no summary column, the column whose header names the description
(0.6 x its values' fit), else the longest unmapped text column (0.45), becomes the
summary, and the reason says so.

*Entity.* Each column adds, for each entity type, how much better that entity explains
it than the average entity type does (its field's confidence minus the mean over all nine
types): a Probability column counts for a risk register, a Status column for none. The
sheet, table or title naming an entity adds the same way (1.0 exact, 0.8 contained, 0.6
for a "RAID log"). With s1 and s2 the best two totals, confidence is
min(1, s1/2) x (0.5 + 0.5 x min(1, s1 - s2)): two columns only this entity explains (or
one and a sheet name) give full strength, and a tie gives at most 0.5. No entity is
chosen when s1 < 0.75 (less than one distinctive column or cue) or the best two tie.
Without a summary column the entity's confidence is halved. An alternative's confidence
is what it would have if chosen, against the best: min(1, s/2) x 0.5, at most 0.5.
"""

from __future__ import annotations

from mapper.assign import Plan, guesses_of, human, plan_for
from mapper.evidence import FieldGuess, TrackerEvidence, TrackerGuess
from mapper.synonyms import (
    CUE_EXACT,
    RAID_SHARE,
    HeaderMatch,
    key_of,
    knowledge,
)
from mapper.valuefit import ColumnValues
from mappings.model import ENTITY_TYPES

CUE_WEIGHT = 1.0  # a sheet, table or title naming the entity counts as one column
MIN_ENTITY = 0.75  # evidence below this (less than one distinctive column) chooses nothing
STRONG = 2.0  # evidence for full strength: two distinctive columns, or one and a cue
SEPARATION = 1.0  # lead over the runner-up for full separation: one distinctive column
TIE = 0.02  # leads smaller than this are ties: the person says which tracker it is
MISSING_SUMMARY = 0.5  # an entity without a summary column is half as sure
PROPOSED = tuple(e for e in ENTITY_TYPES if e not in ("resource", "allocation"))
"""The entity types a tracker is classified as: a resource plan's sheets (keyed by the
person or a row id, no summary) are mapped with builtin:resource_plan, not proposed."""


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
                f"names a {human(entity)} tracker"
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
    plans: dict[str, Plan],
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
            said = f"as a {human(entity)} field: " if candidate.specific else ""
            why = f"no tracker type chosen; {said}{candidate.reason}"
        else:
            why = "no tracker type chosen, and nothing suggests a field for this column"
        guesses.append(FieldGuess(column.header, None, 0.0, why, alternatives_[::-1][:3]))
    return TrackerGuess(None, 0.0, reason, tuple(guesses), alternatives)


def _matches(tracker: TrackerEvidence) -> list[tuple[HeaderMatch, ...]]:
    """Every column's header matches, kept to the tracker's dominant language if any."""
    matches = [knowledge().match_header(column.header) for column in tracker.columns]
    language = _dominant_language(matches)
    if language is not None:
        matches = [tuple(knowledge().in_language(m, language) for m in found) for found in matches]
    return matches


def classify_as(tracker: TrackerEvidence, entity: str) -> TrackerGuess:
    """Each column's field when a person says which entity the tracker holds."""
    if entity not in PROPOSED:
        raise ValueError(f"{entity!r} is not an entity type; use one of {', '.join(PROPOSED)}")
    values = [ColumnValues(column) for column in tracker.columns]
    matches = _matches(tracker)
    plan = plan_for(entity, tracker, values, matches)
    return TrackerGuess(
        entity, 1.0, f"{human(entity)}, as chosen", guesses_of(plan, tracker, matches)
    )


def classify(tracker: TrackerEvidence) -> TrackerGuess:
    """The entity type of a tracker and the field of each column, with confidences and
    reasons a PMO can check (see the module docstring for what the numbers mean)."""
    values = [ColumnValues(column) for column in tracker.columns]
    matches = _matches(tracker)
    plans = {entity: plan_for(entity, tracker, values, matches) for entity in PROPOSED}
    cues = {entity: _cue(entity, tracker) for entity in PROPOSED}
    count = len(PROPOSED)
    means = [sum(p.explained(i) for p in plans.values()) / count for i in range(len(values))]
    mean_cue = sum(score for score, _ in cues.values()) / count
    gains = {
        entity: [plan.explained(i) - means[i] for i in range(len(values))]
        for entity, plan in plans.items()
    }
    scores = {
        entity: sum(gains[entity]) + CUE_WEIGHT * (cues[entity][0] - mean_cue)
        for entity in PROPOSED
    }
    ranked = sorted(PROPOSED, key=lambda e: -scores[e])
    best, second = ranked[0], ranked[1]
    s1, s2 = scores[best], scores[second]
    alternatives = tuple(
        (entity, round(_confidence(scores[entity], s1), 2))
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
                f"share ({', '.join(human(e) for e in tied)}); say which tracker this is"
            )
        else:
            reason = f"{human(best)} and {human(second)} fit equally well: say which this is"
        return _no_entity(tracker, plans, matches, reason, alternatives)
    plan = plans[best]
    confidence = _confidence(s1, s2) * (MISSING_SUMMARY if plan.summary_missing else 1.0)
    return TrackerGuess(
        best,
        round(confidence, 2),
        _entity_reason(best, second, s1, s2, tracker, gains[best], cues[best][1], plan),
        guesses_of(plan, tracker, matches),
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
    plan: Plan,
) -> str:
    parts = []
    telling = sorted((i for i, gain in enumerate(gains) if gain >= 0.3), key=lambda i: -gains[i])
    if telling:
        named = ", ".join(
            f"{tracker.columns[i].header} ({tracker.columns[i].letter or i + 1})"
            for i in telling[:4]
        )
        more = f" and {len(telling) - 4} more" if len(telling) > 4 else ""
        parts.append(f"{named}{more} fit a {human(entity)} tracker better than other types")
    if cue:
        parts.append(cue)
    parts += plan.notes
    parts.append(f"next best: {second} (score {s2:.2f} against {s1:.2f})")
    return f"{entity}: " + "; ".join(parts)


__all__ = ["classify"]
