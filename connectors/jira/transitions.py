"""Moving an issue to a status through its workflow, possibly over several transitions.

Jira only shows the transitions available from the issue's current status, so the
workflow graph is learnt as the walk goes (and remembered per issue type for the run):
a breadth-first search over the known edges picks the shortest known path, and when no
known path exists the walk explores a transition to a status it has not visited yet.
Required transition fields (a change request's Decision Date on Approve) are filled from
the record through the mapping; a missing one is a clear per-record error.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from connectors.jira.errors import JiraError, JiraUnreachable
from connectors.jira.site import JiraSiteContext

MAX_STEPS = 8


class StatusUnreachable(JiraError):
    """The workflow offers no way (that the account may take) to the wanted status."""


Edges = dict[str, list[tuple[str, str]]]  # status name -> [(transition name, to status)]


def shortest_path(edges: Edges, start: str, targets: set[str]) -> list[str] | None:
    """Names of the statuses to go through (excluding ``start``), or None."""
    queue: deque[tuple[str, list[str]]] = deque([(start, [])])
    seen = {start}
    while queue:
        status, path = queue.popleft()
        for _name, nxt in edges.get(status, []):
            if nxt in seen:
                continue
            if nxt in targets:
                return [*path, nxt]
            seen.add(nxt)
            queue.append((nxt, [*path, nxt]))
    return None


class StatusMover:
    """Takes issues to target statuses; one instance per run shares the learnt graph."""

    def __init__(self, site: JiraSiteContext) -> None:
        self.site = site
        self._edges: dict[str, Edges] = {}

    def move(
        self,
        key: str,
        issue_type: str,
        current: str,
        is_target: Callable[[str], bool],
        field_value: Callable[[str], Any],
    ) -> str:
        """Walk ``key`` from ``current`` to a status accepted by ``is_target``.

        Args:
            field_value: Jira field id -> payload value for a transition screen (None when
                the record has no value for it).

        Returns the status reached. Raises StatusUnreachable or JiraRequestError.
        """
        edges = self._edges.setdefault(issue_type, {})
        visited = {current}
        for _ in range(MAX_STEPS):
            if is_target(current):
                return current
            available = self.site.http.get(
                f"issue/{key}/transitions", params={"expand": "transitions.fields"}
            ).get("transitions", [])
            edges[current] = [(t["name"], t["to"]["name"]) for t in available]
            targets = {to for _, to in edges[current] if is_target(to)}
            known = {s for outs in edges.values() for _, s in outs} | set(edges)
            targets |= {s for s in known if is_target(s)}
            path = shortest_path(edges, current, targets)
            step = path[0] if path else None
            if step is None:  # explore: an unvisited status whose exits are unknown first
                fresh = [to for _, to in edges[current] if to not in visited]
                fresh.sort(key=lambda s: s in edges)
                step = fresh[0] if fresh else None
            if step is None:
                offered = ", ".join(f"{n} -> {to}" for n, to in edges[current]) or "none"
                raise StatusUnreachable(
                    f"{key}: no workflow path from {current!r} to the wanted status "
                    f"(transitions offered: {offered}; none may mean no permission)"
                )
            chosen = next(t for t in available if t["to"]["name"] == step)
            self._take(key, chosen, field_value)
            current = step
            visited.add(current)
        if is_target(current):
            return current
        raise StatusUnreachable(f"{key}: wanted status not reached in {MAX_STEPS} transitions")

    def _take(
        self, key: str, transition: dict[str, Any], field_value: Callable[[str], Any]
    ) -> None:
        fields: dict[str, Any] = {}
        for fid, meta in (transition.get("fields") or {}).items():
            value = field_value(fid)
            if value is not None:
                fields[fid] = value
            elif meta.get("required") and not meta.get("hasDefaultValue"):
                raise StatusUnreachable(
                    f"{key}: transition {transition['name']!r} requires "
                    f"{meta.get('name', fid)!r}; map it in the mapping and give it a value"
                )
        body: dict[str, Any] = {"transition": {"id": transition["id"]}}
        if fields:
            body["fields"] = fields
        # A transition is not idempotent: retried only when Jira proves it did not run it.
        # If the answer is lost, the issue's status tells whether it ran.
        try:
            self.site.http.post(f"issue/{key}/transitions", body)
        except JiraUnreachable:
            issue = self.site.http.get(f"issue/{key}", params={"fields": "status"})
            if issue["fields"]["status"]["name"] != transition["to"]["name"]:
                raise
