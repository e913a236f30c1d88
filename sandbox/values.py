"""Field values: validate client input into internal values, and render them back.

One function pair per direction keeps all type-specific rules (what a select accepts, how a
user is named in each deployment, wiki vs ADF) in one place. Internal values are plain:
option ids, usernames, ISO dates, epoch milliseconds, ADF documents.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from sandbox import links, render, timetracking, versions
from sandbox.catalog import Catalog
from sandbox.errors import JiraError, field_not_on_screen
from sandbox.model import FieldDef, Issue
from sandbox.richtext import adf_to_wiki, is_adf, wiki_to_adf

IssueLookup = Callable[[str], Issue | None]


def _err(fd: FieldDef, msg: str) -> JiraError:
    return JiraError(400, None, {fd.id: msg})


def parse_value(fd: FieldDef, raw: Any, ctx: render.Ctx, lookup: IssueLookup | None = None) -> Any:
    """Turn a client-supplied field value into the internal value, or raise a 400."""
    kind = fd.kind
    cat = ctx.catalog
    if kind in versions.KINDS:
        return versions.parse(fd, raw, ctx)
    if kind == "timetracking":
        return None if raw is None else timetracking.parse_timetracking(fd, raw)
    if raw is None and kind != "issuelinks":  # links are set by update.issuelinks only
        return [] if kind in ("multiselect", "multiuser", "labels") else None
    if kind == "string":
        if not isinstance(raw, str):
            raise _err(fd, "Operation value must be a string")
        if fd.id == "summary":
            if "\n" in raw or "\r" in raw:
                raise _err(fd, "The summary is invalid because it contains newline characters.")
            if len(raw) > 255:
                raise _err(fd, "Summary must be less than 255 characters.")
        elif len(raw) > 255:
            raise _err(fd, "The entered text is too long. It exceeds the allowed limit of 255.")
        return raw
    if kind == "richtext":
        if ctx.api == "3":
            if not is_adf(raw):
                raise _err(
                    fd,
                    "Operation value must be an Atlassian Document"
                    " (see the Atlassian Document Format)",
                )
            return raw if raw.get("content") else None
        if not isinstance(raw, str):
            raise _err(fd, "Operation value must be a string")
        return wiki_to_adf(raw)
    if kind == "number":
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise _err(fd, "Operation value must be a number")
        return raw
    if kind == "date":
        if not isinstance(raw, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            raise _err(fd, f"Error parsing date string: {raw}")
        try:
            date.fromisoformat(raw)
        except ValueError:
            raise _err(fd, f"Error parsing date string: {raw}") from None
        return raw
    if kind == "select":
        return _option(fd, raw).id
    if kind == "multiselect":
        if not isinstance(raw, list):
            raise _err(fd, "Operation value must be an array")
        return [_option(fd, r).id for r in raw]
    if kind == "user":
        return _user(fd, raw, ctx)
    if kind == "multiuser":
        if not isinstance(raw, list):
            raise _err(fd, "Operation value must be an array")
        return [_user(fd, r, ctx) for r in raw]
    if kind == "labels":
        if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
            raise _err(fd, "Operation value must be an array of strings")
        for label in raw:
            if " " in label:
                raise _err(fd, f"The label '{label}' contains spaces which is invalid.")
        return list(dict.fromkeys(raw))
    if kind in _REFERENCES:
        keys, find, message = _REFERENCES[kind]
        found = find(cat, reference(raw, keys))
        if found is None:
            raise _err(fd, message)
        return found.id
    if kind == "parent":
        ident = reference(raw, ("key", "id"))
        target = lookup(str(ident)) if (lookup and ident) else None
        if target is None:
            raise _err(fd, f"Could not find issue by id or key: {ident}")
        return target.id
    raise _err(fd, field_not_on_screen(fd.id))


# Fields that point at a catalog entry: (accepted keys, lookup, Jira's message if unknown).
_REFERENCES: dict[str, tuple[tuple[str, ...], Callable[[Catalog, Any], Any], str]] = {
    "priority": (
        ("id", "name"),
        lambda cat, ident: cat.priority(ident),
        "Specify the Priority (name or id) in the proper format",
    ),
    "project": (("id", "key"), lambda cat, ident: cat.project(ident), "valid project is required"),
    "issuetype": (
        ("id", "name"),
        lambda cat, ident: cat.issue_type(ident),
        "Specify an issue type",
    ),
}


def reference(raw: Any, keys: tuple[str, ...]) -> Any:
    """The identifier in ``{"id": ...}``/``{"key": ...}``-style references (first key wins)."""
    if isinstance(raw, dict):
        return next((raw[k] for k in keys if raw.get(k)), None)
    return raw if isinstance(raw, str | int) and not isinstance(raw, bool) else None


def _option(fd: FieldDef, raw: Any) -> Any:
    if isinstance(raw, dict):
        opt = fd.option_by(value=raw.get("value")) if "value" in raw else None
        if opt is None and "id" in raw:
            opt = fd.option_by(option_id=raw.get("id"))
        shown = raw.get("value", raw.get("id"))
    else:
        opt, shown = None, raw
    if opt is None:
        raise _err(fd, f"Option value '{shown}' is not valid")
    return opt


def _user(fd: FieldDef, raw: Any, ctx: render.Ctx) -> str | None:
    cat = ctx.catalog
    if not isinstance(raw, dict):
        raise _err(fd, "Operation value must be an object")
    key = "accountId" if ctx.cloud else ("name" if "name" in raw else "key")
    if key in raw and raw[key] is None and fd.kind == "user":
        return None  # {"accountId": null} / {"name": null} unassigns, as null does
    if ctx.cloud:
        if "accountId" not in raw:
            # Cloud removed user names (GDPR): only accountId identifies a user.
            raise _err(fd, "Specified user does not exist or you do not have required permissions")
        ident = raw["accountId"]
        user = next((u for u in cat.users.values() if u.account_id == ident), None)
    else:
        ident = raw.get("name") or raw.get("key")
        user = next(
            (u for u in cat.users.values() if ident in (u.username, u.key)),
            None,
        )
    if user is None:
        if ctx.cloud:
            raise _err(fd, "Specified user does not exist or you do not have required permissions")
        raise _err(fd, f"User '{ident}' does not exist.")
    return user.username


# ---------------------------------------------------------------------------------------
# rendering
# ---------------------------------------------------------------------------------------
def render_value(fd: FieldDef, value: Any, ctx: render.Ctx, lookup: IssueLookup) -> Any:
    """Render an internal value as Jira's JSON for this API version and deployment."""
    cat = ctx.catalog
    kind = fd.kind
    if kind in versions.KINDS:
        return versions.render_value(fd, value, ctx)
    if kind == "issuelinks":
        return links.render_value(value, ctx, lookup)
    if kind in ("multiselect", "multiuser", "labels") and not value:
        return [] if kind == "labels" else None
    if value is None:
        return None
    if kind in ("string", "number", "date"):
        return value
    if kind == "richtext":
        return value if ctx.api == "3" else adf_to_wiki(value)
    if kind == "datetime":
        return render.format_datetime(int(value), ctx.tz)
    if kind == "select":
        return _option_json(fd, value, ctx)
    if kind == "multiselect":
        return [_option_json(fd, v, ctx) for v in value]
    if kind == "user":
        return render.user_json(cat.users.get(value), ctx)
    if kind == "multiuser":
        return [render.user_json(cat.users.get(v), ctx) for v in value]
    if kind == "labels":
        return list(value)
    if kind == "status":
        return render.status_json(cat.statuses[value], ctx)
    if kind == "issuetype":
        return render.issue_type_json(cat.issue_types[value], ctx)
    if kind == "project":
        return render.project_ref_json(cat.projects[value], ctx)
    if kind == "priority":
        return render.priority_json(cat.priorities[value], ctx)
    if kind == "resolution":
        res = cat.resolutions[value]
        return {
            "self": ctx.rest(f"resolution/{res.id}"),
            "id": res.id,
            "name": res.name,
            "description": res.name,
        }
    if kind == "parent":
        parent = lookup(str(value))
        if parent is None:
            return None
        return {
            "id": str(parent.id),
            "key": parent.key,
            "self": ctx.rest(f"issue/{parent.id}"),
            "fields": {
                "summary": parent.fields.get("summary"),
                "status": render.status_json(cat.statuses[parent.fields["status"]], ctx),
                "priority": render.priority_json(cat.priorities[parent.fields["priority"]], ctx)
                if parent.fields.get("priority")
                else None,
                "issuetype": render.issue_type_json(
                    cat.issue_types[parent.fields["issuetype"]], ctx
                ),
            },
        }
    return value


