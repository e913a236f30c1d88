"""`pmo-sync check`: is this configuration usable, before anything is synced?

Checks run from the cheapest to the most expensive and never write anything: the
config and mappings, then each workbook's trackers and columns, then (when the site
answers) that every mapped Jira field, project and issue type exists. Each finding
says what to fix.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterator
from pathlib import Path

from connectors.excel import ExcelError
from connectors.excel.errors import TrackerNotFound
from connectors.excel.records import locate_entity
from connectors.jira import FieldCatalog, JiraError, UnknownJiraField, connect
from connectors.jira.site import JiraSiteContext, open_site
from mappings.config import Config, SyncPair
from mappings.errors import ConfigError, MappingFileError
from mappings.mapping import EntityMapping, MappingSpec, load_mapping
from mappings.pair_checks import pair_problems
from pmo_sync.findings import Finding


def _entities(mapping: MappingSpec, pair: SyncPair) -> list[EntityMapping]:
    wanted = set(pair.entities or [e.type for e in mapping.entities])
    return [e for e in mapping.entities if e.type in wanted]


def check_workbook(
    path: Path,
    mapping: MappingSpec,
    pair: SyncPair,
    mapping_ref: str | None = None,
    config_path: Path | None = None,
) -> Iterator[Finding]:
    """Every tracker of the mapping is in the workbook, with every mapped column.

    ``mapping_ref``: the pair's mapping as a command line names it (a mapping file resolved
    against the configuration's folder), so every hint printed works when pasted."""
    subject = f"{pair.name}: {path.name}"
    if path.is_dir():
        yield Finding(
            "error",
            subject,
            f"{path} is a folder, not a workbook; set the pair's workbook to the .xlsx file",
        )
        return
    if not path.exists():
        ref = mapping_ref or pair.mapping
        yield Finding(
            "error",
            subject,
            f"workbook {path} does not exist: write a fresh tracker there with "
            f"`pmo-sync template {shlex.quote(str(path))} --mapping {shlex.quote(ref)}`, or "
            "set the pair's workbook to the PMO's own and map it with "
            f"`pmo-sync map {shlex.quote(str(path.with_name('YOUR-WORKBOOK.xlsx')))}`",
        )
        return
    for entity in _entities(mapping, pair):
        headers = [f.excel for f in entity.fields if f.excel]
        where = (
            entity.excel.table and f"table {entity.excel.table}"
        ) or f"sheet {entity.excel.sheet}"
        try:
            # The sync's own locator: check and sync find the same rows and columns,
            # pins (header_row, header_rows, columns) included.
            location = locate_entity(path, entity)
        except TrackerNotFound as exc:
            if entity.jira is None:  # the workbook's own figures are optional
                yield Finding(
                    "ok",
                    f"{subject} [{entity.type}]",
                    f"no {where} (optional: kept only in the workbook, e.g. the budget "
                    "figures behind the report's SPI and CPI)",
                )
            else:
                yield Finding("error", f"{subject} [{entity.type}]", str(exc))
            continue
        except ExcelError as exc:
            yield Finding("error", f"{subject} [{entity.type}]", str(exc))
            continue
        found = {h.casefold() for h in location.headers}
        if entity.jira is None:
            ids, why = [entity.excel.key_column], "so each row names its project"
        else:
            ids = [entity.excel.key_column, entity.excel.sync_id_column]
            why = "so rows can be matched to Jira issues (hide it if you like)"
        for column in ids:
            if column.casefold() not in found:
                yield Finding(
                    "warning",
                    f"{subject} [{entity.type}]",
                    f"no {column!r} column in {where}; add it {why}"
                    + (
                        f" (`pmo-sync add-id-columns --config {shlex.quote(str(config_path))} "
                        f"--pair {shlex.quote(pair.name)}` adds both)"
                        if entity.jira is not None and config_path is not None
                        else ""
                    ),
                )
        rows = location.last_data_row - location.first_data_row + 1
        header = (
            f"header rows {location.header_row}-{location.first_data_row - 1}"
            if location.header_rows > 1
            else f"header row {location.header_row}"
        )
        below = (
            f" (another tracker starts at row {location.next_tracker_row})"
            if location.next_tracker_row is not None
            else ""
        )
        yield Finding(
            "ok",
            f"{subject} [{entity.type}]",
            f"{where} on sheet {location.sheet!r}, {header}, "
            f"{len(headers)} mapped columns, data rows: {max(rows, 0)}{below}",
        )


