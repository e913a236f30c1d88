"""100,000 issues: the seed is quick and a search page answers in milliseconds (slow suite)."""

from __future__ import annotations

import statistics
import time
from typing import Any

import pytest
import requests

from sandbox import running_sandbox

pytestmark = pytest.mark.slow


def test_hundred_thousand_issues(api: Any) -> None:
    started = time.perf_counter()
    with running_sandbox(mode="cloud", seed="scale:100000") as server:
        seeded = time.perf_counter() - started
        assert len(server.store.issues) == 100_000
        assert seeded < 30, f"seeding 100k took {seeded:.1f}s"
        session = requests.Session()
        session.auth = (server.credentials.email, server.credentials.api_token)
        url = f"{server.url}/rest/api/3/search/jql"
        fields = {f["name"]: f["id"] for f in api(server, "GET", "field").json()}
        body: dict[str, Any] = {
            "jql": 'project = ALPHA AND updated >= "2026-10-05 12:00" ORDER BY updated ASC',
            "maxResults": 100,
            "fields": ["summary", "status", "updated", fields["Probability"]],
        }
        first_started = time.perf_counter()
        page = session.post(url, json=body, timeout=30).json()
        first = time.perf_counter() - first_started
        times = []
        for _ in range(20):
            body["nextPageToken"] = page["nextPageToken"]
            t = time.perf_counter()
            page = session.post(url, json=body, timeout=30).json()
            times.append(time.perf_counter() - t)
            assert len(page["issues"]) == 100
        assert first < 1.0, f"first page {first * 1000:.0f} ms"
        assert statistics.median(times) < 0.05, (
            f"median page {statistics.median(times) * 1000:.1f} ms"
        )
        count = api(server, "POST", "search/approximate-count", json={"jql": "issuetype = Risk"})
        assert count.json()["count"] > 20_000
