"""Translate Jira's write bodies (``fields`` + ``update`` operations) into internal changes.

Create, edit, bulk create and transitions all accept the IssueUpdateDetails shape; this
module validates it against the screen that applies (create/edit screen of the issue type,
or the transition screen) and collects every field error before answering, as Jira does.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sandbox import links, values
from sandbox.app import App, Request
from sandbox.errors import JiraError, field_not_on_screen
from sandbox.model import Issue
from sandbox.richtext import is_adf, wiki_to_adf


def comment_body(app: App, req: Request, raw: Any) -> dict[str, Any]:
    """A comment body from v2 wiki text or v3 ADF; 400 if empty or the wrong type."""
    if req.api == "3":
        if not is_adf(raw):
            raise JiraError(
                400,
                None,
                {
                    "comment": "Operation value must be an Atlassian Document (see the Atlassian "
                    "Document Format)"
                },
            )
        if not raw.get("content"):
            raise JiraError(400, None, {"comment": "Comment body can not be empty!"})
        return raw
    if not isinstance(raw, str):
        raise JiraError(400, None, {"comment": "Operation value must be a string"})
    doc = wiki_to_adf(raw)
    if doc is None:
        raise JiraError(400, None, {"comment": "Comment body can not be empty!"})
    return doc


def parse_update(
    app: App,
    req: Request,
    body: Any,
    *,
    screen: set[str],
    current: Issue | None,
    project_id: str | None = None,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Validate ``fields``/``update`` against ``screen``; return changes and new comments.

    ``update.issuelinks`` adds come back as ``changes["issuelinks"]``: links to create once
    the issue exists (see ``links.apply_ops``), not a field value.
    """
    if not isinstance(body, dict):
        raise JiraError(400, "Can not deserialize the request body: expected a JSON object.")
    # Versions and components are named per project: resolve them in the issue's.
    project_id = project_id or (current.project_id if current else None)
    ctx = dataclasses.replace(app.ctx(req.api), project_id=project_id)
    cat = app.store.catalog
    errors: dict[str, str] = {}
    changes: dict[str, Any] = {}
    comments: list[dict[str, Any]] = []
    fields = body.get("fields") or {}
    update = body.get("update") or {}
    if not isinstance(fields, dict) or not isinstance(update, dict):
        raise JiraError(400, "Can not deserialize the request body: 'fields' must be an object.")

    def lookup(ident: str) -> Issue | None:
        return app.store.find(ident)

    for key, raw in fields.items():
        fd = cat.fields.get(key)
        if fd is None or key not in screen:
            errors[key] = field_not_on_screen(key)
            continue
        try:
            changes[key] = values.parse_value(fd, raw, ctx, lookup)
        except JiraError as err:
            errors.update(err.errors)
    for key, ops in update.items():
        if key == "comment":
            if not isinstance(ops, list):
                errors[key] = "Operations must be a list."
                continue
            for op in ops:
                add = op.get("add") if isinstance(op, dict) else None
                if not isinstance(add, dict):
                    errors[key] = 'A comment operation must be {"add": {"body": ...}}.'
                    break
                try:
                    comments.append(comment_body(app, req, add.get("body")))
                except JiraError as err:
                    errors.update(err.errors)
            continue
        fd = cat.fields.get(key)
        if fd is None or key not in screen:
            errors[key] = field_not_on_screen(key)
            continue
        if fd.kind == "issuelinks":
            try:
                changes[key] = links.parse_ops(cat, ops, lookup, current.id if current else None)
            except JiraError as err:
                errors.update(err.errors)
            continue
        if not isinstance(ops, list):
            errors[key] = "Operations must be a list."
            continue
        value = changes.get(key, current.fields.get(key) if current else None)
        for op in ops:
            if not isinstance(op, dict) or len(op) != 1:
                errors[key] = "Each operation must be an object with one verb."
                break
            verb, raw = next(iter(op.items()))
            try:
                value = _apply_op(fd, verb, raw, value, ctx, lookup)
            except JiraError as err:
                errors.update(err.errors)
                break
        else:
            changes[key] = value
    if errors:
        raise JiraError(400, None, errors)
    return changes, comments


def _apply_op(fd: Any, verb: str, raw: Any, value: Any, ctx: Any, lookup: Any) -> Any:
    multi = fd.kind in ("labels", "multiselect", "multiuser", "versions", "components")
    if verb == "set":
        return values.parse_value(fd, raw, ctx, lookup)
    if verb in ("add", "remove") and multi:
        item = values.parse_value(fd, [raw], ctx, lookup)[0]
        current = list(value or [])
        if verb == "add":
            return current if item in current else [*current, item]
        return [v for v in current if v != item]
    raise JiraError(400, None, {fd.id: f"Operation '{verb}' is not supported for this field."})
