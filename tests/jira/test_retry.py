"""Unit tests of the retry policy: asked waits honoured exactly, unsafe writes not repeated."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import requests
import responses
from jira import JIRA

from connectors.jira.errors import JiraAuthError, JiraUnreachable
from connectors.jira.retry import RetryPolicy, asked_wait
from connectors.jira.transport import JiraHttp, JiraRequestError

URL = "https://jira.example.com"
NOW = datetime(2026, 11, 28, 12, 0, 0, tzinfo=UTC)


def _client() -> JIRA:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(f"{URL}/rest/api/2/serverInfo", json={"deploymentType": "Cloud"})
        return JIRA(
            URL,
            basic_auth=("a@b.c", "secret-token"),
            max_retries=0,
            options={"check_update": False},
            get_server_info=False,
        )


@pytest.fixture
def http() -> tuple[JiraHttp, list[float]]:
    waits: list[float] = []
    policy = RetryPolicy(sleep=waits.append, clock=lambda: NOW, attempts=5)
    return JiraHttp(_client(), policy), waits


def test_asked_wait_forms() -> None:
    assert asked_wait({"retry-after": "7"}, NOW) == 7
    later = format_datetime(NOW + timedelta(seconds=12), usegmt=True)
    assert asked_wait({"retry-after": later}, NOW) == 12
    reset = (NOW + timedelta(seconds=3, milliseconds=200)).isoformat()
    assert asked_wait({"x-ratelimit-reset": reset}, NOW) == 4  # rounded up, never less
    assert asked_wait({}, NOW) is None


@responses.activate
def test_429_waits_exactly_retry_after(http: tuple[JiraHttp, list[float]]) -> None:
    client, waits = http
    path = f"{URL}/rest/api/2/issue/A-1"
    responses.get(path, status=429, headers={"Retry-After": "5"})
    responses.get(path, status=429, headers={"Retry-After": "2"})
    responses.get(path, json={"key": "A-1"})
    assert client.get("issue/A-1") == {"key": "A-1"}
    assert waits == [5, 2]


@responses.activate
def test_http_date_and_reset_header(http: tuple[JiraHttp, list[float]]) -> None:
    client, waits = http
    path = f"{URL}/rest/api/2/field"
    date = format_datetime(NOW + timedelta(seconds=9), usegmt=True)
    responses.get(path, status=503, headers={"Retry-After": date})
    reset = (NOW + timedelta(seconds=20)).isoformat().replace("+00:00", "Z")
    responses.get(path, status=429, headers={"X-RateLimit-Reset": reset})
    responses.get(path, json=[])
    assert client.get("field") == []
    assert waits == [9, 20]


@responses.activate
def test_backoff_without_hint_grows(http: tuple[JiraHttp, list[float]]) -> None:
    client, waits = http
    path = f"{URL}/rest/api/2/field"
    for status in (502, 504, 503):
        responses.get(path, status=status)
    responses.get(path, body=requests.ConnectionError("reset"))
    responses.get(path, json=[])
    assert client.get("field") == []
    assert len(waits) == 4
    assert all(w > 0 for w in waits)
    assert waits[3] >= 4 * 0.5  # exponential: 0.5, 1, 2, 4 (+ jitter)


@responses.activate
def test_post_not_retried_after_a_lost_connection(http: tuple[JiraHttp, list[float]]) -> None:
    client, waits = http
    responses.post(f"{URL}/rest/api/2/issue", body=requests.ConnectionError("lost"))
    with pytest.raises(JiraUnreachable):
        client.post("issue", {"fields": {}})
    assert waits == []
    assert len(responses.calls) == 1


@responses.activate
def test_post_retried_on_429(http: tuple[JiraHttp, list[float]]) -> None:
    client, waits = http
    responses.post(f"{URL}/rest/api/2/issue", status=429, headers={"Retry-After": "3"})
    responses.post(f"{URL}/rest/api/2/issue", status=502)
    with pytest.raises(JiraRequestError) as info:
        client.post("issue", {"fields": {}})
    assert waits == [3]
    assert info.value.status == 502


@pytest.mark.parametrize(
    ("status", "error", "needle"),
    [
        (401, JiraAuthError, "token"),
        (403, JiraAuthError, "permission"),
        (404, JiraRequestError, "deleted"),
        (400, JiraRequestError, "Probability: bad option"),
    ],
)
@responses.activate
def test_fatal_statuses_say_what_to_fix(
    http: tuple[JiraHttp, list[float]], status: int, error: type, needle: str
) -> None:
    client, waits = http
    responses.put(
        f"{URL}/rest/api/2/issue/A-1",
        status=status,
        json={"errorMessages": [], "errors": {"Probability": "bad option"}},
    )
    with pytest.raises(error) as info:
        client.put("issue/A-1", {"fields": {}})
    assert needle in str(info.value)
    assert "secret-token" not in str(info.value)
    assert waits == []


@responses.activate
def test_gives_up_after_attempts(http: tuple[JiraHttp, list[float]]) -> None:
    client, waits = http
    responses.get(f"{URL}/rest/api/2/field", status=429, headers={"Retry-After": "1"})
    with pytest.raises(JiraRequestError, match="429"):
        client.get("field")
    assert waits == [1, 1, 1, 1]
