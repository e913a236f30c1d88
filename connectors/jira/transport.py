"""JSON over the authenticated session of a ``jira.JIRA`` client, under the retry policy.

The jira library's ResilientSession raises JIRAError whose text includes the request
headers (the Authorization token), and its own retries can wait less than Retry-After.
So requests go through the plain ``requests.Session.request`` of the client's session:
its auth and TLS settings are reused, its retry and error handling are not.
"""

from __future__ import annotations

import json
from typing import Any

import requests
from jira import JIRA

from connectors.jira.errors import JiraAuthError, JiraError, JiraUnreachable
from connectors.jira.retry import HttpStatusError, RetryPolicy


class JiraRequestError(JiraError):
    """A request Jira refused for this record (400/404/409/...): the message says why."""

    def __init__(
        self, message: str, status: int, errors: dict[str, str] | None = None, body: Any = None
    ) -> None:
        self.status = status
        self.errors = dict(errors or {})
        self.body = body  # the parsed JSON answer (issue/bulk puts per-element errors here)
        super().__init__(message)


def _jira_messages(text: str) -> tuple[str, dict[str, str]]:
    """Jira's errorMessages and per-field errors from an error body, if it is JSON."""
    try:
        body = json.loads(text)
    except ValueError:
        return text[:300], {}
    if not isinstance(body, dict):
        return text[:300], {}
    messages = [str(m) for m in body.get("errorMessages") or []]
    raw_errors = body.get("errors") or {}
    if not isinstance(raw_errors, dict):  # issue/bulk: a list of per-element errors
        return text[:300], {}
    errors = {str(k): str(v) for k, v in raw_errors.items()}
    parts = messages + [f"{k}: {v}" for k, v in errors.items()]
    return "; ".join(parts) or text[:300], errors


def explain(error: HttpStatusError, base_url: str) -> JiraError:
    """A fatal answer as an error that says what to fix (no token, no headers)."""
    detail, field_errors = _jira_messages(error.text)
    if error.status == 401:
        return JiraAuthError(
            f"{base_url} refused the credentials (401) for {error.what}: check the email and "
            "the API token (Cloud) or the personal access token (Data Center) in the config"
        )
    if error.status == 403:
        return JiraAuthError(
            f"{base_url} refused access (403) for {error.what}: the account lacks permission "
            f"(browse/edit/create in the project){'; Jira says: ' + detail if detail else ''}"
        )
    if error.status == 404:
        return JiraRequestError(
            f"{error.what}: not found (404): the issue was deleted or moved, or the account "
            f"cannot see it; {detail}",
            404,
        )
    if error.status == 400:
        try:
            body = json.loads(error.text)
        except ValueError:
            body = None
        return JiraRequestError(
            f"{error.what}: Jira rejected the request (400): {detail}", 400, field_errors, body
        )
    return JiraRequestError(f"{error.what}: Jira answered {error.status}: {detail}", error.status)


class JiraHttp:
    """Small JSON client: ``get/post/put(path, api="2")`` with retries and clear errors."""

    def __init__(self, client: JIRA, policy: RetryPolicy | None = None, timeout: float = 30):
        self.client = client
        self.base_url = client.server_url.rstrip("/")
        self.policy = policy or RetryPolicy()
        self.timeout = timeout

    def _once(self, method: str, path: str, api: str, **kwargs: Any) -> Any:
        url = f"{self.base_url}/rest/api/{api}/{path}"
        what = f"{method} {path}"
        try:
            response = requests.Session.request(
                self.client._session, method, url, timeout=self.timeout, **kwargs
            )
        except requests.RequestException as exc:
            raise type(exc)(f"{what}: {type(exc).__name__}") from None
        if response.status_code >= 400:
            raise HttpStatusError(response.status_code, dict(response.headers), response.text, what)
        if response.status_code == 204 or not response.content:
            return None
        return response.json()

    def request(
        self,
        method: str,
        path: str,
        *,
        api: str = "2",
        idempotent: bool | None = None,
        **kwargs: Any,
    ) -> Any:
        """One logical request; raises JiraError subclasses only."""
        safe = method in ("GET", "PUT", "DELETE") if idempotent is None else idempotent
        try:
            return self.policy.call(
                lambda: self._once(method, path, api, **kwargs), idempotent=safe
            )
        except HttpStatusError as exc:
            raise explain(exc, self.base_url) from None
        except requests.RequestException as exc:
            raise JiraUnreachable(
                f"{self.base_url}: {exc}; check the network, or retry later"
            ) from None

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body: Any, **kwargs: Any) -> Any:
        return self.request("POST", path, json=body, **kwargs)

    def put(self, path: str, body: Any, **kwargs: Any) -> Any:
        return self.request("PUT", path, json=body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self.request("DELETE", path, **kwargs)
