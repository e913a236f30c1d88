"""The one exception type of the sandbox: a Jira-shaped HTTP error.

Handlers raise ``JiraError`` anywhere; the HTTP layer turns it into Jira's error body
``{"errorMessages": [...], "errors": {...}}`` with the matching status, so every error the
sandbox emits has the shape a real client has to parse.
"""

from __future__ import annotations

from typing import Any


class JiraError(Exception):
    """An error answered to the client in Jira's ErrorCollection shape."""

    def __init__(
        self,
        status: int,
        messages: list[str] | str | None = None,
        errors: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        if isinstance(messages, str):
            messages = [messages]
        self.status = status
        self.messages = list(messages or [])
        self.errors = dict(errors or {})
        self.headers = dict(headers or {})
        super().__init__(f"{status}: {self.messages} {self.errors}")

    def body(self) -> dict[str, Any]:
        """Return the JSON body Jira sends for this error."""
        return {"errorMessages": self.messages, "errors": self.errors}


def not_found(
    message: str = "Issue does not exist or you do not have permission to see it.",
) -> JiraError:
    """Shorthand for Jira's 404 wording for issues (also used for other entities)."""
    return JiraError(404, message)


def field_not_on_screen(field: str) -> str:
    """Jira's message for a field that cannot be set on this screen."""
    return f"Field '{field}' cannot be set. It is not on the appropriate screen, or unknown."
