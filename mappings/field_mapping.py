"""One field's mapping: the canonical field, its Excel column and its Jira field.

Kept apart from the rest of the mapping format (``mappings.mapping``) because it is the
part that grows with each kind of Jira field pmo-sync learns to sync: issue links
(``link``), versions and components created on demand (``create_missing``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Direction = Literal["both", "jira-to-excel", "excel-to-jira"]
LINKS_FIELD = "issuelinks"
NAMED_VALUE_FIELDS = ("fixversions", "versions", "components")
"""Jira's system fields whose values are a project's versions or components, by name."""


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldMapping(StrictModel):
    """One model field and where it lives on each side."""

    name: str = Field(description="Canonical model field, e.g. 'probability'")
    excel: str | None = Field(None, description="Column header in the workbook")
    excel_aliases: tuple[str, ...] = Field((), description="Other headers accepted")
    jira: str | None = Field(None, description="System field id or custom field name")
    direction: Direction = "both"
    value_map: str | None = Field(None, description="Built-in or [value_maps] name")
    excel_labels: dict[str, list[str]] = Field(
        default_factory=dict, description="Canonical value -> labels used in the workbook"
    )
    jira_labels: dict[str, list[str]] = Field(
        default_factory=dict, description="Canonical value -> option names used in Jira"
    )
    jira_scale: float | None = Field(
        None, description="Jira value = canonical value x scale (100 for a 0..100 percent field)"
    )
    required: bool = Field(False, description="Rows/issues without a value are rejected")
    jira_fallback: str | None = Field(
        None,
        description="A Jira text field that holds a person's name when it matches no Jira "
        "user (with [sync] unknown_people = 'text'); read back when the user field is empty",
    )

    link: str | None = Field(
        None,
        description="With jira = 'issuelinks': the link as Jira's link type words it from "
        "this issue's side ('blocks', 'is blocked by', 'relates to'); the field lists the "
        "keys of the issues linked that way",
    )
    create_missing: bool = Field(
        False,
        description="fixVersions, versions or components: a name the project lacks is created "
        "in Jira when written (otherwise the row is refused, naming the project's values)",
    )

    @model_validator(mode="after")
    def _link_needs_issuelinks(self) -> FieldMapping:
        is_links = (self.jira or "").strip().casefold() == LINKS_FIELD
        if self.link is not None and not is_links:
            raise ValueError(f'link = {self.link!r} needs jira = "{LINKS_FIELD}"')
        if is_links and not (self.link or "").strip():
            raise ValueError(
                f'jira = "{LINKS_FIELD}" needs link = "...": the link as its type words it, '
                'e.g. "blocks" or "is blocked by"'
            )
        if self.create_missing and (self.jira or "").strip().casefold() not in NAMED_VALUE_FIELDS:
            raise ValueError(
                'create_missing applies to jira = "fixVersions", "versions" or "components"'
            )
        return self

    @property
    def is_link(self) -> bool:
        return self.link is not None

    @property
    def to_excel(self) -> bool:
        return self.excel is not None and self.direction in ("both", "jira-to-excel")

    @property
    def to_jira(self) -> bool:
        return self.jira is not None and self.direction in ("both", "excel-to-jira")
