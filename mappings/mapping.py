"""Declarative mappings: which sheet column and which Jira field hold each model field.

A mapping file is TOML (see ``mappings/defaults/raid_log.toml``). Loading validates it
completely and reports every problem at once with its location, because a PMO admin
editing a mapping should fix it in one pass, not one error per run.

Custom fields are named ("Probability"), never given as ``customfield_10042``: ids
differ between Jira sites, and the connector resolves names from ``/field`` at run time.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import ConfigDict, Field, PrivateAttr, ValidationError

from mappings import values as vm
from mappings.errors import MappingFileError, Problem
from mappings.field_mapping import FieldMapping, StrictModel
from mappings.model import ENTITY_TYPES, WORKBOOK_ONLY
from mappings.textfile import decode_text

BUILTIN_PREFIX = "builtin:"
_CUSTOMFIELD_ID = re.compile(r"^customfield_\d+$|^cf\[\d+\]$", re.IGNORECASE)


class ExcelLocation(StrictModel):
    """Where the tracker is: an Excel table by name, or a sheet with a header row.

    A tracker on a sheet can be pinned exactly as ``pmo-sync map`` found it: its first
    header row, a two-row header (a group row such as "Assessment" over "Probability";
    headers then read "Assessment / Probability"), and the columns that belong to it
    when other trackers share the sheet. Without pins the header row is searched for."""

    table: str | None = None
    sheet: str | None = None
    header_row: int | None = Field(
        None, ge=1, le=1_048_576, description="First header row; found automatically when omitted"
    )
    header_rows: int = Field(
        1, ge=1, le=2, description='Rows the header spans: 2 joins a group row ("group / sub")'
    )
    columns: str | None = Field(
        None, description='Columns of the tracker, e.g. "B:H" (other trackers beside it)'
    )
    key_column: str = Field("Jira Key", description="Column holding the Jira issue key")
    sync_id_column: str = Field("Sync ID", description="Column holding pmo-sync's record id")
    flag_column: str | None = Field(
        None,
        description="Column where pmo-sync flags rows whose issue left Jira (rows are never "
        "deleted); without it, such rows are only reported",
    )

    def problems(self, at: str) -> list[Problem]:
        """What is wrong with the pins: columns must be an A1 column range; header_rows
        and columns apply to a sheet only (an Excel table has its own header row and
        columns). Collected with the mapping's other problems (``_semantic_problems``)."""
        problems = []
        if self.columns is not None:
            # The one A1 parser (the locator's), imported only for a mapping that pins columns.
            from connectors.excel.columns import parse_column_range

            try:
                parse_column_range(self.columns)
            except ValueError as exc:
                problems.append(Problem(f"{at}.columns", str(exc)))
        if self.table is not None:
            pinned = (("header_rows", self.header_rows != 1), ("columns", self.columns is not None))
            for key, given in pinned:
                if given:
                    problems.append(
                        Problem(
                            f"{at}.{key}",
                            f"applies to a tracker on a sheet, not to table {self.table!r} (a "
                            "table's header row and columns are its own); remove it",
                        )
                    )
        return problems


class JiraScope(StrictModel):
    """Which Jira issues are this entity's: an issue type, plus optional extra JQL."""

    issue_type: str | tuple[str, ...] = Field(description="One issue type or a list of them")
    jql: str | None = Field(None, description="Extra JQL ANDed with project and issue type")

    @property
    def issue_types(self) -> tuple[str, ...]:
        return (self.issue_type,) if isinstance(self.issue_type, str) else self.issue_type


class EntityMapping(StrictModel):
    """One entity type's tracker, Jira scope and field mappings."""

    type: str
    excel: ExcelLocation
    jira: JiraScope | None = None
    fields: tuple[FieldMapping, ...] = Field(alias="field")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def field(self, name: str) -> FieldMapping:
        for mapped in self.fields:
            if mapped.name == name:
                return mapped
        raise KeyError(name)


class MappingSpec(StrictModel):
    """A whole mapping file."""

    name: str
    description: str = ""
    value_maps: dict[str, dict[str, list[str]]] = Field(default_factory=dict)
    entities: tuple[EntityMapping, ...] = Field(alias="entity", min_length=1)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    _value_maps: dict[tuple[int, str], tuple[FieldMapping, vm.ValueMap | None]] = PrivateAttr(
        default_factory=dict
    )

    def entity(self, entity_type: str) -> EntityMapping:
        for entity in self.entities:
            if entity.type == entity_type:
                return entity
        raise KeyError(entity_type)

    def value_map(self, field: FieldMapping, side: Literal["excel", "jira"]) -> vm.ValueMap | None:
        """The value map a side uses for a field, with the side's own labels applied.

        Built once per field and side: reading 10,000 rows asks for it 100,000 times."""
        cached = self._value_maps.get((id(field), side))
        if cached is None or cached[0] is not field:  # the field is kept, so ids stay unique
            cached = (field, self._build_value_map(field, side))
            self._value_maps[(id(field), side)] = cached
        return cached[1]

    def _build_value_map(
        self, field: FieldMapping, side: Literal["excel", "jira"]
    ) -> vm.ValueMap | None:
        if field.value_map is None:
            return None
        base = (
            _custom_maps(self.value_maps).get(field.value_map) or vm.BUILTIN_MAPS[field.value_map]
        )
        overrides = field.excel_labels if side == "excel" else field.jira_labels
        if not overrides:
            return base
        by_text = {str(value): value for value in base.canonical_values}
        return base.with_labels(
            f"{base.name} ({side})", {by_text[key]: labels for key, labels in overrides.items()}
        )


