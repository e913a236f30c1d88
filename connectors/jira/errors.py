"""Errors of the Jira connector, each saying what the user must do next.

JiraError
├── JiraUnreachable     the site did not answer (URL, network, proxy)
├── JiraAuthError       401/403: credentials or permissions
└── UnknownJiraField    a mapping names a field the site lacks (lists similar names)
"""

from __future__ import annotations

from collections.abc import Sequence


class JiraError(Exception):
    """Base class of the Jira connector's errors."""


class JiraUnreachable(JiraError):
    """The site did not answer."""


class JiraAuthError(JiraError):
    """The site refused the credentials (401) or the permission (403)."""


class UnknownJiraField(JiraError):
    """A mapping names a field this Jira site does not have."""

    def __init__(self, name: str, similar: Sequence[str]) -> None:
        self.name = name
        self.similar = list(similar)
        hint = f"; similar fields: {', '.join(self.similar)}" if self.similar else ""
        super().__init__(f"Jira has no field named {name!r}{hint}")
