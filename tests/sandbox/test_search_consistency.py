"""Search agrees with a plain scan of the store after any sequence of writes.

A hypothesis state machine creates, edits, transitions and deletes issues (through the store,
as a human would) and checks that JQL answers through the indexes and the result cache equal
a straightforward filter over every issue.
"""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from sandbox import SandboxServer
from sandbox.api.search import matching_issues
from sandbox.app import Request

PROJECTS = ["ALPHA", "BETA", "GAMMA"]
TYPES = ["Task", "Story", "Risk"]
LABELS = ["red", "green", "blue"]


class SearchMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.server = SandboxServer(mode="cloud", seed=None)
        self.store = self.server.store
        self.now = datetime(2026, 11, 28, 9, 0, tzinfo=UTC).timestamp()
        self.store.clock = lambda: self.now
        self.req = Request("POST", "/", {}, {})
        self.req.user = self.store.catalog.users["pmo-bot"]

    def _tick(self, seconds: float) -> None:
        self.now += seconds

    @rule(
        project=st.sampled_from(PROJECTS),
        kind=st.sampled_from(TYPES),
        label=st.sampled_from(LABELS),
        dt=st.floats(1, 400),
    )
    def create(self, project: str, kind: str, label: str, dt: float) -> None:
        self._tick(dt)
        self.store.human_create(project, kind, f"{project} {kind}", {"labels": [label]})

    @rule(n=st.integers(0, 40), label=st.sampled_from(LABELS), dt=st.floats(1, 400))
    def edit(self, n: int, label: str, dt: float) -> None:
        issues = sorted(self.store.issues)
        if not issues:
            return
        self._tick(dt)
        key = self.store.issues[issues[n % len(issues)]].key
        self.store.human_edit(key, {"labels": [label], "summary": f"edited {n}"})

    @rule(n=st.integers(0, 40), dt=st.floats(1, 400))
    def transition(self, n: int, dt: float) -> None:
        issues = sorted(self.store.issues)
        if not issues:
            return
        self._tick(dt)
        issue = self.store.issues[issues[n % len(issues)]]
        workflow = self.store.catalog.workflows[issue.fields["issuetype"]]
        options = workflow.available(issue.fields["status"])
        self.store.human_transition(issue.key, options[n % len(options)].name)

    @rule(n=st.integers(0, 40))
    def delete(self, n: int) -> None:
        issues = sorted(self.store.issues)
        if issues:
            self.store.delete(self.store.issues[issues[n % len(issues)]])

    @invariant()
    def search_matches_a_scan(self) -> None:
        since = datetime.fromtimestamp(self.now - 900, UTC).strftime("%Y-%m-%d %H:%M")
        since_ms = int(
            datetime.strptime(since, "%Y-%m-%d %H:%M").replace(tzinfo=UTC).timestamp() * 1000
        )
        cat = self.store.catalog
        queries = {
            "project = ALPHA": lambda i: i.key.startswith("ALPHA-"),
            "project = BETA AND issuetype = Risk": lambda i: (
                i.key.startswith("BETA-") and cat.issue_types[i.fields["issuetype"]].name == "Risk"
            ),
            "labels = red": lambda i: "red" in i.fields["labels"],
            f'project in (ALPHA, GAMMA) AND updated >= "{since}"': lambda i: (
                i.key.split("-")[0] in ("ALPHA", "GAMMA")
                and i.updated - i.updated % 60000 >= since_ms
            ),
            "statusCategory = Done": lambda i: (
                cat.statuses[i.fields["status"]].category_key == "done"
            ),
        }
        for jql, keep in queries.items():
            got = [i.key for i in matching_issues(self.server.app, self.req, jql, bounded=True)]
            expected = [
                i.key for i in sorted(self.store.issues.values(), key=lambda i: -i.id) if keep(i)
            ]
            assert got == expected, jql


SearchMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=25, deadline=None)
TestSearchConsistency = SearchMachine.TestCase
