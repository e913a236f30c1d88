"""Unit tests of value conversion per schema type (users looked up over `responses`)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import responses
from jira import JIRA

from connectors.jira.fields import JiraField
from connectors.jira.retry import RetryPolicy
from connectors.jira.transport import JiraHttp
from connectors.jira.users import UnknownJiraUser, UserDirectory
from connectors.jira.values import ValueConverter
from mappings.mapping import FieldMapping
from mappings.values import PROBABILITY

URL = "https://jira.example.com"
ALICE = {"accountId": "acc-1", "displayName": "Alice Smith", "emailAddress": "alice@x.com"}


def _http() -> JiraHttp:
    with responses.RequestsMock(assert_all_requests_are_fired=False):
        client = JIRA(
            URL,
            token_auth="t",
            max_retries=0,
            options={"check_update": False},
            get_server_info=False,
        )
    return JiraHttp(client, RetryPolicy(sleep=lambda s: None))


def field(kind: str, items: str | None = None) -> JiraField:
    return JiraField("customfield_1", "F", True, kind, items, None)


def fm(**kw: Any) -> FieldMapping:
    return FieldMapping(name="x", jira="F", **kw)


@pytest.fixture
def conv() -> ValueConverter:
    return ValueConverter(UserDirectory(_http(), "cloud"))


@pytest.mark.parametrize(
    ("kind", "items", "canonical", "payload", "vmap"),
    [
        ("option", None, 4, {"value": "High"}, PROBABILITY),
        ("option", None, "Technical", {"value": "Technical"}, None),
        ("array", "option", "Scope, Cost", [{"value": "Scope"}, {"value": "Cost"}], None),
        ("date", None, date(2026, 3, 1), "2026-03-01", None),
        ("number", None, 12.5, 12.5, None),
        ("array", "string", "alpha beta", ["alpha", "beta"], None),
        (
            "string",
            None,
            "line *one*\n\n|a|b|\n{code}x{code}",
            "line *one*\n\n|a|b|\n{code}x{code}",
            None,
        ),
        ("priority", None, "High", {"name": "High"}, None),
    ],
)
def test_round_trip(
    conv: ValueConverter, kind: str, items: str | None, canonical: Any, payload: Any, vmap: Any
) -> None:
    f = field(kind, items)
    assert conv.to_jira(f, canonical, fm(), vmap) == payload
    back = conv.from_jira(f, payload, fm(), vmap)
    if kind == "date":
        assert date.fromisoformat(back) == canonical
    elif kind == "array" and items == "string":
        assert back == "alpha, beta"
    else:
        assert back == canonical


def test_scale(conv: ValueConverter) -> None:
    mapped = fm(jira_scale=100)
    assert conv.to_jira(field("number"), 0.8, mapped, None) == 80
    assert conv.from_jira(field("number"), 80, mapped, None) == 0.8


def test_datetime_and_empty(conv: ValueConverter) -> None:
    when = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    assert conv.to_jira(field("datetime"), when, fm(), None) == "2026-01-02T03:04:05.678+0000"
    assert conv.to_jira(field("option"), None, fm(), None) is None
    assert conv.to_jira(field("array", "option"), None, fm(), None) == []
    assert conv.from_jira(field("array", "user"), [], fm(), None) is None


@responses.activate
def test_users_cloud_cached(conv: ValueConverter) -> None:
    responses.get(f"{URL}/rest/api/2/user/search", json=[ALICE])
    assert conv.to_jira(field("user"), "alice@x.com", fm(), None) == {"accountId": "acc-1"}
    assert conv.to_jira(field("user"), "ALICE@x.com", fm(), None) == {"accountId": "acc-1"}
    assert len(responses.calls) == 1
    assert conv.from_jira(field("user"), ALICE, fm(), None) == "alice@x.com"
    no_email = {"accountId": "acc-1", "displayName": "Alice Smith"}
    assert conv.from_jira(field("user"), no_email, fm(), None) == "Alice Smith"


@responses.activate
def test_users_dc_by_display_name() -> None:
    responses.get(
        f"{URL}/rest/api/2/user/search", json=[{"name": "alice", "displayName": "Alice Smith"}]
    )
    conv = ValueConverter(UserDirectory(_http(), "datacenter"))
    assert conv.to_jira(field("user"), "Alice Smith", fm(), None) == {"name": "alice"}
    assert "username=Alice" in responses.calls[0].request.url


@responses.activate
def test_unknown_user(conv: ValueConverter) -> None:
    responses.get(f"{URL}/rest/api/2/user/search", json=[])
    with pytest.raises(UnknownJiraUser, match="no Jira user matches 'zed'"):
        conv.to_jira(field("user"), "zed", fm(), None)


@responses.activate
def test_cloud_user_with_hidden_email_found_by_email(conv: ValueConverter) -> None:
    responses.get(
        f"{URL}/rest/api/2/user/search", json=[{"accountId": "acc-9", "displayName": "Zoe"}]
    )
    assert conv.to_jira(field("user"), "zoe@x.com", fm(), None) == {"accountId": "acc-9"}
