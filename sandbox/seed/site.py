"""The demo site's configuration: users, projects, issue types, workflows, fields, screens.

Every seed (demo, scale, none) uses this one site so the product's default mappings, which
refer to these names, always find them. Custom field ids are assigned here in a fixed order;
clients must still discover them by name from ``/field``.
"""

from __future__ import annotations

from sandbox.catalog import COMMON_SCREEN_FIELDS, CUSTOM_TYPES, Catalog
from sandbox.model import (
    FieldDef,
    IssueType,
    Option,
    Priority,
    Project,
    Resolution,
    Status,
    TransitionDef,
    User,
    Workflow,
)
from sandbox.render import account_id_for
from sandbox.seed.releases import add_releases

USERS = [
    ("alice", "Alice Anders", "alice@example.com"),
    ("bob", "Bob Brown", "bob@example.com"),
    ("carol", "Carol Chen", "carol@example.com"),
    ("dave", "Dave Diaz", "dave@example.com"),
    ("pmo-bot", "PMO Bot", "pmo-bot@example.com"),
    ("viewer", "Vera Viewer", "viewer@example.com"),  # read-only: browses, never writes
]
API_USER = "pmo-bot"
VIEWER_USER = "viewer"

PROJECTS = [
    ("ALPHA", "Alpha Data Platform Migration", "alice"),
    ("BETA", "Beta Customer Portal", "bob"),
    ("GAMMA", "Gamma Office Move", "carol"),
]

ISSUE_TYPES = [
    ("Epic", "A big user story that needs to be broken down.", 1),
    ("Story", "Functionality or a feature expressed as a user goal.", 0),
    ("Task", "A small, distinct piece of work.", 0),
    ("Risk", "An uncertain event that would affect the project.", 0),
    ("Change Request", "A request to change scope, schedule, cost or quality.", 0),
    ("RAID Issue", "A current problem that needs resolving.", 0),
    ("Assumption", "Something taken as true for planning.", 0),
    ("Dependency", "Something the project relies on.", 0),
    ("Action", "An action arising from a meeting or review.", 0),
    ("Decision", "A decision recorded for the project.", 0),
    ("Lesson", "A lesson learned: what happened and what to do next time.", 0),
]

STATUSES = [
    ("To Do", "new"),
    ("In Progress", "indeterminate"),
    ("Done", "done"),
    ("Open", "new"),
    ("Mitigating", "indeterminate"),
    ("Closed", "done"),
    ("Submitted", "new"),
    ("Under Review", "indeterminate"),
    ("Approved", "done"),
    ("Rejected", "done"),
    ("Deferred", "indeterminate"),
    ("Implemented", "done"),
]

PRIORITIES = [
    ("1", "Highest", "#d04437"),
    ("2", "High", "#f15C75"),
    ("3", "Medium", "#f79232"),
    ("4", "Low", "#707070"),
    ("5", "Lowest", "#999999"),
]

LEVELS = ["Very Low", "Low", "Medium", "High", "Very High"]

# (name, kind, options)
CUSTOM_FIELDS: list[tuple[str, str, list[str]]] = [
    ("Probability", "select", LEVELS),
    ("Impact", "select", LEVELS),
    (
        "Risk Category",
        "select",
        [
            "Technical",
            "Schedule",
            "Cost",
            "Resource",
            "Scope",
            "External",
            "Information",
            "Process",
            "System",
            "Other",
        ],
    ),
    ("Response Strategy", "select", ["Avoid", "Mitigate", "Transfer", "Accept"]),
    ("Mitigation", "richtext", []),
    ("Risk Trigger", "string", []),
    ("Next Review Date", "date", []),
    ("Requester", "user", []),
    ("Change Type", "select", ["Scope", "Schedule", "Cost", "Quality"]),
    ("Cost Impact", "number", []),
    ("Schedule Impact (days)", "number", []),
    ("Scope Impact", "richtext", []),
    ("Decision Date", "date", []),
    ("Change Board Ref", "string", []),
    ("Start date", "date", []),
    ("Percent Complete", "number", []),
    ("Story Points", "number", []),
    ("Stakeholders", "multiuser", []),
    ("Affected Areas", "multiselect", ["Data", "Infrastructure", "Process", "People", "Vendor"]),
    ("Phase", "string", []),
    ("Recommendation", "richtext", []),
    ("Lesson Category", "string", []),
]
FIRST_CUSTOM_ID = 10010

SCREEN_EXTRAS: dict[str, list[str]] = {
    "Risk": [
        "Probability",
        "Impact",
        "Risk Category",
        "Response Strategy",
        "Mitigation",
        "Risk Trigger",
        "Next Review Date",
        "Stakeholders",
        "Affected Areas",
    ],
    "Change Request": [
        "Requester",
        "Change Type",
        "Cost Impact",
        "Schedule Impact (days)",
        "Scope Impact",
        "Decision Date",
        "Change Board Ref",
    ],
    "Epic": ["Start date", "Percent Complete", "Story Points", "parent"],
    "Story": ["Start date", "Percent Complete", "Story Points", "parent"],
    "Task": ["Start date", "Percent Complete", "Story Points", "parent"],
    "RAID Issue": ["Risk Category"],
    "Assumption": ["Risk Category"],
    "Dependency": ["Risk Category"],
    "Action": ["Risk Category"],
    "Decision": ["Risk Category"],
    "Lesson": ["Phase", "Recommendation", "Lesson Category"],
}

