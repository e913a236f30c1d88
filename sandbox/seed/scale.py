"""The ``scale:N`` seed: N issues across the demo projects, built fast for benchmarks.

Issues are constructed directly (no per-write changelog or validation), cycling through
risks, change requests and work items with custom field values, so 100,000 issues load in
seconds and the sandbox is not what a benchmark measures.
"""

from __future__ import annotations

import random
from typing import Any

from sandbox.model import Issue
from sandbox.richtext import wiki_to_adf
from sandbox.seed.demo import BASE
from sandbox.store import Store

_MIX = ["Risk", "Risk", "Change Request", "Story", "Task", "RAID Issue", "Action"]


def seed_scale(store: Store, count: int, seed: int = 1234) -> None:
    """Add ``count`` issues, deterministic for a given ``seed``."""
    rng = random.Random(seed)
    cat = store.catalog
    projects = list(cat.projects.values())
    types = {t.name: t for t in cat.issue_types.values()}
    users = [u for u in cat.users if u not in ("pmo-bot", "viewer")]  # viewer: read-only
    cf = {f.name: f for f in cat.fields.values() if f.custom}
    mitigation = wiki_to_adf("Mitigate with *weekly* reviews:\n* track owner\n* report to PMO")
    base_ms = int(BASE * 1000)
    with store.lock:
        for n in range(count):
            project = projects[n % len(projects)]
            it = types[_MIX[n % len(_MIX)]]
            workflow = cat.workflows[it.id]
            statuses = workflow.status_ids()
            created = base_ms + n * 1000 + rng.randrange(1000)
            updated = created + rng.randrange(86_400_000)
            fields: dict[str, Any] = {
                "summary": f"{project.key} {it.name.lower()} {n}",
                "description": None,
                "environment": None,
                "assignee": users[rng.randrange(len(users))],
                "reporter": project.lead,
                "creator": project.lead,
                "priority": str(rng.randrange(1, 6)),
                "labels": [f"wave-{n % 3 + 1}"],
                "duedate": None,
                "resolution": None,
                "resolutiondate": None,
                "parent": None,
                "project": project.id,
                "issuetype": it.id,
                "status": statuses[rng.randrange(len(statuses))],
                "created": created,
                "updated": updated,
            }
            if cat.statuses[fields["status"]].category_key == "done":
                fields["resolution"] = next(iter(cat.resolutions))
                fields["resolutiondate"] = updated
            _custom_values(fields, it.name, cf, rng, mitigation, users)
            store.next_issue_id += 1
            issue = Issue(
                id=store.next_issue_id,
                key=f"{project.key}-{project.next_number}",
                project_id=project.id,
                fields=fields,
            )
            project.next_number += 1
            store.insert(issue)


def _custom_values(
    fields: dict[str, Any],
    type_name: str,
    cf: dict[str, Any],
    rng: random.Random,
    mitigation: dict[str, Any] | None,
    users: list[str],
) -> None:
    def pick(name: str) -> str:
        options = cf[name].options
        return options[rng.randrange(len(options))].id

    if type_name == "Risk":
        fields[cf["Probability"].id] = pick("Probability")
        fields[cf["Impact"].id] = pick("Impact")
        fields[cf["Risk Category"].id] = pick("Risk Category")
        fields[cf["Response Strategy"].id] = pick("Response Strategy")
        fields[cf["Mitigation"].id] = mitigation
        fields[cf["Next Review Date"].id] = f"2026-12-{rng.randrange(1, 29):02d}"
    elif type_name == "Change Request":
        fields[cf["Change Type"].id] = pick("Change Type")
        fields[cf["Cost Impact"].id] = float(rng.randrange(0, 50_000))
        fields[cf["Schedule Impact (days)"].id] = float(rng.randrange(0, 30))
        fields[cf["Requester"].id] = users[rng.randrange(len(users))]
    elif type_name in ("Story", "Task"):
        fields[cf["Story Points"].id] = float(rng.choice([1, 2, 3, 5, 8]))
        fields[cf["Percent Complete"].id] = float(rng.randrange(0, 101))
        fields[cf["Start date"].id] = f"2026-11-{rng.randrange(1, 29):02d}"
    else:
        fields[cf["Risk Category"].id] = pick("Risk Category")
