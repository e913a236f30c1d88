"""Named, invertible value maps: how messy human values become canonical ones.

People type "High", "H", "4", 4.0 or " very high " into the same column, and Jira
shows option labels that differ from site to site. A ValueMap turns every accepted
spelling into one canonical value and turns a canonical value back into the one
preferred label of a side, so that ``to_canonical(to_label(v)) == v`` always holds:
that round trip is what keeps a two-way sync from flapping between spellings.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from mappings.errors import UnknownValueError

_SPACES = re.compile(r"[\s_\-]+")
# Characters no workbook, XML document or UTF-8 store can hold: a lone surrogate (half of
# a UTF-16 pair), NUL, and the non-characters U+FFFE and U+FFFF.
UNSTORABLE = re.compile("[\x00\ud800-\udfff\ufffe\uffff]")
REPLACEMENT = "\ufffd"


def replace_unstorable(text: str) -> tuple[str, list[str]]:
    """``text`` with unstorable characters replaced by U+FFFD, and which ones they were
    ("U+D800"); an empty list when the text was fine."""
    if not UNSTORABLE.search(text):
        return text, []
    found = sorted({f"U+{ord(c):04X}" for c in UNSTORABLE.findall(text)})
    return UNSTORABLE.sub(REPLACEMENT, text), found


def fold(text: str) -> str:
    """Case-, space-, dash- and underscore-insensitive form of a label."""
    return _SPACES.sub(" ", text).strip().casefold()


def _numeric_key(value: float) -> str | None:
    """Whole numbers compare by their integer text, so 4, 4.0 and "4" meet (infinity and
    NaN, which a cell saying "INF" or "nan" parses to, are no number of any scale)."""
    if math.isfinite(value) and value == int(value):
        return str(int(value))
    return None


@dataclass(frozen=True)
class ValueMap:
    """A named map from labels to canonical values.

    Args:
        name: shown in errors ("'Hgh' is not a known probability value").
        labels: canonical value -> accepted labels; the first label of each is the
            preferred one, written when a canonical value goes out.
    """

    name: str
    labels: Mapping[Any, tuple[str, ...]]
    _lookup: dict[str, Any] = field(init=False, repr=False, compare=False)
    _candidates: dict[Any, tuple[str, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "_candidates",
            {c: tuple(fold(n) for n in (*names, str(c))) for c, names in self.labels.items()},
        )
        lookup: dict[str, Any] = {}
        for canonical, names in self.labels.items():
            if not names:
                raise ValueError(f"value map {self.name!r}: {canonical!r} has no label")
            for label in (str(canonical), *names):
                key = fold(label)
                previous = lookup.setdefault(key, canonical)
                if previous != canonical:
                    raise ValueError(
                        f"value map {self.name!r}: label {label!r} maps to both "
                        f"{previous!r} and {canonical!r}"
                    )
        object.__setattr__(self, "_lookup", lookup)

    @property
    def canonical_values(self) -> list[Any]:
        return list(self.labels)

    @property
    def preferred_labels(self) -> list[str]:
        return [names[0] for names in self.labels.values()]

    def to_canonical(self, raw: object) -> Any:
        """The canonical value of a raw label; raises UnknownValueError otherwise."""
        key: str | None
        if isinstance(raw, bool):
            key = fold(str(raw))
        elif isinstance(raw, int | float):
            key = _numeric_key(float(raw))
        elif isinstance(raw, str):
            key = fold(raw)
            try:
                number = float(key)
            except ValueError:
                pass
            else:
                key = _numeric_key(number) or key
        else:
            key = None
        if key is not None and key in self._lookup:
            return self._lookup[key]
        raise UnknownValueError(raw, self.name, self.preferred_labels)

    def to_label(
        self,
        canonical: object,
        allowed: Iterable[str] | None = None,
        seen: Mapping[str, int] | None = None,
    ) -> str:
        """The label to write for a canonical value.

        Args:
            allowed: the values the target accepts (a drop-down list, a Jira field's
                options): the first of the value's labels (then its own spelling) that
                the target accepts is written in the target's spelling.
            seen: labels a column already holds, with counts: the value's label in the
                style the column uses (its most used label of that value, else the label
                at the position the column's other labels have in their lists, so a
                column of 高/中/低 gets 高, not the mapping's first label "4").

        Without either, or when neither decides, the value's first label.
        """
        try:
            names = self.labels[canonical]
        except KeyError:
            raise UnknownValueError(canonical, self.name, [str(v) for v in self.labels]) from None
        if allowed is not None:
            accepted = allowed if isinstance(allowed, Choices) else Choices(allowed)
            for folded in self._candidates[canonical]:
                if folded in accepted:
                    return accepted[folded]
        if seen:
            return self._in_column_style(canonical, names, seen)
        return names[0]

    def _in_column_style(
        self, canonical: object, names: tuple[str, ...], seen: Mapping[str, int]
    ) -> str:
        used = {fold(label): count for label, count in seen.items()}
        own = [(used[fold(n)], -i, n) for i, n in enumerate(names) if fold(n) in used]
        if own:
            return max(own)[2]
        positions: dict[int, int] = {}
        for label, count in seen.items():
            value = self._lookup.get(fold(label))
            if value is None:
                continue
            folded = [fold(n) for n in self.labels[value]]
            if fold(label) in folded:
                index = folded.index(fold(label))
                positions[index] = positions.get(index, 0) + count
        if positions:
            index = max(positions, key=lambda i: (positions[i], -i))
            if index < len(names):
                return names[index]
        return names[0]

    def with_labels(self, name: str, overrides: Mapping[Any, Iterable[str]]) -> ValueMap:
        """A copy whose labels for some canonical values are replaced (site-specific names).

        The canonical value's own spelling is still accepted, so a mapping can rename
        "High" to "4 - High" for one Jira site without breaking imports of "High".
        """
        merged = {key: tuple(names) for key, names in self.labels.items()}
        for canonical, names in overrides.items():
            if canonical not in merged:
                raise UnknownValueError(canonical, self.name, [str(v) for v in merged])
            merged[canonical] = tuple(names)
        return ValueMap(name, merged)


class Choices(dict[str, str]):
    """The values a target accepts, keyed by their folded form (built once per list, not
    once per value written: a column's drop-down is consulted for every row)."""

    def __init__(self, values: Iterable[str]) -> None:
        super().__init__((fold(v), v) for v in values)

    def allows(self, label: object) -> bool:
        return fold(str(label)) in self


def _scale(name: str) -> ValueMap:
    return ValueMap(
        name,
        {
            1: ("Very Low", "VL", "Rare", "Negligible"),
            2: ("Low", "L", "Unlikely", "Minor"),
            3: ("Medium", "M", "Med", "Moderate", "Possible"),
            4: ("High", "H", "Likely", "Major"),
            5: ("Very High", "VH", "Almost Certain", "Severe", "Critical"),
        },
    )


PROBABILITY = _scale("probability")
IMPACT = _scale("impact")

RISK_LEVEL = ValueMap(
    "risk level",
    {
        "low": ("Low", "L"),
        "medium": ("Medium", "M", "Med"),
        "high": ("High", "H"),
        "critical": ("Critical", "C", "Very High", "VH"),
    },
)

RESPONSE_STRATEGY = ValueMap(
    "response strategy",
    {
        # The UK (PRINCE2 / Orange Book) "4 Ts" are aliases of the PMBOK strategies.
        "avoid": ("Avoid", "Terminate"),
        "mitigate": ("Mitigate", "Treat", "Reduce"),
        "transfer": ("Transfer", "Share"),
        "accept": ("Accept", "Tolerate"),
    },
)

CHANGE_TYPE = ValueMap(
    "change type",
    {
        "scope": ("Scope",),
        "schedule": ("Schedule", "Time"),
        "cost": ("Cost", "Budget"),
        "quality": ("Quality",),
    },
)

DECISION = ValueMap(
    "decision",
    {
        "pending": ("Pending", "Open", "Submitted", "Under Review", "TBD"),
        "approved": ("Approved", "Accepted", "Yes"),
        "rejected": ("Rejected", "Declined", "No"),
        "deferred": ("Deferred", "On Hold", "Postponed"),
    },
)

RAG = ValueMap(
    "RAG status",
    {
        "green": ("Green", "G", "On Track"),
        "amber": ("Amber", "A", "Yellow", "At Risk"),
        "red": ("Red", "R", "Off Track"),
    },
)

WORK_ITEM_TYPE = ValueMap(
    "work item type",
    {
        "epic": ("Epic",),
        "story": ("Story", "User Story"),
        "task": ("Task",),
    },
)

PRIORITY = ValueMap(
    "priority",
    {
        "highest": ("Highest", "Critical", "Blocker", "P1"),
        "high": ("High", "P2"),
        "medium": ("Medium", "Normal", "P3"),
        "low": ("Low", "Minor", "P4"),
        "lowest": ("Lowest", "Trivial", "P5"),
    },
)

YES_NO = ValueMap("yes/no", {True: ("Yes", "Y", "True", "1"), False: ("No", "N", "False", "0")})

RISK_STATUS = ValueMap(
    "risk status",
    {
        "open": ("Open", "New", "Identified", "Active"),
        "mitigating": ("Mitigating", "In Progress", "Work in Progress", "Monitoring"),
        "closed": ("Closed", "Done", "Resolved", "Retired"),
    },
)

CHANGE_STATUS = ValueMap(
    "change request status",
    {
        "submitted": ("Submitted", "New", "Open", "Raised"),
        "under_review": ("Under Review", "In Review", "Assessing"),
        "approved": ("Approved",),
        "rejected": ("Rejected",),
        "deferred": ("Deferred", "On Hold"),
        "implemented": ("Implemented", "Done", "Closed"),
    },
)

WORK_STATUS = ValueMap(
    "status",
    {
        "todo": ("To Do", "Open", "Not Started", "Backlog", "New"),
        "in_progress": ("In Progress", "Work in Progress", "WIP", "Started"),
        "blocked": ("Blocked", "On Hold", "Late"),
        "done": ("Done", "Closed", "Complete", "Completed", "Resolved", "Duplicate"),
    },
)

BUILTIN_MAPS: dict[str, ValueMap] = {
    m.name.replace(" ", "_").replace("/", "_").lower(): m
    for m in (
        PROBABILITY,
        IMPACT,
        RISK_LEVEL,
        RESPONSE_STRATEGY,
        CHANGE_TYPE,
        DECISION,
        RAG,
        WORK_ITEM_TYPE,
        PRIORITY,
        YES_NO,
        RISK_STATUS,
        CHANGE_STATUS,
        WORK_STATUS,
    )
}
"""Built-in value maps by the name a mapping file uses (``value_map = "probability"``)."""


_PERCENT = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*%\s*$")


def parse_fraction(raw: object, field_name: str = "percentage") -> float:
    """A percentage as a fraction of 1, the way Excel stores a cell formatted as %.

    "80%" and 0.8 are 0.8. A bare number above 1 is refused rather than guessed: 80
    could be 80% or a typo, and the mapping's ``scale`` option says which a side means.
    """
    if isinstance(raw, bool):
        raise ValueError(f"{field_name}: expected a percentage, got a boolean")
    if isinstance(raw, int | float):
        value = float(raw)
    elif isinstance(raw, str):
        match = _PERCENT.match(raw)
        if match:
            value = float(match.group(1)) / 100
        else:
            try:
                value = float(raw.strip())
            except ValueError:
                raise ValueError(
                    f"{field_name}: {raw!r} is not a percentage (write 80% or 0.8)"
                ) from None
    else:
        raise ValueError(f"{field_name}: {raw!r} is not a percentage")
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{field_name}: {raw!r} is outside 0%..100% (write 80% or 0.8, not 80)")
    return value


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%Y/%m/%d", "%d-%b-%Y", "%d %b %Y", "%d.%m.%Y")


def parse_date(raw: object, field_name: str = "date") -> date:
    """A calendar date from a date, a datetime at any time of day, or unambiguous text.

    US-style 03/04/2025 is refused on purpose: a PMO spans countries, and a silently
    swapped day and month is worse than an error.
    """
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, str):
        text = raw.strip()
        try:
            return datetime.fromisoformat(text).date()
        except ValueError:
            pass
        for fmt in _DATE_FORMATS:
            try:
                parsed = datetime.strptime(text, fmt).date()
            except ValueError:
                continue
            if fmt == "%d/%m/%Y" and parsed.day <= 12 and parsed.day != parsed.month:
                raise ValueError(
                    f"{field_name}: {raw!r} is ambiguous (day/month or month/day?); "
                    "write it as YYYY-MM-DD"
                )
            return parsed
    raise ValueError(f"{field_name}: {raw!r} is not a date (write YYYY-MM-DD)")


def parse_number(raw: object, field_name: str = "number") -> float:
    """A number from a number or numeric text ("1,250.50", "€ 3 000" are refused: ambiguous)."""
    if isinstance(raw, bool):
        raise ValueError(f"{field_name}: expected a number, got a boolean")
    if isinstance(raw, int | float):
        return float(raw)
    if isinstance(raw, str):
        try:
            return float(raw.strip())
        except ValueError:
            pass
    raise ValueError(f"{field_name}: {raw!r} is not a number")
