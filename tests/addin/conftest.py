"""A state store filled by a real sync of the sandbox demo portfolio (two pairs)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from connectors.excel.template import write_template
from connectors.jira.retry import RetryPolicy
from connectors.jira.site import open_site
from mappings.config import load_config
from mappings.mapping import load_mapping
from sandbox import SandboxServer, running_sandbox
from sandbox.testing import make_jira
from sync.runner import Runner

CONFIG = """\
[jira]
url = "{url}"
email = "{email}"

[sync]
state_store = "state.db"

[[pair]]
name = "alpha-raid"
workbook = "raid.xlsx"
mapping = "builtin:raid_log"
projects = ["ALPHA", "BETA"]

[[pair]]
name = "alpha-status"
workbook = "status.xlsx"
mapping = "builtin:status_tracker"
projects = ["ALPHA", "BETA"]
"""


@dataclass
class Synced:
    server: SandboxServer
    store: Path
    config: Path


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synced]:
    folder = tmp_path_factory.mktemp("portfolio")
    with running_sandbox(mode="cloud", seed="demo", timezone="UTC") as server:
        write_template(load_mapping("builtin:raid_log"), folder / "raid.xlsx")
        write_template(load_mapping("builtin:status_tracker"), folder / "status.xlsx")
        config_path = folder / "pmo-sync.toml"
        config_path.write_text(CONFIG.format(url=server.url, email=server.credentials.email))
        config = load_config(config_path)
        site = open_site(make_jira(server), "cloud", RetryPolicy(sleep=lambda s: None))
        runner = Runner(config, site=site)
        results = runner.run()
        assert all(r.outcome == "ok" for r in results), results
        runner.close()
        yield Synced(server, folder / "state.db", config_path)


def sandbox_issues(server: SandboxServer, project: str, issue_type: str) -> list[dict]:
    """The sandbox's own view of issues (independent of pmo-sync), by field name."""
    store = server.store
    names = {f.id: f.name for f in store.catalog.fields.values()}
    found = []
    for issue in store.issues.values():
        if not issue.key.startswith(f"{project}-"):
            continue
        if store.catalog.issue_types[issue.fields["issuetype"]].name != issue_type:
            continue
        fields = {}
        for fid, value in issue.fields.items():
            fd = store.catalog.fields.get(fid)
            if fd is not None and fd.kind == "select" and value is not None:
                value = fd.option_by(option_id=value).value
            fields[names.get(fid, fid)] = value
        fields["status_name"] = store.catalog.statuses[issue.fields["status"]].name
        fields["key"] = issue.key
        found.append(fields)
    return found