def _option_json(fd: FieldDef, option_id: str, ctx: render.Ctx) -> dict[str, Any] | None:
    opt = fd.option_by(option_id=option_id)
    if opt is None:
        return None
    return {"self": ctx.rest(f"customFieldOption/{opt.id}"), "value": opt.value, "id": opt.id}


def display(fd: FieldDef, value: Any, ctx: render.Ctx) -> tuple[str | None, str | None]:
    """The ``(from/to, fromString/toString)`` pair a changelog item shows for a value."""
    cat = ctx.catalog
    kind = fd.kind
    if kind in versions.KINDS:
        return versions.display(fd, value, ctx)
    if value is None or value == []:
        return None, None
    if kind == "seconds":  # Jira logs estimates and time spent as seconds on both sides
        return str(value), str(value)
    if kind == "richtext":
        return None, adf_to_wiki(value)
    if kind == "select":
        opt = fd.option_by(option_id=value)
        return str(value), opt.value if opt else None
    if kind == "multiselect":
        opts = [fd.option_by(option_id=v) for v in value]
        return ", ".join(value), ", ".join(o.value for o in opts if o)
    if kind in ("user", "multiuser"):
        names = value if isinstance(value, list) else [value]
        users = [cat.users[n] for n in names if n in cat.users]
        ids = [u.account_id if ctx.cloud else u.username for u in users]
        return ", ".join(ids), ", ".join(u.display_name for u in users)
    if kind == "labels":
        return None, " ".join(value)
    if kind == "status":
        return str(value), cat.statuses[value].name
    if kind == "priority":
        return str(value), cat.priorities[value].name
    if kind == "issuetype":
        return str(value), cat.issue_types[value].name
    if kind == "resolution":
        return str(value), cat.resolutions[value].name
    if kind == "parent":
        return str(value), None
    if kind == "datetime":
        return str(value), render.format_datetime(int(value), ctx.tz)
    return None, str(value)
