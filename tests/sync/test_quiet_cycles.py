"""What a cycle in which nothing changed costs, in Jira requests (counted by the sandbox's
request log; request counts, not timings): one on Data Center, one on Cloud between the
scope checks of ``[sync.scope_check]``; and that Cloud's approximate count, which lags
and jitters on a real site, never makes a cycle read the whole scope again."""

from __future__ import annotations

from typing import Any

import pytest

from connectors.excel import WorkbookPatch, apply_patch
from connectors.excel.record_writes import add_new_rows
from mappings import Risk
from sandbox import running_sandbox
from sync.jira_side import JiraSide
from tests.conftest import make_world

EVERY_THIRD = 'scope_check = { every_cycles = 3, every = "1d" }'


def _requests(world: Any) -> int:
    before = world.requests()
    result = world.cycle()
    assert result.outcome == "ok", result.all_errors
    return world.requests() - before


@pytest.fixture
def full_reads(monkeypatch) -> list[str]:
    """Every full read of an entity's scope, by entity type (a spy on the real method)."""
    seen: list[str] = []
    real = JiraSide._full

    def spy(self: JiraSide, entity: Any, known: Any) -> Any:
        seen.append(entity.type)
        return real(self, entity, known)

    monkeypatch.setattr(JiraSide, "_full", spy)
    return seen


def test_a_quiet_cycle_costs_one_request_on_data_center(tmp_path, full_reads):
    with running_sandbox(mode="datacenter", seed="demo", timezone="UTC") as server:
        world = make_world(tmp_path, server)
        try:
            world.cycle()
            first = len(full_reads)
            assert [_requests(world) for _ in range(4)] == [1, 1, 1, 1]
            assert len(full_reads) == first
            # A deleted issue shows in the same one request (the scope's total).
            gone = world.rows("risk").rows[0]
            server.store.delete(server.store.get(gone.record.key))
            result = world.cycle()
            assert result.counts == {"excel_flag": 1}
        finally:
            world.runner.close()


def test_cloud_checks_the_scope_every_k_cycles(tmp_path, full_reads):
    with running_sandbox(mode="cloud", seed="demo", timezone="UTC") as server:
        world = make_world(tmp_path, server, sync_settings=EVERY_THIRD)
        try:
            world.cycle()  # the first read is a full one
            first = len(full_reads)
            # Never checked: check (search + count); then two cycles of one request; the
            # third since the check checks again.
            assert [_requests(world) for _ in range(6)] == [2, 1, 1, 2, 1, 1]
            assert len(full_reads) == first
            counts = server.requests("POST", "search/approximate-count")
            assert len(counts) == 2
        finally:
            world.runner.close()


def test_a_deleted_issue_is_noticed_within_k_cycles_without_a_full_read(tmp_path, full_reads):
    with running_sandbox(mode="cloud", seed="demo", timezone="UTC") as server:
        world = make_world(tmp_path, server, sync_settings=EVERY_THIRD)
        try:
            world.cycle()
            assert _requests(world) == 2  # checked: the schedule starts here
            first = len(full_reads)
            gone = world.rows("risk").rows[0]
            server.store.delete(server.store.get(gone.record.key))
            assert world.cycle().counts == {}  # not due: not seen yet
            assert world.cycle().counts == {}
            result = world.cycle()  # due: the count differs, the keys tell which
            assert result.counts == {"excel_flag": 1}
            assert len(full_reads) == first
            assert world.cycle().counts == {}
        finally:
            world.runner.close()


def test_a_jittering_count_never_causes_a_full_read_nor_drops_a_new_issue(tmp_path, full_reads):
    with running_sandbox(mode="cloud", seed="demo", timezone="UTC", count_jitter=3) as server:
        world = make_world(
            tmp_path, server, sync_settings='scope_check = { every_cycles = 1, every = "1d" }'
        )
        try:
            world.cycle()
            first = len(full_reads)
            costs = [_requests(world) for _ in range(5)]
            # Every cycle checks: search + count, plus, when the noisy count differs, one
            # key listing per entity (risks, issues, change requests); never a full read.
            listings = len([e for e in world.mapping.entities if e.jira is not None])
            assert all(c in (2, 2 + listings) for c in costs), costs
            assert any(c == 2 + listings for c in costs), costs  # the jitter made counts differ
            assert len(full_reads) == first
            # An issue the sync created a moment ago, which search does not show yet
            # (Cloud indexes with a lag), stays: the key listing lacks it, but Jira still
            # returns it and it was updated too recently to be taken as gone.
            server.search_lag = 30
            read = world.rows("risk")
            new = Risk(summary="Data centre move slips", probability=3, impact=4, project="ALPHA")
            patch = add_new_rows(
                WorkbookPatch(), world.mapping, world.mapping.entity("risk"), read.location, [new]
            )
            patch.appends[0].rows[0][world.mapping.entity("risk").excel.sync_id_column] = None
            apply_patch(world.workbook, patch, expected=read.fingerprint, live=False)
            assert world.cycle().counts.get("jira_create") == 1
            created = next(r for r in world.rows("risk").rows if r.record.summary == new.summary)
            for _ in range(3):
                result = world.cycle()
                assert result.outcome == "ok" and "excel_flag" not in result.counts, result.counts
            assert world.row("risk", created.record.key).record.summary == new.summary
            assert len(full_reads) == first
        finally:
            world.runner.close()


def test_a_quiet_cycle_reads_neither_the_stored_items_nor_the_workbook(tmp_path, monkeypatch):
    """Its cost depends on what changed, not on the portfolio's size: the items stay
    decoded in the store between cycles and the workbook, unchanged since the last
    settled cycle, is not opened (spies on the real functions; no timings)."""
    import connectors.excel.records as records
    from sync.store import StateStore

    calls = {"items": 0, "workbook": 0}
    load_items, locate = StateStore._load_items, records.locate_entity

    def counted_items(self: Any, *args: Any) -> Any:
        calls["items"] += 1
        return load_items(self, *args)

    def counted_locate(*args: Any, **kwargs: Any) -> Any:
        calls["workbook"] += 1
        return locate(*args, **kwargs)

    monkeypatch.setattr(StateStore, "_load_items", counted_items)
    monkeypatch.setattr(records, "locate_entity", counted_locate)
    for mode in ("cloud", "datacenter"):
        with running_sandbox(mode=mode, seed="demo", timezone="UTC") as server:
            world = (
                make_world(tmp_path / mode, server) if (tmp_path / mode).mkdir() is None else None
            )
            try:
                world.cycle()
                world.cycle()
                calls.update(items=0, workbook=0)
                for _ in range(3):
                    assert world.cycle().counts == {}
                assert calls == {"items": 0, "workbook": 0}, (mode, calls)
            finally:
                world.runner.close()
