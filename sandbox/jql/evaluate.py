"""Compile a JQL AST against the site into a predicate, sort keys and index hints.

Names are resolved once at compile time (project keys, status names, option values, users),
so evaluation is a closure call per issue. ``narrowing`` exposes top-level AND restrictions on
project, issue type and key so the search can start from the store's indexes instead of
scanning every issue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.catalog import STATUS_CATEGORIES, Catalog
from sandbox.jql import dates, relations
from sandbox.jql.ast import Clause, Empty, Expr, Func, Logical, Not, Operand, Query, Value
from sandbox.jql.errors import JqlError
from sandbox.model import FieldDef, Issue
from sandbox.richtext import plain_text

Predicate = Callable[[Issue], bool]
_EMPTY = object()
_EQUALITY = {"=", "!=", "in", "not in", "is", "is not"}
_ORDERING = {"<", "<=", ">", ">="}
_TEXT = {"~", "!~", "is", "is not"}

_PSEUDO = {
    "text": "text",
    "key": "key",
    "issue": "key",
    "issuekey": "key",
    "id": "key",
    "statuscategory": "statusCategory",
    "issuelinktype": "issueLinkType",
}


@dataclass(frozen=True)
class Env:
    """What evaluation needs from the outside world."""

    catalog: Catalog
    find_issue: Callable[[str], Issue | None]
    current_user: str
    tz: ZoneInfo
    now_ms: int


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
    sort = [(_sort_key(k.field, env), k.descending) for k in query.order_by]
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
        kind, fd = _field(part.field, env)
        if kind != "datetime" or fd is None or fd.id != "updated":
            continue
        operand = part.operands[0]
        if isinstance(operand, Empty):
            continue
        at = _instant(operand, part.field, env)
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
    return _field(expr.field, env)[0] in ("project", "issuetype")


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


# ---------------------------------------------------------------------------------------
# field resolution
# ---------------------------------------------------------------------------------------
def _field(name: str, env: Env) -> tuple[str, FieldDef | None]:
    low = name.lower()
    if low in _PSEUDO:
        return _PSEUDO[low], None
    if low == "type":
        return "issuetype", env.catalog.fields["issuetype"]
    fd = env.catalog.field_by_name_or_id(name)
    if fd is None or fd.kind == "comment":
        raise JqlError(f"Field '{name}' does not exist or you do not have permission to view it.")
    return fd.kind, fd


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
    kind, fd = _field(c.field, env)
    extract, resolve, ops = _accessors(kind, fd, c.field, env)
    if c.op not in ops:
        raise JqlError(
            f"The operator '{c.op.upper() if c.op.isalpha() or ' ' in c.op else c.op}' "
            f"is not supported by the '{c.field}' field."
        )
    if c.op in ("is", "is not"):
        want_empty = c.op == "is"
        return lambda i: _is_empty(extract(i)) == want_empty
    targets: list[Any] = []
    for operand in c.operands:
        if isinstance(operand, Empty):
            targets.append(_EMPTY)  # "field = EMPTY", "field in (EMPTY, x)"
        else:
            targets.extend(resolve(operand))
    if c.op in ("~", "!~"):
        words = [str(t).lower().replace("*", "").replace("?", "") for t in targets]
        negate = c.op == "!~"

        def text_match(i: Issue) -> bool:
            value = extract(i)
            if _is_empty(value):
                return False
            hay = str(value).lower()
            found = all(w in hay for word in words for w in word.split())
            return found != negate

        return text_match
    if c.op in _ORDERING:
        target = targets[0]
        if target is _EMPTY:
            raise JqlError(f"The operator '{c.op}' does not support the value 'EMPTY'.")
        cmp = {
            "<": lambda a, b: a < b,
            "<=": lambda a, b: a <= b,
            ">": lambda a, b: a > b,
            ">=": lambda a, b: a >= b,
        }[c.op]

        def ordered(i: Issue) -> bool:
            value = extract(i)
            return not _is_empty(value) and cmp(value, target)

        return ordered
    wants_empty = _EMPTY in targets
    real = {t for t in targets if t is not _EMPTY}
    if c.op in ("=", "in"):

        def member(i: Issue) -> bool:
            value = extract(i)
            if _is_empty(value):
                return wants_empty
            if isinstance(value, list):
                return any(v in real for v in value)
            return value in real

        return member

    def not_member(i: Issue) -> bool:  # != and NOT IN: empty values never match
        value = extract(i)
        if _is_empty(value):
            return False
        if isinstance(value, list):
            return not any(v in real for v in value)
        return value not in real

    return not_member


def _is_empty(value: Any) -> bool:
    return value is None or value == [] or value == ""


Resolver = Callable[[Operand], list[Any]]


def _accessors(
    kind: str, fd: FieldDef | None, name: str, env: Env
) -> tuple[Callable[[Issue], Any], Resolver, set[str]]:
    cat = env.catalog

    def literal(o: Operand) -> str:
        if isinstance(o, Func):
            raise JqlError(
                f"Unable to find JQL function '{o.name}({', '.join(o.args)})'."
                if o.name.lower() not in ("currentuser", *dates.DATE_FUNCTIONS)
                else f"The function '{o.name}' is not supported by the field '{name}'."
            )
        assert isinstance(o, Value)
        return o.text

    def unknown(value: str) -> JqlError:
        return JqlError(f"The value '{value}' does not exist for the field '{name}'.")

    fid = fd.id if fd else kind
    if kind in relations.KINDS:
        return relations.accessors(kind, fd, name, env, literal)

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

        return (lambda i: cat.statuses[i.fields["status"]].category_key), resolve_cat, _EQUALITY
    lookups: dict[str, Callable[[str], Any]] = {
        "project": lambda t: (cat.project(t) or _raise(unknown(t))).id,
        "issuetype": lambda t: (cat.issue_type(t) or _raise(unknown(t))).id,
        "status": lambda t: (cat.status(t) or _raise(unknown(t))).id,
        "priority": lambda t: (cat.priority(t) or _raise(unknown(t))).id,
    }
    if kind in lookups:
        look = lookups[kind]
        return (lambda i: i.fields.get(fid)), (lambda o: [look(literal(o))]), _EQUALITY
    if kind == "resolution":

        def resolve_res(o: Operand) -> list[Any]:
            text = literal(o)
            if text.lower() == "unresolved":
                return [_EMPTY]
            for r in cat.resolutions.values():
                if text.lower() in (r.name.lower(), r.id):
                    return [r.id]
            raise unknown(text)

        return (lambda i: i.fields.get("resolution")), resolve_res, _EQUALITY
    if kind in ("user", "multiuser"):

        def resolve_user(o: Operand) -> list[Any]:
            if isinstance(o, Func) and o.name.lower() == "currentuser":
                return [env.current_user]
            text = literal(o)
            user = cat.user(text)
            if user is None:
                raise unknown(text)
            return [user.username]

        return (lambda i: i.fields.get(fid)), resolve_user, _EQUALITY
    if kind == "labels":
        return (lambda i: i.fields.get("labels")), (lambda o: [literal(o)]), _EQUALITY
    if kind in ("select", "multiselect"):
        assert fd is not None

        def resolve_opt(o: Operand) -> list[Any]:
            text = literal(o)
            opt = fd.option_by(value=text) or fd.option_by(option_id=text)
            if opt is None:
                raise unknown(text)
            return [opt.id]

        return (lambda i: i.fields.get(fid)), resolve_opt, _EQUALITY
    if kind == "string":
        return (lambda i: i.fields.get(fid)), (lambda o: [literal(o)]), _TEXT
    if kind == "richtext":
        return (lambda i: plain_text(i.fields.get(fid))), (lambda o: [literal(o)]), _TEXT
    if kind == "number":

        def resolve_num(o: Operand) -> list[Any]:
            text = literal(o)
            try:
                return [float(text)]
            except ValueError:
                raise JqlError(
                    f"The value '{text}' is not a valid number for field '{name}'."
                ) from None

        return (lambda i: i.fields.get(fid)), resolve_num, _EQUALITY | _ORDERING
    if kind == "seconds":  # timespent, originalEstimate, remainingEstimate: "2d", "3h 30m"
        return (
            (lambda i: i.fields.get(fid)),
            (lambda o: [dates.duration_seconds(literal(o), name)]),
            _EQUALITY | _ORDERING,
        )
    if kind == "date":

        def resolve_date(o: Operand) -> list[Any]:
            return [dates.ms_to_date(_instant(o, name, env), env.tz)]

        return (lambda i: i.fields.get(fid)), resolve_date, _EQUALITY | _ORDERING
    if kind == "datetime":

        def extract_dt(i: Issue) -> Any:
            value = i.fields.get(fid)
            return None if value is None else dates.floor_minute(int(value))

        return extract_dt, (lambda o: [_instant(o, name, env)]), _EQUALITY | _ORDERING
    if kind == "parent":

        def resolve_parent(o: Operand) -> list[Any]:
            issue = env.find_issue(literal(o))
            if issue is None:
                raise JqlError(
                    f"An issue with key '{literal(o)}' does not exist for field '{name}'."
                )
            return [issue.id]

        return (lambda i: i.fields.get("parent")), resolve_parent, _EQUALITY
    raise JqlError(f"Field '{name}' does not exist or you do not have permission to view it.")


def _instant(o: Operand, name: str, env: Env) -> int:
    if isinstance(o, Func):
        if o.name.lower() not in dates.DATE_FUNCTIONS:
            raise JqlError(f"Unable to find JQL function '{o.name}({', '.join(o.args)})'.")
        return dates.function_to_ms(o.name, o.args, name, env.tz, env.now_ms)
    assert isinstance(o, Value)
    return dates.literal_to_ms(o.text, name, env.tz, env.now_ms)


def _raise(err: Exception) -> Any:
    raise err


# ---------------------------------------------------------------------------------------
# ordering
# ---------------------------------------------------------------------------------------
def _sort_key(name: str, env: Env) -> Callable[[Issue], Any]:
    kind, fd = _field(name, env)
    cat = env.catalog
    fid = fd.id if fd else kind

    def wrap(fn: Callable[[Issue], Any]) -> Callable[[Issue], Any]:
        def key(i: Issue) -> Any:
            v = fn(i)
            return (1, 0) if _is_empty(v) else (0, v)

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
        kind, _ = _field(expr.field, env)
        cat = env.catalog
        texts = [o.text for o in expr.operands if isinstance(o, Value)]
        if kind == "project":
            return {"project": {p.id for t in texts if (p := cat.project(t))}}
        if kind == "issuetype":
            return {"issuetype": {it.id for t in texts if (it := cat.issue_type(t))}}
        if kind == "key":
            return {"id": {str(i.id) for t in texts if (i := env.find_issue(t))}}
    return {}
