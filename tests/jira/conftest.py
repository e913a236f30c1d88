"""Fixtures for the Jira connector's end-to-end tests: sandbox servers in both modes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from connectors.jira.reader import JiraReader
from connectors.jira.retry import RetryPolicy
from connectors.jira.site import JiraSiteContext, open_site
from mappings.mapping import MappingSpec, load_mapping
from sandbox import SandboxServer, running_sandbox
from sandbox.testing import make_jira


@pytest.fixture(scope="session")
def raid_spec() -> MappingSpec:
    return load_mapping("builtin:raid_log")


@pytest.fixture(params=["cloud", "datacenter"])
def server(request: pytest.FixtureRequest) -> Iterator[SandboxServer]:
    """A fresh demo sandbox per test (tests edit issues), once per deployment mode."""
    with running_sandbox(mode=request.param, seed="demo", timezone="UTC") as srv:
        yield srv


class Waits(list[float]):
    """The sleeps the retry policy asked for (recorded instead of slept)."""


@pytest.fixture
def waits() -> Waits:
    return Waits()


def site_for(server: SandboxServer, waits: list[float] | None = None, **kw: Any) -> JiraSiteContext:
    sleep = waits.append if waits is not None else (lambda s: None)
    return open_site(make_jira(server), server.mode, RetryPolicy(sleep=sleep, **kw))  # type: ignore[arg-type]


@pytest.fixture
def site(server: SandboxServer, waits: Waits) -> JiraSiteContext:
    return site_for(server, waits)


def _read_one(site: JiraSiteContext, spec: MappingSpec, entity: str, key: str) -> Any:
    """One issue as a record, read through a direct GET (always current, unlike search)."""
    reader = JiraReader(site, spec)
    mapping = spec.entity(entity)
    fields = ",".join(reader.field_ids(mapping))
    issue = site.http.get(f"issue/{key}", params={"fields": fields, "properties": "pmo-sync"})
    return reader.to_record(mapping, issue)


@pytest.fixture
def read_one() -> Any:
    """``read_one(site, spec, entity, key)``: a record by direct GET."""
    return _read_one
