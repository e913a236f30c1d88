"""Which Jira field and issue type each proposed field syncs with.

The built-in mappings already say where each canonical field lives in Jira ("probability"
-> the custom field named "Probability", "owner" -> assignee, "created" -> created, read
only); those names are the first guess. With a site at hand, each guess is checked
against the site's field catalogue (custom fields by name: ids differ between sites) and
the projects' issue types; a name the site lacks gets the closest names offered, and
custom fields the site has that look relevant to the entity but no column maps are
suggested.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache

from connectors.jira.errors import UnknownJiraField
from connectors.jira.fields import FieldCatalog, JiraField
from mappings.mapping import builtin_mapping_names, load_mapping
from mappings.model import ENTITY_TYPES
from mappings.values import fold

from .synonyms import HeaderMatch, knowledge, match_header

# Fields every record has and where Jira keeps them, whatever the entity.
GENERIC_JIRA = {
    "summary": "summary",
    "description": "description",
    "owner": "assignee",
    "assignee": "assignee",
    "raised_by": "reporter",
    "created": "created",
    "due_date": "duedate",
    "status": "status",
    "priority": "priority",
}
READ_ONLY = {"created", "reporter", "updated", "creator", "resolutiondate", "issuetype"}
"""System fields Jira sets itself: the workbook shows them (direction jira-to-excel)."""

DEFAULT_ISSUE_TYPES = {
    "risk": ("Risk",),
    "change_request": ("Change Request",),
    "raid_issue": ("RAID Issue", "Issue"),
    "assumption": ("Assumption",),
    "dependency": ("Dependency",),
    "action": ("Action", "Task"),
    "decision": ("Decision",),
    "work_item": ("Epic", "Story", "Task"),
}
CLOSE = 0.86  # similarity from which a differently spelt site field is taken as the one meant


@dataclass(frozen=True)
class JiraChoice:
    """Where one field lives in Jira, and why."""

    jira: str | None  # a system field id or a custom field name; None: workbook only
    direction: str = "both"
    value_map: str | None = None
    jira_scale: float | None = None
    reason: str = ""
    alternatives: tuple[str, ...] = ()


@dataclass(frozen=True)
class IssueTypeChoice:
    issue_types: tuple[str, ...]
    reason: str
    alternatives: tuple[str, ...] = ()


@dataclass
class JiraProposal:
    """The Jira side of one tracker's proposal."""

    issue_types: IssueTypeChoice
    fields: dict[str, JiraChoice] = field(default_factory=dict)
    suggestions: list[str] = field(default_factory=list)  # relevant Jira fields left out


@cache
def _builtin_defaults() -> dict[str, dict[str, tuple[str | None, str, str | None, float | None]]]:
    """entity -> field -> (jira, direction, value_map, jira_scale) from the built-ins."""
    out: dict[str, dict[str, tuple[str | None, str, str | None, float | None]]] = {}
    for name in builtin_mapping_names():
        for entity in load_mapping(f"builtin:{name}").entities:
            for mapped in entity.fields:
                out.setdefault(entity.type, {}).setdefault(
                    mapped.name,
                    (mapped.jira, mapped.direction, mapped.value_map, mapped.jira_scale),
                )
    return out


_VALUE_MAPS = {
    "probability": "probability",
    "impact": "impact",
    "priority": "priority",
    "escalate": "yes_no",
    "response": "response_strategy",
    "change_type": "change_type",
    "decision": "decision",
    "item_type": "work_item_type",
    "rag": "rag_status",
    "level": "risk_level",
}
_STATUS_MAPS = {"risk": "risk_status", "change_request": "change_request_status"}


def value_map_for(entity: str, name: str) -> str | None:
    """The built-in value map a canonical field's values go through, if any."""
    if name == "status":
        return _STATUS_MAPS.get(entity, "status")
    return _VALUE_MAPS.get(name)


def _default(entity: str, name: str) -> tuple[str | None, str, str | None, float | None]:
    known = _builtin_defaults().get(entity, {}).get(name)
    if known is not None:
        return known[0], known[1], known[2] or value_map_for(entity, name), known[3]
    jira = GENERIC_JIRA.get(name)
    if jira is None:
        # A field the built-ins do not place: the custom field named like it ("Risk Trigger").
        jira = name.replace("_", " ").title()
    direction = "jira-to-excel" if jira in READ_ONLY else "both"
    return jira, direction, value_map_for(entity, name), None


def match_fields(
    entity: str, names: Iterable[str], catalog: FieldCatalog | None
) -> dict[str, JiraChoice]:
    """The Jira side of each proposed field (checked against ``catalog`` when given)."""
    model = ENTITY_TYPES[entity]
    derived = getattr(model, "derived_fields", frozenset())
    out: dict[str, JiraChoice] = {}
    for name in names:
        jira, direction, value_map, scale = _default(entity, name)
        if name in derived:
            out[name] = JiraChoice(
                None,
                "jira-to-excel",
                value_map,
                reason=f"{name} is computed by pmo-sync from other fields: written to the "
                "workbook, never read from it",
            )
            continue
        if entity == "project":
            out[name] = JiraChoice(None, "both", value_map, reason="kept in the workbook only")
            continue
        if jira is None:
            out[name] = JiraChoice(
                None,
                "both",
                value_map,
                reason="no Jira field for it in the built-in mappings: kept in the workbook "
                '(set jira = "..." to sync it)',
            )
            continue
        if catalog is None:
            out[name] = JiraChoice(
                jira,
                direction,
                value_map,
                scale,
                reason=f"Jira field {jira!r} (not checked: offline)",
            )
            continue
        out[name] = _checked(catalog, entity, name, jira, direction, value_map, scale)
    return out


