"""The JQL error type: one message in Jira's words, answered as a 400."""

from __future__ import annotations


class JqlError(Exception):
    """A query Jira would reject, with the message Jira would give."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)
