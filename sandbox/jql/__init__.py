"""JQL: a tokenizer, a recursive-descent parser into an AST, and an evaluator.

``parse`` raises ``JqlError`` with Jira's wording for syntax errors; ``compile_query`` resolves
names (projects, statuses, fields, users) against the site and raises ``JqlError`` for unknown
ones, so a query is either understood completely or rejected with a 400, never silently empty.
"""

from __future__ import annotations

from sandbox.jql.ast import Clause, Func, Logical, Not, Query, SortKey, Value
from sandbox.jql.errors import JqlError
from sandbox.jql.evaluate import CompiledQuery, compile_query
from sandbox.jql.parser import parse

__all__ = [
    "Clause",
    "CompiledQuery",
    "Func",
    "JqlError",
    "Logical",
    "Not",
    "Query",
    "SortKey",
    "Value",
    "compile_query",
    "parse",
]
