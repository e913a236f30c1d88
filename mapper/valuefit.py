"""Whether a column's values fit a canonical field: the evidence that confirms or refutes
what its header says.

Each field has a kind, read off the canonical model: a value map (probability's 1-5
scale, a status's labels), a date, an amount, a fraction ("80%"), a person, free text,
a Jira key. A column is checked against a kind from its drop-down list when it has one
(the strongest evidence of what the column may hold), else from its sampled values. The
verdict multiplies the header's score (``mapper.classify``):

- fits (1.0): the values are what the field holds;
- unchecked (0.9): no values and no list, so the header is the only evidence;
- partly (0.7): most values fit, some do not (they are named);
- refutes (0.25): the values are not what the field holds (they are named).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any, get_args

from mapper.evidence import ColumnEvidence
from mapper.jira_match import value_map_for
from mapper.labels import MapFit, fit_value_map, label_text
from mappings import values as vm
from mappings.model import ENTITY_TYPES, ISSUE_KEY, PROJECT_KEY

FITS, UNCHECKED, PARTLY, REFUTES = 1.0, 0.9, 0.7, 0.25
SHORT_TEXT = 0.85  # free-text field, short values: plausible, not confirmed
ANY_TEXT = 0.95  # a field any text fits (category, a reference)
VALUE_ONLY = 0.5  # a field no header names, suggested by values alone
FIT_SHARE, PART_SHARE = 0.9, 0.5  # of a column's labels a value map must explain
MOSTLY = 0.8  # of a column's values that must be of a kind
LONG_TEXT = 25  # mean characters from which text reads as free text

_PEOPLE = {"owner", "raised_by", "requester", "assignee", "decided_by", "manager", "person"}
_FREE_TEXT = {
    "description", "mitigation", "trigger", "impact_summary", "action_steps", "resolution",
    "rationale", "outcome", "scope_impact", "recommendation",
}  # fmt: skip
_PLAIN_TEXT = {
    "category", "board_ref", "depends_on", "release", "components", "phase", "tags",
    "role", "team", "working_days", "non_working",
}  # fmt: skip
_AMOUNTS = {
    "cost_impact", "schedule_impact_days", "estimate", "bac", "pv", "ev", "ac",
    "time_spent", "remaining_estimate", "original_estimate",
    "cost_rate", "capacity_hours", "planned_hours",
}  # fmt: skip
_DATEISH = re.compile(r"^\d{1,4}[-/. ][0-9A-Za-z]{1,9}[-/. ]\d{1,4}")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
NOT_CLASSIFIED = {
    "updated",  # set by the connectors, never a column of its own
    "ref",  # the tracker's own numbering: recognised by its headers (own_id), mapped by hand
}


@dataclass(frozen=True)
class FieldKind:
    """What values a field holds."""

    kind: str  # enum, date, number, fraction, score, person, text, free_text, summary,
    #            issue_key, project_key, uuid
    value_map: str | None = None


@dataclass(frozen=True)
class Fit:
    """A verdict on a column's values against a field kind."""

    factor: float
    verdict: str  # "fits", "unchecked", "partly", "refutes"
    reason: str


@cache
def field_kind(entity: str, name: str) -> FieldKind:
    """The kind of a canonical field of an entity type."""
    value_map = value_map_for(entity, name)
    if value_map is not None:
        return FieldKind("enum", value_map)
    annotation = ENTITY_TYPES[entity].model_fields[name].annotation
    if name == "sync_id":
        return FieldKind("uuid")
    if name in ("summary", "name"):
        return FieldKind("summary")
    if name == "key":
        # A resource is keyed by the person, an allocation by the row's own id.
        own = {"project": "project_key", "resource": "person", "allocation": "text"}
        return FieldKind(own.get(entity, "issue_key"))
    if name == "project":
        return FieldKind("project_key")
    if name == "parent":
        return FieldKind("issue_key")
    if name == "score":
        return FieldKind("score")
    if name in ("progress", "planned_share"):
        return FieldKind("fraction")
    if name in _AMOUNTS:
        return FieldKind("number")
    if date in get_args(annotation):  # Day: date | None
        return FieldKind("date")
    if name in _PEOPLE:
        return FieldKind("person")
    if name in _FREE_TEXT:
        return FieldKind("free_text")
    if name in _PLAIN_TEXT:
        return FieldKind("text")
    raise KeyError(f"{entity}.{name} has no field kind: add it to mapper/valuefit.py")


@cache
def classifiable_fields(entity: str) -> tuple[str, ...]:
    """The fields of an entity type a column may map to, model order."""
    return tuple(f for f in ENTITY_TYPES[entity].model_fields if f not in NOT_CLASSIFIED)


def shown(labels: list[str], limit: int = 5) -> str:
    """Labels as a PMO reads them: "高/中/低", "1-5", "Open/Closed/... (7)"."""
    if labels and all(label.isdigit() for label in labels):
        numbers = sorted({int(label) for label in labels})
        if len(numbers) > 2 and numbers == list(range(numbers[0], numbers[-1] + 1)):
            return f"{numbers[0]}-{numbers[-1]}"
    head = "/".join(labels[:limit])
    return head if len(labels) <= limit else f"{head}/... ({len(labels)})"


