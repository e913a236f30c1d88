"""PMO policies as data: a TOML file of ``[[rule]]`` tables, checked as a whole.

```toml
[[rule]]
id = "risk-owner"
title = "Every open risk has an owner"
applies_to = "risk"
filter = "status != 'closed'"          # which items the rule looks at (default: all)
condition = "filled(owner)"            # what a compliant item satisfies
severity = "error"                     # error, warning or info
notify = "owner"                       # the field naming whom to tell (or a fixed name)
```

Loading reports every problem of the file at once, each with the rule's place (its
number and id) and, for expressions, the column: a policy with one typo must not load
with that rule silently missing. The built-in PMO pack ships as
``compliance/policies/pmo.toml``; ``load_policy("builtin:pmo")`` reads it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from compliance.expressions import Expression, parse
from mappings.model import ENTITY_TYPES

SEVERITIES = ("error", "warning", "info")
BUILTIN = "builtin:pmo"
_KEYS = {"id", "title", "applies_to", "filter", "condition", "severity", "notify", "why"}


class PolicyError(ValueError):
    """A policy file that cannot be used; ``problems`` lists every one found."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source, self.problems = source, problems
        shown = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{source}: {len(problems)} problem(s) in the policy:\n{shown}")


@dataclass(frozen=True)
class Rule:
    """One checked rule."""

    id: str
    title: str
    entity: str
    fields: tuple[str, ...]
    condition: Expression
    filter: Expression | None
    severity: str
    notify: str | None
    why: str | None  # what to tell the person, when the title alone does not say

    def whom(self, item: Mapping[str, Any]) -> str | None:
        """The person to tell: the named field's value, or a fixed name."""
        if self.notify is None:
            return None
        if self.notify in self.fields:
            value = item.get(self.notify)
            return None if value in (None, "") else str(value)
        return self.notify


@dataclass(frozen=True)
class Policy:
    source: str
    rules: tuple[Rule, ...]

    def for_entity(self, entity: str) -> list[Rule]:
        return [r for r in self.rules if r.entity == entity]

    @property
    def entities(self) -> list[str]:
        return sorted({r.entity for r in self.rules})


def load_policy(where: str | Path = BUILTIN) -> Policy:
    """The policy at a path, or the built-in pack."""
    if str(where) == BUILTIN:
        text = resources.files("compliance").joinpath("policies/pmo.toml").read_text("utf-8")
        return parse_policy(text, BUILTIN)
    path = Path(where)
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise PolicyError(str(path), [f"no policy file at {path}"]) from None
    except UnicodeDecodeError:
        raise PolicyError(str(path), ["the file is not UTF-8 text; save it as UTF-8"]) from None
    return parse_policy(text, str(path))


def parse_policy(text: str, source: str) -> Policy:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(source, [f"not valid TOML: {exc}"]) from None
    tables = data.get("rule")
    if not isinstance(tables, list) or not tables:
        raise PolicyError(source, ["no [[rule]] tables: a policy lists its rules as [[rule]]"])
    problems: list[str] = []
    rules: list[Rule] = []
    seen: set[str] = set()
    for number, table in enumerate(tables, start=1):
        rule = _rule(table, number, seen, problems)
        if rule is not None:
            rules.append(rule)
    if problems:
        raise PolicyError(source, problems)
    return Policy(source, tuple(rules))


def _choices(model: Any) -> dict[str, frozenset[str]]:
    """Field -> the canonical values it can hold, for fields with a fixed set (Literal)."""
    found = {}
    for name, info in model.model_fields.items():
        values = _literal_values(info.annotation)
        if values:
            found[name] = frozenset(values)
    return found


def _literal_values(annotation: Any) -> list[str]:
    if get_origin(annotation) is Literal:
        return [str(v) for v in get_args(annotation)]
    return [v for arg in get_args(annotation) for v in _literal_values(arg)]


def _rule(table: Any, number: int, seen: set[str], problems: list[str]) -> Rule | None:
    rid = str(table.get("id", "")).strip() if isinstance(table, dict) else ""
    where = f"rule {number} ({rid!r})" if rid else f"rule {number}"
    before = len(problems)
    if not isinstance(table, dict):
        problems.append(f"{where}: is not a table")
        return None
    if not rid:
        problems.append(f"{where}: needs an id")
    elif rid in seen:
        problems.append(f"{where}: the id {rid!r} is used by an earlier rule")
    seen.add(rid)
    for key in sorted(set(table) - _KEYS):
        problems.append(f"{where}: unknown key {key!r} (keys: {', '.join(sorted(_KEYS))})")
    entity = str(table.get("applies_to", ""))
    model = ENTITY_TYPES.get(entity)
    if model is None:
        problems.append(
            f"{where}: applies_to {entity!r} is not an entity ({', '.join(sorted(ENTITY_TYPES))})"
        )
    fields = tuple(model.model_fields) if model is not None else ()
    severity = str(table.get("severity", "warning"))
    if severity not in SEVERITIES:
        problems.append(f"{where}: severity {severity!r} is not one of {', '.join(SEVERITIES)}")
    expressions: dict[str, Expression | None] = {}
    for key in ("condition", "filter"):
        if key not in table:
            if key == "condition":
                problems.append(f"{where}: needs a condition")
            expressions[key] = None
            continue
        parsed = parse(table[key], fields, _choices(model)) if model is not None else None
        if isinstance(parsed, list):
            problems.extend(f"{where}: {key} {table[key]!r} {p}" for p in parsed)
            parsed = None
        expressions[key] = parsed
    title = str(table.get("title") or rid)
    if len(problems) > before or expressions["condition"] is None:
        return None
    notify = table.get("notify")
    return Rule(
        rid,
        title,
        entity,
        fields,
        expressions["condition"],
        expressions["filter"],
        severity,
        None if notify in (None, "") else str(notify),
        None if table.get("why") in (None, "") else str(table["why"]),
    )
