"""JQL over an issue's worklogs: ``worklogDate`` and ``worklogAuthor``.

Both are multi-valued, one value per worklog, and follow the sandbox's rules for multi-valued
fields such as ``labels``: ``=``, ``IN`` and the comparisons (``worklogDate >= -7d``) match when
any worklog matches; ``!=`` and ``NOT IN`` match issues that have worklogs, none of them with
one of the values; ``IS EMPTY`` matches issues without worklogs. ``worklogDate`` compares the
calendar day a worklog was ``started`` in the users' time zone, so ``worklogDate = 2026-11-30``
is the whole day. Worklogs restricted to a role or group the searching user is not in are not
there for that user, as they are hidden from the worklog list.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox.jql import dates
from sandbox.jql.ast import Func, Operand
from sandbox.jql.context import EQUALITY, ORDERING, Env, instant, unknown_value
from sandbox.model import Issue

KINDS = ("worklogDate", "worklogAuthor")
_AUTHOR_OPS = {"=", "!=", "in", "not in"}
Accessors = tuple[Callable[[Issue], Any], Callable[[Operand], list[Any]], set[str]]


def _visible(i: Issue, env: Env) -> list[dict[str, Any]]:
    records = i.fields.get("worklog") or ()
    return [
        r for r in records if not r.get("visibility") or env.can_see(r["visibility"], i.project_id)
    ]


def accessors(kind: str, name: str, env: Env, literal: Callable[[Operand], str]) -> Accessors:
    """(extract, resolve, operators) for ``worklogDate`` or ``worklogAuthor``."""
    if kind == "worklogDate":

        def days(i: Issue) -> list[str]:
            return [dates.ms_to_date(r["started"], env.tz) for r in _visible(i, env)]

        def resolve_day(o: Operand) -> list[Any]:
            return [dates.ms_to_date(instant(o, name, env), env.tz)]

        return days, resolve_day, EQUALITY | ORDERING

    def authors(i: Issue) -> list[str]:
        return [r["author"] for r in _visible(i, env)]

    def resolve_author(o: Operand) -> list[Any]:
        if isinstance(o, Func) and o.name.lower() == "currentuser":
            return [env.current_user]
        text = literal(o)
        user = env.catalog.user(text)
        if user is None:
            raise unknown_value(text, name)
        return [user.username]

    return authors, resolve_author, _AUTHOR_OPS
