"""Fixtures for the sync engine's end-to-end tests: a sandbox, a workbook, a config."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from connectors.excel import apply_patch
from connectors.excel.record_writes import add_row_changes
from connectors.excel.records import RecordsRead, read_records
from connectors.excel.template import write_template
from connectors.jira.reader import JiraReader
from connectors.jira.retry import RetryPolicy
from connectors.jira.site import open_site
from mappings.config import Config, load_config
from mappings.mapping import MappingSpec, load_mapping
from pmo_sync.cli import render_config, render_pair
from sandbox import SandboxServer, running_sandbox
from sandbox.testing import make_jira
from sync.runner import Runner
from sync.store import StateStore


@dataclass
class SyncWorld:
    """A sandbox Jira, a workbook and a configured runner, as a user would have them."""

    server: SandboxServer
    config: Config
    mapping: MappingSpec
    workbook: Path
    runner: Runner

    @property
    def store(self) -> StateStore:
        return self.runner.store

    def cycle(self, **kw: Any) -> Any:
        (result,) = self.runner.run(**kw)
        return result

    def rows(self, entity: str) -> RecordsRead:
        return read_records(self.workbook, self.mapping, self.mapping.entity(entity))

    def row(self, entity: str, key: str) -> Any:
        return next(r for r in self.rows(entity).rows if r.record.key == key)

    def edit_row(self, entity: str, key: str, **changes: Any) -> None:
        """A person editing cells of the row of ``key`` (saved through the real writer)."""
        read = self.rows(entity)
        row = next(r for r in read.rows if r.record.key == key)
        patch = add_row_changes(
            __import__("connectors.excel", fromlist=["WorkbookPatch"]).WorkbookPatch(),
            self.mapping,
            self.mapping.entity(entity),
            read.location,
            row.row_number,
            changes,
        )
        apply_patch(self.workbook, patch, expected=read.fingerprint, live=False)

    def jira(self, entity: str, key: str) -> Any:
        """An issue as Jira holds it now, read over HTTP as a canonical record."""
        (record,) = self.jira_many(entity, [key])
        return record

    def jira_many(self, entity: str, keys: list[str]) -> list[Any]:
        reader = JiraReader(self.runner.site, self.mapping)
        return reader.read_keys(self.mapping.entity(entity), keys).records

    def requests(self) -> int:
        return len(self.server.request_log)


def make_world(
    tmp_path: Path,
    server: SandboxServer,
    mapping: str = "builtin:raid_log",
    *,
    entities: list[str] | None = None,
    policy: str = "manual",
    keep_workbook: bool = False,
    source: Path | None = None,
    sync_settings: str = "",
    pair_settings: str = "",
) -> SyncWorld:
    """A configured pair in ``tmp_path``; with keep_workbook, a restarted process's view
    of the files an earlier world left there."""
    spec = load_mapping(mapping)
    workbook = tmp_path / (source.name if source else "raid.xlsx")
    if source is not None and not keep_workbook:
        shutil.copy2(source, workbook)
    elif not keep_workbook:
        write_template(spec, workbook)
    text = render_config(
        url=server.url,
        email=server.credentials.email,
        workbook=workbook.name,
        mapping=mapping,
        projects=["ALPHA"],
        pair="alpha",
    )
    text = text.replace(
        'conflict_policy = "manual"', f'conflict_policy = "{policy}"\n{sync_settings}'
    )
    if entities:
        text += "entities = [" + ", ".join(f'"{e}"' for e in entities) + "]\n"
    text += pair_settings
    path = tmp_path / "pmo-sync.toml"
    path.write_text(text, "utf-8")
    config = load_config(path)
    site = open_site(make_jira(server), server.mode, RetryPolicy(sleep=lambda s: None))  # type: ignore[arg-type]
    return SyncWorld(server, config, spec, workbook, Runner(config, site=site))


SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def need(path: Path, what: str) -> Path:
    """Skip when a prerequisite is absent on a user's clone; fail under CI."""
    if not path.exists():
        reason = f"{what} not found at {path}"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (required when CI is set)")
        pytest.skip(reason)
    return path


@pytest.fixture
def shared_workbook(tmp_path: Path) -> Any:
    """``shared_workbook("raid_log.xlsx")``: a writable copy of a real workbook of
    ../shared in tmp_path, under its own name (the Open XML check then uses the original
    as its baseline)."""

    def get(name: str) -> Path:
        source = need(SHARED / "fixtures" / "workbooks" / name, f"shared {name}")
        copy = tmp_path / name
        shutil.copyfile(source, copy)
        return copy

    return get


@pytest.fixture
def real_raid_log() -> Path:
    return need(SHARED / "fixtures" / "workbooks" / "raid_log.xlsx", "shared raid_log.xlsx")


@pytest.fixture
def world_factory() -> Any:
    return make_world


@pytest.fixture
def mapped_world(tmp_path: Path) -> Any:
    """``with mapped_world(MAPPING_TOML, build) as world``: a pair on a mapping of the
    test's own and a workbook that ``build(path)`` writes (as a PMO's tracker would be),
    against a fresh demo sandbox; keyword arguments go to ``make_world``."""

    @contextmanager
    def make(
        mapping_text: str, build: Any, *, name: str = "tracker.xlsx", **kwargs: Any
    ) -> Iterator[SyncWorld]:
        mapping = tmp_path / "mapping.toml"
        mapping.write_text(mapping_text, "utf-8")
        source = tmp_path / "source" / name
        source.parent.mkdir(exist_ok=True)
        build(source)
        with running_sandbox(mode="cloud", seed="demo", timezone="UTC") as server:
            world = make_world(tmp_path, server, str(mapping), source=source, **kwargs)
            try:
                yield world
            finally:
                world.runner.close()

    return make


