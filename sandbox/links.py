"""Issue links: each issue's ``issuelinks`` value, link writes, and their changelog items.

A link has a source and a destination; the source reads the type's ``outward`` description
("ALPHA-1 blocks ALPHA-2") and the destination its ``inward`` one ("ALPHA-2 is blocked by
ALPHA-1"). Each issue stores its side of every link as ``{"id", "type", "dir", "issue",
"key"}`` (``dir`` "outward" on the source), so rendering, JQL and persistence need nothing
but the issue itself. Both sides are written through ``Store.edit``, which gives the link
a "Link" changelog item and a new ``updated`` on each issue, as Jira does.

In ``POST /issueLink`` Jira names the source ``inwardIssue`` and the destination
``outwardIssue`` ("inwardIssue blocks outwardIssue"); in an issue's own ``issuelinks`` the
other issue is ``outwardIssue`` when this issue is the source. Both conventions are Jira's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox import render
from sandbox.catalog import Catalog
from sandbox.errors import JiraError, not_found
from sandbox.model import ChangeItem, Issue, IssueLinkType

if TYPE_CHECKING:
    from collections.abc import Callable

    from sandbox.store import Store

FIELD = "issuelinks"
SELF_LINK = "You cannot link an issue to itself."


def link_type_json(t: IssueLinkType, ctx: render.Ctx) -> dict[str, Any]:
    """An IssueLinkType."""
    return {
        "id": t.id,
        "name": t.name,
        "inward": t.inward,
        "outward": t.outward,
        "self": ctx.rest(f"issueLinkType/{t.id}"),
    }


def find_type(cat: Catalog, ref: Any) -> IssueLinkType:
    """A link type from ``{"name": ...}`` or ``{"id": ...}`` (404 in Jira's words if unknown)."""
    if not isinstance(ref, dict):
        raise JiraError(400, "The issue link type must be given by 'name' or 'id'.")
    ident, name = ref.get("id"), ref.get("name")
    if isinstance(ident, str | int) and not isinstance(ident, bool) and str(ident):
        found = cat.link_types.get(str(ident))
        if found is None:
            raise JiraError(404, f"No issue link type with id '{ident}' found.")
        return found
    if isinstance(name, str) and name:
        for t in cat.link_types.values():
            if t.name.lower() == name.lower():
                return t
        raise JiraError(404, f"No issue link type with name '{name}' found.")
    raise JiraError(400, "The issue link type must be given by 'name' or 'id'.")


def linked_issue_json(issue: Issue, ctx: render.Ctx) -> dict[str, Any]:
    """A LinkedIssue: the other issue's id, key and the few fields Jira shows beside a link."""
    cat = ctx.catalog
    fields: dict[str, Any] = {
        "summary": issue.fields.get("summary"),
        "status": render.status_json(cat.statuses[issue.fields["status"]], ctx),
    }
    if issue.fields.get("priority"):
        fields["priority"] = render.priority_json(cat.priorities[issue.fields["priority"]], ctx)
    fields["issuetype"] = render.issue_type_json(cat.issue_types[issue.fields["issuetype"]], ctx)
    return {
        "id": str(issue.id),
        "key": issue.key,
        "self": ctx.rest(f"issue/{issue.id}"),
        "fields": fields,
    }


def render_value(
    value: Any, ctx: render.Ctx, lookup: Callable[[str], Issue | None]
) -> list[dict[str, Any]]:
    """An issue's ``issuelinks``: each link from its side, the other issue as Jira shows it."""
    out = []
    for entry in value or []:
        other = lookup(str(entry["issue"]))
        link_type = ctx.catalog.link_types.get(entry["type"])
        if other is None or link_type is None:
            continue
        side = "outwardIssue" if entry["dir"] == "outward" else "inwardIssue"
        out.append(
            {
                "id": entry["id"],
                "self": ctx.rest(f"issueLink/{entry['id']}"),
                "type": link_type_json(link_type, ctx),
                side: linked_issue_json(other, ctx),
            }
        )
    return out


def link_json(
    link_id: str, type_id: str, source: Issue, dest: Issue, ctx: render.Ctx
) -> dict[str, Any]:
    """``GET /issueLink/{id}``: the source as ``inwardIssue``, the destination as outward."""
    return {
        "id": link_id,
        "self": ctx.rest(f"issueLink/{link_id}"),
        "type": link_type_json(ctx.catalog.link_types[type_id], ctx),
        "inwardIssue": linked_issue_json(source, ctx),
        "outwardIssue": linked_issue_json(dest, ctx),
    }


def _phrase(cat: Catalog, entry: dict[str, Any]) -> str:
    t = cat.link_types.get(entry["type"])
    verb = (t.outward if entry["dir"] == "outward" else t.inward) if t else "is linked to"
    return f"This issue {verb} {entry['key']}"


def changelog_items(cat: Catalog, fid: str, old: Any, new: Any) -> list[ChangeItem]:
    """ "Link" items as Jira writes them: to ``ALPHA-2`` / "This issue blocks ALPHA-2"."""
    before = {e["id"]: e for e in old or []}
    after = {e["id"]: e for e in new or []}
    items = [
        ChangeItem("Link", fid, "jira", e["key"], _phrase(cat, e), None, None)
        for lid, e in before.items()
        if lid not in after
    ]
    items += [
        ChangeItem("Link", fid, "jira", None, None, e["key"], _phrase(cat, e))
        for lid, e in after.items()
        if lid not in before
    ]
    return items


# ---------------------------------------------------------------------------------------
# writes
# ---------------------------------------------------------------------------------------
def _entries(issue: Issue) -> list[dict[str, Any]]:
    return list(issue.fields.get(FIELD) or [])


def link(store: Store, source: Issue, dest: Issue, type_id: str, author: str) -> str:
    """Link ``source`` to ``dest``; an identical existing link is kept (its id returned)."""
    if source.id == dest.id:
        raise JiraError(400, SELF_LINK)
    with store.lock:
        for e in _entries(source):
            if e["dir"] == "outward" and e["type"] == type_id and e["issue"] == dest.id:
                return str(e["id"])
        store.next_entity_id += 1
        link_id = str(store.next_entity_id)
        when = store.now_ms()
        out = {"id": link_id, "type": type_id, "dir": "outward", "issue": dest.id, "key": dest.key}
        back = {"id": link_id, "type": type_id, "dir": "inward", "issue": source.id}
        back["key"] = source.key
        store.edit(source, {FIELD: [*_entries(source), out]}, author, at=when)
        store.edit(dest, {FIELD: [*_entries(dest), back]}, author, at=when)
        return link_id


def find(store: Store, link_id: str) -> tuple[Issue, Issue, str] | None:
    """``(source, destination, type id)`` of a link, by scanning issues (links are few)."""
    for issue in store.issues.values():
        for e in issue.fields.get(FIELD) or ():
            if e["id"] == link_id:
                other = store.issues.get(e["issue"])
                if other is None:
                    return None
                if e["dir"] == "outward":
                    return issue, other, e["type"]
                return other, issue, e["type"]
    return None


def get(store: Store, link_id: str) -> tuple[Issue, Issue, str]:
    """A link or Jira's 404."""
    found = find(store, link_id)
    if found is None:
        raise not_found(f"No issue link with id '{link_id}' exists.")
    return found


def unlink(store: Store, link_id: str, author: str, *, skip: Issue | None = None) -> None:
    """Remove a link from both issues (``skip``: an issue about to be deleted, left as is)."""
    with store.lock:
        source, dest, _ = get(store, link_id)
        when = store.now_ms()
        for issue in (source, dest):
            if issue is skip:
                continue
            kept = [e for e in _entries(issue) if e["id"] != link_id]
            store.edit(issue, {FIELD: kept}, author, at=when)


def unlink_all(store: Store, issue: Issue, author: str) -> None:
    """Before deleting ``issue``: remove its links, logging the removal on the other issues."""
    with store.lock:
        for e in _entries(issue):
            if find(store, str(e["id"])) is not None:
                unlink(store, str(e["id"]), author, skip=issue)


def parse_ops(
    cat: Catalog, ops: Any, lookup: Callable[[str], Issue | None], self_id: int | None = None
) -> list[tuple[str, str, Issue]]:
    """``update.issuelinks`` ``add`` operations as ``(type id, dir, other issue)``.

    ``{"add": {"type": ..., "outwardIssue": {"key": X}}}`` makes this issue the source
    ("this issue blocks X"); ``inwardIssue`` makes it the destination. Errors are 400s on
    ``issuelinks``, like Jira's field errors.
    """

    def fail(msg: str) -> JiraError:
        return JiraError(400, None, {FIELD: msg})

    if not isinstance(ops, list):
        raise fail("Operations must be a list.")
    out = []
    for op in ops:
        add = op.get("add") if isinstance(op, dict) and len(op) == 1 else None
        if not isinstance(add, dict):
            raise fail("Operation 'add' is the only one supported for this field.")
        try:
            link_type = find_type(cat, add.get("type"))
        except JiraError as err:
            raise fail(err.messages[0]) from None
        direction = "outward" if "outwardIssue" in add else "inward"
        ref = add.get(f"{direction}Issue")
        ident = (ref.get("key") or ref.get("id")) if isinstance(ref, dict) else None
        other = lookup(str(ident)) if isinstance(ident, str | int) and ident != "" else None
        if other is None:
            raise fail(f"Could not find issue by id or key: {ident}")
        if self_id is not None and other.id == self_id:
            raise fail(SELF_LINK)
        out.append((link_type.id, direction, other))
    return out


def apply_ops(store: Store, issue: Issue, ops: list[tuple[str, str, Issue]], author: str) -> None:
    """Create the links ``parse_ops`` validated, with ``issue`` on the side each names."""
    for type_id, direction, other in ops:
        if direction == "outward":
            link(store, issue, other, type_id, author)
        else:
            link(store, other, issue, type_id, author)
