"""JQL parsing: valid queries build the expected tree; invalid ones fail with Jira's words."""

from __future__ import annotations

import functools
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox import SandboxServer, Store
from sandbox.jql import Clause, JqlError, Logical, Not, compile_query, parse
from sandbox.jql.ast import Empty, Func, SortKey, Value
from sandbox.jql.evaluate import Env


def test_precedence_and_binds_tighter_than_or() -> None:
    q = parse("project = A OR project = B AND status = Open")
    assert isinstance(q.where, Logical) and q.where.op == "or"
    assert isinstance(q.where.parts[1], Logical) and q.where.parts[1].op == "and"


def test_parentheses_not_and_order_by() -> None:
    q = parse('NOT (status = "In Progress" or labels is EMPTY) ORDER BY updated DESC, key')
    assert isinstance(q.where, Not)
    assert q.order_by == (SortKey("updated", True), SortKey("key", False))


@pytest.mark.parametrize(
    ("jql", "field", "op", "operands"),
    [
        ('"Risk Category" = Technical', "Risk Category", "=", (Value("Technical"),)),
        ("cf[10010] != High", "cf[10010]", "!=", (Value("High"),)),
        (
            "key in (ALPHA-1, 'ALPHA-2')",
            "key",
            "in",
            (Value("ALPHA-1"), Value("ALPHA-2", quoted=True)),
        ),
        ("status not in (Open, Closed)", "status", "not in", (Value("Open"), Value("Closed"))),
        ("assignee is not EMPTY", "assignee", "is not", (Empty(),)),
        ("assignee = currentUser()", "assignee", "=", (Func("currentUser"),)),
        ("updated >= -15m", "updated", ">=", (Value("-15m"),)),
        ('updated < "2026/11/28 12:10"', "updated", "<", (Value("2026/11/28 12:10", True),)),
        ("created > startOfDay(-1d)", "created", ">", (Func("startOfDay", ("-1d",)),)),
        ("summary ~ vendor", "summary", "~", (Value("vendor"),)),
        ("labels = null", "labels", "=", (Empty(),)),
    ],
)
def test_clauses(jql: str, field: str, op: str, operands: tuple) -> None:
    where = parse(jql).where
    assert isinstance(where, Clause)
    assert (where.field, where.op, where.operands) == (field, op, operands)


def test_keywords_are_case_insensitive() -> None:
    assert parse("project = A and status IN (x) Order By key asc").order_by == (SortKey("key"),)


def test_empty_and_order_only_queries_are_unbounded() -> None:
    assert parse("").bounded is False
    assert parse("ORDER BY created DESC").bounded is False
    assert parse("project = ALPHA").bounded is True


@pytest.mark.parametrize(
    ("jql", "fragment"),
    [
        ("project = ", "Expecting either a value, 'EMPTY' or a function but got end of query"),
        ("project ALPHA", "Expecting operator but got 'ALPHA'"),
        ("status in (Open", "Expecting ')'"),
        ('summary ~ "unterminated', "has not been completed"),
        ("project = A AND", "Expecting a field name"),
        ("project = A B", "Expecting either 'OR' or 'AND'"),
        ("(project = A", "Expecting ')'"),
        ("project = A ORDER key", "Expecting 'by'"),
        ("assignee is Bob", "Expecting 'EMPTY' or 'NULL'"),
        ("status not Open", "Expecting 'IN'"),
        ("project = A & B", "reserved JQL character"),
        ("status changed after -1d", "history operator 'CHANGED' is not supported"),
        ("status was Open", "history operator 'WAS' is not supported"),
    ],
)
def test_syntax_errors(jql: str, fragment: str) -> None:
    with pytest.raises(JqlError) as err:
        parse(jql)
    assert fragment in err.value.message
    assert err.value.message.startswith("Error in the JQL Query")


_names = st.sampled_from(
    ["project", "status", "labels", "assignee", '"Risk Category"', "cf[10010]"]
)
_values = st.sampled_from(["ALPHA", '"In Progress"', "x1", "-2d", "'a b'", "currentUser()"])
_ops = st.sampled_from(["=", "!=", "<", ">=", "~"])


@st.composite
def _clause(draw: st.DrawFn) -> str:
    return f"{draw(_names)} {draw(_ops)} {draw(_values)}"


_exprs = st.recursive(
    _clause(),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from([" AND ", " OR "]), inner).map("".join),
        inner.map(lambda e: f"NOT ({e})"),
        inner.map(lambda e: f"({e})"),
    ),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None)
@given(_exprs)
def test_generated_queries_parse(jql: str) -> None:
    assert parse(jql + " ORDER BY key DESC").where is not None


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="abc =()!,\"'~<>", max_size=30))
def test_arbitrary_text_parses_or_raises_jql_error(text: str) -> None:
    try:
        parse(text)
    except JqlError as err:
        assert err.message


@functools.cache
def _demo_store() -> Store:
    """One demo store shared by every example (they only read it)."""
    return SandboxServer().store


_FIELDS = [
    "project",
    "status",
    "labels",
    "assignee",
    '"Risk Category"',
    "updated",
    "created",
    "duedate",
    '"Story Points"',
    "summary",
    "text",
    "Mitigation",
    "parent",
    "key",
    "priority",
    "statusCategory",
    "resolution",
    "Stakeholders",
    '"Affected Areas"',
]
_VALUES = [
    "ALPHA",
    "Open",
    '"In Progress"',
    "wave-1",
    "alice",
    "Technical",
    "High",
    "-2d",
    "2026-10-05",
    '"2026/10/05 09:30"',
    "5",
    "vendor",
    "ALPHA-15",
    "Done",
    "Unresolved",
    "currentUser()",
    "now()",
    "startOfDay(-1)",
    "EMPTY",
    "x()",
]


@st.composite
def _any_clause(draw: st.DrawFn) -> str:
    field = draw(st.sampled_from(_FIELDS))
    shape = draw(st.integers(0, 2))
    if shape == 0:
        values = ", ".join(draw(st.lists(st.sampled_from(_VALUES), min_size=1, max_size=3)))
        return f"{field} {draw(st.sampled_from(['in', 'not in']))} ({values})"
    if shape == 1:
        return f"{field} is {draw(st.sampled_from(['', 'not ']))}EMPTY"
    op = draw(st.sampled_from(["=", "!=", "<", "<=", ">", ">=", "~", "!~"]))
    return f"{field} {op} {draw(st.sampled_from(_VALUES))}"


_any_query = st.recursive(
    _any_clause(),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from([" AND ", " OR "]), inner).map("".join),
        inner.map(lambda e: f"NOT ({e})"),
    ),
    max_leaves=4,
)


@settings(max_examples=300, deadline=None)
@given(
    _any_query, st.sampled_from(["", " ORDER BY updated DESC", ' ORDER BY "Risk Category", key'])
)
def test_queries_either_run_or_fail_with_a_jql_error(jql: str, order: str) -> None:
    store = _demo_store()
    env = Env(store.catalog, store.find, "pmo-bot", ZoneInfo("UTC"), 1_790_000_000_000)
    try:
        compiled = compile_query(parse(jql + order), env)
    except JqlError as err:
        assert err.message
        return
    matched = [
        i for i in store.issues.values() if compiled.predicate is None or compiled.predicate(i)
    ]
    compiled.order(matched)
