"""Issue JSON: fields selection, ``expand``, ``properties``, and a per-version cache.

Rendering all fields of an issue is the expensive part of a search page, so the rendered
field map is cached per (issue id, issue version, API version); a page then only picks the
requested keys. Field selection follows Jira: ``*all``, ``*navigable``, explicit ids, and
``-id`` exclusions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox import html, render, timetracking, values
from sandbox.errors import JiraError
from sandbox.model import ChangeGroup, ChangeItem, Comment, FieldDef, Issue, TransitionDef

ISSUE_EXPAND = "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations"
_CACHE_LIMIT = 60_000


def split_param(raw: Any, name: str = "parameter") -> list[str]:
    """Jira accepts list parameters repeated or comma-separated; accept both (400 otherwise)."""
    if raw is None:
        return []
    if isinstance(raw, str):
        items: list[Any] = [raw]
    elif isinstance(raw, list) and all(
        isinstance(x, str | int) and not isinstance(x, bool) for x in raw
    ):
        items = raw
    else:
        raise JiraError(400, f"'{name}' must be a string or a list of strings.")
    out: list[str] = []
    for item in items:
        out.extend(p.strip() for p in str(item).split(",") if p.strip())
    return out


class IssueRenderer:
    """Renders issues for one server (base URL, deployment, time zone)."""

    def __init__(self, make_ctx: Callable[[str], render.Ctx], lookup: values.IssueLookup) -> None:
        self._make_ctx = make_ctx
        self._lookup = lookup
        self._cache: dict[tuple[int, int, str], dict[str, Any]] = {}

    def clear_cache(self) -> None:
        """Forget rendered issues (after a change that affects every payload)."""
        self._cache.clear()

    def ctx(self, api: str) -> render.Ctx:
        """The rendering context for an API version."""
        return self._make_ctx(api)

    # -- field selection ------------------------------------------------------------------
    def select_fields(self, requested: list[str], default: str) -> list[str] | None:
        """Resolve a ``fields`` parameter to field ids (None means "only the id")."""
        cat = self.ctx("2").catalog
        items = requested or [default]
        include: list[str] = []
        exclude: set[str] = set()
        for item in items:
            if item.startswith("-"):
                exclude.add(item[1:])
            else:
                include.append(item)
        if not include:
            include = [default]
        chosen: list[str] = []
        only_id = True
        for item in include:
            if item == "*all":
                chosen.extend(cat.fields)
                only_id = False
            elif item == "*navigable":
                chosen.extend(f.id for f in cat.fields.values() if f.navigable)
                only_id = False
            elif item in ("id", "*none"):
                continue
            elif item == "key":
                only_id = False  # the envelope (id, key, self) with no fields
            else:
                fd = cat.fields.get(item)
                only_id = False
                if fd is not None:
                    chosen.append(fd.id)
        if only_id and not exclude:
            return None
        return [f for f in dict.fromkeys(chosen) if f not in exclude]

    # -- issue JSON ---------------------------------------------------------------------------
    def all_fields(self, issue: Issue, api: str) -> dict[str, Any]:
        """Every field of ``issue`` rendered for ``api`` (cached per version)."""
        key = (issue.id, issue.version, api)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        ctx = self.ctx(api)
        out: dict[str, Any] = {}
        for fid, fd in ctx.catalog.fields.items():
            if fd.kind == "comment":
                out[fid] = self.comments_page(issue, ctx)
            elif fd.kind in timetracking.COMPUTED_KINDS:  # timetracking, aggregates, worklog
                out[fid] = timetracking.render_field(fd, issue, ctx)
            else:
                out[fid] = values.render_value(fd, issue.fields.get(fid), ctx, self._lookup)
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[key] = out
        return out

    def issue_json(
        self,
        issue: Issue,
        api: str,
        fields: list[str] | None,
        expand: set[str] | None = None,
        properties: list[str] | None = None,
        *,
        transitions: Callable[[Issue], list[TransitionDef]] | None = None,
        editmeta: Callable[[Issue, str], dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """An IssueBean; ``fields=None`` gives only the id, as ``search/jql`` does by default."""
        expand = expand or set()
        ctx = self.ctx(api)
        if fields is None and not expand and not properties:
            return {"id": str(issue.id)}
        rendered = self.all_fields(issue, api)
        chosen = fields or []
        out: dict[str, Any] = {
            "expand": ISSUE_EXPAND,
            "id": str(issue.id),
            "self": ctx.rest(f"issue/{issue.id}"),
            "key": issue.key,
        }
        out["fields"] = {f: rendered[f] for f in chosen if f in rendered}
        if "issuelinks" in out["fields"]:
            # Shows the linked issues' summary and status: render it now, not from the cache.
            fd = ctx.catalog.fields["issuelinks"]
            out["fields"]["issuelinks"] = values.render_value(
                fd, issue.fields.get("issuelinks"), ctx, self._lookup
            )
        if "names" in expand:
            out["names"] = {f: ctx.catalog.fields[f].name for f in chosen}
        if "schema" in expand:
            out["schema"] = {f: render.schema_json(ctx.catalog.fields[f]) for f in chosen}
        if "changelog" in expand:
            histories = [self.change_group(g, ctx) for g in issue.changelog]
            out["changelog"] = {
                "startAt": 0,
                "maxResults": len(histories),
                "total": len(histories),
                "histories": histories,
            }
        if "transitions" in expand and transitions is not None:
            out["transitions"] = [self.transition(t, ctx) for t in transitions(issue)]
        if "editmeta" in expand and editmeta is not None:
            out["editmeta"] = editmeta(issue, api)
        if "renderedfields" in expand:
            out["renderedFields"] = html.rendered_fields(issue, chosen, rendered, ctx)
        if properties:
            out["properties"] = self.properties(issue, properties)
        return out

    @staticmethod
    def properties(issue: Issue, wanted: list[str]) -> dict[str, Any]:
        """Entity properties requested by key (``*all`` for every one)."""
        if "*all" in wanted:
            return dict(issue.properties)
        return {k: issue.properties[k] for k in wanted if k in issue.properties}

    def comments_page(self, issue: Issue, ctx: render.Ctx) -> dict[str, Any]:
        """The ``comment`` field / ``GET issue/{key}/comment`` page."""
        comments = [self.comment(issue, c, ctx) for c in issue.comments]
        return {
            "comments": comments,
            "self": ctx.rest(f"issue/{issue.id}/comment"),
            "maxResults": len(comments),
            "total": len(comments),
            "startAt": 0,
        }

    def comment(self, issue: Issue, c: Comment, ctx: render.Ctx) -> dict[str, Any]:
        """One comment (Comment schema); body as wiki (v2) or ADF (v3)."""
        body_fd = FieldDef("body", "Body", "richtext", "string")
        users = ctx.catalog.users
        out = {
            "self": ctx.rest(f"issue/{issue.id}/comment/{c.id}"),
            "id": c.id,
            "author": render.user_json(users.get(c.author), ctx),
            "body": values.render_value(body_fd, c.body, ctx, self._lookup)
            or ("" if ctx.api == "2" else {"type": "doc", "version": 1, "content": []}),
            "updateAuthor": render.user_json(users.get(c.update_author or c.author), ctx),
            "created": render.format_datetime(c.created, ctx.tz),
            "updated": render.format_datetime(c.updated, ctx.tz),
            "jsdPublic": True,
        }
        if c.visibility:
            out["visibility"] = dict(c.visibility)
        return out

    def change_group(self, g: ChangeGroup, ctx: render.Ctx) -> dict[str, Any]:
        """One changelog entry (Changelog schema)."""
        return {
            "id": g.id,
            "author": render.user_json(ctx.catalog.users.get(g.author), ctx),
            "created": render.format_datetime(g.created, ctx.tz),
            "items": [_change_item(it) for it in g.items],
        }

    def transition(
        self,
        t: TransitionDef,
        ctx: render.Ctx,
        with_fields: Callable[[TransitionDef], dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """One available transition (IssueTransition schema)."""
        out: dict[str, Any] = {
            "id": t.id,
            "name": t.name,
            "to": render.status_json(ctx.catalog.statuses[t.to_status_id], ctx),
            "hasScreen": bool(t.screen_fields),
            "isGlobal": not t.from_status_ids,
            "isInitial": False,
            "isAvailable": True,
            "isConditional": False,
            "isLooped": False,
        }
        if with_fields is not None:
            out["fields"] = with_fields(t)
        return out


def _change_item(it: ChangeItem) -> dict[str, Any]:
    """A ChangeDetails item; empty sides are null, as Jira (and the spec's examples) send."""
    return {
        "field": it.field,
        "fieldtype": it.fieldtype,
        "fieldId": it.field_id,
        "from": it.from_value,
        "fromString": it.from_string,
        "to": it.to_value,
        "toString": it.to_string,
    }


def max_properties(props: list[str]) -> list[str]:
    """Search accepts at most 5 entity property keys, as Jira Cloud does."""
    if len(props) > 5:
        raise JiraError(400, "Maximum number of properties is 5.")
    return props
