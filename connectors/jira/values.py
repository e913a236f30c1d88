"""Field values between Jira payloads and canonical record values, by schema type.

The schema type of a field (from /field) decides the payload shape: an option is
{"value": ...}, a user is {"accountId"} on Cloud and {"name"} on Data Center, a date is
"YYYY-MM-DD". Value maps of the mapping translate option labels; jira_scale converts
units (a 0..100 percent field holding a 0..1 fraction). Rich text (``wiki.is_rich_text``)
is wiki markup over API v2: it is read as the plain text Jira shows (``wiki.to_plain``)
and written as markup that renders as exactly the record's text (``wiki.from_plain``), so
an untouched field is never rewritten and a typed ``*`` stays a ``*``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from connectors.jira.fields import JiraField
from connectors.jira.users import UserDirectory
from connectors.jira.wiki import from_plain, is_rich_text, to_plain
from mappings.mapping import FieldMapping
from mappings.values import ValueMap, fold, parse_date, parse_number

OPTION_KINDS = ("option", "option-with-child", "priority", "resolution", "component", "version")


class ValueConverter:
    """Converts one mapped field's values both ways."""

    def __init__(self, users: UserDirectory) -> None:
        self.users = users

    def from_jira(
        self, field: JiraField, raw: Any, mapped: FieldMapping, value_map: ValueMap | None
    ) -> Any:
        """A raw Jira value as the canonical value (or text the model will validate)."""
        if raw is None or raw == [] or raw == "":
            return None
        if isinstance(raw, str) and is_rich_text(field):
            raw = to_plain(raw)
            if raw == "":  # markup that shows nothing (an empty macro) is an empty field
                return None
        kind, items = field.schema_type, field.items
        if kind == "array":
            values = [self._scalar_from(items, v, mapped, value_map) for v in raw]
            return ", ".join(str(v) for v in values)
        return self._scalar_from(kind, raw, mapped, value_map)

    def _scalar_from(
        self, kind: str | None, raw: Any, mapped: FieldMapping, value_map: ValueMap | None
    ) -> Any:
        if kind == "user":
            return self.users.person(raw)
        if isinstance(raw, dict):
            raw = raw.get("value", raw.get("name", raw.get("key")))
        if kind == "number" and mapped.jira_scale:
            raw = float(raw) / mapped.jira_scale
        if value_map is not None:
            return value_map.to_canonical(raw)
        return raw

    def to_jira(
        self,
        field: JiraField,
        value: Any,
        mapped: FieldMapping,
        value_map: ValueMap | None,
        allowed: tuple[str, ...] | None = None,
    ) -> Any:
        """A canonical value as the payload a PUT or create carries (None clears).

        ``allowed``: the option names Jira offers for the field (create metadata); the
        value's label is then the one Jira has, in Jira's spelling, and a value none of
        whose labels Jira offers is refused here with the options listed."""
        if value is None or value == "":
            return [] if field.schema_type == "array" else None
        if field.schema_type == "array":
            parts = value if isinstance(value, list | tuple) else str(value).split(",")
            parts = [p.strip() if isinstance(p, str) else p for p in parts]
            if field.items == "string":  # labels cannot contain spaces
                parts = [w for p in parts for w in str(p).split()]
            return [
                self._scalar_to(field.items, p, mapped, value_map, allowed, field)
                for p in parts
                if p != ""
            ]
        payload = self._scalar_to(field.schema_type, value, mapped, value_map, allowed, field)
        return from_plain(payload) if isinstance(payload, str) and is_rich_text(field) else payload

    def _scalar_to(
        self,
        kind: str | None,
        value: Any,
        mapped: FieldMapping,
        value_map: ValueMap | None,
        allowed: tuple[str, ...] | None = None,
        field: JiraField | None = None,
    ) -> Any:
        label = value_map.to_label(value, allowed=allowed) if value_map is not None else value
        if allowed and kind in OPTION_KINDS and fold(str(label)) not in {fold(a) for a in allowed}:
            shown = ", ".join(allowed[:12]) + (", ..." if allowed[12:] else "")
            name = field.name if field is not None else mapped.jira
            labels = ", ".join(value_map.labels.get(value, (label,))) if value_map else label
            raise ValueError(
                f"{mapped.name} {value!r}: none of its labels ({labels}) is an option of "
                f"Jira's {name!r} field (Jira offers {shown}); map it to one of them with "
                "jira_labels in the mapping"
            )
        if kind == "user":
            return self.users.reference(str(value))
        if kind in ("option", "option-with-child"):
            return {"value": str(label)}
        if kind in ("priority", "status", "issuetype", "resolution", "component", "version"):
            return {"name": str(label)}
        if kind == "date":
            return parse_date(value).isoformat()
        if kind == "datetime":
            if isinstance(value, datetime):
                return value.strftime("%Y-%m-%dT%H:%M:%S.") + (
                    f"{value.microsecond // 1000:03d}{value.strftime('%z')}"
                )
            if isinstance(value, date):
                return f"{value.isoformat()}T00:00:00.000+0000"
            return str(value)
        if kind == "number":
            number = parse_number(label)
            return number * mapped.jira_scale if mapped.jira_scale else number
        if isinstance(label, date):
            return label.isoformat()
        return label if isinstance(label, str) else str(label)
