"""What pmo-sync asks of Jira, in requests (counts, not timings; not a test).

1. A quiet cycle, per deployment: Data Center (one newest-first search whose total is
   the scope's size) and Cloud between scope checks (one search), and a Cloud cycle
   that checks the scope (the search and an approximate count).
2. A full read: requests per 1,000 issues, per deployment (Data Center pages of 1,000,
   Cloud's search/jql pages of 100 when fields are asked for).

Each against an in-process sandbox, through the real runner and reader.

    python -m bench.requests_bench [--issues 3000]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).resolve().parent / "results"
GOALS = {
    "quiet_datacenter": 1,
    "quiet_cloud": 1,
    "quiet_cloud_check": 2,
    "per_1000_datacenter": 1.0,
    "per_1000_cloud": 10.0,
}


def _quiet(mode: str, folder: Path, issues: int) -> dict[str, int]:
    from connectors.excel.template import write_template
    from mappings.config import load_config
    from mappings.mapping import load_mapping
    from sandbox import running_sandbox
    from sync.runner import Runner

    with running_sandbox(mode=mode, seed=f"scale:{issues}", timezone="UTC") as server:
        write_template(load_mapping("builtin:raid_log"), folder / "raid.xlsx")
        creds = server.credentials
        account = f'email = "{creds.email}"\n' if mode == "cloud" else ""  # DC: a PAT
        (folder / "pmo-sync.toml").write_text(
            f'[jira]\nurl = "{server.url}"\n{account}\n[sync]\nstate_store = "state.db"\n'
            'mass_change_guard = 1.0\nscope_check = { every_cycles = 3, every = "1d" }\n\n'
            '[[pair]]\nname = "bench"\nworkbook = "raid.xlsx"\nmapping = "builtin:raid_log"\n'
            'projects = ["ALPHA", "BETA", "GAMMA"]\n',
            "utf-8",
        )
        os.environ["PMO_SYNC_JIRA_TOKEN"] = (
            creds.api_token if mode == "cloud" else creds.token
        ) or ""
        runner = Runner(load_config(folder / "pmo-sync.toml"))
        try:
            (pair,) = runner.config.pairs
            costs = []
            for _ in range(5):  # the first is the full read; then quiet ones
                before = len(server.request_log)
                runner.run_pair(pair)
                costs.append(len(server.request_log) - before)
        finally:
            runner.close()
    quiet = costs[2:]
    if mode == "datacenter":
        return {"quiet_datacenter": max(quiet)}
    # Cloud, every third cycle checking: cycles 2 (first check), 3, 4, 5 (check).
    return {"quiet_cloud": min(quiet), "quiet_cloud_check": max(costs[1:])}


def _per_1000(mode: str, issues: int) -> tuple[int, int]:
    from connectors.jira.reader import JiraReader
    from connectors.jira.retry import RetryPolicy
    from connectors.jira.site import open_site
    from mappings.mapping import load_mapping
    from sandbox import running_sandbox
    from sandbox.testing import make_jira

    spec = load_mapping("builtin:status_tracker")
    with running_sandbox(mode=mode, seed=f"scale:{issues}", timezone="UTC") as server:
        site = open_site(make_jira(server), mode, RetryPolicy(sleep=lambda s: None))  # type: ignore[arg-type]
        projects = sorted(p.key for p in server.store.catalog.projects.values())
        result = JiraReader(site, spec).read(spec.entity("work_item"), projects)
    return result.requests, len(result.records)


def run(issues: int = 3000, out_dir: Path = RESULTS_DIR) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for mode in ("datacenter", "cloud"):
        with tempfile.TemporaryDirectory() as folder:
            found.update(_quiet(mode, Path(folder), issues))
        requests, read = _per_1000(mode, issues)
        found[f"per_1000_{mode}"] = 1000 * requests / max(1, read)
        # A full read's goal is one request per page of the site's cap.
        page = 1000 if mode == "datacenter" else 100
        found[f"pages_{mode}"] = {"requests": requests, "issues": read, "cap": page}
    results = {"issues": issues, "measured": found, "goals": GOALS}
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "requests_bench.json").write_text(json.dumps(results, indent=2))
    return results


LABELS = {
    "quiet_datacenter": "quiet cycle, Data Center (requests)",
    "quiet_cloud": "quiet cycle, Cloud between scope checks (requests)",
    "quiet_cloud_check": "quiet cycle, Cloud with a scope check (requests)",
    "per_1000_datacenter": "full read, Data Center (requests per 1,000 issues)",
    "per_1000_cloud": "full read, Cloud (requests per 1,000 issues)",
}


def _print(results: dict[str, Any]) -> None:
    measured = results["measured"]
    for name, goal in results["goals"].items():
        value = measured[name]
        if name.startswith("per_1000_"):
            pages = measured[f"pages_{name.removeprefix('per_1000_')}"]
            ok = pages["requests"] <= math.ceil(pages["issues"] / pages["cap"])
            note = f"({pages['requests']} for {pages['issues']:,}; one a page of {pages['cap']:,})"
        else:
            ok, note = value <= goal, ""
        verdict = "PASS" if ok else "MISS"
        print(f"{LABELS[name]:<56} {value:>6.1f}   goal <= {goal:<5g} {verdict} {note}".rstrip())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=3000)
    args = parser.parse_args(argv)
    _print(run(args.issues))


if __name__ == "__main__":
    main()
