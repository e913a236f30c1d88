"""The site's field catalogue: custom fields resolved by name, once per run.

Custom field ids (customfield_10042) differ between Jira sites, so mappings name
fields and this catalogue turns names into ids, with the schema type that decides how
values are converted.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from connectors.jira.errors import UnknownJiraField
from mappings.values import fold


@dataclass(frozen=True)
class JiraField:
    """One field as /rest/api/2/field describes it."""

    id: str
    name: str
    custom: bool
    schema_type: str | None
    items: str | None
    custom_type: str | None


class FieldCatalog:
    """Lookup of fields by id or by (case/space-insensitive) name."""

    def __init__(self, raw_fields: Iterable[Mapping[str, Any]]) -> None:
        self._by_id: dict[str, JiraField] = {}
        self._by_name: dict[str, list[JiraField]] = {}
        for raw in raw_fields:
            schema = raw.get("schema") or {}
            field = JiraField(
                id=str(raw["id"]),
                name=str(raw.get("name", raw["id"])),
                custom=bool(raw.get("custom", False)),
                schema_type=schema.get("type"),
                items=schema.get("items"),
                custom_type=schema.get("custom"),
            )
            self._by_id[field.id] = field
            self._by_name.setdefault(fold(field.name), []).append(field)

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[JiraField]:
        """Every field of the site."""
        return iter(self._by_id.values())

    def resolve(self, name_or_id: str) -> JiraField:
        """The field a mapping means: a system id ("duedate") or a field name.

        Raises:
            UnknownJiraField: with up to five similar names, so a typo is easy to fix.
        """
        if name_or_id in self._by_id:
            return self._by_id[name_or_id]
        matches = self._by_name.get(fold(name_or_id), [])
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            ids = ", ".join(f.id for f in matches)
            raise UnknownJiraField(f"{name_or_id} (ambiguous: several fields, ids {ids})", [])
        names = sorted({f.name for f in self._by_id.values()})
        similar = difflib.get_close_matches(name_or_id, names, n=5, cutoff=0.6)
        raise UnknownJiraField(name_or_id, similar)
