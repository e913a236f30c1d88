"""How pmo-sync reaches Jira, end to end against the sandbox: a read-only account is told
what to ask for and writes nothing, a long read of known issues stays under the web
server's URL limit, and a Data Center site under a context path is reached with a
username and password."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from connectors.excel.template import write_template
from connectors.jira.reader import JiraReader
from connectors.jira.retry import RetryPolicy
from connectors.jira.site import open_site
from mappings.mapping import load_mapping
from pmo_sync.cli import app
from sandbox import running_sandbox
from sandbox.testing import make_jira
from sync.runner import Runner

WRITES = ("PUT", "POST", "DELETE")
READ_POSTS = ("search", "bulkfetch")  # reads that go by POST


def _config(tmp_path: Path, server: Any, *, email: str | None, extra: str = "") -> Path:
    write_template(load_mapping("builtin:raid_log"), tmp_path / "raid.xlsx")
    jira = f'[jira]\nurl = "{server.url}"\n' + (f'email = "{email}"\n' if email else "")
    text = (
        f'{jira}{extra}\n[[pair]]\nname = "alpha"\nworkbook = "raid.xlsx"\n'
        'mapping = "builtin:raid_log"\nprojects = ["ALPHA"]\n'
    )
    path = tmp_path / "pmo-sync.toml"
    path.write_text(text, "utf-8")
    return path


def _writes(server: Any, since: int = 0) -> list[str]:
    return [
        f"{r.method} {r.path}"
        for r in server.request_log[since:]
        if r.method in WRITES and not any(p in r.path for p in READ_POSTS)
    ]


@pytest.mark.parametrize("mode", ["cloud", "datacenter"])
def test_read_only_account_is_told_what_to_ask_for_and_writes_nothing(
    tmp_path: Path, mode: str, world_factory: Any
) -> None:
    with running_sandbox(mode=mode, seed="demo", timezone="UTC") as server:
        c = server.credentials
        email = c.viewer_email if mode == "cloud" else None
        token = (c.viewer_api_token if mode == "cloud" else c.viewer_token) or ""
        (tmp_path / "check").mkdir()
        config = _config(tmp_path / "check", server, email=email)
        env = {"PMO_SYNC_JIRA_TOKEN": token, "COLUMNS": "400"}
        checked = CliRunner().invoke(app, ["check", "--config", str(config)], env=env)
        out = checked.output
        assert checked.exit_code != 0, out
        line = next(x for x in out.splitlines() if "permissions in ALPHA" in x)
        assert "FAIL" in line and "Create Issues" in line and "Edit Issues" in line, out
        assert "permission scheme" in line
        assert _writes(server) == []

        # Syncing as that account: Jira's issues reach the workbook (reads are allowed)...
        world = world_factory(tmp_path, server)
        world.runner.close()
        viewer = open_site(
            make_jira(server, user="viewer"), mode, RetryPolicy(sleep=lambda s: None)
        )  # type: ignore[arg-type]
        world.runner = Runner(world.config, site=viewer)
        try:
            pulled = world.cycle()
            assert pulled.outcome == "ok", pulled.all_errors
            risk = world.rows("risk").rows[0].record
            # ...but a row edited and a row added in Excel write nothing to Jira: the
            # cycle says which permission to grant, and both rows wait for it.
            world.edit_row("risk", risk.key, mitigation="Second supplier")
            _new_risk(world, summary="Budget freeze", project="ALPHA")
            before = len(server.request_log)
            refused = world.cycle()
            errors = " ".join(map(str, refused.all_errors))
            assert "Create Issues" in errors and "Edit Issues" in errors, errors
            assert _writes(server, since=before) == []
            assert world.row("risk", risk.key).record.mitigation == "Second supplier"
            new = [r for r in world.rows("risk").rows if r.record.summary == "Budget freeze"]
            assert len(new) == 1 and new[0].record.key is None
            again = world.cycle()  # still refused, still nothing written, nothing lost
            assert "Edit Issues" in " ".join(map(str, again.all_errors))
            assert _writes(server, since=before) == []
        finally:
            world.runner.close()


def _new_risk(world: Any, **values: Any) -> None:
    """A person adding a row (no key, no sync id yet)."""
    from connectors.excel import WorkbookPatch, apply_patch
    from connectors.excel.record_writes import add_new_rows
    from mappings.model import Risk

    read = world.rows("risk")
    entity = world.mapping.entity("risk")
    patch = add_new_rows(WorkbookPatch(), world.mapping, entity, read.location, [Risk(**values)])
    patch.appends[0].rows[0][entity.excel.sync_id_column] = None
    apply_patch(world.workbook, patch, expected=read.fingerprint, live=False)


def test_long_read_of_known_issues_stays_under_the_url_limit() -> None:
    with running_sandbox(mode="datacenter", seed="scale:900", timezone="UTC") as server:
        jira = make_jira(server)
        keys = [i.key for i in jira.search_issues("order by key", maxResults=False)]
        assert len(keys) == 900
        long_jql = f"key in ({', '.join(keys)})"
        # The limit is real: the same read as one GET is refused by the web server.
        from sandbox.testing import call

        refused = call(server, "GET", "search", api="2", params={"jql": long_jql})
        assert refused.status_code == 400 and len(refused.request.url) > 8192
        site = open_site(make_jira(server), "datacenter", RetryPolicy(sleep=lambda s: None))  # type: ignore[arg-type]
        spec = load_mapping("builtin:status_tracker")
        entity = spec.entity("work_item")
        before = len(server.request_log)
        got = JiraReader(site, spec).read_keys(entity, keys)
        sent = server.request_log[before:]
        typed = "issuetype in (Epic, Story, Task)"
        wanted = {i.key for i in jira.search_issues(typed, maxResults=False)}
        assert {str(r.key) for r in got.records} == wanted
        assert all(r.method == "POST" and r.status == 200 for r in sent), sent
        assert len(sent) == got.requests


def test_data_center_under_a_context_path_with_username_and_password(tmp_path: Path) -> None:
    with running_sandbox(
        mode="datacenter", seed="demo", timezone="UTC", context_path="/jira"
    ) as server:
        assert server.url.endswith("/jira")
        c = server.credentials
        config = _config(
            tmp_path,
            server,
            email=None,
            extra=f'deployment = "datacenter"\nusername = "{c.username}"\n',
        )
        env = {"PMO_SYNC_JIRA_TOKEN": c.password or "", "COLUMNS": "300"}
        synced = CliRunner().invoke(app, ["sync", "--config", str(config)], env=env)
        assert synced.exit_code == 0, synced.output
        # The password only works as Basic auth (as a Bearer token it is refused), and
        # every request went under the context path (outside it the server answers 404).
        assert server.request_log and all(r.status < 400 for r in server.request_log)
        assert make_jira(server, password=True).myself()["name"] == c.username
        # A wrong password is a clear error, not a stack trace.
        env["PMO_SYNC_JIRA_TOKEN"] = "wrong"
        failed = CliRunner().invoke(app, ["sync", "--config", str(config)], env=env)
        assert failed.exit_code != 0
        assert "401" in failed.output or "password" in failed.output.lower(), failed.output
        assert "Traceback" not in failed.output
