"""Value labels from the workbook itself, proposed against a canonical value map.

A column's drop-down list (or its distinct values) says how the PMO spells each value:
高/中/低, Offen/Geschlossen, "4 - High". Each label is matched, in this order, against the
built-in map's own labels, the value labels of every shipped language
(``mappings/synonyms``), a number and a label that agree ("4 - High", "Very High 5"),
and lastly a spelling variant, only when it is close and unambiguous ("Mediun"). A label
none of these explains is listed as unknown, never guessed: a wrong guess would be
synced to Jira as a real value.

The proposal has the shape a mapping's ``excel_labels`` takes (canonical value as text ->
labels, the first one the label written), so the mapping loader can check it as is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache

from mapper.synonym_files import edits
from mapper.synonyms import ValueLabel, is_cjk, knowledge, label_key
from mappings import values as vm
from mappings.errors import UnknownValueError

MAX_LABELS = 60  # distinct labels read to judge a fit: more than that is not a drop-down
GIVE_UP = 12
FUZZY_MIN_LENGTH = 5  # shorter labels ("Hgh", "Lo") are too short to tell a typo from a word
_SOURCE_ORDER = {"built-in": 0, "language": 1, "number": 1, "fuzzy": 2}
_NUMBERED = (
    re.compile(r"^\s*(?P<n>\d)\s*[-–—:.)]\s*(?P<t>\S.*)$"),  # "4 - High", "1. Rare"
    re.compile(r"^\s*(?P<t>.*?\S)\s*[-–—:(]?\s*(?P<n>\d)\)?\s*$"),  # "High (4)", "Very High 5"
)


@dataclass(frozen=True)
class LabelMatch:
    """What one label means in a value map, and why."""

    canonical: str  # as excel_labels writes it: "4", "open", "True"
    source: str  # "built-in", "language", "number", "fuzzy"
    rank: int  # position among the value's labels where it was found (0 = the usual one)
    reason: str


@dataclass
class LabelProposal:
    """Proposed ``excel_labels`` for one column and value map.

    Attributes:
        value_map: the built-in value map's name.
        excel_labels: canonical value as text -> the column's labels for it, the label
            written first (the map's usual spelling before a rarer one, then list order).
        unknown: labels that match nothing, in the column's order; never guessed.
        reasons: label -> why it means its value (or why it is unknown).
        unlabelled: canonical values the column has no label for (a three-level column
            against the five-level scale leaves "1" and "5").
        note: a sentence on the whole proposal, when there is something to say.
    """

    value_map: str
    excel_labels: dict[str, list[str]] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)
    unlabelled: list[str] = field(default_factory=list)
    note: str = ""


@dataclass(frozen=True)
class MapFit:
    """How well a column's labels fit one value map."""

    name: str
    matched: tuple[str, ...]
    unknown: tuple[str, ...]
    covered: int  # distinct canonical values the labels reach
    size: int  # canonical values the map has
    numeric: bool  # every matched label is a number ("1".."5"): weak evidence of meaning

    @property
    def share(self) -> float:
        total = len(self.matched) + len(self.unknown)
        return len(self.matched) / total if total else 0.0


def _map(name: str) -> vm.ValueMap:
    try:
        return vm.BUILTIN_MAPS[name]
    except KeyError:
        raise ValueError(
            f"no built-in value map {name!r}; built-in: {', '.join(vm.BUILTIN_MAPS)}"
        ) from None


def label_text(value: object) -> str | None:
    """A sampled cell value as the label a person typed (4.0 reads as "4"); None for
    empty cells and for dates, which are never labels."""
    if value is None or isinstance(value, date):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def _sources(found: Iterable[ValueLabel]) -> str:
    names = list(dict.fromkeys(v.source for v in found if v.source != "built-in"))
    return ", ".join(names)


def _known(map_name: str, label: str) -> LabelMatch | None:
    entries = knowledge().value_labels(map_name).get(label_key(label), [])
    if entries:
        first = entries[0]
        if first.source == "built-in":
            reason = f"{label!r} is a built-in {_map(map_name).name} label ({first.canonical})"
            return LabelMatch(first.canonical, "built-in", first.rank, reason)
        reason = f"{label!r} is {first.canonical} in {_sources(entries)}"
        return LabelMatch(first.canonical, "language", first.rank, reason)
    try:
        canonical = _map(map_name).to_canonical(label)
    except UnknownValueError:
        return None
    reason = f"{label!r} is the number {canonical} of the {_map(map_name).name} map"
    return LabelMatch(str(canonical), "built-in", len(_map(map_name).labels), reason)


def _numbered(map_name: str, label: str) -> LabelMatch | None:
    """A number and a label that agree: "4 - High", "Very High 5", "高 (4)"."""
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in _map(map_name).labels):
        return None
    for pattern in _NUMBERED:
        found = pattern.match(label)
        if found is None:
            continue
        by_number, by_text = _known(map_name, found["n"]), _known(map_name, found["t"])
        if by_number and by_text and by_number.canonical == by_text.canonical:
            reason = f"{label!r}: the number {found['n']} and {found['t']!r} agree"
            return LabelMatch(by_number.canonical, "number", by_text.rank, reason)
    return None


def _allowed_edits(key: str) -> int:
    """One slip in a label of five letters or more, two from nine: a typo, not a word."""
    return 0 if len(key) < FUZZY_MIN_LENGTH else 1 if len(key) < 9 else 2


