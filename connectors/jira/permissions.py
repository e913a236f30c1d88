"""What the sync account may do in each project (``GET mypermissions``).

Jira answers a write the account may not make with 403 (or a 400 naming a field), one
issue at a time; a cycle that found that out halfway would leave some issues written and
others not. Asking first, once per project for the permissions a cycle's writes need,
lets the sync refuse the pair's Jira writes as a whole, and lets `pmo-sync check` say
which permission to grant where.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from connectors.jira.transport import JiraHttp, JiraRequestError

BROWSE, CREATE, EDIT, TRANSITION, LINK, LOG_WORK = (
    "BROWSE_PROJECTS",
    "CREATE_ISSUES",
    "EDIT_ISSUES",
    "TRANSITION_ISSUES",
    "LINK_ISSUES",
    "WORK_ON_ISSUES",
)
TITLES = {
    BROWSE: "Browse Projects",
    CREATE: "Create Issues",
    EDIT: "Edit Issues",
    TRANSITION: "Transition Issues",
    LINK: "Link Issues",
    LOG_WORK: "Work On Issues (log work)",
}
CACHE_SECONDS = 300.0
"""A grant made in Jira takes effect within five minutes, without a restart."""


class Permissions:
    """The account's project permissions, asked once per project and set for a while."""

    def __init__(self, http: JiraHttp, clock: Callable[[], float] = time.monotonic) -> None:
        self.http = http
        self.clock = clock
        self._known: dict[str, tuple[float, dict[str, bool]]] = {}

    def have(self, project: str, wanted: Iterable[str]) -> dict[str, bool]:
        """permission key -> whether the account has it in ``project``."""
        wanted = sorted(set(wanted))
        now = self.clock()
        cached = self._known.get(project)
        if cached is not None and now - cached[0] < CACHE_SECONDS and set(wanted) <= set(cached[1]):
            return {key: cached[1][key] for key in wanted}
        try:
            answer = self.http.get(
                "mypermissions", params={"projectKey": project, "permissions": ",".join(wanted)}
            )
        except JiraRequestError as exc:
            if exc.status != 404:
                raise
            # A server without the resource cannot say: the writes themselves will tell.
            return dict.fromkeys(wanted, True)
        found = (answer or {}).get("permissions", {})
        have = {key: bool((found.get(key) or {}).get("havePermission")) for key in wanted}
        previous = cached[1] if cached is not None and now - cached[0] < CACHE_SECONDS else {}
        self._known[project] = (now, {**previous, **have})
        return have

    def missing(self, project: str, wanted: Iterable[str]) -> list[str]:
        """The titles of the permissions the account lacks in ``project``, in order."""
        have = self.have(project, wanted)
        return [TITLES.get(key, key) for key in sorted(have) if not have[key]]


def grant_hint(account: str, project: str, titles: list[str]) -> str:
    """What to ask a Jira administrator for."""
    return (
        f"the account {account} lacks {', '.join(titles)} in project {project}: ask a Jira "
        f"administrator to grant it in the project's permission scheme (Project settings > "
        "Permissions), or give the account a project role that has it"
    )
