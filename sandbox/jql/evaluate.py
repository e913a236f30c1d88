"""Compile a JQL AST against the site into a predicate, sort keys and index hints.

Each clause becomes a closure over its field's accessors (``accessors``: what to read, how to
resolve operands, which operators apply), combined by AND / OR / NOT. ``narrowing`` exposes
top-level AND restrictions on project, issue type and key so the search can start from the
store's indexes instead of scanning every issue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandbox.jql import dates
from sandbox.jql.accessors import accessors
from sandbox.jql.ast import Clause, Empty, Expr, Logical, Not, Query, Value
from sandbox.jql.context import EMPTY, ORDERING, Env, Predicate, instant, is_empty, resolve_field
from sandbox.jql.errors import JqlError
from sandbox.jql.ordering import sort_key
from sandbox.model import Issue

__all__ = ["CompiledQuery", "Env", "compile_query"]


@dataclass
class CompiledQuery:
    """A query ready to run: filter, ordering and index hints."""

    predicate: Predicate | None
    sort: list[tuple[Callable[[Issue], Any], bool]]
    narrowing: dict[str, set[str]]
    residual: Predicate | None = None  # predicate minus what the narrowing guarantees
    updated_from: int | None = None  # every match has updated >= this (epoch ms)

    def order(self, issues: list[Issue], presorted: bool = False) -> list[Issue]:
        """Sort by the ORDER BY keys (empties last ascending), then newest id first.

        ``presorted`` says ``issues`` already come newest id first (saves a sort).
        """
        if not presorted:
            issues.sort(key=lambda i: i.id, reverse=True)
        for key_fn, descending in reversed(self.sort):
            issues.sort(key=key_fn, reverse=descending)
        return issues


def compile_query(query: Query, env: Env) -> CompiledQuery:
    """Resolve and compile a parsed query; raises ``JqlError`` for unknown names."""
    predicate = _compile(query.where, env) if query.where is not None else None
    sort = [(sort_key(k.field, env), k.descending) for k in query.order_by]
    narrowing = _narrow(query.where, env) if query.where is not None else {}
    residual = _residual(query.where, env) if query.where is not None else None
    since = _updated_from(query.where, env) if query.where is not None else None
    return CompiledQuery(predicate, sort, narrowing, residual, since)


def _updated_from(expr: Expr, env: Env) -> int | None:
    """A lower bound on ``updated`` from top-level ``updated >=`` / ``>`` clauses."""
    parts = expr.parts if isinstance(expr, Logical) and expr.op == "and" else (expr,)
    bound: int | None = None
    for part in parts:
        if not isinstance(part, Clause) or part.op not in (">=", ">"):
            continue
        kind, fd = resolve_field(part.field, env)
        if kind != "datetime" or fd is None or fd.id != "updated":
            continue
        operand = part.operands[0]
        if isinstance(operand, Empty):
            continue
        at = instant(operand, part.field, env)
        # Compared at minute precision: "> 12:10" means from 12:11:00.000.
        at = at + dates.MINUTE_MS if part.op == ">" else at
        bound = at if bound is None else max(bound, at)
    return bound


def _is_index_clause(expr: Expr, env: Env) -> bool:
    """True for ``project``/``issuetype`` = or IN literal values: the index answers these."""
    if not isinstance(expr, Clause) or expr.op not in ("=", "in"):
        return False
    if not all(isinstance(o, Value) for o in expr.operands):
        return False
    return resolve_field(expr.field, env)[0] in ("project", "issuetype")


def _residual(expr: Expr, env: Env) -> Predicate | None:
    """The predicate left once the candidates come from the project/type indexes."""
    if _is_index_clause(expr, env):
        return None
    if isinstance(expr, Logical) and expr.op == "and":
        rest = [p for p in expr.parts if not _is_index_clause(p, env)]
        if not rest:
            return None
        return _compile(rest[0] if len(rest) == 1 else Logical("and", tuple(rest)), env)
    return _compile(expr, env)


def _compile(expr: Expr, env: Env) -> Predicate:
    if isinstance(expr, Logical):
        parts = [_compile(p, env) for p in expr.parts]
        if expr.op == "and":

            def conj(i: Issue) -> bool:
                # An explicit loop, not all(<genexpr>): this runs once per candidate issue.
                for p in parts:  # noqa: SIM110
                    if not p(i):
                        return False
                return True

            return conj

        def disj(i: Issue) -> bool:
            for p in parts:  # noqa: SIM110
                if p(i):
                    return True
            return False

        return disj
    if isinstance(expr, Not):
        inner = _compile(expr.expr, env)
        return lambda i: not inner(i)
    return _clause(expr, env)


def _clause(c: Clause, env: Env) -> Predicate:
    kind, fd = resolve_field(c.field, env)
    extract, resolve, ops = accessors(kind, fd, c.field, env)
    if c.op not in ops:
        raise JqlError(
            f"The operator '{c.op.upper() if c.op.isalpha() or ' ' in c.op else c.op}' "
            f"is not supported by the '{c.field}' field."
        )
    if c.op in ("is", "is not"):
        want_empty = c.op == "is"
        return lambda i: is_empty(extract(i)) == want_empty
    targets: list[Any] = []
    for operand in c.operands:
        if isinstance(operand, Empty):
            targets.append(EMPTY)  # "field = EMPTY", "field in (EMPTY, x)"
        else:
            targets.extend(resolve(operand))
    if c.op in ("~", "!~"):
        words = [str(t).lower().replace("*", "").replace("?", "") for t in targets]
        negate = c.op == "!~"

        def text_match(i: Issue) -> bool:
            value = extract(i)
            if is_empty(value):
                return False
            hay = str(value).lower()
            found = all(w in hay for word in words for w in word.split())
            return found != negate

        return text_match
    if c.op in ORDERING:
        target = targets[0]
        if target is EMPTY:
            raise JqlError(f"The operator '{c.op}' does not support the value 'EMPTY'.")
        cmp = {
            "<": lambda a, b: a < b,
            "<=": lambda a, b: a <= b,
            ">": lambda a, b: a > b,
            ">=": lambda a, b: a >= b,
        }[c.op]

        def ordered(i: Issue) -> bool:
            value = extract(i)
            if isinstance(value, list):  # multi-valued (worklogDate): any value will do
                return any(cmp(v, target) for v in value)
            return not is_empty(value) and cmp(value, target)

        return ordered
    wants_empty = EMPTY in targets
    real = {t for t in targets if t is not EMPTY}
    if c.op in ("=", "in"):

        def member(i: Issue) -> bool:
            value = extract(i)
            if is_empty(value):
                return wants_empty
            if isinstance(value, list):
                return any(v in real for v in value)
            return value in real

        return member

    def not_member(i: Issue) -> bool:  # != and NOT IN: empty values never match
        value = extract(i)
        if is_empty(value):
            return False
        if isinstance(value, list):
            return not any(v in real for v in value)
        return value not in real

    return not_member


# ---------------------------------------------------------------------------------------
# index hints
# ---------------------------------------------------------------------------------------
def _narrow(expr: Expr, env: Env) -> dict[str, set[str]]:
    """Restrictions every match must satisfy: {"project": ids, "issuetype": ids, "id": ids}."""
    if isinstance(expr, Logical) and expr.op == "and":
        out: dict[str, set[str]] = {}
        for part in expr.parts:
            for k, v in _narrow(part, env).items():
                out[k] = out[k] & v if k in out else set(v)
        return out
    if isinstance(expr, Clause) and expr.op in ("=", "in"):
        if any(not isinstance(o, Value) for o in expr.operands):
            return {}
        kind, _ = resolve_field(expr.field, env)
        cat = env.catalog
        texts = [o.text for o in expr.operands if isinstance(o, Value)]
        if kind == "project":
            return {"project": {p.id for t in texts if (p := cat.project(t))}}
        if kind == "issuetype":
            return {"issuetype": {it.id for t in texts if (it := cat.issue_type(t))}}
        if kind == "key":
            return {"id": {str(i.id) for t in texts if (i := env.find_issue(t))}}
    return {}