@cache
def _latin_keys(map_name: str) -> dict[int, tuple[str, ...]]:
    """A map's Latin-script label keys by length: the only ones a typo can be near."""
    found: dict[int, list[str]] = {}
    for key in knowledge().value_labels(map_name):
        if not is_cjk(key) and len(key) >= FUZZY_MIN_LENGTH:
            found.setdefault(len(key), []).append(key)
    return {size: tuple(keys) for size, keys in found.items()}


def _fuzzy(map_name: str, label: str) -> LabelMatch | None:
    """A known Latin-script label with a typo, when no label of another value is as close."""
    key = label_key(label)
    allowed = _allowed_edits(key)
    if not allowed or is_cjk(key):
        return None
    index = knowledge().value_labels(map_name)
    by_length = _latin_keys(map_name)
    near = sorted(
        (edits(key, known), known)
        for size in range(len(key) - allowed, len(key) + allowed + 1)
        for known in by_length.get(size, ())
    )
    near = [(d, k) for d, k in near if d <= allowed]
    if not near:
        return None
    distance, best = near[0]
    canonical = index[best][0].canonical
    if any(index[k][0].canonical != canonical for d, k in near if d <= distance + 1):
        return None  # as close to a label of another value: not ours to pick
    shown = index[best][0].label
    slips = "one slip" if distance == 1 else f"{distance} slips"
    reason = f"{label!r} is {shown!r} ({canonical}) with {slips} of spelling"
    return LabelMatch(canonical, "fuzzy", index[best][0].rank, reason)


@lru_cache(maxsize=65_536)
def resolve_label(map_name: str, label: str) -> LabelMatch | None:
    """What a label means in a built-in value map, or None when nothing explains it.

    Kept per label: a workbook asks the same few labels of every map for every column."""
    return _known(map_name, label) or _numbered(map_name, label) or _fuzzy(map_name, label)


def _distinct(labels: Iterable[object]) -> list[str]:
    seen: dict[str, None] = {}
    for value in labels:
        text = label_text(value)
        if text is not None:
            seen.setdefault(text, None)
    return list(seen)


def propose_labels(value_map_name: str, labels: Sequence[str]) -> LabelProposal:
    """``excel_labels`` for a column whose drop-down list or distinct values are ``labels``.

    Raises ValueError for a value map that is not built in.
    """
    value_map = _map(value_map_name)
    proposal = LabelProposal(value_map_name)
    by_value: dict[str, list[tuple[int, int, int, str]]] = {}
    for position, label in enumerate(_distinct(labels)):
        match = resolve_label(value_map_name, label)
        if match is None:
            proposal.unknown.append(label)
            known = ", ".join(value_map.preferred_labels)
            proposal.reasons[label] = (
                f"{label!r} matches no {value_map.name} label in any language "
                f"(the map's own: {known}); say which value it is"
            )
            continue
        proposal.reasons[label] = match.reason
        order = (_SOURCE_ORDER[match.source], match.rank, position, label)
        by_value.setdefault(match.canonical, []).append(order)
    for canonical in (str(v) for v in value_map.canonical_values):
        if canonical in by_value:
            proposal.excel_labels[canonical] = [entry[3] for entry in sorted(by_value[canonical])]
        else:
            proposal.unlabelled.append(canonical)
    proposal.note = _note(value_map, proposal)
    return proposal


def _note(value_map: vm.ValueMap, proposal: LabelProposal) -> str:
    if not proposal.excel_labels or not proposal.unlabelled:
        return ""
    missing = ", ".join(
        f"{value_map.labels[v][0]} ({v})"
        for v in value_map.canonical_values
        if str(v) in proposal.unlabelled
    )
    shown = ", ".join(f"{labels[0]} = {value}" for value, labels in proposal.excel_labels.items())
    scale = "a three-level column" if len(proposal.excel_labels) == 3 else "the column"
    verb = "has" if len(proposal.unlabelled) == 1 else "have"
    return (
        f"{scale} uses {len(proposal.excel_labels)} of {len(value_map.labels)} values "
        f"({shown}); {missing} {verb} no label here, so a Jira value of them is written in the "
        "map's own words and reported, never rounded to a neighbour (docs/values.md)"
    )


def fit_value_map(map_name: str, labels: Iterable[object]) -> MapFit:
    """How many of a column's distinct labels (or sampled values) a value map explains."""
    matched: list[str] = []
    unknown: list[str] = []
    canonicals: set[str] = set()
    numeric = True
    for label in _distinct(labels)[:MAX_LABELS]:
        match = resolve_label(map_name, label)
        if match is None:
            unknown.append(label)
            if len(unknown) >= GIVE_UP and not matched:
                break  # a dozen labels and none known: free text, not this map's words
            continue
        matched.append(label)
        canonicals.add(match.canonical)
        numeric = numeric and label.lstrip("-").replace(".", "", 1).isdigit()
    size = len(_map(map_name).labels)
    return MapFit(map_name, tuple(matched), tuple(unknown), len(canonicals), size, numeric)


def best_value_maps(labels: Iterable[object], names: Iterable[str] | None = None) -> list[MapFit]:
    """Every built-in value map (or those named) by how well it fits the labels, best
    first: the share of labels it explains, then how much of the map they use."""
    values = list(labels)
    fits = [fit_value_map(name, values) for name in (names or vm.BUILTIN_MAPS)]
    return sorted(fits, key=lambda f: (-f.share, -f.covered / f.size, f.name))


__all__ = [
    "LabelMatch",
    "LabelProposal",
    "MapFit",
    "best_value_maps",
    "edits",
    "fit_value_map",
    "label_text",
    "propose_labels",
    "resolve_label",
]
