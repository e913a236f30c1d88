"""Writing canonical records to Jira: field edits, status moves and bulk creates.

Edits are one PUT per issue carrying only the changed fields, so a human's concurrent edit
of another field is never overwritten. The edit screen (editmeta, cached per project and
entity) is consulted first: a field Jira would refuse is reported by name instead of
failing the whole edit or vanishing silently. Creates go 50 at a time through issue/bulk,
each issue carrying the `pmo-sync` entity property with the record's sync_id, so a create
whose answer was lost is found again by that id rather than created twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from connectors.jira.errors import JiraError, JiraUnreachable
from connectors.jira.links import LinkWriter, parse_keys
from connectors.jira.named_values import KINDS as PROJECT_LISTS
from connectors.jira.named_values import ProjectValues
from connectors.jira.reader import JiraReader
from connectors.jira.site import PROPERTY_KEY, JiraSiteContext
from connectors.jira.transitions import StatusMover
from connectors.jira.transport import JiraRequestError
from connectors.jira.users import UnknownJiraUser
from connectors.jira.values import OPTION_KINDS
from mappings.errors import MappingsError
from mappings.field_mapping import LINKS_FIELD
from mappings.mapping import EntityMapping, FieldMapping, MappingSpec

BULK_MAX = 50


@dataclass
class WriteOutcome:
    """What happened to one record: its key, and problems to show the user (if any)."""

    sync_id: str
    key: str | None = None
    issue_id: str | None = None
    problems: list[str] = field(default_factory=list)
    created: bool = False
    refused: bool = False
    """Jira answered that it did not create the issue (or it was never sent): nothing
    can turn up later, so a journaled intent for it is void."""

    @property
    def ok(self) -> bool:
        return self.key is not None and not self.problems


class JiraWriter:
    """Writes records of a mapping to one site."""

    def __init__(
        self, site: JiraSiteContext, spec: MappingSpec, lookup_delay: float | None = None
    ) -> None:
        """
        Args:
            lookup_delay: seconds to wait before looking up a create whose answer was lost,
                so Cloud's eventually consistent search shows it (default 5 on Cloud, 0 on
                Data Center, whose search is immediate).
        """
        self.site = site
        self.spec = spec
        if lookup_delay is None:
            lookup_delay = 5.0 if site.deployment == "cloud" else 0.0
        self.lookup_delay = lookup_delay
        self.mover = StatusMover(site)
        self.link_writer = LinkWriter(site.http, site.links)
        self.project_values = ProjectValues(site.http)
        self._editmeta: dict[tuple[str, str], set[str]] = {}

    # -- helpers ----------------------------------------------------------------------------
    def _payload(self, entity: EntityMapping, mapped: FieldMapping, record: Any) -> tuple[str, Any]:
        jf = self.site.catalog.resolve(mapped.jira or "")
        value = getattr(record, mapped.name)
        if jf.id in PROJECT_LISTS and value not in (None, ""):
            parts = [p.strip() for p in str(value).split(",") if p.strip()]
            names = self.project_values.ensure(
                str(record.project), jf.id, parts, mapped.create_missing, mapped.name
            )
            return jf.id, [{"name": name} for name in names]
        vmap = self.spec.value_map(mapped, "jira")
        allowed = None
        if vmap is not None and value is not None and _has_options(jf) and entity.jira:
            issue_type = self.issue_type_of(entity, record)
            allowed = self.site.options.allowed(record.project, issue_type, jf.id)
        return jf.id, self.site.converter.to_jira(jf, value, mapped, vmap, allowed)

    def _payloads(
        self, entity: EntityMapping, mapped: FieldMapping, record: Any
    ) -> list[tuple[str, Any]]:
        """The Jira fields one mapped field writes: itself, and for a person with a text
        fallback, the fallback too (the name when no Jira user matches it and the
        configuration says ``unknown_people = "text"``, else emptied)."""
        if mapped.jira_fallback is None:
            return [self._payload(entity, mapped, record)]
        fallback = self.site.catalog.resolve(mapped.jira_fallback).id
        try:
            fid, value = self._payload(entity, mapped, record)
        except UnknownJiraUser:
            if self.site.users.unknown_people != "text":
                raise
            fid = self.site.catalog.resolve(mapped.jira or "").id
            return [(fid, None), (fallback, str(getattr(record, mapped.name)))]
        return [(fid, value), (fallback, None)]

    def _screen(self, entity: EntityMapping, key: str) -> set[str]:
        """Field ids on the edit screen; one editmeta per project and entity per run."""
        cache_key = (key.rsplit("-", 1)[0], entity.type)
        if cache_key not in self._editmeta:
            meta = self.site.http.get(f"issue/{key}/editmeta")
            self._editmeta[cache_key] = set((meta or {}).get("fields", {}))
        return self._editmeta[cache_key]

    def _field_value_for(self, entity: EntityMapping, record: Any) -> Any:
        by_id = {}
        for mapped in entity.fields:
            if mapped.jira is not None and mapped.name != "status":
                by_id[self.site.catalog.resolve(mapped.jira).id] = mapped

        def value(fid: str) -> Any:
            mapped = by_id.get(fid)
            if mapped is None or getattr(record, mapped.name, None) is None:
                return None
            return self._payload(entity, mapped, record)[1]

        return value

    # -- edits ------------------------------------------------------------------------------
    def update(
        self,
        entity: EntityMapping,
        record: Any,
        changed: Iterable[str],
        current_status: str | None = None,
    ) -> WriteOutcome:
        """PUT the changed mapped fields of ``record`` (one request), then move its status.

        Args:
            changed: canonical field names whose values differ from Jira's.
            current_status: the Jira status name last read, needed when status changed.
        """
        outcome = WriteOutcome(str(record.sync_id), record.key)
        if not record.key:
            outcome.problems.append(f"{record.summary!r}: no Jira key yet; create it instead")
            return outcome
        key = str(record.key)
        fields: dict[str, Any] = {}
        links: list[FieldMapping] = []
        names = set(changed)
        try:
            screen = None
            mapped_names = {f.name for f in entity.fields}
            for name in sorted(names - {"status"}):
                if name not in mapped_names:
                    outcome.problems.append(f"{key}: {name} is not mapped to a Jira field")
                    continue
                mapped = entity.field(name)
                if not mapped.to_jira:
                    continue
                screen = screen if screen is not None else self._screen(entity, key)
                if mapped.link is not None:
                    links.append(mapped)
                    continue
                for fid, value in self._payloads(entity, mapped, record):
                    if screen and fid not in screen:  # empty: no edit permission (403)
                        outcome.problems.append(
                            f"{key}: {self.site.catalog.resolve(fid).name!r} is not on the "
                            f"issue's edit screen, so {name} was not written; add the field "
                            "to the screen in Jira"
                        )
                        continue
                    fields[fid] = value
            if fields:
                self.site.http.put(f"issue/{key}", {"fields": fields})
            for mapped in links:
                self._write_links(key, mapped, record, screen or set(), outcome)
            if "status" in names and "status" in mapped_names and entity.field("status").to_jira:
                self._move_status(entity, record, current_status)
        except (JiraError, MappingsError, ValueError) as exc:
            message = str(exc)
            outcome.problems.append(message if message.startswith(key) else f"{key}: {message}")
        return outcome

    def _write_links(
        self, key: str, mapped: FieldMapping, record: Any, screen: set[str], outcome: WriteOutcome
    ) -> None:
        """Make the issue's links of the mapped type and side the keys the record lists."""
        if screen and LINKS_FIELD not in screen:
            outcome.problems.append(
                f"{key}: Jira does not offer issue links on this issue's edit screen (issue "
                f"linking off, or no Link Issues permission), so {mapped.name} was not written"
            )
            return
        wanted = parse_keys(getattr(record, mapped.name, None), mapped.name)
        self.link_writer.apply(key, mapped.link or "", wanted)

    def _move_status(self, entity: EntityMapping, record: Any, current: str | None) -> None:
        mapped = entity.field("status")
        vmap = self.spec.value_map(mapped, "jira")
        key = str(record.key)
        if current is None:
            current = self.site.http.get(f"issue/{key}", params={"fields": "status"})["fields"][
                "status"
            ]["name"]

        def is_target(status: str) -> bool:
            if vmap is None:
                return status.casefold() == str(record.status).casefold()
            try:
                return bool(vmap.to_canonical(status) == record.status)
            except ValueError:
                return False

        issue_type = self.issue_type_of(entity, record) if entity.jira else entity.type
        self.mover.move(key, issue_type, current, is_target, self._field_value_for(entity, record))

    # -- creates ----------------------------------------------------------------------------
    def issue_type_of(self, entity: EntityMapping, record: Any) -> str:
        """The entity's issue type a record is (or becomes): the one its field mapped to
        `issuetype` names (a status tracker's Story row becomes a Story, not an Epic), else
        the mapping's first type."""
        assert entity.jira is not None
        types = entity.jira.issue_types
        for mapped in entity.fields:
            if (mapped.jira or "").strip().casefold() != "issuetype":
                continue
            value = getattr(record, mapped.name, None)
            vmap = self.spec.value_map(mapped, "jira")
            for issue_type in types:
                try:
                    canonical = vmap.to_canonical(issue_type) if vmap else issue_type
                except ValueError:
                    continue
                if value is not None and str(canonical).casefold() == str(value).casefold():
                    return issue_type
        return types[0]

    def _create_body(self, entity: EntityMapping, record: Any) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "project": {"key": record.project},
            "issuetype": {"name": self.issue_type_of(entity, record)},
        }
        for mapped in entity.fields:
            if not mapped.to_jira or mapped.name == "status" or mapped.link is not None:
                continue  # links are added once the issue exists (create)
            if getattr(record, mapped.name, None) is None:
                continue
            for fid, value in self._payloads(entity, mapped, record):
                if value is not None:
                    fields[fid] = value
        return {
            "fields": fields,
            "properties": [{"key": PROPERTY_KEY, "value": {"sync_id": str(record.sync_id)}}],
        }

    def create(self, entity: EntityMapping, records: Sequence[Any]) -> list[WriteOutcome]:
        """Create issues for ``records`` (each with a project) in chunks of 50.

        A chunk whose answer is lost is looked up by sync_id, and only the records not
        found are sent again, so no issue is created twice.
        """
        if entity.jira is None:
            raise JiraError(f"entity {entity.type!r} has no Jira scope in the mapping")
        outcomes: list[WriteOutcome] = []
        for start in range(0, len(records), BULK_MAX):
            chunk = records[start : start + BULK_MAX]
            outcomes.extend(self._create_chunk(entity, chunk))
        for record, outcome in zip(records, outcomes, strict=True):
            default = type(record).model_fields["status"].default
            wants_status = "status" in {f.name for f in entity.fields if f.to_jira}
            later = [
                f.name
                for f in entity.fields
                if f.to_jira and f.link is not None and getattr(record, f.name, None)
            ]
            if outcome.key and wants_status and record.status != default:
                later.append("status")
            if outcome.key and later:
                moved = self.update(entity, record.model_copy(update={"key": outcome.key}), later)
                outcome.problems.extend(moved.problems)
        return outcomes

    def _create_chunk(
        self, entity: EntityMapping, chunk: Sequence[Any], retry: bool = True
    ) -> list[WriteOutcome]:
        outcomes = [WriteOutcome(str(r.sync_id)) for r in chunk]
        bodies: list[dict[str, Any]] = []
        sent: list[int] = []
        for index, record in enumerate(chunk):
            try:
                if not record.project:
                    raise ValueError("the record has no project key, so no Jira project")
                bodies.append(self._create_body(entity, record))
                sent.append(index)
            except (JiraError, MappingsError, ValueError) as exc:
                outcomes[index].problems.append(f"{record.summary!r}: {exc}")
                outcomes[index].refused = True
        if not bodies:
            return outcomes
        started = datetime.now().astimezone()
        try:
            answer = self.site.http.post("issue/bulk", {"issueUpdates": bodies})
        except JiraRequestError as exc:
            bulk_errors = isinstance(exc.body, dict) and isinstance(exc.body.get("errors"), list)
            if exc.status == 400 and bulk_errors:  # every element failed: same shape as 201
                answer = exc.body
            elif exc.status < 500:
                for index in sent:
                    outcomes[index].problems.append(str(exc))
                    outcomes[index].refused = True
                return outcomes
            else:
                answer = None
        except JiraUnreachable:
            answer = None
        if answer is None:  # lost or failed answer: find what was created, send the rest
            if self.lookup_delay:
                self.site.http.policy.sleep(self.lookup_delay)
            found = self.find_by_sync_ids(entity, [chunk[i] for i in sent], since=started)
            missing = [i for i in sent if str(chunk[i].sync_id) not in found]
            for index in sent:
                if str(chunk[index].sync_id) in found:
                    outcomes[index].key = found[str(chunk[index].sync_id)]
                    outcomes[index].created = True
            if missing and retry:
                again = self._create_chunk(entity, [chunk[i] for i in missing], False)
                for index, outcome in zip(missing, again, strict=True):
                    outcomes[index] = outcome
            elif missing:
                for index in missing:
                    outcomes[index].problems.append("create failed twice (no answer from Jira)")
            return outcomes
        failed: dict[int, str] = {}
        for error in answer.get("errors", []):
            element = error.get("elementErrors") or {}
            detail = "; ".join(
                [
                    *element.get("errorMessages", []),
                    *(f"{k}: {v}" for k, v in (element.get("errors") or {}).items()),
                ]
            )
            failed[int(error["failedElementNumber"])] = detail or f"status {error.get('status')}"
        created = iter(answer.get("issues", []))
        for position, index in enumerate(sent):
            if position in failed:
                outcomes[index].problems.append(
                    f"{chunk[index].summary!r}: Jira refused the create: {failed[position]}"
                )
                outcomes[index].refused = True
            else:
                issue = next(created)
                outcomes[index].key = str(issue["key"])
                outcomes[index].issue_id = str(issue["id"])
                outcomes[index].created = True
        return outcomes

    def find_by_sync_ids(
        self, entity: EntityMapping, records: Sequence[Any], since: datetime
    ) -> dict[str, str]:
        """sync_id -> key of issues in scope created since ``since`` carrying those ids.

        The sandbox's JQL has no issue.property[...] clause, so recently created issues in
        scope are searched with the property in the results and matched here. The
        mapping's extra JQL is left out: an issue it would admit only once a later step
        has run (a register of blocked work, whose links are added after the create) must
        still be found, and the sync id is what identifies it.
        """
        wanted = {str(r.sync_id) for r in records}
        projects = sorted({str(r.project) for r in records})
        reader = JiraReader(self.site, self.spec)
        jql = reader.scope_jql(entity, projects, extra=False)
        start = (since - timedelta(minutes=2)).astimezone(self.site.time_zone)
        jql = f'{jql} AND created >= "{start:%Y-%m-%d %H:%M}"'
        found: dict[str, str] = {}
        for issue in reader.pages(jql, ["created"]):  # created: a small payload
            prop = (issue.get("properties") or {}).get(PROPERTY_KEY) or {}
            sync_id = str(prop.get("sync_id", ""))
            if sync_id in wanted:
                found[sync_id] = str(issue["key"])
        return found


def _has_options(field: Any) -> bool:
    """A field whose values are a fixed list of options (a select, priority, ...)."""
    kind = field.items if field.schema_type == "array" else field.schema_type
    return kind in OPTION_KINDS