def _custom_maps(raw: Mapping[str, Mapping[str, list[str]]]) -> dict[str, vm.ValueMap]:
    return {
        name: vm.ValueMap(name, {k: tuple(v) for k, v in labels.items()})
        for name, labels in raw.items()
    }


def readable_location(loc: tuple[Any, ...], data: Mapping[str, Any]) -> str:
    """Turn pydantic's ('entity', 0, 'field', 2, 'direction') into a readable path."""
    parts: list[str] = []
    node: Any = data
    for part in loc:
        if isinstance(part, int):
            label = ""
            if isinstance(node, list) and part < len(node) and isinstance(node[part], dict):
                item = node[part]
                label = item.get("type") or item.get("name") or ""
            parts[-1] = f"{parts[-1]}[{part}]" + (f" ({label})" if label else "")
            node = node[part] if isinstance(node, list) and part < len(node) else None
        else:
            parts.append(str(part))
            node = node.get(part) if isinstance(node, dict) else None
    return ".".join(parts) or "(file)"


def validation_problems(exc: ValidationError, data: Mapping[str, Any]) -> list[Problem]:
    """Pydantic's errors as located problems, without knock-on noise.

    A list whose only item failed also reports "should have at least 1 item"; that
    second error tells the user nothing the first did not, so it is dropped.
    """
    errors = exc.errors(include_url=False)
    nested = {tuple(err["loc"][:n]) for err in errors for n in range(len(err["loc"]))}
    return [
        Problem(
            readable_location(tuple(err["loc"]), data), err["msg"].removeprefix("Value error, ")
        )
        for err in errors
        if not (err["type"] == "too_short" and tuple(err["loc"]) in nested)
    ]


def _semantic_problems(mapping: MappingSpec) -> list[Problem]:
    """Checks that need more than one field at a time; every one is collected."""
    problems: list[Problem] = []
    try:
        custom = _custom_maps(mapping.value_maps)
    except ValueError as exc:
        return [Problem("value_maps", str(exc))]
    known_maps = {**vm.BUILTIN_MAPS, **custom}
    seen_types: set[str] = set()
    for e_index, entity in enumerate(mapping.entities):
        where = f"entity[{e_index}] ({entity.type})"
        if entity.type not in ENTITY_TYPES:
            problems.append(
                Problem(
                    f"{where}.type", f"unknown entity type; use one of {', '.join(ENTITY_TYPES)}"
                )
            )
            continue
        if entity.type in seen_types:
            problems.append(Problem(f"{where}.type", "entity type mapped twice in one file"))
        seen_types.add(entity.type)
        model = ENTITY_TYPES[entity.type]
        if (entity.excel.table is None) == (entity.excel.sheet is None):
            problems.append(Problem(f"{where}.excel", "give exactly one of 'table' or 'sheet'"))
        problems.extend(entity.excel.problems(f"{where}.excel"))
        if entity.jira is None and entity.type not in WORKBOOK_ONLY:
            problems.append(Problem(f"{where}.jira", "missing: which issue_type holds this entity"))
        headers: dict[str, str] = {}
        jira_fields: dict[str, str] = {}
        names: set[str] = set()
        for f_index, mapped in enumerate(entity.fields):
            at = f"{where}.field[{f_index}] ({mapped.name})"
            if mapped.name not in model.model_fields or mapped.name in ("sync_id", "key"):
                usable = [n for n in model.model_fields if n not in ("sync_id", "key")]
                problems.append(
                    Problem(
                        f"{at}.name", f"not a field of {entity.type}; fields: {', '.join(usable)}"
                    )
                )
                continue
            if mapped.name in names:
                problems.append(Problem(f"{at}.name", "field mapped twice"))
            names.add(mapped.name)
            if mapped.excel is None and mapped.jira is None:
                problems.append(Problem(at, "maps to neither an Excel column nor a Jira field"))
            if mapped.name in model.derived_fields and mapped.direction == "both":
                problems.append(
                    Problem(
                        f"{at}.direction",
                        f"{mapped.name} is derived from other fields; it can only be written "
                        "out: use 'jira-to-excel' or 'excel-to-jira'",
                    )
                )
            for header in (mapped.excel, *mapped.excel_aliases):
                if header is None:
                    continue
                key = vm.fold(header)
                if key in headers and headers[key] != mapped.name:
                    problems.append(
                        Problem(
                            f"{at}.excel", f"column {header!r} is also mapped to {headers[key]}"
                        )
                    )
                headers[key] = mapped.name
            if mapped.jira is not None:
                if _CUSTOMFIELD_ID.match(mapped.jira.strip()):
                    problems.append(
                        Problem(
                            f"{at}.jira",
                            f"{mapped.jira!r} is a site-specific id; name the custom field "
                            'instead (e.g. jira = "Risk Category")',
                        )
                    )
                key = vm.fold(mapped.jira)
                if key in jira_fields:
                    problems.append(
                        Problem(
                            f"{at}.jira",
                            f"Jira field {mapped.jira!r} is also mapped to {jira_fields[key]}",
                        )
                    )
                jira_fields[key] = mapped.name
            problems.extend(_value_map_problems(mapping, mapped, at, known_maps))
            if mapped.jira_fallback is not None:
                if mapped.jira is None:
                    problems.append(
                        Problem(f"{at}.jira_fallback", "needs the field's own 'jira' field")
                    )
                elif vm.fold(mapped.jira_fallback) in jira_fields or vm.fold(
                    mapped.jira_fallback
                ) == vm.fold(mapped.jira):
                    problems.append(
                        Problem(
                            f"{at}.jira_fallback",
                            f"{mapped.jira_fallback!r} is already mapped; give a text field of "
                            "its own",
                        )
                    )
        reserved = (entity.excel.key_column, entity.excel.sync_id_column, entity.excel.flag_column)
        for header in filter(None, reserved):
            if vm.fold(header) in headers:
                problems.append(
                    Problem(f"{where}.excel", f"column {header!r} is reserved for pmo-sync's ids")
                )
    return problems


