"""`pmo-sync demo`: the whole product on one machine, with no Jira account and no Excel.

It starts the sandbox Jira with the demo portfolio, writes a configuration and a fresh
RAID-log workbook, and checks them against each other, so a new user sees in seconds
what pmo-sync will read and where. (The two-way sync cycles join the demo with the
sync engine.)
"""

from __future__ import annotations

import os
from pathlib import Path

from rich.console import Console

from connectors.excel.template import write_template
from mappings.config import load_config
from mappings.mapping import load_mapping
from pmo_sync.checks import run_checks

DEMO_MAPPING = "builtin:raid_log"
DEMO_PROJECT = "ALPHA"


def run_demo(directory: Path, console: Console) -> int:
    """Run the demo; returns the process exit code."""
    from pmo_sync.cli import print_finding, render_config
    from sandbox import SandboxServer

    directory.mkdir(parents=True, exist_ok=True)
    server = SandboxServer(mode="cloud", seed="demo")
    server.start()
    try:
        credentials = server.credentials
        console.print(f"[bold]1. Sandbox Jira[/bold] running at {server.url} (demo portfolio)")
        workbook = directory / "alpha_raid_log.xlsx"
        write_template(load_mapping(DEMO_MAPPING), workbook, overwrite=True)
        console.print(f"[bold]2. Workbook[/bold] {workbook} generated from {DEMO_MAPPING}")
        config_path = directory / "pmo-sync.toml"
        config_path.write_text(
            render_config(
                url=server.url,
                email=credentials.email,
                workbook=workbook.name,
                mapping=DEMO_MAPPING,
                projects=[DEMO_PROJECT],
                pair="alpha-raid",
            ),
            "utf-8",
        )
        console.print(f"[bold]3. Config[/bold] {config_path}")
        os.environ["PMO_SYNC_JIRA_TOKEN"] = credentials.api_token or ""
        console.print("[bold]4. Check[/bold] config, mapping, workbook and Jira fields:")
        findings = run_checks(load_config(config_path), report=print_finding)
    finally:
        server.stop()
    failed = [f for f in findings if f.level == "error"]
    console.print(
        f"\n{len(findings)} checks, {len(failed)} failed. To use your own Jira: edit "
        f"{config_path} (jira.url, jira.email, projects), set PMO_SYNC_JIRA_TOKEN, and run "
        f"`pmo-sync check --config {config_path}`."
    )
    return 1 if failed else 0
