"""What compiling a JQL clause needs everywhere: the environment, field names, operands.

``Env`` is the outside world (site, issue lookup, searching user, zone, clock);
``resolve_field`` maps a clause's field name to a kind; ``instant`` reads a date operand;
``EMPTY`` and ``is_empty`` give every kind the same idea of "no value".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.catalog import Catalog
from sandbox.jql import dates
from sandbox.jql.ast import Func, Operand, Value
from sandbox.jql.errors import JqlError
from sandbox.model import FieldDef, Issue

Predicate = Callable[[Issue], bool]
Visibility = Callable[[dict[str, str] | None, str], bool]
EMPTY = object()  # the EMPTY operand, once resolved
EQUALITY = {"=", "!=", "in", "not in", "is", "is not"}
ORDERING = {"<", "<=", ">", ">="}
TEXT = {"~", "!~", "is", "is not"}

# Clause names that are not fields of the catalog: name (lower case) -> kind.
PSEUDO = {
    "text": "text",
    "key": "key",
    "issue": "key",
    "issuekey": "key",
    "id": "key",
    "statuscategory": "statusCategory",
    "issuelinktype": "issueLinkType",
    "worklogdate": "worklogDate",
    "worklogauthor": "worklogAuthor",
}


def _everyone(visibility: dict[str, str] | None, project_id: str) -> bool:
    return True


@dataclass(frozen=True)
class Env:
    """What evaluation needs from the outside world.

    ``can_see(visibility, project_id)`` says whether the searching user may see a comment
    or worklog with that visibility restriction (default: everything).
    """

    catalog: Catalog
    find_issue: Callable[[str], Issue | None]
    current_user: str
    tz: ZoneInfo
    now_ms: int
    can_see: Visibility = _everyone


def resolve_field(name: str, env: Env) -> tuple[str, FieldDef | None]:
    """(kind, field) for a clause's field name; pseudo fields have no ``FieldDef``."""
    low = name.lower()
    if low in PSEUDO:
        return PSEUDO[low], None
    if low == "type":
        return "issuetype", env.catalog.fields["issuetype"]
    fd = env.catalog.field_by_name_or_id(name)
    if fd is None or fd.kind == "comment":
        raise unknown_field(name)
    return fd.kind, fd


def unknown_field(name: str) -> JqlError:
    """Jira's message for a field it does not know."""
    return JqlError(f"Field '{name}' does not exist or you do not have permission to view it.")


def is_empty(value: Any) -> bool:
    """No value: None, an empty list or an empty string."""
    return value is None or value == [] or value == ""


def instant(o: Operand, name: str, env: Env) -> int:
    """A date operand (literal, period or date function) as epoch ms."""
    if isinstance(o, Func):
        if o.name.lower() not in dates.DATE_FUNCTIONS:
            raise JqlError(f"Unable to find JQL function '{o.name}({', '.join(o.args)})'.")
        return dates.function_to_ms(o.name, o.args, name, env.tz, env.now_ms)
    assert isinstance(o, Value)
    return dates.literal_to_ms(o.text, name, env.tz, env.now_ms)


def literal_reader(name: str) -> Callable[[Operand], str]:
    """Read a plain value operand; functions the field does not take answer Jira's 400."""

    def literal(o: Operand) -> str:
        if isinstance(o, Func):
            raise JqlError(
                f"Unable to find JQL function '{o.name}({', '.join(o.args)})'."
                if o.name.lower() not in ("currentuser", *dates.DATE_FUNCTIONS)
                else f"The function '{o.name}' is not supported by the field '{name}'."
            )
        assert isinstance(o, Value)
        return o.text

    return literal


def unknown_value(value: str, name: str) -> JqlError:
    """Jira's message for a value a field does not have."""
    return JqlError(f"The value '{value}' does not exist for the field '{name}'.")
