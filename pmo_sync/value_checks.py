"""`pmo-sync check`, second half: the workbook's values against the Jira site.

The first half (checks.py) proves the trackers, columns, fields and issue types exist.
This half reads the rows and asks Jira what the first sync would otherwise find out one
failed write at a time:

- option values: every value a row holds in an option field (a category, a scale) has a
  label that is one of the Jira field's options on the project's create screen;
- transitions: the fields Jira's workflow requires on a transition (a change request's
  Decision Date on Approve) are mapped, and the rows moving there have them;
- drop-down lists: the rows hold only values their column's list allows;
- people: every person named in a user column resolves to exactly one Jira user (through
  ``[people]`` where given), or has a text fallback when ``unknown_people = "text"``.

Nothing is written; a request costs at most a few per project and issue type.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from connectors.excel import ExcelError
from connectors.excel.records import RecordsRead, read_records
from connectors.jira import JiraError
from connectors.jira.reader import JiraReader
from connectors.jira.site import JiraSiteContext
from connectors.jira.users import UnknownJiraUser
from connectors.jira.values import OPTION_KINDS
from mappings.config import Config, SyncPair
from mappings.errors import MappingsError
from mappings.mapping import EntityMapping, FieldMapping, MappingSpec
from mappings.values import fold
from pmo_sync.findings import Finding

SAMPLE = 100  # issues looked at to find one per status (transitions are asked per issue)


def check_values(
    config: Config, mappings: dict[str, MappingSpec], site: JiraSiteContext
) -> Iterator[Finding]:
    """Findings for every pair whose workbook can be read."""
    site.users.configure(config.people, config.sync.unknown_people)
    for pair in config.pairs:
        mapping = mappings.get(pair.name)
        if mapping is None:
            continue
        workbook = config.resolve(pair.workbook)
        wanted = set(pair.entities or ())
        for entity in mapping.entities:
            if entity.jira is None or (wanted and entity.type not in wanted):
                continue
            subject = f"{pair.name} [{entity.type}]"
            try:
                read = read_records(workbook, mapping, entity)
            except (ExcelError, OSError):
                continue  # the workbook checks already said why
            checker = _EntityCheck(config, pair, mapping, entity, read, site, subject)
            try:
                yield from checker.run()
            except JiraError as exc:
                yield Finding("warning", subject, f"value checks against Jira stopped: {exc}")


class _EntityCheck:
    def __init__(
        self,
        config: Config,
        pair: SyncPair,
        mapping: MappingSpec,
        entity: EntityMapping,
        read: RecordsRead,
        site: JiraSiteContext,
        subject: str,
    ) -> None:
        self.config, self.pair, self.mapping, self.entity = config, pair, mapping, entity
        self.read, self.site, self.subject = read, site, subject

    def run(self) -> Iterator[Finding]:
        found = [
            *self._lists(),
            *self._options(),
            *self._people(),
            *self._transitions(),
        ]
        yield from found
        if not any(f.level != "ok" for f in found):
            rows = len(self.read.rows)
            yield Finding("ok", self.subject, f"{rows} row(s): option values, lists and people")

    def _rows_with(self, name: str) -> dict[Any, list[int]]:
        """Canonical value -> the rows holding it."""
        out: dict[Any, list[int]] = defaultdict(list)
        for row in self.read.rows:
            value = getattr(row.record, name, None)
            if value is not None:
                out[value].append(row.row_number)
        return out

    def _lists(self) -> Iterator[Finding]:
        for name, style in self.read.styles.items():
            outside = sorted(label for label in style.seen if style.outside(label))
            if outside:
                header = self.entity.field(name).excel
                yield Finding(
                    "warning",
                    f"{self.subject}.{name}",
                    f"column {header!r} holds {', '.join(map(repr, outside))}, which its "
                    f"drop-down list ({style.list_source}) does not allow; fix the cells or "
                    "the list",
                )

    def _jira_field(self, mapped: FieldMapping) -> Any:
        return self.site.catalog.resolve(mapped.jira or "")

    def _options(self) -> Iterator[Finding]:
        assert self.entity.jira is not None
        for mapped in self.entity.fields:
            vmap = self.mapping.value_map(mapped, "jira")
            if vmap is None or not mapped.to_jira or mapped.name == "status":
                continue
            jf = self._jira_field(mapped)
            kind = jf.items if jf.schema_type == "array" else jf.schema_type
            if kind not in OPTION_KINDS:
                continue
            used = self._rows_with(mapped.name)
            for project in self.pair.projects:
                for issue_type in self.entity.jira.issue_types:
                    allowed = self.site.options.allowed(project, issue_type, jf.id)
                    if not allowed:
                        continue
                    folded = {fold(a) for a in allowed}
                    missing = [
                        value
                        for value in vmap.canonical_values
                        if fold(vmap.to_label(value, allowed=allowed)) not in folded
                    ]
                    shown = ", ".join(allowed[:12]) + (", ..." if allowed[12:] else "")
                    for value in missing:
                        labels = ", ".join(vmap.labels[value])
                        rows = used.get(value, [])
                        where = f"{self.subject}.{mapped.name}"
                        if rows:
                            yield Finding(
                                "error",
                                where,
                                f"{value!r} (rows {_rows(rows)}) has no Jira option in "
                                f"{project}/{issue_type}: none of its labels ({labels}) is one "
                                f"of {jf.name!r}'s options ({shown}); add jira_labels for it",
                            )
                        else:
                            yield Finding(
                                "warning",
                                where,
                                f"{value!r} would have no Jira option in {project}/{issue_type} "
                                f"(labels {labels}; {jf.name!r} offers {shown})",
                            )

    def _people(self) -> Iterator[Finding]:
        for mapped in self.entity.fields:
            if not mapped.to_jira:
                continue
            jf = self._jira_field(mapped)
            kind = jf.items if jf.schema_type == "array" else jf.schema_type
            if kind != "user":
                continue
            for person, rows in sorted(self._rows_with(mapped.name).items()):
                try:
                    self.site.users.reference(str(person))
                except UnknownJiraUser as exc:
                    text = self.site.users.unknown_people == "text" and mapped.jira_fallback
                    level = "warning" if text else "error"
                    then = f"; it is written to {mapped.jira_fallback!r} instead" if text else ""
                    yield Finding(
                        level, f"{self.subject}.{mapped.name}", f"rows {_rows(rows)}: {exc}{then}"
                    )

    def _transitions(self) -> Iterator[Finding]:
        """Fields Jira requires on the transitions into the statuses the rows want."""
        if "status" not in {f.name for f in self.entity.fields if f.to_jira}:
            return
        status_map = self.mapping.value_map(self.entity.field("status"), "jira")
        by_id = {
            self.site.catalog.resolve(f.jira).id: f
            for f in self.entity.fields
            if f.jira is not None and f.to_jira
        }
        seen: set[tuple[str, str]] = set()
        for key in self._one_issue_per_status():
            answer = self.site.http.get(
                f"issue/{key}/transitions", params={"expand": "transitions.fields"}
            )
            for transition in (answer or {}).get("transitions", []):
                target = str((transition.get("to") or {}).get("name", ""))
                for fid, meta in (transition.get("fields") or {}).items():
                    if not meta.get("required") or fid in ("resolution",) or (fid, target) in seen:
                        continue
                    seen.add((fid, target))
                    yield from self._required(transition, target, fid, meta, by_id, status_map)

    def _required(
        self,
        transition: dict[str, Any],
        target: str,
        fid: str,
        meta: dict[str, Any],
        by_id: dict[str, FieldMapping],
        status_map: Any,
    ) -> Iterator[Finding]:
        name = meta.get("name", fid)
        try:
            canonical = status_map.to_canonical(target) if status_map else target
        except (ValueError, MappingsError):
            return
        wanting = [r for r in self.read.rows if getattr(r.record, "status", None) == canonical]
        mapped = by_id.get(fid)
        move = f"the {transition.get('name')!r} transition (to {target})"
        if mapped is None:
            level = "error" if wanting else "warning"
            rows = (
                f"; rows {_rows([r.row_number for r in wanting])} want {target}" if wanting else ""
            )
            yield Finding(
                level,
                f"{self.subject}.status",
                f"{move} requires {name!r}, which the mapping does not map, so moving an "
                f"issue there fails{rows}; map {name!r} to a column",
            )
            return
        empty = [r.row_number for r in wanting if getattr(r.record, mapped.name, None) is None]
        if empty:
            yield Finding(
                "warning",
                f"{self.subject}.{mapped.name}",
                f"rows {_rows(empty)} want status {target}, whose {move} requires "
                f"{name!r}: fill column {mapped.excel!r} for them (issues still in another "
                "status cannot move there without it)",
            )

    def _one_issue_per_status(self) -> list[str]:
        reader = JiraReader(self.site, self.mapping)
        jql = reader.scope_jql(self.entity, self.pair.projects)
        keys: dict[str, str] = {}
        for seen, issue in enumerate(reader.pages(jql, ["status"]), start=1):
            status = str(((issue.get("fields") or {}).get("status") or {}).get("name", ""))
            keys.setdefault(status, str(issue["key"]))
            if seen >= SAMPLE:
                break  # the first page: the next request is never made
        return list(keys.values())


def _rows(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:8])
    return shown + (f" and {len(numbers) - 8} more" if numbers[8:] else "")
