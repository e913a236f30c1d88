"""A proposal as an annotated mapping TOML, every choice with a comment saying why.

Written with tomlkit (the TOML library poetry is built on) because it keeps comments on
array items, so each field line carries its reason and the unmapped columns stay listed
as comments where a person editing the file will see them. The text is then parsed back
with the mapping loader before it is written anywhere: a proposal that is not a valid
mapping is a bug, never a file.
"""

from __future__ import annotations

import re
from datetime import date

import tomlkit
from tomlkit.items import InlineTable, Table

from mapper.proposal import ColumnProposal, Proposal, TrackerProposal
from mappings.mapping import MappingSpec, parse_mapping

SYNC_STATUS = "Sync Status"


def mapping_name(proposal: Proposal) -> str:
    """A mapping name from the workbook's file name (letters of any script kept)."""
    stem = re.sub(r"[^\w]+", "_", proposal.workbook.stem, flags=re.UNICODE).strip("_")
    return stem.lower() or "workbook"


def render_mapping(proposal: Proposal, *, today: date | None = None) -> str:
    """The mapping TOML text for the accepted trackers of a proposal."""
    doc = tomlkit.document()
    when = (today or date.today()).isoformat()
    doc.add(
        tomlkit.comment(
            f"Mapping proposed by `pmo-sync map` for {proposal.workbook.name} on {when}."
        )
    )
    doc.add(tomlkit.comment("Each choice says why; lines marked '?' are guesses to check."))
    if proposal.site:
        doc.add(tomlkit.comment(f"Jira fields checked against {proposal.site}."))
    else:
        doc.add(tomlkit.comment("Jira fields not checked (offline): run `pmo-sync check`."))
    doc.add(tomlkit.nl())
    doc.add("name", mapping_name(proposal))
    doc.add("description", f"Proposed from {proposal.workbook.name}")
    entities = tomlkit.aot()
    mapped: list[TrackerProposal] = []
    for tracker in proposal.chosen:
        if any(t.entity == tracker.entity for t in mapped):
            continue  # one tracker per entity type in a mapping; the rest are listed below
        mapped.append(tracker)
        entities.append(_entity(tracker))
    doc.add("entity", entities)
    for tracker in proposal.trackers:
        if all(tracker is not t for t in mapped):
            doc.add(tomlkit.comment(f"not mapped: {tracker.where}: {_why_not(mapped, tracker)}"))
    for sheet, why in proposal.skipped:
        doc.add(tomlkit.comment(f"no tracker on sheet {sheet!r}: {why}"))
    return tomlkit.dumps(doc)


def _why_not(mapped: list[TrackerProposal], tracker: TrackerProposal) -> str:
    if not tracker.accepted:
        return "left out by you"
    if tracker.entity is None:
        return tracker.reason
    other = next(t for t in mapped if t.entity == tracker.entity)
    return (
        f"a second {tracker.entity} tracker ({other.where} is mapped); a mapping holds one "
        "tracker per entity type: map this one in a pair of its own"
    )


def _entity(tracker: TrackerProposal) -> Table:
    table = tomlkit.table()
    table.add("type", tracker.entity)
    table["type"].comment(f"{'? ' if tracker.confidence < 0.6 else ''}{tracker.reason}")
    table.add("excel", _excel(tracker))
    if tracker.entity != "project":
        jira = tomlkit.inline_table()
        types = tracker.issue_types.issue_types if tracker.issue_types else ()
        jira["issue_type"] = types[0] if len(types) == 1 else list(types)
        table.add("jira", jira)
        if tracker.issue_types and tracker.issue_types.reason:
            table["jira"].comment(tracker.issue_types.reason)
    fields = tomlkit.array()
    fields.multiline(True)
    for column in tracker.columns:
        if column.field in (None, "key", "sync_id"):
            continue
        fields.add_line(_field(column), comment=_comment(column))
    for column in tracker.columns:
        if column.field is None:
            fields.add_line(
                comment=f"{column.letter} {column.header!r}: not synced ({column.reason})"
            )
    for suggestion in tracker.suggestions:
        fields.add_line(comment=f"Jira also has {suggestion}: add a column and map it to show it")
    table.add("field", fields)
    return table


def _excel(tracker: TrackerProposal) -> InlineTable:
    excel = tomlkit.inline_table()
    if tracker.table:
        excel["table"] = tracker.table
    else:
        excel["sheet"] = tracker.sheet
        excel["header_row"] = tracker.header_row
    if tracker.header_rows > 1:
        excel["header_rows"] = tracker.header_rows
    if tracker.column_range:
        excel["columns"] = tracker.column_range
    ids = tracker.id_headers
    if ids.get("key", "Jira Key") != "Jira Key":
        excel["key_column"] = ids["key"]
    if ids.get("sync_id", "Sync ID") != "Sync ID":
        excel["sync_id_column"] = ids["sync_id"]
    return excel


def _field(column: ColumnProposal) -> InlineTable:
    out = tomlkit.inline_table()
    out["name"] = column.field
    out["excel"] = column.header
    jira = column.jira
    if jira is not None and jira.jira:
        out["jira"] = jira.jira
    if jira is not None and jira.direction != "both":
        out["direction"] = jira.direction
    if column.value_map:
        out["value_map"] = column.value_map
        if column.excel_labels:
            labels = tomlkit.inline_table()
            for value, names in column.excel_labels.items():
                labels[str(value)] = list(names)
            out["excel_labels"] = labels
    if jira is not None and jira.jira_scale:
        out["jira_scale"] = jira.jira_scale
    if column.field == "summary":
        out["required"] = True
    return out


def _comment(column: ColumnProposal) -> str:
    parts = [f"{'? ' if column.doubtful else ''}{column.letter} {column.reason}"]
    parts.append(f"confidence {column.confidence:.2f}")
    if column.jira is not None and column.jira.reason:
        parts.append(column.jira.reason)
    if column.unknown_labels:
        parts.append(
            f"labels matching no {column.value_map} value: {', '.join(column.unknown_labels)}"
        )
    return "; ".join(parts)


def checked_mapping(text: str, source: str) -> MappingSpec:
    """The rendered text as a mapping, validated exactly as `pmo-sync sync` will load it."""
    return parse_mapping(text, source)


__all__ = ["checked_mapping", "mapping_name", "render_mapping"]