# Workflows as data: (transition id, name, from statuses (empty = any), to, screen, required).
WorkflowSpec = list[tuple[str, str, list[str], str, list[str], list[str]]]
WORKFLOWS: dict[str, tuple[str, WorkflowSpec]] = {
    "Risk": (
        "Open",
        [
            ("11", "Start Mitigation", ["Open"], "Mitigating", [], []),
            ("21", "Close Risk", ["Mitigating"], "Closed", [], []),
            ("31", "Back to Open", ["Mitigating"], "Open", [], []),
            ("41", "Reopen Risk", ["Closed"], "Open", [], []),
        ],
    ),
    "Change Request": (
        "Submitted",
        [
            ("11", "Start Review", ["Submitted"], "Under Review", [], []),
            ("21", "Approve", ["Under Review"], "Approved", ["Decision Date"], ["Decision Date"]),
            ("31", "Reject", ["Under Review"], "Rejected", ["Decision Date"], ["Decision Date"]),
            ("41", "Defer", ["Under Review"], "Deferred", [], []),
            ("51", "Resume Review", ["Deferred"], "Under Review", [], []),
            ("61", "Implement", ["Approved"], "Implemented", [], []),
        ],
    ),
    "*": (
        "To Do",
        [
            ("11", "Start", ["To Do"], "In Progress", [], []),
            ("21", "Done", ["To Do", "In Progress"], "Done", [], []),
            ("31", "Stop", ["In Progress"], "To Do", [], []),
            ("41", "Reopen", ["Done"], "In Progress", [], []),
        ],
    ),
}


def build_catalog() -> Catalog:
    """The demo site's full configuration, deterministic ids included."""
    cat = Catalog()
    for i, (username, display, email) in enumerate(USERS):
        cat.users[username] = User(
            username=username,
            display_name=display,
            email=email,
            account_id=account_id_for(username),
            key=f"JIRAUSER{10100 + i}",
        )
    for i, (name, desc, level) in enumerate(ISSUE_TYPES):
        tid = str(10000 + i)
        cat.issue_types[tid] = IssueType(tid, name, desc, level)
    for i, (name, category) in enumerate(STATUSES):
        sid = str(10000 + i)
        cat.statuses[sid] = Status(sid, name, category)
    for pid, name, color in PRIORITIES:
        cat.priorities[pid] = Priority(pid, name, color)
    cat.resolutions["10000"] = Resolution("10000", "Done")
    option_id = 10100
    for i, (name, kind, options) in enumerate(CUSTOM_FIELDS):
        fid = f"customfield_{FIRST_CUSTOM_ID + i}"
        custom_type, schema_type, items = CUSTOM_TYPES[kind]
        opts = []
        for value in options:
            opts.append(Option(str(option_id), value))
            option_id += 1
        cat.fields[fid] = FieldDef(
            id=fid,
            name=name,
            kind=kind,
            schema_type=schema_type,
            custom=True,
            items=items,
            custom_type=custom_type,
            options=opts,
        )
    for i, (key, name, lead) in enumerate(PROJECTS):
        pid = str(10000 + i)
        cat.projects[pid] = Project(pid, key, name, lead, list(cat.issue_types), f"{name} (demo)")
    add_releases(cat)
    for it in cat.issue_types.values():
        cat.workflows[it.id] = _workflow(cat, *WORKFLOWS.get(it.name, WORKFLOWS["*"]), it.name)
        extras = [_field_id(cat, n) for n in SCREEN_EXTRAS.get(it.name, [])]
        cat.screens[it.id] = (*COMMON_SCREEN_FIELDS, *extras)
    return cat


def _field_id(cat: Catalog, name: str) -> str:
    fd = cat.field_by_name_or_id(name)
    if fd is None:
        raise KeyError(name)
    return fd.id


def _workflow(cat: Catalog, initial: str, spec: WorkflowSpec, type_name: str) -> Workflow:
    def sid(name: str) -> str:
        st = cat.status(name)
        if st is None:
            raise KeyError(name)
        return st.id

    transitions = [
        TransitionDef(
            id=tid,
            name=name,
            from_status_ids=tuple(sid(s) for s in sources),
            to_status_id=sid(target),
            screen_fields=tuple(_field_id(cat, f) for f in screen),
            required_fields=tuple(_field_id(cat, f) for f in required),
        )
        for tid, name, sources, target, screen, required in spec
    ]
    return Workflow(f"{type_name} workflow", sid(initial), transitions)
