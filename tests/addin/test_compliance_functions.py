"""PMO_COMPLIANCE and PMO_BREACHES over a real store: audits of the built-in policy kept at
several moments (the store's own clock), read back as the newest audit's values."""

from __future__ import annotations

import inspect
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from compliance.audit import audit_store, remember
from compliance.policy import BUILTIN, load_policy
from excel_addin import functions as f
from excel_addin.lookups import Portfolio
from mappings.model import build_record
from sync.store import StateStore

POLICY = load_policy(BUILTIN)
TODAY = date(2026, 10, 22)
FIRST = datetime(2026, 10, 6, 9, tzinfo=UTC)


def _risk(key: str, project: str, **values: Any) -> dict[str, Any]:
    record = build_record(
        "risk",
        {"sync_id": str(uuid.uuid5(uuid.NAMESPACE_URL, key)), "key": key, "project": project,
         "summary": f"risk {key}", **values},
        source="test",
    ).model_dump()  # fmt: skip
    record["sync_id"] = str(record["sync_id"])
    return record


def fill(store: StateStore, ownerless: int) -> None:
    """ALPHA: four owned risks; BETA: four risks, ``ownerless`` without an owner, and a
    critical one without a mitigation (whose owner is told)."""
    risks = [_risk(f"ALPHA-{n}", "ALPHA", owner="Ana") for n in range(1, 5)]
    risks += [
        _risk(f"BETA-{n}", "BETA", owner=None if n <= ownerless else "Bo") for n in range(1, 5)
    ]
    risks.append(_risk("BETA-9", "BETA", owner="Chen Wei", probability=5, impact=4))
    store.save_items("p", "risk", risks)


class Clock:
    def __init__(self) -> None:
        self.now = FIRST

    def __call__(self) -> datetime:
        return self.now


def record(store: StateStore, clock: Clock, moment: datetime, ownerless: int) -> Any:
    clock.now = moment
    with store.transaction():
        fill(store, ownerless)
        result = audit_store(store, POLICY, today=TODAY, at=store.clock())
        remember(store, result)
    return result


@pytest.fixture
def audited(tmp_path: Path) -> tuple[Path, Any]:
    """Three audits, a week apart; returns the store and the newest AuditResult."""
    path, clock = tmp_path / "state.db", Clock()
    with StateStore(path, clock=clock) as store:
        for n, ownerless in enumerate((3, 2, 1)):
            newest = record(store, clock, FIRST + timedelta(weeks=n), ownerless)
    return path, newest


def test_compliance_is_the_newest_audits_score(audited):
    path, newest = audited
    portfolio = Portfolio(path)
    with StateStore(path, read_only=True) as store:
        kept = store.latest_audit()
    assert {r.project for r in kept} == {"ALPHA", "BETA"}
    for project, score in newest.projects.items():
        assert portfolio.compliance(project) == pytest.approx(score.score)
        assert portfolio.compliance(project.lower()) == pytest.approx(score.score)
    # BETA: 5 risk-owner checks (one fails) and the critical risk's plan (fails): 4 of 6.
    assert portfolio.compliance("BETA") == pytest.approx(4 / 6)
    assert portfolio.compliance("ALPHA") == 1
    assert portfolio.compliance("*") == pytest.approx((4 + 4) / (4 + 6))


def test_breaches_spill_the_newest_audits_rows(audited):
    path, newest = audited
    portfolio = Portfolio(path)
    table = portfolio.breaches("BETA")
    assert table[0] == ["key", "rule", "severity", "why", "who"]
    assert table[1:] == [
        [b.key, b.rule, b.severity, b.why, b.who] for b in newest.breaches_of("BETA")
    ]
    # The audit's order (severity, rule, key); one ownerless risk left in the newest audit.
    assert [row[:2] for row in table[1:]] == [["BETA-9", "risk-high-mitigated"],
                                              ["BETA-1", "risk-owner"]]  # fmt: skip
    assert table[1][4] == "Chen Wei" and table[2][4] is None
    assert portfolio.breaches("ALPHA") == [table[0]]  # nothing breached: the header alone
    assert portfolio.breaches("beta", "Error") == table  # both are errors
    assert portfolio.breaches("BETA", "warning") == [table[0]]
    assert portfolio.breaches("*")[1:] == table[1:]
    assert portfolio.breaches("BETA", "errors") == table


def test_the_worksheet_functions_and_their_errors(audited, tmp_path, monkeypatch):
    path, newest = audited
    monkeypatch.setattr(f, "PORTFOLIO", Portfolio(path))
    assert f.PMO_COMPLIANCE("BETA") == pytest.approx(newest.projects["BETA"].score)
    assert f.PMO_BREACHES("BETA")[2][:3] == ["BETA-1", "risk-owner", "error"]
    unknown = f.PMO_COMPLIANCE("NOPE")
    assert unknown.startswith("#N/A no project 'NOPE' in the newest compliance audit")
    assert f.PMO_BREACHES("NOPE").startswith("#N/A no project 'NOPE'")
    assert f.PMO_BREACHES("BETA", "fatal") == (
        "#VALUE! severity 'fatal' is not error, warning or info"
    )
    # A store synced but never audited (no [sync] policy): #N/A saying what to do.
    bare = tmp_path / "bare.db"
    with StateStore(bare) as store, store.transaction():
        fill(store, 1)
    monkeypatch.setattr(f, "PORTFOLIO", Portfolio(bare))
    for text in (f.PMO_COMPLIANCE("BETA"), f.PMO_BREACHES("BETA")):
        assert text.startswith("#N/A no compliance audit in the state store yet")
        assert "[sync] policy" in text
    monkeypatch.setattr(f, "PORTFOLIO", Portfolio(tmp_path / "missing.db"))
    assert f.PMO_COMPLIANCE("BETA").startswith("#N/A no synced portfolio")
    for name in ("PMO_COMPLIANCE", "PMO_BREACHES"):
        doc = f.FUNCTIONS[name]
        assert doc.help and len(doc.help) < 120
        assert list(doc.args) == list(inspect.signature(getattr(f, name)).parameters)


def test_a_new_audit_is_read_once_the_store_changes(audited):
    path, _ = audited
    portfolio = Portfolio(path)
    before = portfolio.compliance("BETA")
    assert portfolio.compliance("BETA") == before  # cached with the snapshot
    clock = Clock()
    with StateStore(path, clock=clock) as store:
        newest = record(store, clock, FIRST + timedelta(weeks=3), 0)
    assert newest.projects["BETA"].score == pytest.approx(5 / 6) != before
    assert portfolio.compliance("BETA") == pytest.approx(5 / 6)
    assert [row[0] for row in portfolio.breaches("BETA")[1:]] == ["BETA-9"]


def test_a_project_with_nothing_to_check(tmp_path):
    path, clock = tmp_path / "state.db", Clock()
    with StateStore(path, clock=clock) as store, store.transaction():
        store.save_items("p", "risk", [_risk("DELTA-1", "DELTA", status="closed", owner=None)])
        remember(store, audit_store(store, POLICY, today=TODAY, at=store.clock()))
    portfolio = Portfolio(path)
    with pytest.raises(Exception, match="nothing of 'DELTA' to check"):
        portfolio.compliance("DELTA")
    assert portfolio.breaches("DELTA") == [["key", "rule", "severity", "why", "who"]]