def _checked(
    catalog: FieldCatalog,
    entity: str,
    name: str,
    jira: str,
    direction: str,
    value_map: str | None,
    scale: float | None,
) -> JiraChoice:
    try:
        found = catalog.resolve(jira)
    except UnknownJiraField as exc:
        translated = _in_site_language(catalog, entity, name)
        if translated is not None:
            direction = "jira-to-excel" if translated.id in READ_ONLY else direction
            return JiraChoice(
                translated.name,
                direction,
                value_map,
                scale,
                reason=f"Jira field {translated.name!r} ({name} in "
                f"{_language_of(translated.name, entity, name)}; the site has no {jira!r})",
            )
        similar = tuple(exc.similar) if hasattr(exc, "similar") else ()
        names = _names(catalog)
        ranked = difflib.get_close_matches(jira, names, n=5, cutoff=0.5) or list(similar)
        best = ranked[0] if ranked else None
        if (
            best is not None
            and difflib.SequenceMatcher(None, fold(best), fold(jira)).ratio() >= CLOSE
        ):
            return JiraChoice(
                best,
                direction,
                value_map,
                scale,
                reason=f"Jira field {best!r} (the site's spelling of {jira!r})",
                alternatives=tuple(ranked[1:]),
            )
        offered = f"; closest: {', '.join(map(repr, ranked))}" if ranked else ""
        return JiraChoice(
            None,
            "both",
            value_map,
            scale,
            reason=f"no Jira field {jira!r} on the site{offered}: kept in the workbook until "
            'you set jira = "..." for it',
            alternatives=tuple(ranked),
        )
    direction = "jira-to-excel" if found.id in READ_ONLY else direction
    shown = found.id if not found.custom else found.name
    return JiraChoice(shown, direction, value_map, scale, reason=f"Jira field {found.name!r}")


def _means(header: str, entity: str, name: str) -> list[HeaderMatch]:
    return [
        m
        for m in match_header(header)
        if m.how == "exact" and m.field == name and m.entity in (None, entity)
    ]


def _in_site_language(catalog: FieldCatalog, entity: str, name: str) -> JiraField | None:
    """The site's custom field whose name is, in a shipped language, exactly a header for
    this field ("Wahrscheinlichkeit" on a German site, "概率" on a Chinese one)."""
    found = [f for f in catalog if f.custom and _means(f.name, entity, name)]
    if len(found) != 1:
        return None  # none, or several: ambiguous, the closest names are offered instead
    return found[0]


def _language_of(header: str, entity: str, name: str) -> str:
    return _means(header, entity, name)[0].synonym.language.name


def _names(catalog: FieldCatalog) -> list[str]:
    return sorted({f.name for f in catalog})


def choose_issue_types(entity: str, site_types: Sequence[str] | None) -> IssueTypeChoice:
    """The issue type(s) the entity's records are in Jira."""
    wanted = DEFAULT_ISSUE_TYPES.get(entity, (entity.replace("_", " ").title(),))
    if site_types is None:
        return IssueTypeChoice(
            wanted[:1] if entity != "work_item" else wanted, "not checked: offline"
        )
    by_fold = {fold(t): t for t in site_types}
    found = tuple(by_fold[fold(w)] for w in wanted if fold(w) in by_fold)
    if found:
        chosen = found if entity == "work_item" else found[:1]
        return IssueTypeChoice(chosen, f"issue type {', '.join(chosen)} exists on the site")
    # The site names its types in another language ("Risiko", "风险", "Tâche").
    translated = tuple(t for t in site_types if entity in knowledge().issue_type_entities(t))
    if translated:
        chosen = translated if entity == "work_item" else translated[:1]
        return IssueTypeChoice(
            chosen,
            f"issue type {', '.join(chosen)} is the site's name for {wanted[0]!r}",
            translated[len(chosen) :],
        )
    ranked = difflib.get_close_matches(wanted[0], list(site_types), n=4, cutoff=0.4)
    return IssueTypeChoice(
        (ranked[0],) if ranked else wanted[:1],
        f"the site has no {wanted[0]!r} issue type"
        + (f"; {ranked[0]!r} is the closest (check it)" if ranked else "; create it in Jira"),
        tuple(ranked[1:]),
    )


def suggest_fields(entity: str, catalog: FieldCatalog | None, used: Iterable[str]) -> list[str]:
    """Custom fields of the site that look like this entity's and that no column maps."""
    if catalog is None:
        return []
    taken = {fold(u) for u in used if u}
    words = {fold(w) for w in entity.split("_")} | {
        fold(t) for t in DEFAULT_ISSUE_TYPES.get(entity, ())
    }
    known = {fold(j) for j, *_ in _builtin_defaults().get(entity, {}).values() if j}
    out = []
    for f in sorted(catalog, key=lambda f: f.name):
        if not f.custom or fold(f.name) in taken:
            continue
        name = fold(f.name)
        if name in known or any(w and w in name for w in words):
            kind = f.schema_type or "field"
            out.append(f"{f.name} ({kind})")
    return out


def jira_names(fields: Mapping[str, JiraChoice]) -> list[str]:
    return [c.jira for c in fields.values() if c.jira]
