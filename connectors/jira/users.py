"""People by email or display name, turned into the id each deployment writes.

Workbooks name people ("alice@example.com", "Alice Smith"); Jira Cloud writes users by
accountId and Data Center by username. Lookups cost one request per distinct person, so
answers (including "no such user") are cached for the run.
"""

from __future__ import annotations

from typing import Any, Literal

from connectors.jira.errors import JiraError
from connectors.jira.transport import JiraHttp


class UnknownJiraUser(JiraError):
    """No Jira user (or several) match a person named in a record."""


class UserDirectory:
    """Cached person -> Jira user reference ({"accountId"} or {"name"})."""

    def __init__(self, http: JiraHttp, deployment: Literal["cloud", "datacenter"]) -> None:
        self.http = http
        self.deployment = deployment
        self._cache: dict[str, dict[str, str] | str] = {}

    @staticmethod
    def person(user: dict[str, Any] | None) -> str | None:
        """How a record names a Jira user: email when visible, else the display name."""
        if not user:
            return None
        return user.get("emailAddress") or user.get("displayName") or user.get("name")

    def reference(self, person: str) -> dict[str, str]:
        """The payload that points at ``person``; UnknownJiraUser when none or ambiguous."""
        key = person.strip().casefold()
        if key not in self._cache:
            self._cache[key] = self._look_up(person.strip())
        found = self._cache[key]
        if isinstance(found, str):
            raise UnknownJiraUser(found)
        return found

    def _look_up(self, person: str) -> dict[str, str] | str:
        param = "query" if self.deployment == "cloud" else "username"
        users = self.http.get("user/search", params={param: person, "maxResults": 20}) or []
        wanted = person.casefold()
        exact = [
            u
            for u in users
            if wanted
            in (
                str(u.get("emailAddress", "")).casefold(),
                str(u.get("displayName", "")).casefold(),
                str(u.get("name", "")).casefold(),
            )
        ]
        if not exact and len(users) == 1 and "@" in person and not users[0].get("emailAddress"):
            exact = users  # Cloud hides emails by privacy setting but still searches by them
        if len(exact) != 1:
            names = ", ".join(sorted(self.person(u) or "?" for u in users)) or "none"
            what = "several Jira users match" if exact else "no Jira user matches"
            return f"{what} {person!r} (candidates: {names}); use the person's email"
        user = exact[0]
        if self.deployment == "cloud":
            return {"accountId": str(user["accountId"])}
        return {"name": str(user["name"])}
