from datetime import UTC, date, datetime
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync.errors import StateStoreError
from sync.store import StateStore
from sync.store_records import AuditEntry
from sync.store_schema import SCHEMA_VERSION, dump_values, load_values

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(),
    st.dates(),
    st.datetimes(timezones=st.just(UTC)),
    st.uuids(),
)


@given(st.dictionaries(st.text(min_size=1), scalars))
def test_values_round_trip_exactly(values):
    assert load_values(dump_values(values)) == values


def test_new_store_is_migrated_and_in_wal_mode(tmp_path):
    with StateStore(tmp_path / "s" / "state.db") as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_bases_survive_reopening(tmp_path):
    path = tmp_path / "state.db"
    sync_id = str(uuid4())
    values = {"summary": "Vendor late", "due_date": date(2026, 12, 1), "probability": 4}
    with StateStore(path) as store, store.transaction():
        store.save_base("alpha", "risk", sync_id, "ALPHA-1", values)
    with StateStore(path) as store:
        entry = store.bases("alpha", "risk")[sync_id]
        assert (entry.jira_key, entry.values) == ("ALPHA-1", values)
        assert store.bases("beta", "risk") == {}
        store.forget("alpha", "risk", sync_id)
        assert store.bases("alpha", "risk") == {}


def test_a_failed_transaction_leaves_nothing(tmp_path):
    with StateStore(tmp_path / "state.db") as store:
        with pytest.raises(RuntimeError), store.transaction():
            store.save_base("alpha", "risk", "x", None, {"a": 1})
            raise RuntimeError("crash mid-cycle")
        assert store.bases("alpha", "risk") == {}


def test_store_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "state.db"
    with StateStore(path) as store:
        store._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StateStoreError, match="newer pmo-sync"):
        StateStore(path)


def test_corrupt_store_is_a_clear_error(tmp_path):
    path = tmp_path / "state.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StateStoreError, match="not a usable pmo-sync state store"):
        StateStore(path)


def test_read_only_connection_reads_while_writer_is_open(tmp_path):
    path = tmp_path / "state.db"
    with StateStore(path) as writer:
        with writer.transaction():
            writer.save_base("alpha", "risk", "x", "ALPHA-1", {"a": 1})
        with StateStore(path, read_only=True) as reader:
            assert list(reader.bases("alpha", "risk")) == ["x"]


def test_conflicts_are_recorded_once_and_resolved(tmp_path):
    seen = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    with StateStore(tmp_path / "state.db") as store:
        first = store.record_conflict(
            "alpha",
            "risk",
            "x",
            "ALPHA-1",
            "status",
            base="open",
            jira="closed",
            excel="mitigating",
            jira_updated=seen,
        )
        again = store.record_conflict(
            "alpha", "risk", "x", "ALPHA-1", "status", base="open", jira="closed", excel="open"
        )
        assert first == again
        (conflict,) = store.open_conflicts("alpha")
        assert (conflict.jira, conflict.excel, conflict.base) == ("closed", "open", "open")
        store.resolve_conflict(first, "closed")
        assert store.open_conflicts() == []
        with pytest.raises(StateStoreError, match="no open conflict"):
            store.resolve_conflict(first, "closed")


def test_audit_trail_is_queryable_newest_first(tmp_path):
    with StateStore(tmp_path / "state.db") as store:
        store.append_audit(
            [
                AuditEntry(
                    "c1", "alpha", "risk", "x", "ALPHA-1", "status", "open", "closed", "to_excel"
                ),
                AuditEntry("c2", "alpha", "risk", "x", "ALPHA-1", "impact", 2, 4, "to_jira"),
                AuditEntry(
                    "c2", "beta", "risk", "y", None, "summary", None, "New", "create_in_jira"
                ),
            ]
        )
        log = store.audit_log("alpha")
        assert [(e.cycle_id, e.field, e.old, e.new) for e in log] == [
            ("c2", "impact", 2, 4),
            ("c1", "status", "open", "closed"),
        ]
        assert len(store.audit_log(limit=1)) == 1


def test_cursors(tmp_path):
    with StateStore(tmp_path / "state.db") as store:
        assert store.cursor("alpha", "risk", "jira_updated") is None
        store.set_cursor("alpha", "risk", "jira_updated", "2026-11-28T12:00:00.000+0000")
        store.set_cursor("alpha", "risk", "jira_updated", "2026-11-28T12:05:00.000+0000")
        assert store.cursor("alpha", "risk", "jira_updated") == "2026-11-28T12:05:00.000+0000"


def _risk(key: str, status: str = "open") -> dict:
    return {"sync_id": str(uuid4()), "key": key, "project": "ALPHA", "status": status}


def test_the_portfolio_counts_each_issue_once_and_the_trend_follows_it(tmp_path, monkeypatch):
    import sync.store as store_module

    ticks = iter(datetime(2026, 12, 1, 9, minute, tzinfo=UTC) for minute in range(60))
    monkeypatch.setattr(store_module, "_now", lambda: next(ticks))
    shared = _risk("ALPHA-1")  # a RAID log and a change log both sync this issue
    with StateStore(tmp_path / "state.db") as store:
        with store.transaction():
            store.save_items("raid", "risk", [shared, _risk("ALPHA-2")])
            store.snapshot("c1", "raid")
            store.save_items("changes", "risk", [{**shared, "status": "closed"}])
            store.snapshot("c2", "changes")
        statuses = {i["key"]: i["status"] for i in store.items("risk")}
        assert statuses == {"ALPHA-1": "closed", "ALPHA-2": "open"}  # once, as last read
        assert [n for _, n in store.open_risk_trend()] == [2, 1]
        with store.transaction():  # the RAID log's scope empties
            store.drop_items("raid", "risk", [i["sync_id"] for i in store.items("risk", "raid")])
            store.snapshot("c3", "raid")
        assert store.open_risk_trend()[-1][1] == 0
        assert [i["key"] for i in store.items("risk")] == ["ALPHA-1"]
        with store.transaction():  # the change log pair leaves the configuration
            assert store.drop_unconfigured_items({"raid": None}) == {"changes": 1}
        assert store.items("risk") == []