def _quoted(values: list[Any], limit: int = 3) -> str:
    return ", ".join(repr(v) for v in values[:limit]) + (" ..." if len(values) > limit else "")


class ColumnValues:
    """A column's values, sorted by kind once, and verdicts against field kinds."""

    def __init__(self, column: ColumnEvidence) -> None:
        self.column = column
        samples = [v for v in column.samples if v is not None and v != ""]
        if not samples and column.list_values:
            samples = list(column.list_values)  # an empty tracker: its lists still tell
        self.samples = samples
        self.texts = [v.strip() for v in samples if isinstance(v, str) and v.strip()]
        self.numbers = [
            float(v) for v in samples if isinstance(v, int | float) and not isinstance(v, bool)
        ]
        self.numbers += [float(t) for t in self.texts if _is_number(t)]
        self.dates = [v for v in samples if isinstance(v, date)]
        self.dates += [t for t in self.texts if _is_date(t)]
        self.words = [t for t in self.texts if not _is_number(t) and not _is_date(t)]
        self.listed = column.list_values is not None
        source = column.list_values if self.listed else samples
        self.labels = list(dict.fromkeys(t for t in map(label_text, source or ()) if t))
        self.percent = column.kinds.get("percent", 0)
        self.formulas = column.kinds.get("formula", 0)
        self._fits: dict[FieldKind, Fit] = {}
        self._maps: dict[str, MapFit] = {}

    @property
    def empty(self) -> bool:
        return not self.samples and not self.listed

    def where(self) -> str:
        return "drop-down" if self.listed else "values"

    def map_fit(self, name: str) -> MapFit:
        if name not in self._maps:
            self._maps[name] = fit_value_map(name, self.labels)
        return self._maps[name]

    def fit(self, kind: FieldKind) -> Fit:
        if kind not in self._fits:
            self._fits[kind] = self._check(kind)
        return self._fits[kind]

    def _check(self, kind: FieldKind) -> Fit:
        if kind.kind == "enum":
            assert kind.value_map is not None
            return self._enum(kind.value_map)
        if not self.samples:
            return Fit(UNCHECKED, "unchecked", "no values to check")
        check = getattr(self, f"_{kind.kind}")
        return check()

    def _share(self, part: list[Any]) -> float:
        return len(part) / len(self.samples)

    def _enum(self, name: str) -> Fit:
        if not self.labels:
            return Fit(UNCHECKED, "unchecked", "no values to check")
        fit = self.map_fit(name)
        display = vm.BUILTIN_MAPS[name].name
        if fit.share >= FIT_SHARE:
            return Fit(FITS, "fits", f"{self.where()} {shown(self.labels)} fit the {display} map")
        if fit.share >= PART_SHARE:
            return Fit(
                PARTLY,
                "partly",
                f"{self.where()} {_quoted(list(fit.unknown))} do not fit the {display} map",
            )
        other = self._other_map(name)
        elsewhere = f"; they are {other} labels" if other else ""
        return Fit(
            REFUTES,
            "refutes",
            f"{self.where()} {_quoted(list(fit.unknown))} fit no {display} label{elsewhere}",
        )

    def _other_map(self, name: str) -> str | None:
        """The value map a column's words belong to instead (Green/Amber/Red: RAG)."""
        for other in vm.BUILTIN_MAPS:
            fit = self.map_fit(other)
            if other != name and fit.share >= FIT_SHARE and not fit.numeric:
                return vm.BUILTIN_MAPS[other].name
        return None

    def _mostly(self, part: list[Any], what: str, rest: list[Any]) -> Fit:
        if self._share(part) >= MOSTLY:
            return Fit(FITS, "fits", f"values are {what}")
        return Fit(REFUTES, "refutes", f"values {_quoted(rest)} are not {what}")

    def _date(self) -> Fit:
        return self._mostly(self.dates, "dates", [v for v in self.samples if v not in self.dates])

    def _number(self) -> Fit:
        rest = [v for v in self.samples if not _numeric(v)]
        return self._mostly([v for v in self.samples if _numeric(v)], "numbers", rest)

    def _score(self) -> Fit:
        whole = [n for n in self.numbers if n.is_integer() and 1 <= n <= 25]
        if self._share(whole) >= MOSTLY:
            how = " (computed by a formula)" if self.formulas else ""
            return Fit(FITS, "fits", f"values are whole numbers 1-25{how}")
        return Fit(REFUTES, "refutes", f"values {_quoted(self.samples)} are not scores 1-25")

    def _fraction(self) -> Fit:
        if self.percent >= len(self.samples) / 2:
            return Fit(FITS, "fits", "values are formatted as percentages")
        fractions = [v for v in self.samples if _fraction(v)]
        if self._share(fractions) >= MOSTLY:
            return Fit(FITS, "fits", "values are fractions (0.8 or 80%)")
        if self.numbers and self._share(self.numbers) >= MOSTLY and max(self.numbers) <= 100:
            return Fit(
                PARTLY, "partly", "values run to 100: 80 may mean 80% (the mapping's scale says)"
            )
        return Fit(REFUTES, "refutes", f"values {_quoted(self.samples)} are not percentages")

    def _person(self) -> Fit:
        emails = [t for t in self.texts if _EMAIL.match(t)]
        if emails and self._share(emails) >= PART_SHARE:
            return Fit(FITS, "fits", "values are email addresses")
        names = [w for w in self.words if len(w) <= 40 and len(w.split()) <= 4]
        if self._share(names) >= MOSTLY:
            return Fit(FITS, "fits", "values read as names")
        return Fit(REFUTES, "refutes", f"values {_quoted(self.samples)} do not read as names")

    def _labels_of_a_map(self) -> str | None:
        """The value map whose words a short, repetitive text column is made of."""
        if not self.words or len(self.labels) > 6:
            return None
        for name in ("yes_no", "probability", "priority", "status", "rag_status", "decision"):
            fit = self.map_fit(name)
            if fit.share == 1.0 and not fit.numeric:
                return vm.BUILTIN_MAPS[name].name
        return None

    def _free_text(self) -> Fit:
        if self._share(self.words) < PART_SHARE:
            rest = [v for v in self.samples if v not in self.words]
            return Fit(REFUTES, "refutes", f"values {_quoted(rest)} are not text")
        rating = self._labels_of_a_map()
        if rating:
            return Fit(
                REFUTES, "refutes", f"values {shown(self.labels)} are {rating} labels, not text"
            )
        mean = sum(len(w) for w in self.words) / len(self.words)
        if mean >= LONG_TEXT:
            return Fit(FITS, "fits", "values are free text")
        return Fit(SHORT_TEXT, "partly", "values are short texts")

    def _text(self) -> Fit:
        if self._share(self.dates) > 1 - MOSTLY:
            return Fit(REFUTES, "refutes", f"values {_quoted(self.dates)} are dates")
        return Fit(ANY_TEXT, "fits", "values are text")

    def _summary(self) -> Fit:
        if self._share(self.words) < PART_SHARE:
            rest = [v for v in self.samples if v not in self.words]
            return Fit(REFUTES, "refutes", f"values {_quoted(rest)} are not titles")
        rating = self._labels_of_a_map()
        if rating:
            return Fit(
                REFUTES, "refutes", f"values {shown(self.labels)} are {rating} labels, not titles"
            )
        return Fit(FITS, "fits", "values are titles")

    def _pattern(self, pattern: re.Pattern[str], what: str) -> Fit:
        texts = [str(v).strip().upper() for v in self.samples]
        return self._mostly([t for t in texts if pattern.match(t)], what, self.samples)

    def _issue_key(self) -> Fit:
        return self._pattern(ISSUE_KEY, "Jira issue keys")

    def _project_key(self) -> Fit:
        return self._pattern(PROJECT_KEY, "Jira project keys")

    def _uuid(self) -> Fit:
        return self._pattern(_UUID, "sync ids")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _numeric(value: object) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int | float) or (isinstance(value, str) and _is_number(value))


