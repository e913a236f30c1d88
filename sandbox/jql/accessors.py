"""How each kind of field takes part in a JQL clause: what to read from an issue, how to
resolve the operands, and which operators it supports.

Names resolve once at compile time (project keys, status names, option values, users), so
evaluating a clause is a closure call per issue. Versions, components and links live in
``relations``, worklogs in ``worklogs``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox.catalog import STATUS_CATEGORIES
from sandbox.jql import dates, relations, worklogs
from sandbox.jql.ast import Func, Operand
from sandbox.jql.context import (
    EMPTY,
    EQUALITY,
    ORDERING,
    TEXT,
    Env,
    instant,
    literal_reader,
    unknown_field,
    unknown_value,
)
from sandbox.jql.errors import JqlError
from sandbox.model import FieldDef, Issue
from sandbox.richtext import plain_text

Accessors = tuple[Callable[[Issue], Any], Callable[[Operand], list[Any]], set[str]]


def accessors(kind: str, fd: FieldDef | None, name: str, env: Env) -> Accessors:
    """(extract, resolve, operators) for a clause on a field of ``kind``.

    ``extract`` reads an issue's value (a list for multi-valued fields), ``resolve`` turns one
    operand into the values it stands for, and the operators are those the field takes.
    """
    cat = env.catalog
    literal = literal_reader(name)

    def unknown(value: str) -> JqlError:
        return unknown_value(value, name)

    fid = fd.id if fd else kind
    if kind in relations.KINDS:
        return relations.accessors(kind, fd, name, env, literal)
    if kind in worklogs.KINDS:
        return worklogs.accessors(kind, name, env, literal)

    if kind == "key":

        def resolve_key(o: Operand) -> list[Any]:
            if isinstance(o, Func) and o.name.lower() == "linkedissues":
                return relations.linked_issues(o, env)
            text = literal(o)
            issue = env.find_issue(text)
            if issue is None:
                raise JqlError(f"An issue with key '{text}' does not exist for field '{name}'.")
            return [issue.id]

        return (lambda i: i.id), resolve_key, {"=", "!=", "in", "not in"}
    if kind == "text":
        # Jira's "text" searches summary, description, environment, comments and text fields.
        text_fields = [f.id for f in cat.fields.values() if f.kind in ("string", "richtext")]

        def all_text(i: Issue) -> str:
            parts = [
                v if isinstance(v, str) else plain_text(v)
                for f in text_fields
                if (v := i.fields.get(f))
            ]
            parts += [plain_text(c.body) for c in i.comments]
            return "\n".join(parts)

        return all_text, (lambda o: [literal(o)]), {"~"}
    if kind == "statusCategory":

        def resolve_cat(o: Operand) -> list[Any]:
            text = literal(o).lower()
            for cat_ in STATUS_CATEGORIES.values():
                if text in (cat_.key, cat_.name.lower(), str(cat_.id)):
                    return [cat_.key]
            raise unknown(literal(o))

        return (lambda i: cat.statuses[i.fields["status"]].category_key), resolve_cat, EQUALITY
    lookups: dict[str, Callable[[str], Any]] = {
        "project": lambda t: (cat.project(t) or _raise(unknown(t))).id,
        "issuetype": lambda t: (cat.issue_type(t) or _raise(unknown(t))).id,
        "status": lambda t: (cat.status(t) or _raise(unknown(t))).id,
        "priority": lambda t: (cat.priority(t) or _raise(unknown(t))).id,
    }
    if kind in lookups:
        look = lookups[kind]
        return (lambda i: i.fields.get(fid)), (lambda o: [look(literal(o))]), EQUALITY
    if kind == "resolution":

        def resolve_res(o: Operand) -> list[Any]:
            text = literal(o)
            if text.lower() == "unresolved":
                return [EMPTY]
            for r in cat.resolutions.values():
                if text.lower() in (r.name.lower(), r.id):
                    return [r.id]
            raise unknown(text)

        return (lambda i: i.fields.get("resolution")), resolve_res, EQUALITY
    if kind in ("user", "multiuser"):

        def resolve_user(o: Operand) -> list[Any]:
            if isinstance(o, Func) and o.name.lower() == "currentuser":
                return [env.current_user]
            text = literal(o)
            user = cat.user(text)
            if user is None:
                raise unknown(text)
            return [user.username]

        return (lambda i: i.fields.get(fid)), resolve_user, EQUALITY
    if kind == "labels":
        return (lambda i: i.fields.get("labels")), (lambda o: [literal(o)]), EQUALITY
    if kind in ("select", "multiselect"):
        assert fd is not None

        def resolve_opt(o: Operand) -> list[Any]:
            text = literal(o)
            opt = fd.option_by(value=text) or fd.option_by(option_id=text)
            if opt is None:
                raise unknown(text)
            return [opt.id]

        return (lambda i: i.fields.get(fid)), resolve_opt, EQUALITY
    if kind == "string":
        return (lambda i: i.fields.get(fid)), (lambda o: [literal(o)]), TEXT
    if kind == "richtext":
        return (lambda i: plain_text(i.fields.get(fid))), (lambda o: [literal(o)]), TEXT
    if kind == "number":

        def resolve_num(o: Operand) -> list[Any]:
            text = literal(o)
            try:
                return [float(text)]
            except ValueError:
                raise JqlError(
                    f"The value '{text}' is not a valid number for field '{name}'."
                ) from None

        return (lambda i: i.fields.get(fid)), resolve_num, EQUALITY | ORDERING
    if kind == "seconds":  # timespent, originalEstimate, remainingEstimate: "2d", "3h 30m"
        return (
            (lambda i: i.fields.get(fid)),
            (lambda o: [dates.duration_seconds(literal(o), name)]),
            EQUALITY | ORDERING,
        )
    if kind == "date":

        def resolve_date(o: Operand) -> list[Any]:
            return [dates.ms_to_date(instant(o, name, env), env.tz)]

        return (lambda i: i.fields.get(fid)), resolve_date, EQUALITY | ORDERING
    if kind == "datetime":

        def extract_dt(i: Issue) -> Any:
            value = i.fields.get(fid)
            return None if value is None else dates.floor_minute(int(value))

        return extract_dt, (lambda o: [instant(o, name, env)]), EQUALITY | ORDERING
    if kind == "parent":

        def resolve_parent(o: Operand) -> list[Any]:
            issue = env.find_issue(literal(o))
            if issue is None:
                raise JqlError(
                    f"An issue with key '{literal(o)}' does not exist for field '{name}'."
                )
            return [issue.id]

        return (lambda i: i.fields.get("parent")), resolve_parent, EQUALITY
    raise unknown_field(name)


def _raise(err: Exception) -> Any:
    raise err
