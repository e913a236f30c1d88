"""The ``portfolio`` seed: seven projects that differ, reproducible from a start time."""

from __future__ import annotations

from collections import Counter

from sandbox.seed.portfolio import PROFILES, WEEKS, seed_portfolio
from sandbox.seed.site import build_catalog
from sandbox.store import Store
from sandbox.testing import make_jira, running_sandbox

START = 1_790_000_000.0  # a fixed "now", so two seeds agree


def _seeded() -> Store:
    store = Store(build_catalog(), mode="cloud")
    seed_portfolio(store, start=START)
    return store


def test_seven_projects_that_differ_with_their_releases():
    store = _seeded()
    keys = [p.key for p in store.catalog.projects.values()]
    assert keys == [p.key for p in PROFILES]
    per_project = Counter(i.key.rsplit("-", 1)[0] for i in store.issues.values())
    assert len(set(per_project.values())) > 3  # not seven copies of one project
    for project in store.catalog.projects.values():
        names = {v.name for v in store.catalog.versions.values() if v.project_id == project.id}
        assert names == {"1.0", "1.1", "2.0"}


def test_issues_were_created_in_the_weeks_before_start():
    store = _seeded()
    created = [i.created for i in store.issues.values()]
    assert min(created) >= (START - WEEKS * 7 * 86400) * 1000
    assert max(created) < START * 1000


def test_two_seeds_from_one_start_are_identical():
    one, two = _seeded(), _seeded()
    assert [(i.key, i.created, i.fields.get("summary")) for i in one.issues.values()] == [
        (i.key, i.created, i.fields.get("summary")) for i in two.issues.values()
    ]


def test_served_through_the_jira_client():
    with running_sandbox(mode="datacenter", seed="portfolio") as server:
        jira = make_jira(server)
        assert [p.key for p in jira.projects()] == [p.key for p in PROFILES]
        for profile in PROFILES:
            risks = jira.search_issues(f"project = {profile.key} AND issuetype = Risk")
            assert len(risks) == len(profile.risks)
