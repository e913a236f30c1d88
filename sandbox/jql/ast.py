"""The JQL syntax tree: clauses, logical operators, values and ORDER BY keys."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Value:
    """A literal operand; ``quoted`` records whether it was written in quotes."""

    text: str
    quoted: bool = False


@dataclass(frozen=True)
class Func:
    """A function call operand such as ``currentUser()`` or ``startOfDay(-1d)``."""

    name: str
    args: tuple[str, ...] = ()


@dataclass(frozen=True)
class Empty:
    """The ``EMPTY`` / ``NULL`` operand."""


Operand = Value | Func | Empty


@dataclass(frozen=True)
class Clause:
    """``field operator operand(s)``; ``operands`` has one item except for IN / NOT IN."""

    field: str
    op: str  # = != > >= < <= ~ !~ in "not in" is "is not"
    operands: tuple[Operand, ...]
    position: int = 0


@dataclass(frozen=True)
class Logical:
    """``AND`` / ``OR`` of two or more sub-expressions."""

    op: str  # "and" | "or"
    parts: tuple[Expr, ...]


@dataclass(frozen=True)
class Not:
    """``NOT expr``."""

    expr: Expr


Expr = Clause | Logical | Not


@dataclass(frozen=True)
class SortKey:
    """One ``ORDER BY`` item."""

    field: str
    descending: bool = False


@dataclass(frozen=True)
class Query:
    """A parsed query: an optional filter and its ordering."""

    where: Expr | None
    order_by: tuple[SortKey, ...] = field(default_factory=tuple)

    @property
    def bounded(self) -> bool:
        """Cloud's ``search/jql`` refuses queries without a restriction."""
        return self.where is not None
