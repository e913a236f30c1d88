"""People by email or display name, turned into the id each deployment writes.

Workbooks name people ("alice@example.com", "Alice Smith", "张伟"); Jira Cloud writes
users by accountId and Data Center by username. Lookups cost one request per distinct
person, so answers (including "no such user") are cached for the run.

The configuration's ``[people]`` table maps names as workbooks write them to Jira
accounts (an email, an accountId or a username). It works both ways: "张伟" is written
to Jira as that account, and the account reads back as "张伟", so the cell keeps the
name the PMO uses.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from connectors.jira.errors import JiraError
from connectors.jira.transport import JiraHttp
from mappings.config import person_key


class UnknownJiraUser(JiraError):
    """No Jira user (or several) match a person named in a record."""


class UserDirectory:
    """Cached person -> Jira user reference ({"accountId"} or {"name"})."""

    def __init__(self, http: JiraHttp, deployment: Literal["cloud", "datacenter"]) -> None:
        self.http = http
        self.deployment = deployment
        self._cache: dict[str, dict[str, str] | str] = {}
        self._accounts: dict[str, str] = {}  # person_key(name) -> account
        self._names: dict[str, str] = {}  # account (casefolded) -> name as written
        self.unknown_people: Literal["error", "text"] = "error"

    def configure(
        self, people: Mapping[str, str], unknown_people: Literal["error", "text"] = "error"
    ) -> None:
        """Use the configuration's ``[people]`` table and ``unknown_people`` policy."""
        self._accounts = {person_key(name): account.strip() for name, account in people.items()}
        self._names = {account.strip().casefold(): name for name, account in people.items()}
        self.unknown_people = unknown_people
        self._cache.clear()

    def person(self, user: dict[str, Any] | None) -> str | None:
        """How a record names a Jira user: the name ``[people]`` gives the account, else
        the email when visible, else the display name."""
        if not user:
            return None
        for ident in (user.get("accountId"), user.get("emailAddress"), user.get("name")):
            if ident and str(ident).casefold() in self._names:
                return self._names[str(ident).casefold()]
        return user.get("emailAddress") or user.get("displayName") or user.get("name")

    def reference(self, person: str) -> dict[str, str]:
        """The payload that points at ``person``; UnknownJiraUser when none or ambiguous."""
        account = self._accounts.get(person_key(person), person.strip())
        key = account.casefold()
        if key not in self._cache:
            found = self._look_up(account)
            if isinstance(found, str):
                found = self._explain(person, account, found)
            self._cache[key] = found
        found = self._cache[key]
        if isinstance(found, str):
            raise UnknownJiraUser(found)
        return found

    def _explain(self, person: str, account: str, problem: str) -> str:
        if account != person.strip():
            return f"{problem}; [people] maps {person!r} to {account!r}, which Jira does not know"
        return (
            f"{problem}, or map the name to a Jira account under [people] in the "
            f'configuration ("{person.strip()}" = "email or account id"), or set [sync] '
            'unknown_people = "text" and give the field a jira_fallback text field'
        )

    def _look_up(self, person: str) -> dict[str, str] | str:
        direct = self._by_id(person)
        if direct is not None:
            return direct
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

    def _by_id(self, account: str) -> dict[str, str] | None:
        """An account given as an accountId (Cloud) or a username (Data Center), found
        with one GET; None when it is not one (an email or a name is searched instead)."""
        if "@" in account or " " in account or not account:
            return None
        param = "accountId" if self.deployment == "cloud" else "username"
        try:
            user = self.http.get("user", params={param: account})
        except JiraError:
            return None
        if not isinstance(user, dict):
            return None
        if self.deployment == "cloud" and user.get("accountId"):
            return {"accountId": str(user["accountId"])}
        if self.deployment != "cloud" and user.get("name"):
            return {"name": str(user["name"])}
        return None
