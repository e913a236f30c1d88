"""The policy language: small Python-like expressions over one item's fields.

``filled(mitigation) and response != None`` or ``due_date >= today``. Evaluated by
simpleeval's EvalWithCompoundTypes (a vetted, maintained evaluator that walks the parsed
tree with an allow-list of operations and never calls ``eval``; tuples allowed, for
``level in ('high', 'critical')``), so a policy file cannot run code. Each
expression is parsed once when the policy loads; there every name it uses is checked
against the entity's fields and the helpers below, so a misspelt field is an error with
its position instead of a rule that silently never fires.

Names: the entity's canonical fields (``owner``, ``score``, ``due_date`` ...; a field an
item lacks is ``None``), ``today`` (the audit's date), ``True``/``False``/``None``.
Helpers: ``filled(x)``, ``empty(x)``, ``days_since(date)``, ``days_until(date)``
(``None`` for no date), ``lower(text)``, ``contains(text, part)`` (case-insensitive).
Operators: ``and or not``, comparisons (``== != < <= > >= in not in``), ``+ - * /``.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from simpleeval import EvalWithCompoundTypes, FeatureNotAvailable


def _filled(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


class _Helpers:
    """The helpers, bound to the audit's date."""

    def __init__(self, today: date) -> None:
        self.today = today

    def days_since(self, value: Any) -> int | None:
        day = _day(value)
        return None if day is None else (self.today - day).days

    def days_until(self, value: Any) -> int | None:
        day = _day(value)
        return None if day is None else (day - self.today).days

    def functions(self) -> dict[str, Callable[..., Any]]:
        return {
            "filled": _filled,
            "empty": lambda value: not _filled(value),
            "days_since": self.days_since,
            "days_until": self.days_until,
            "lower": lambda text: None if text is None else str(text).casefold(),
            "contains": lambda text, part: (
                text is not None and str(part).casefold() in str(text).casefold()
            ),
        }


HELPERS = frozenset(_Helpers(date.today()).functions())
CONSTANTS = frozenset({"today", "True", "False", "None"})


@dataclass(frozen=True)
class ExpressionError:
    """What is wrong with an expression, and where (1-based column)."""

    message: str
    column: int | None = None

    def __str__(self) -> str:
        return f"{self.message} (column {self.column})" if self.column else self.message


@dataclass(frozen=True)
class Expression:
    """A parsed, checked expression, ready to evaluate against many items."""

    text: str
    tree: ast.AST


def _literals(node: ast.AST) -> list[ast.Constant]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node]
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [e for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return []


def _misspelt_values(tree: ast.AST, choices: Mapping[str, frozenset[str]]) -> list[ExpressionError]:
    """``status == 'closd'``: a value the field can never hold (the model's canonical
    values), which would make the rule silently never (or always) match."""
    problems = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        sides = [node.left, *node.comparators]
        names = [s.id for s in sides if isinstance(s, ast.Name) and s.id in choices]
        for name in names:
            for constant in (c for s in sides for c in _literals(s)):
                if constant.value not in choices[name]:
                    allowed = ", ".join(sorted(choices[name]))
                    problems.append(
                        ExpressionError(
                            f"compares {name} with {constant.value!r}, which {name} never is "
                            f"({allowed})",
                            constant.col_offset + 1,
                        )
                    )
    return problems


def parse(
    text: str, fields: Iterable[str], choices: Mapping[str, frozenset[str]] | None = None
) -> Expression | list[ExpressionError]:
    """The expression, or every problem found in it. ``choices``: the values fields with a
    fixed set of values can hold (a comparison with any other value is a problem)."""
    if not isinstance(text, str) or not text.strip():
        return [ExpressionError("is empty: write a condition such as filled(owner)")]
    try:
        tree = EvalWithCompoundTypes().parse(text.strip())
    except SyntaxError as exc:
        return [ExpressionError(f"is not a valid expression: {exc.msg}", exc.offset)]
    known = set(fields) | CONSTANTS
    problems = []
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    for node in ast.walk(tree):
        if id(node) in called:
            continue  # a helper's name: checked with its call
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in HELPERS:
                name = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node)
                problems.append(
                    ExpressionError(
                        f"calls {name!r}, which is not a helper (helpers: "
                        f"{', '.join(sorted(HELPERS))})",
                        node.col_offset + 1,
                    )
                )
        elif isinstance(node, ast.Name) and node.id not in known and node.id not in HELPERS:
            problems.append(
                ExpressionError(f"names {node.id!r}, which is not a field", node.col_offset + 1)
            )
        elif isinstance(node, ast.Attribute | ast.Subscript | ast.Lambda):
            problems.append(
                ExpressionError(
                    "uses attributes, indexing or lambdas, which policies do not allow",
                    node.col_offset + 1,
                )
            )
    problems.extend(_misspelt_values(tree, choices or {}))
    if problems:
        return problems
    parsed = Expression(text.strip(), tree)
    try:  # a construct the evaluator refuses is refused now, not on the first item
        evaluate = Evaluator(date.today())
        evaluate(parsed, evaluate.names({}, fields))
    except FeatureNotAvailable as exc:
        return [ExpressionError(f"uses something policies do not allow: {exc}")]
    except Exception:  # empty fields may fail arithmetic: that is checked per item
        pass
    return parsed


def _ordered(compare: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    """An ordering that is False when either side is missing (``score > 12`` of a risk
    without a score), instead of Python's TypeError."""

    def safe(left: Any, right: Any) -> bool:
        if left is None or right is None:
            return False
        return compare(left, right)

    return safe


class Evaluator:
    """Evaluates parsed expressions against items, for one audit date."""

    def __init__(self, today: date) -> None:
        self._eval = EvalWithCompoundTypes(functions=_Helpers(today).functions())
        for node, compare in (
            (ast.Gt, lambda a, b: a > b),
            (ast.GtE, lambda a, b: a >= b),
            (ast.Lt, lambda a, b: a < b),
            (ast.LtE, lambda a, b: a <= b),
        ):
            self._eval.operators[node] = _ordered(compare)
        self._today = today

    def names(self, item: Mapping[str, Any], fields: Iterable[str]) -> dict[str, Any]:
        """The names an item gives its rules (built once per item, for all of them)."""
        names = {name: item.get(name) for name in fields}
        names["today"] = self._today
        return names

    def __call__(self, expression: Expression, names: dict[str, Any]) -> Any:
        self._eval.names = names
        return self._eval.eval(expression.text, previously_parsed=expression.tree)
