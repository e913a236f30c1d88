"""Changing an issue's type with ``PUT /issue`` (``fields.issuetype``), as Jira allows it.

Jira changes the type in place only when no migration is needed: the new type belongs to the
project, sits at the same hierarchy level (no story <-> epic, no sub-task change) and its
workflow has the issue's current status. Anything else needs the Move wizard, and REST
answers 400 ``"The issue type selected is invalid."``.
"""

from __future__ import annotations

from typing import Any

from sandbox import values
from sandbox.catalog import Catalog
from sandbox.errors import JiraError
from sandbox.model import Issue
from sandbox.store import Store

INVALID = "The issue type selected is invalid."


def extract(catalog: Catalog, issue: Issue, body: Any) -> tuple[Any, str | None]:
    """Split ``fields.issuetype`` off an edit body: (rest of the body, new type id or None)."""
    if not isinstance(body, dict) or not isinstance(body.get("fields"), dict):
        return body, None
    if "issuetype" not in body["fields"]:
        return body, None
    fields = dict(body["fields"])
    raw = fields.pop("issuetype")
    rest = {**body, "fields": fields}
    target = catalog.issue_type(values.reference(raw, ("id", "name")))
    if target is None:
        raise JiraError(400, None, {"issuetype": INVALID})
    current_id = issue.fields["issuetype"]
    if target.id == current_id:
        return rest, None
    project = catalog.projects[issue.project_id]
    current = catalog.issue_types[current_id]
    workflow = catalog.workflows.get(target.id)
    if (
        target.id not in project.issue_type_ids
        or target.hierarchy_level != current.hierarchy_level
        or workflow is None
        or issue.fields["status"] not in workflow.status_ids()
    ):
        raise JiraError(400, None, {"issuetype": INVALID})
    return rest, target.id


def reindex(store: Store, issue: Issue, old_type: str) -> None:
    """Move the issue between the store's per-type indexes after its type changed."""
    new_type = issue.fields["issuetype"]
    if new_type == old_type:
        return
    with store.lock:
        store._by_type.get(old_type, set()).discard(issue.id)
        store._by_type.setdefault(new_type, set()).add(issue.id)
