"""JQL ``ORDER BY``: a sort key per field kind (Jira's orders: priorities by rank, options
by their position, users and statuses by name, versions by first name, links by count)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox.catalog import STATUS_CATEGORIES
from sandbox.jql import relations, worklogs
from sandbox.jql.context import Env, is_empty, resolve_field
from sandbox.jql.errors import JqlError
from sandbox.model import Issue
from sandbox.richtext import plain_text


def sort_key(name: str, env: Env) -> Callable[[Issue], Any]:
    """The sort key of ``ORDER BY name``: empty values sort last in ascending order."""
    kind, fd = resolve_field(name, env)
    if kind in worklogs.KINDS:
        raise JqlError(f"Field '{name}' does not support sorting.")
    cat = env.catalog
    fid = fd.id if fd else kind

    def wrap(fn: Callable[[Issue], Any]) -> Callable[[Issue], Any]:
        def key(i: Issue) -> Any:
            v = fn(i)
            return (1, 0) if is_empty(v) else (0, v)

        return key

    if kind in relations.KINDS:
        return relations.sort_key(kind, fd, env)
    # Each key gets its own stable sort pass, so keys that are never empty can be plain values
    # (cheaper to compare than the (is_empty, value) pairs the other fields need).
    if kind == "key":
        return lambda i: (i.key.split("-")[0], int(i.key.split("-")[1]))
    if fid in ("created", "updated"):
        return lambda i: i.fields[fid]
    if kind == "statusCategory":
        return lambda i: STATUS_CATEGORIES[cat.statuses[i.fields["status"]].category_key].id
    if kind == "priority":
        ranks = {pid: -n for n, pid in enumerate(cat.priorities)}
        return wrap(lambda i: ranks.get(i.fields.get("priority")))
    if kind == "project":
        return wrap(lambda i: cat.projects[i.project_id].key)
    if kind in ("status", "issuetype"):
        table = cat.statuses if kind == "status" else cat.issue_types
        return wrap(lambda i: table[i.fields[fid]].name.lower())
    if kind in ("user", "multiuser"):

        def user_name(i: Issue) -> Any:
            v = i.fields.get(fid)
            first = v[0] if isinstance(v, list) and v else v
            return cat.users[first].display_name.lower() if first in cat.users else None

        return wrap(user_name)
    if kind in ("select", "multiselect"):
        assert fd is not None
        ranks = {o.id: n for n, o in enumerate(fd.options)}

        def option_rank(i: Issue) -> Any:
            v = i.fields.get(fid)
            first = v[0] if isinstance(v, list) and v else v
            return ranks.get(first) if first is not None else None

        return wrap(option_rank)
    if kind == "richtext":
        return wrap(lambda i: plain_text(i.fields.get(fid)).lower())
    if kind == "labels":
        return wrap(lambda i: " ".join(sorted(i.fields.get("labels") or [])))
    if kind == "string":
        return wrap(lambda i: (i.fields.get(fid) or "").lower())
    return wrap(lambda i: i.fields.get(fid))
