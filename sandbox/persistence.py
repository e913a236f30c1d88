"""Save and load the whole sandbox state as one JSON document.

A restarted sandbox given the same ``--data`` file keeps its issues, comments, changelogs,
properties and counters. The file carries a format version so later layouts can migrate it.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from sandbox.catalog import Catalog, default_link_types
from sandbox.model import (
    ChangeGroup,
    ChangeItem,
    Comment,
    Component,
    FieldDef,
    Issue,
    IssueLinkType,
    IssueType,
    Option,
    Priority,
    Project,
    Resolution,
    Status,
    TransitionDef,
    User,
    Version,
    Workflow,
)
from sandbox.store import Store

FORMAT = 1


def dump(store: Store) -> dict[str, Any]:
    """The store as plain JSON data."""
    cat = store.catalog
    return {
        "format": FORMAT,
        "next_issue_id": store.next_issue_id,
        "next_entity_id": store.next_entity_id,
        "catalog": {
            "users": [asdict(u) for u in cat.users.values()],
            "projects": [asdict(p) for p in cat.projects.values()],
            "issue_types": [asdict(t) for t in cat.issue_types.values()],
            "statuses": [asdict(s) for s in cat.statuses.values()],
            "priorities": [asdict(p) for p in cat.priorities.values()],
            "resolutions": [asdict(r) for r in cat.resolutions.values()],
            "fields": [asdict(f) for f in cat.fields.values()],
            "workflows": {k: asdict(w) for k, w in cat.workflows.items()},
            "screens": {k: list(v) for k, v in cat.screens.items()},
            "default_priority_id": cat.default_priority_id,
            # Issue links live in each issue's "issuelinks" field; these are site tables.
            "link_types": [asdict(t) for t in cat.link_types.values()],
            "versions": [asdict(v) for v in cat.versions.values()],
            "components": [asdict(x) for x in cat.components.values()],
        },
        "issues": [_issue_data(i) for i in store.issues.values()],
    }


def _issue_data(i: Issue) -> dict[str, Any]:
    # Not dataclasses.asdict: it deep-copies every value, which made saving 100k issues slow.
    return {
        "id": i.id,
        "key": i.key,
        "project_id": i.project_id,
        "fields": i.fields,
        "comments": [vars(c) for c in i.comments],
        "changelog": [
            {
                "id": g.id,
                "author": g.author,
                "created": g.created,
                "items": [vars(it) for it in g.items],
            }
            for g in i.changelog
        ],
        "properties": i.properties,
        "version": i.version,
    }


def save(store: Store, path: Path) -> None:
    """Write atomically (temp file + rename) so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        # json.dumps, not json.dump: only the one-shot encoder uses the C accelerator.
        fh.write(json.dumps(dump(store), separators=(",", ":")))
    os.replace(tmp, path)


def load(path: Path) -> Store | None:
    """Read a saved state; None if the file is empty."""
    text = path.read_text(encoding="utf-8")
    if not text.strip():
        return None
    return restore(json.loads(text))


def restore(data: dict[str, Any]) -> Store:
    """Rebuild a store from ``dump`` output."""
    if data.get("format") != FORMAT:
        raise ValueError(f"unsupported sandbox data format {data.get('format')!r}")
    c = data["catalog"]
    cat = Catalog(
        users={u["username"]: User(**u) for u in c["users"]},
        projects={p["id"]: Project(**p) for p in c["projects"]},
        issue_types={t["id"]: IssueType(**t) for t in c["issue_types"]},
        statuses={s["id"]: Status(**s) for s in c["statuses"]},
        priorities={p["id"]: Priority(**p) for p in c["priorities"]},
        resolutions={r["id"]: Resolution(**r) for r in c["resolutions"]},
        fields={f["id"]: _field(f) for f in c["fields"]},
        workflows={k: _workflow(w) for k, w in c["workflows"].items()},
        screens={k: tuple(v) for k, v in c["screens"].items()},
        default_priority_id=c["default_priority_id"],
        # Files saved before links/versions/components existed get the defaults.
        link_types={t["id"]: IssueLinkType(**t) for t in c["link_types"]}
        if "link_types" in c
        else default_link_types(),
        versions={v["id"]: Version(**v) for v in c.get("versions", [])},
        components={x["id"]: Component(**x) for x in c.get("components", [])},
    )
    issues = {i["id"]: _issue(i) for i in data["issues"]}
    return Store(
        cat,
        issues=issues,
        next_issue_id=data["next_issue_id"],
        next_entity_id=data["next_entity_id"],
    )


def _field(f: dict[str, Any]) -> FieldDef:
    f = dict(f)
    f["options"] = [Option(**o) for o in f.get("options", [])]
    return FieldDef(**f)


def _workflow(w: dict[str, Any]) -> Workflow:
    transitions = [
        TransitionDef(
            id=t["id"],
            name=t["name"],
            from_status_ids=tuple(t["from_status_ids"]),
            to_status_id=t["to_status_id"],
            screen_fields=tuple(t["screen_fields"]),
            required_fields=tuple(t["required_fields"]),
        )
        for t in w["transitions"]
    ]
    return Workflow(w["name"], w["initial_status_id"], transitions)


def _issue(i: dict[str, Any]) -> Issue:
    return Issue(
        id=i["id"],
        key=i["key"],
        project_id=i["project_id"],
        fields=i["fields"],
        comments=[Comment(**c) for c in i["comments"]],
        changelog=[
            ChangeGroup(g["id"], g["author"], g["created"], [ChangeItem(**it) for it in g["items"]])
            for g in i["changelog"]
        ],
        properties=i["properties"],
        version=i["version"],
    )
