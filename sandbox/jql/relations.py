"""JQL over versions, components and links: ``fixVersion``, ``affectedVersion``,
``component``, ``issueLinkType`` and the ``linkedIssues()`` / ``releasedVersions()`` /
``unreleasedVersions()`` functions.

Names resolve across every project, as Jira's do: ``fixVersion = "1.0"`` matches the "1.0"
of each project that has one. ``issueLinkType`` takes a link description ("blocks", "is
blocked by") and matches issues that have a link reading that way from their side.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sandbox.jql.ast import Func, Operand
from sandbox.jql.errors import JqlError
from sandbox.model import FieldDef, Issue

if TYPE_CHECKING:
    from sandbox.jql.context import Env

KINDS = ("versions", "components", "issueLinkType", "issuelinks")
_EQUALITY = {"=", "!=", "in", "not in", "is", "is not"}
Accessors = tuple[Callable[[Issue], Any], Callable[[Operand], list[Any]], set[str]]


def _describe(env: Env, entry: dict[str, Any]) -> str | None:
    t = env.catalog.link_types.get(entry["type"])
    if t is None:
        return None
    return (t.outward if entry["dir"] == "outward" else t.inward).lower()


def linked_issues(o: Func, env: Env) -> list[Any]:
    """``linkedIssues(KEY[, "link description"])``: ids of the issues linked to KEY."""
    if not 1 <= len(o.args) <= 2:
        raise JqlError(
            f"Function '{o.name}' expects between '1' and '2' arguments, but got '{len(o.args)}'."
        )
    issue = env.find_issue(o.args[0])
    if issue is None:
        raise JqlError(f"Issue '{o.args[0]}' could not be found in function '{o.name}'.")
    wanted = None
    if len(o.args) == 2:
        wanted = o.args[1].lower()
        known = {d.lower() for t in env.catalog.link_types.values() for d in (t.inward, t.outward)}
        if wanted not in known:
            raise JqlError(
                f"Issue link type '{o.args[1]}' could not be found in function '{o.name}'."
            )
    return [
        e["issue"]
        for e in issue.fields.get("issuelinks") or ()
        if wanted is None or _describe(env, e) == wanted
    ]


def _version_function(o: Func, env: Env, name: str) -> list[Any]:
    low = o.name.lower()
    if low not in ("releasedversions", "unreleasedversions"):
        raise JqlError(f"The function '{o.name}' is not supported by the field '{name}'.")
    cat = env.catalog
    projects = None
    if o.args:
        projects = set()
        for arg in o.args:
            p = cat.project(arg)
            if p is None:
                raise JqlError(f"Could not find project '{arg}' in function '{o.name}'.")
            projects.add(p.id)
    released = low == "releasedversions"
    return [
        v.id
        for v in cat.versions.values()
        if v.released == released
        and not v.archived
        and (projects is None or v.project_id in projects)
    ]


def accessors(
    kind: str,
    fd: FieldDef | None,
    name: str,
    env: Env,
    literal: Callable[[Operand], str],
) -> Accessors:
    """(extract, resolve, operators) for one of ``KINDS``, like ``accessors.accessors``."""
    cat = env.catalog

    def unknown(value: str) -> JqlError:
        return JqlError(f"The value '{value}' does not exist for the field '{name}'.")

    if kind in ("versions", "components") and fd is not None:
        fid = fd.id
        table = cat.versions if kind == "versions" else cat.components

        def resolve(o: Operand) -> list[Any]:
            if isinstance(o, Func) and kind == "versions":
                return _version_function(o, env, name)
            text = literal(o)
            found = [e.id for e in table.values() if text.lower() in (e.name.lower(), e.id)]
            if not found:
                raise unknown(text)
            return found

        return (lambda i: i.fields.get(fid)), resolve, _EQUALITY
    if kind == "issueLinkType":
        descriptions = {d.lower() for t in cat.link_types.values() for d in (t.inward, t.outward)}

        def resolve_type(o: Operand) -> list[Any]:
            text = literal(o)
            if text.lower() not in descriptions:
                raise unknown(text)
            return [text.lower()]

        def extract(i: Issue) -> list[Any]:
            return [_describe(env, e) for e in i.fields.get("issuelinks") or ()]

        return extract, resolve_type, _EQUALITY
    raise JqlError(f"Field '{name}' does not exist or you do not have permission to view it.")


def sort_key(kind: str, fd: FieldDef | None, env: Env) -> Callable[[Issue], Any]:
    """ORDER BY a version or component field: by the first value's name; links: by count."""
    cat = env.catalog
    if kind in ("versions", "components") and fd is not None:
        table = cat.versions if kind == "versions" else cat.components
        fid = fd.id

        def first_name(i: Issue) -> Any:
            names = [table[v].name.lower() for v in i.fields.get(fid) or () if v in table]
            return (0, min(names)) if names else (1, "")

        return first_name
    return lambda i: len(i.fields.get("issuelinks") or ())
