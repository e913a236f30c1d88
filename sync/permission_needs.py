"""Which Jira permissions a plan's writes need, per project.

An edit needs Edit Issues, a status change Transition Issues, a create Create Issues,
and a change of a link field (``jira = "issuelinks"``) Link Issues; every one needs
Browse Projects. Kept apart from the applier so `pmo-sync check` and the sync ask for
the same set.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from connectors.jira.permissions import BROWSE, CREATE, EDIT, LINK, TRANSITION
from mappings.mapping import EntityMapping
from sync.outcome import EntityRun


def mapping_permissions(entity: EntityMapping) -> set[str]:
    """Everything a sync of the entity may need: what `pmo-sync check` verifies."""
    writes = [f for f in entity.fields if f.to_jira]
    needed = {BROWSE}
    if writes:
        needed |= {CREATE, EDIT}
    if any(f.name == "status" for f in writes):
        needed.add(TRANSITION)
    if any(f.link is not None for f in writes):
        needed.add(LINK)
    return needed


def needed_permissions(run: EntityRun, projects: Sequence[str]) -> dict[str, set[str]]:
    """project key -> the permissions this run's Jira operations need there."""
    links = {f.name for f in run.entity.fields if f.link is not None}
    status_written = any(f.name == "status" and f.to_jira for f in run.entity.fields)
    rows = {r.row_number: r for r in run.excel.rows}
    out: dict[str, set[str]] = defaultdict(lambda: {BROWSE})
    for op in run.plan.operations:
        if op.kind in ("jira_edit", "jira_close") and op.key:
            names = {c.name for c in op.changes} if op.kind == "jira_edit" else {"status"}
            need = out[op.key.rsplit("-", 1)[0]]
            if names - {"status"} - links:
                need.add(EDIT)
            if "status" in names:
                need.add(TRANSITION)
            if names & links:
                need.add(LINK)
        elif op.kind == "jira_create" and op.row is not None and op.row in rows:
            record = rows[op.row].record
            project = record.project or (projects[0] if len(projects) == 1 else None)
            if project is None:
                continue  # the writer refuses it, naming the missing project
            need = out[str(project)]
            need.add(CREATE)
            if status_written:
                need.add(TRANSITION)
            if any(getattr(record, name, None) for name in links):
                need.add(LINK)
    return dict(out)