@pytest.fixture(params=["cloud", "datacenter"])
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SyncWorld]:
    with running_sandbox(mode=request.param, seed="demo", timezone="UTC") as server:
        w = make_world(tmp_path, server)
        yield w
        w.runner.close()


@pytest.fixture
def cloud_world(tmp_path: Path) -> Iterator[SyncWorld]:
    with running_sandbox(mode="cloud", seed="demo", timezone="UTC") as server:
        w = make_world(tmp_path, server)
        yield w
        w.runner.close()


# -- a real sync of the demo portfolio, shared by the add-in and report tests --------------


def portfolio_config_text(
    url: str, email: str | None, pairs: dict[str, tuple[str, str]], projects: list[str]
) -> str:
    """A configuration of several pairs (name -> (workbook, mapping)) on one sandbox."""
    text = f'[jira]\nurl = "{url}"\nemail = "{email}"\n\n[sync]\nstate_store = "state.db"\n'
    for name, (workbook, mapping) in pairs.items():
        text += render_pair(pair=name, workbook=workbook, mapping=mapping, projects=projects)
    return text


@pytest.fixture
def portfolio_config() -> Any:
    return portfolio_config_text


DEMO_PAIRS = {
    "alpha-raid": ("raid.xlsx", "builtin:raid_log"),
    "alpha-status": ("status.xlsx", "builtin:status_tracker"),
}


# The PMO's own figures on the status tracker's Projects sheet (no Jira counterpart):
# ALPHA behind schedule and over budget (SPI 0.9, CPI 0.857), BETA ahead on both.
PROJECT_BUDGETS = {
    "ALPHA": {
        "name": "Alpha rollout",
        "manager": "Priya Shah",
        "bac": 500000,
        "pv": 200000,
        "ev": 180000,
        "ac": 210000,
    },
    "BETA": {
        "name": "Beta migration",
        "manager": "Tom Berg",
        "bac": 300000,
        "pv": 100000,
        "ev": 105000,
        "ac": 95000,
    },
}


@pytest.fixture
def project_budgets() -> dict[str, dict[str, Any]]:
    return PROJECT_BUDGETS


def fill_projects_sheet(workbook: Path, budgets: dict[str, dict[str, Any]]) -> None:
    """Type project rows into a freshly generated status tracker, as a PMO analyst would."""
    from openpyxl import load_workbook

    book = load_workbook(workbook)
    sheet = book["Projects"]
    headers = {cell.value: cell.column for cell in sheet[4] if cell.value}
    columns = {
        "name": "Project",
        "manager": "Project Manager",
        "bac": "Budget (BAC)",
        "pv": "Planned Value (PV)",
        "ev": "Earned Value (EV)",
        "ac": "Actual Cost (AC)",
    }
    for row, (key, figures) in enumerate(budgets.items(), start=5):
        sheet.cell(row, headers["Project Key"], key)
        for name, value in figures.items():
            sheet.cell(row, headers[columns[name]], value)
    book.save(workbook)


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
        fill_projects_sheet(folder / "status.xlsx", PROJECT_BUDGETS)
        config_path = folder / "pmo-sync.toml"
        config_path.write_text(
            portfolio_config_text(
                server.url, server.credentials.email, DEMO_PAIRS, ["ALPHA", "BETA"]
            )
        )
        config = load_config(config_path)
        site = open_site(make_jira(server), "cloud", RetryPolicy(sleep=lambda s: None))
        runner = Runner(config, site=site)
        results = runner.run()
        assert all(r.outcome == "ok" for r in results), results
        runner.close()
        yield Synced(server, folder / "state.db", config_path)


def _sandbox_issues(server: SandboxServer, project: str, issue_type: str) -> list[dict]:
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


@pytest.fixture
def sandbox_issues() -> Any:
    """``sandbox_issues(server, project, type)``: the sandbox's own view, by field name."""
    return _sandbox_issues


@pytest.fixture
def bench_module() -> Any:
    """``bench_module("sync_bench")``: a bench/ script loaded by path (bench/ is not an
    installed package), for the smoke tests that keep the harnesses from rotting."""
    import importlib.util
    import sys

    root = Path(__file__).resolve().parents[1]
    if str(root) not in sys.path:  # a script's `from bench import ...` of its siblings
        sys.path.insert(0, str(root))

    def load(name: str) -> Any:
        path = root / "bench" / f"{name}.py"
        spec = importlib.util.spec_from_file_location(f"bench.{name}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules.setdefault(f"bench.{name}", module)
        spec.loader.exec_module(module)
        return module

    return load


# -- every workbook a test leaves in tmp_path goes through the Open XML validator ----------
# (tests/ooxml_check.py: loaded by path, since tests/ is not an importable package)


def _load_ooxml_check() -> Any:
    import importlib.util
    import sys

    name = "pmo_sync_ooxml_check"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            name, Path(__file__).with_name("ooxml_check.py")
        )
        assert spec is not None and spec.loader is not None
        sys.modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[name])
    return sys.modules[name]


def pytest_configure(config: pytest.Config) -> None:
    ooxml_check = _load_ooxml_check()
    config.addinivalue_line("markers", ooxml_check.MARKER_LINE)
    config.pluginmanager.register(ooxml_check.OoxmlCheck(config), "pmo-ooxml-check")