def check_jira(config: Config, mappings: dict[str, MappingSpec]) -> Iterator[Finding]:
    """The site answers, and every mapped field, project and issue type exists there."""
    subject = f"jira {config.jira.url}"
    try:
        client, deployment = connect(config.jira)
    except ConfigError as exc:
        yield Finding("warning", subject, f"Jira checks skipped: {exc.problems[0].message}")
        return
    except JiraError as exc:
        yield Finding("error", subject, str(exc))
        return
    catalog = FieldCatalog(client.fields())
    yield Finding("ok", subject, f"reachable ({deployment}), {len(catalog)} fields")
    projects = {p.key: p for p in client.projects()}
    issue_types = {t.name.casefold() for t in client.issue_types()}
    for pair in config.pairs:
        for key in pair.projects:
            if key not in projects:
                yield Finding(
                    "error",
                    f"{pair.name}: project {key}",
                    "not found or not visible to the account",
                )
        mapping = mappings.get(pair.name)
        if mapping is None:
            continue
        for entity in _entities(mapping, pair):
            if entity.jira is None:
                continue
            for issue_type in entity.jira.issue_types:
                if issue_type.casefold() not in issue_types:
                    yield Finding(
                        "error",
                        f"{pair.name} [{entity.type}]",
                        f"issue type {issue_type!r} does not exist on the site",
                    )
            for field in entity.fields:
                if field.jira is None:
                    continue
                try:
                    catalog.resolve(field.jira)
                except UnknownJiraField as exc:
                    yield Finding("error", f"{pair.name} [{entity.type}.{field.name}]", str(exc))
        yield Finding("ok", f"{pair.name}: jira", "mapped fields and issue types checked")
    from pmo_sync.value_checks import check_values

    site = open_site(client, deployment)
    yield from check_permissions(config, mappings, site, set(projects))
    yield from check_values(config, mappings, site)


def check_permissions(
    config: Config, mappings: dict[str, MappingSpec], site: JiraSiteContext, visible: set[str]
) -> Iterator[Finding]:
    """The account may do in each project what the pair's mappings write there (browse,
    create, edit, transition, link): one `mypermissions` request per project."""
    from connectors.jira.permissions import TITLES, grant_hint
    from sync.permission_needs import mapping_permissions

    for pair in config.pairs:
        mapping = mappings.get(pair.name)
        if mapping is None:
            continue
        needed: set[str] = set()
        for entity in _entities(mapping, pair):
            if entity.jira is not None:
                needed |= mapping_permissions(entity)
        for project in pair.projects:
            if project not in visible or not needed:
                continue
            subject = f"{pair.name}: permissions in {project}"
            try:
                missing = site.permissions.missing(project, needed)
            except JiraError as exc:
                yield Finding("error", subject, f"could not ask Jira (mypermissions): {exc}")
                continue
            if missing:
                yield Finding("error", subject, grant_hint(site.account, project, missing))
            else:
                titles = ", ".join(TITLES[k] for k in sorted(needed))
                yield Finding("ok", subject, f"{site.account} has {titles}")


def check_policy(config: Config) -> Finding:
    """The policy every cycle audits with loads (every problem of the file at once)."""
    from compliance.policy import BUILTIN, PolicyError, load_policy

    where = config.sync.policy
    if not where:
        return Finding("ok", "policy", "none configured ([sync] policy is empty): no audits")
    try:
        policy = load_policy(where if where == BUILTIN else config.resolve(Path(where)))
    except PolicyError as exc:
        return Finding("error", "policy", str(exc))
    return Finding("ok", "policy", f"{policy.source}: {len(policy.rules)} rules")


def run_checks(
    config: Config,
    *,
    jira: bool = True,
    report: Callable[[Finding], None] | None = None,
    config_path: Path | None = None,
) -> list[Finding]:
    """All findings for a loaded config (config errors are raised before this)."""
    findings: list[Finding] = []

    def emit(finding: Finding) -> None:
        findings.append(finding)
        if report is not None:
            report(finding)

    mappings: dict[str, MappingSpec] = {}
    for pair in config.pairs:
        try:
            mapping = load_mapping(pair.mapping, config.base_dir)
        except MappingFileError as exc:
            emit(Finding("error", f"{pair.name}: mapping", str(exc)))
            continue
        mappings[pair.name] = mapping
        emit(
            Finding(
                "ok", f"{pair.name}: mapping", f"{mapping.name} ({len(mapping.entities)} entities)"
            )
        )
        # The same verdict `pmo-sync sync` reaches (sync.runner uses pair_problems too).
        for problem in pair_problems(pair, mapping):
            emit(Finding("error", f"{pair.name}: {problem.location}", problem.message))
        ref = pair.mapping
        if not ref.startswith("builtin:"):
            ref = str(config.resolve(Path(ref)))
        workbook = config.resolve(pair.workbook)
        for finding in check_workbook(workbook, mapping, pair, ref, config_path):
            emit(finding)
    emit(check_policy(config))
    if jira:
        for finding in check_jira(config, mappings):
            emit(finding)
    return findings
