"""One entity's Jira scope as a cycle sees it (``JiraView``), and records as the plain
values the store keeps.

An incremental view starts as the store's own items (``JiraView.over``: a ChainMap layer
over them, no copy) with what the search brought on top, so a quiet cycle over 50,000
issues costs what changed, not a copy of the portfolio; ``materialise`` copies before
anything is removed.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from connectors.jira.reader import IssueProblem
from mappings.model import ENTITY_TYPES


@dataclass
class JiraView:
    """Every in-scope issue of one entity, as canonical values keyed by sync id."""

    records: MutableMapping[str, dict[str, Any]]
    problems: list[IssueProblem] = field(default_factory=list)
    cursor: datetime | None = None
    full_read: bool = False
    notes: list[IssueProblem] = field(default_factory=list)  # read, with a caveat
    deferred: set[str] = field(default_factory=set)  # sync ids whose create may be in flight
    fresh: set[str] = field(default_factory=set)  # sync ids read from Jira in this cycle
    models: dict[str, Any] = field(default_factory=dict)  # the records read, not re-validated
    dropped: set[str] = field(default_factory=set)  # sync ids found gone by a scope check
    marks: dict[str, str] = field(default_factory=dict)  # cursors the cycle records
    # sync id -> what a create sent, for creates finished after their process died: the
    # base both sides agreed on at that moment (see JiraSide._recover_creates)
    recovered: dict[str, dict[str, Any]] = field(default_factory=dict)
    # An incremental view: the store's items it starts from (shared, never changed: the
    # records are a layer over them) and their keys, so that counting costs what changed.
    base: Mapping[str, Any] | None = None
    base_keys: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def over(cls, base: Mapping[str, Any], base_keys: Mapping[str, Any], **kwargs: Any) -> JiraView:
        """A view whose records start as the store's items, without copying them."""
        return cls(ChainMap({}, base), base=base, base_keys=base_keys, **kwargs)  # type: ignore[arg-type]

    @property
    def size(self) -> int:
        """The issues this view knows, an unreadable one counted once: what the scope's
        count must equal. For a view over the store's items, at the cost of what changed."""
        if self.base is None:
            keys = {r.get("key") for r in self.records.values()}
            return len(self.records) + len(self.problem_keys - keys)
        new = sum(1 for s in self.fresh if s not in self.base)
        fresh_keys = {self.records[s].get("key") for s in self.fresh}
        lost = {k for k in self.problem_keys if k not in self.base_keys and k not in fresh_keys}
        return len(self.base) + new + len(lost)

    def materialise(self) -> None:
        """Copy the records out of the store's items, before removing any."""
        if self.base is not None:
            self.records = dict(self.records)
            self.base = None

    def add(self, record: Any) -> None:
        """A record just read from Jira."""
        sync_id = str(record.sync_id)
        self.records[sync_id] = record_values(record)
        self.fresh.add(sync_id)
        self.models[sync_id] = record

    @property
    def problem_keys(self) -> set[str]:
        return {p.key for p in self.problems}


def record_values(record: Any) -> dict[str, Any]:
    """A record as the plain values the store keeps (sync id as text)."""
    values = record.model_dump()
    values["sync_id"] = str(values["sync_id"])
    return values


def without_derived(entity_type: str, values: Mapping[str, Any]) -> dict[str, Any]:
    derived = ENTITY_TYPES[entity_type].derived_fields
    return {k: v for k, v in values.items() if k not in derived and not k.startswith("_")}