def _value_map_problems(
    mapping: MappingSpec, mapped: FieldMapping, at: str, known_maps: Mapping[str, vm.ValueMap]
) -> list[Problem]:
    """A field's value map exists, its side labels name canonical values and do not clash."""
    if mapped.value_map is None:
        if mapped.excel_labels or mapped.jira_labels:
            return [Problem(at, "labels given without a value_map")]
        return []
    if mapped.value_map not in known_maps:
        return [
            Problem(
                f"{at}.value_map",
                f"unknown value map {mapped.value_map!r}; built-in: "
                f"{', '.join(vm.BUILTIN_MAPS)}; or define it under [value_maps]",
            )
        ]
    canonical = {str(v) for v in known_maps[mapped.value_map].canonical_values}
    problems = [
        Problem(
            f"{at}.{side}_labels",
            f"{value!r} is not a canonical {mapped.value_map} value; "
            f"use one of {', '.join(sorted(canonical))}",
        )
        for side in ("excel", "jira")
        for value in getattr(mapped, f"{side}_labels")
        if value not in canonical
    ]
    if problems:
        return problems
    for side in ("excel", "jira"):
        try:
            mapping.value_map(mapped, side)
        except ValueError as exc:
            problems.append(Problem(f"{at}.{side}_labels", str(exc)))
    return problems


def parse_mapping(text: str, source: str) -> MappingSpec:
    """Validate mapping TOML text; raise MappingFileError listing every problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MappingFileError(source, [Problem("(syntax)", str(exc))]) from None
    try:
        mapping = MappingSpec.model_validate(data)
    except ValidationError as exc:
        raise MappingFileError(source, validation_problems(exc, data)) from None
    problems = _semantic_problems(mapping)
    if problems:
        raise MappingFileError(source, problems)
    return mapping


def builtin_mapping_names() -> list[str]:
    folder = resources.files("mappings") / "defaults"
    return sorted(
        p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")
    )


def load_mapping(reference: str | Path, base_dir: Path | None = None) -> MappingSpec:
    """Load ``builtin:NAME`` or a TOML file path (relative paths from ``base_dir``)."""
    text_ref = str(reference)
    if text_ref.startswith(BUILTIN_PREFIX):
        name = text_ref.removeprefix(BUILTIN_PREFIX)
        if name not in builtin_mapping_names():
            raise MappingFileError(
                text_ref,
                [
                    Problem(
                        "(reference)",
                        f"no built-in mapping {name!r}; built-in: "
                        f"{', '.join(builtin_mapping_names())}",
                    )
                ],
            )
        text = (resources.files("mappings") / "defaults" / f"{name}.toml").read_text("utf-8")
        return parse_mapping(text, text_ref)
    path = Path(text_ref)
    if base_dir is not None and not path.is_absolute():
        path = base_dir / path
    try:
        text = decode_text(path.read_bytes())
    except OSError as exc:
        raise MappingFileError(
            str(path), [Problem("(file)", f"cannot read: {exc.strerror}")]
        ) from None
    except ValueError as exc:
        raise MappingFileError(str(path), [Problem("(file)", str(exc))]) from None
    return parse_mapping(text, str(path))
