"""Malformed or odd request bodies get a 4xx in Jira's shape, never a 500 or a hang."""

from __future__ import annotations

import random
from typing import Any

import pytest

from sandbox import running_sandbox
from sandbox.testing import call

ODD_VALUES: list[Any] = [
    None,
    1,
    2.5,
    True,
    "x",
    "",
    "2026-12-01",
    "bad date",
    [],
    ["a"],
    ["a b"],
    {},
    {"value": "High"},
    {"id": "10100"},
    {"name": "bob"},
    {"accountId": "nope"},
    [{"value": "Data"}],
    {"type": "doc", "version": 1, "content": []},
    {"key": "ALPHA-1"},
    [{"add": "x"}],
    {"set": 1},
    [1, 2],
    {"add": {"body": 3}},
]


DEVS = {"type": "role", "value": "Developers"}


@pytest.mark.parametrize("mode", ["cloud", "datacenter"])
def test_random_bodies_never_cause_server_errors(mode: str) -> None:
    rng = random.Random(20261128)
    pick = rng.choice
    statuses: list[int] = []
    with running_sandbox(mode=mode) as server:
        fields = [f["id"] for f in call(server, "GET", "field").json()]
        for _ in range(50):
            key = pick(["ALPHA-1", "ALPHA-6", "ALPHA-16", "BETA-12"])
            update = {
                pick([*fields, "comment"]): pick([[{"add": pick(ODD_VALUES)}], pick(ODD_VALUES)])
            }
            requests_ = [
                ("PUT", f"issue/{key}", {"fields": {pick(fields): pick(ODD_VALUES)}}),
                ("PUT", f"issue/{key}", {"update": update}),
                ("PUT", f"issue/{key}", pick(ODD_VALUES)),
                (
                    "POST",
                    "issue",
                    {
                        "fields": {
                            "project": pick([{"key": "ALPHA"}, 5, None]),
                            "issuetype": pick([{"name": "Task"}, [2]]),
                            "summary": pick(["s", None, 5]),
                            pick(fields): pick(ODD_VALUES),
                        }
                    },
                ),
                (
                    "POST",
                    "issue/bulk",
                    pick([{"issueUpdates": [pick(ODD_VALUES)]}, pick(ODD_VALUES)]),
                ),
                (
                    "POST",
                    "issue/ALPHA-7/transitions",
                    pick([{"transition": pick(ODD_VALUES)}, pick(ODD_VALUES)]),
                ),
                (
                    "POST",
                    "issue/ALPHA-3/comment",
                    pick([{"body": pick(ODD_VALUES)}, pick(ODD_VALUES)]),
                ),
                (
                    "POST",
                    "issue/bulkfetch",
                    {"issueIdsOrKeys": pick(ODD_VALUES), "fields": pick(ODD_VALUES)},
                ),
                (
                    "POST",
                    "search/jql",
                    {
                        "jql": pick(["project = ALPHA", 5, ["x"]]),
                        "fields": pick(ODD_VALUES),
                        "maxResults": pick(ODD_VALUES),
                        "reconcileIssues": pick(ODD_VALUES),
                    },
                ),
                ("PUT", "issue/ALPHA-4/assignee", pick(ODD_VALUES)),
                (
                    "POST",
                    "changelog/bulkfetch",
                    {"issueIdsOrKeys": pick(ODD_VALUES), "fieldIds": pick(ODD_VALUES)},
                ),
                (
                    "POST",
                    "issueLink",
                    pick(
                        [
                            {
                                "type": pick([{"name": "Blocks"}, {"id": "10003"}, *ODD_VALUES]),
                                "inwardIssue": pick([{"key": "ALPHA-1"}, *ODD_VALUES]),
                                "outwardIssue": pick([{"key": key}, {"id": 10002}, *ODD_VALUES]),
                                "comment": pick([None, {"body": pick(ODD_VALUES)}, *ODD_VALUES]),
                            },
                            pick(ODD_VALUES),
                        ]
                    ),
                ),
                (pick(["GET", "DELETE"]), f"issueLink/{pick(['10000', 'x', '-1'])}", None),
                (
                    pick(["POST", "PUT"]),
                    pick(["version", "version/10000", "component", "component/10000"]),
                    pick(
                        [
                            {
                                "name": pick(["9.9", "1.1", *ODD_VALUES]),
                                "project": pick(["ALPHA", "NOPE", *ODD_VALUES]),
                                "projectId": pick([10001, *ODD_VALUES]),
                                "releaseDate": pick(ODD_VALUES),
                                "released": pick(ODD_VALUES),
                                "description": pick(ODD_VALUES),
                                "assigneeType": pick(["UNASSIGNED", *ODD_VALUES]),
                                "leadAccountId": pick(ODD_VALUES),
                                "leadUserName": pick(ODD_VALUES),
                            },
                            pick(ODD_VALUES),
                        ]
                    ),
                ),
                (
                    "PUT",
                    f"issue/{key}",
                    {
                        pick(["fields", "update"]): {
                            pick(["fixVersions", "versions", "components", "issuelinks"]): pick(
                                [
                                    [{pick(["add", "set", "remove"]): pick(ODD_VALUES)}],
                                    [{"name": pick(["1.0", "Data", "nope"])}],
                                    *ODD_VALUES,
                                ]
                            )
                        }
                    },
                ),
                (
                    pick(["POST", "PUT", "DELETE", "GET"]),
                    pick([f"issue/{key}/worklog", f"issue/{key}/worklog/{pick(['10000', 'x'])}"]),
                    pick(
                        [
                            {
                                pick(["timeSpent", "timeSpentSeconds"]): pick(
                                    ["1h", "2d 3h", "0", "3600", *ODD_VALUES]
                                ),
                                "started": pick(["2026-01-17T09:30:00.000+0000", *ODD_VALUES]),
                                "comment": pick(ODD_VALUES),
                                "visibility": pick(
                                    [{"type": "role", "value": "Users"}, *ODD_VALUES]
                                ),
                            },
                            pick(ODD_VALUES),
                        ]
                    ),
                ),
                (
                    "PUT",
                    f"issue/{key}",
                    {
                        "fields": {
                            pick(["timetracking", "issuetype"]): pick(
                                [{"originalEstimate": pick(["2d", *ODD_VALUES])}, *ODD_VALUES]
                            )
                        }
                    },
                ),
                (
                    pick(["POST", "PUT"]),
                    pick(["issue/ALPHA-3/comment", "issue/ALPHA-3/comment/10000"]),
                    {
                        "body": "x",
                        "visibility": pick([DEVS, {"type": pick(ODD_VALUES)}, *ODD_VALUES]),
                    },
                ),
            ]
            lookups = [
                "mypermissions",
                "user/assignable/search",
                f"priority/{pick(['1', 'x', '-1'])}",
                f"resolution/{pick(['10000', 'x'])}",
                f"statuscategory/{pick(['2', 'done', 'x'])}",
                f"customFieldOption/{pick(['10100', 'x'])}",
                f"project/{pick(['ALPHA', 'NOPE', '10001'])}/statuses",
                f"issue/{key}/worklog",
            ]
            params = {
                pick(
                    ["permissions", "projectKey", "issueKey", "project", "query", "startAt"]
                ): pick(["EDIT_ISSUES,BROWSE_PROJECTS", "ALPHA", "ALPHA-1", "NOPE", "-1", "x", ""])
                for _ in range(3)
            }
            r = call(server, "GET", pick(lookups), params=params, user=pick(["api", "viewer"]))
            assert r.status_code < 500, (r.url, r.text)
            statuses.append(r.status_code)
            for method, path, body in requests_:
                r = call(server, method, path, api=pick(["2", "3"]), json=body)
                statuses.append(r.status_code)
                assert r.status_code < 500, (method, path, body, r.text)
                if r.status_code >= 400:
                    # Bulk create answers 400 with per-element errors when nothing was created.
                    expected = {"issues", "errors"} if "issues" in r.json() else None
                    assert set(r.json()) == (expected or {"errorMessages", "errors"})
    assert 400 in statuses and any(s < 300 for s in statuses)
