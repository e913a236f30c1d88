"""Issue links as a field: the keys of the issues linked to this one in one direction.

A RAID log's "Depends On" column says "BETA-3, BETA-7"; in Jira that is two links of type
Blocks, seen from this issue as "is blocked by". A mapping says so with
``jira = "issuelinks"`` and ``link = "is blocked by"``; the phrase is matched against the
site's link types (``GET issueLinkType``, once per run), which fixes both the type and
the side.

Direction follows how Jira presents an issue's ``issuelinks``: an entry with
``outwardIssue`` reads "this issue <outward> that one" ("blocks"), an entry with
``inwardIssue`` reads "this issue <inward> that one" ("is blocked by"). Links are added
with the edit-issue ``update`` verb, which uses the same presentation (so no guessing
which end of ``POST issueLink`` is which), and removed by ``DELETE issueLink/{id}``.
Only the links of the mapped type and side are touched; links of other types stay.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from connectors.jira.errors import JiraError
from connectors.jira.transport import JiraHttp, JiraRequestError
from mappings.values import fold

ISSUE_KEY = re.compile(r"^[A-Z][A-Z0-9_]+-[1-9][0-9]*$")
"""A Jira issue key (BETA-12): what a link cell may name."""
KEY_SEPARATORS = re.compile(r"[,;\s]+")
"""Between the keys of a link cell ("BETA-3, BETA-7")."""


class UnknownLinkType(JiraError):
    """The mapping's link phrase names no link type of the site."""


@dataclass(frozen=True)
class LinkSide:
    """One link type seen from one end."""

    type_name: str
    side: str  # "outward" or "inward": which key of an issuelinks entry holds the other issue
    phrase: str  # how Jira words it: "blocks"
    both_ways: bool = False  # "relates to": the same words from either end


@dataclass(frozen=True)
class Linked:
    """One link of an issue: the other issue's key and the link's id."""

    key: str
    link_id: str


class LinkTypes:
    """The site's issue link types, fetched once and matched by phrase or name."""

    def __init__(self, http: JiraHttp) -> None:
        self.http = http
        self._types: list[dict[str, Any]] | None = None

    def all(self) -> list[dict[str, Any]]:
        if self._types is None:
            answer = self.http.get("issueLinkType") or {}
            self._types = list(answer.get("issueLinkTypes", []))
        return self._types

    def side(self, phrase: str) -> LinkSide:
        """The link type and side a mapping's ``link`` phrase means.

        The outward and inward words ("blocks", "is blocked by") say the side; the type's
        own name ("Blocks") means its outward side."""
        wanted = fold(phrase)
        for kind in self.all():
            name = str(kind.get("name", ""))
            outward, inward = str(kind.get("outward", "")), str(kind.get("inward", ""))
            both = fold(outward) == fold(inward)
            if wanted in (fold(outward), fold(name)):
                return LinkSide(name, "outward", outward, both)
            if wanted == fold(inward):
                return LinkSide(name, "inward", inward, both)
        offered = sorted(
            {str(k.get(w, "")) for k in self.all() for w in ("outward", "inward")} - {""}
        )
        raise UnknownLinkType(
            f"no issue link type of the site reads {phrase!r}; the site's links read: "
            f"{', '.join(map(repr, offered)) or '(none: issue linking may be off)'}"
        )


def linked(issuelinks: Iterable[dict[str, Any]] | None, side: LinkSide) -> list[Linked]:
    """The issues an issue is linked to on ``side``, in Jira's order."""
    found: list[Linked] = []
    for entry in issuelinks or ():
        if fold(str((entry.get("type") or {}).get("name", ""))) != fold(side.type_name):
            continue
        ends = ("outwardIssue", "inwardIssue") if side.both_ways else (f"{side.side}Issue",)
        for end in ends:
            other = entry.get(end)
            if isinstance(other, dict) and other.get("key"):
                found.append(Linked(str(other["key"]), str(entry.get("id", ""))))
    return found


def keys_text(keys: Sequence[str]) -> str | None:
    """The cell text of linked keys: sorted, comma-separated (None: no links)."""
    unique = sorted(set(keys), key=_key_order)
    return ", ".join(unique) or None


def parse_keys(value: Any, field_name: str) -> list[str]:
    """The issue keys a cell lists ("BETA-3, BETA-7"); anything else is refused, since a
    link needs an issue at its other end."""
    if value is None:
        return []
    parts = [p for p in KEY_SEPARATORS.split(str(value).strip()) if p]
    bad = [p for p in parts if not ISSUE_KEY.match(p.upper())]
    if bad:
        raise ValueError(
            f"{field_name} {value!r}: {', '.join(map(repr, bad))} is not a Jira issue key "
            "(a link needs the issue at its other end, e.g. BETA-12)"
        )
    return sorted({p.upper() for p in parts}, key=_key_order)


def _key_order(key: str) -> tuple[str, int]:
    project, _, number = key.rpartition("-")
    return (project, int(number) if number.isdigit() else 0)


class LinkWriter:
    """Makes an issue's links on one side match a list of keys."""

    def __init__(self, http: JiraHttp, types: LinkTypes) -> None:
        self.http = http
        self.types = types

    def apply(self, key: str, phrase: str, wanted: Sequence[str]) -> tuple[int, int]:
        """Add the missing links and delete the ones no longer listed (after reading the
        issue's current links, so a link someone added in Jira meanwhile is seen).

        Returns (added, removed)."""
        side = self.types.side(phrase)
        issue = self.http.get(f"issue/{key}", params={"fields": "issuelinks"}) or {}
        current = linked((issue.get("fields") or {}).get("issuelinks"), side)
        have = {c.key for c in current}
        add = [k for k in wanted if k not in have and k != key]
        remove = [c for c in current if c.key not in set(wanted)]
        if add:
            end = "outwardIssue" if side.side == "outward" else "inwardIssue"
            operations = [
                {"add": {"type": {"name": side.type_name}, end: {"key": other}}} for other in add
            ]
            self.http.put(f"issue/{key}", {"update": {"issuelinks": operations}})
        for link in remove:
            try:
                self.http.delete(f"issueLink/{link.link_id}")
            except JiraRequestError as exc:
                if exc.status != 404:  # 404: already gone (a retry, or someone removed it)
                    raise
        return len(add), len(remove)