def _is_date(text: str) -> bool:
    if len(text) > 30 or not _DATEISH.match(text):
        return False  # parse_date's formats all start with digits: skip prose quickly
    try:
        vm.parse_date(text)
    except ValueError:
        return False
    return True


def _fraction(value: object) -> bool:
    try:
        vm.parse_fraction(value)
    except ValueError:
        return False
    return True


def value_suggestions(values: ColumnValues, entity: str) -> list[tuple[str, float, str]]:
    """Fields of an entity that a column's values point to although no header names them:
    words of a distinctive value map (High/Medium/Low, Approved/Rejected), or percentages.
    Numbers 1-5 and Yes/No suggest nothing alone: too many columns hold them."""
    found = []
    for name in classifiable_fields(entity):
        kind = field_kind(entity, name)
        if kind.kind == "enum" and kind.value_map != "yes_no" and values.labels:
            fit = values.map_fit(kind.value_map or "")
            if fit.share >= FIT_SHARE and not fit.numeric and fit.covered >= 2:
                display = vm.BUILTIN_MAPS[fit.name].name
                said = f"{values.where()} {shown(values.labels)} fit the {display} map"
                found.append((name, VALUE_ONLY, f"{said} (the header does not name {name})"))
        elif kind.kind == "fraction" and values.samples and values.percent:
            fit_ = values.fit(kind)
            if fit_.verdict == "fits":
                found.append((name, VALUE_ONLY, f"{fit_.reason} (the header does not say)"))
    return found


__all__ = [
    "ColumnValues",
    "FieldKind",
    "Fit",
    "classifiable_fields",
    "field_kind",
    "shown",
    "value_suggestions",
]
