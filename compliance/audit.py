"""An audit: every rule of a policy over the synced portfolio, per project.

Reads only the state store's portfolio (what the last cycles read from Jira and copied
from the workbooks), so an audit costs no Jira request and gives the same answer as the
report and the worksheet functions. A project's score is the share of its checks (rule x
item the rule applies to) that pass; an item the rule's filter excludes is no check.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from compliance.expressions import Evaluator
from compliance.policy import Policy, Rule

NO_PROJECT = "(no project)"


@dataclass(frozen=True)
class Breach:
    """One item that breaks one rule, and whom to tell."""

    project: str
    entity: str
    key: str
    summary: str
    rule: str
    title: str
    severity: str
    why: str
    who: str | None


@dataclass
class ProjectScore:
    project: str
    checks: int = 0
    passed: int = 0

    @property
    def score(self) -> float | None:
        """Passed checks / checks (None: nothing to check)."""
        return None if self.checks == 0 else self.passed / self.checks


@dataclass
class AuditResult:
    at: datetime
    today: date
    projects: dict[str, ProjectScore] = field(default_factory=dict)
    breaches: list[Breach] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(b.severity == "error" for b in self.breaches)

    def breaches_of(self, project: str) -> list[Breach]:
        return [b for b in self.breaches if b.project == project]

    def as_json(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "today": self.today.isoformat(),
            "projects": [
                {"project": p.project, "checks": p.checks, "passed": p.passed, "score": p.score}
                for p in sorted(self.projects.values(), key=lambda p: p.project)
            ],
            "breaches": [asdict(b) for b in self.breaches],
        }


def _project_of(entity: str, item: Mapping[str, Any]) -> str:
    if entity == "project":
        return str(item.get("key") or NO_PROJECT)
    return str(item.get("project") or NO_PROJECT)


def audit(
    items: Mapping[str, Iterable[Mapping[str, Any]]],
    policy: Policy,
    *,
    today: date | None = None,
    project: str | None = None,
    at: datetime | None = None,
) -> AuditResult:
    """Check ``items`` (entity -> items) against ``policy``."""
    today = today or date.today()
    result = AuditResult(at or datetime.now(UTC), today)
    evaluate = Evaluator(today)
    for entity in policy.entities:
        rules = policy.for_entity(entity)
        for item in items.get(entity, ()):
            where = _project_of(entity, item)
            if project is not None and where != project:
                continue
            score = result.projects.setdefault(where, ProjectScore(where))
            names = evaluate.names(item, rules[0].fields) if rules else {}
            for rule in rules:
                outcome = _check(rule, names, evaluate)
                if outcome is None:
                    continue  # the rule's filter leaves this item out
                score.checks += 1
                if outcome is True:
                    score.passed += 1
                else:
                    result.breaches.append(_breach(rule, entity, where, item, outcome))
    order = {"error": 0, "warning": 1, "info": 2}
    result.breaches.sort(key=lambda b: (b.project, order[b.severity], b.rule, b.key))
    return result


def _check(rule: Rule, names: dict[str, Any], evaluate: Evaluator) -> bool | str | None:
    """True (passes), None (not applicable), or why it breaks the rule."""
    try:
        if rule.filter is not None and not evaluate(rule.filter, names):
            return None
        return True if evaluate(rule.condition, names) else (rule.why or rule.title)
    except Exception as exc:  # a value the expression cannot handle: shown, never hidden
        return f"could not be checked ({type(exc).__name__}: {exc})"


def _breach(rule: Rule, entity: str, project: str, item: Mapping[str, Any], why: str) -> Breach:
    key = str(item.get("key") or item.get("sync_id") or "?")
    return Breach(
        project,
        entity,
        key,
        str(item.get("summary") or item.get("name") or ""),
        rule.id,
        rule.title,
        rule.severity,
        why,
        rule.whom(item),
    )


def audit_store(store: Any, policy: Policy, **kwargs: Any) -> AuditResult:
    """Audit the store's portfolio (each issue once, as most recently read)."""
    items = {entity: store.items(entity) for entity in policy.entities}
    return audit(items, policy, **kwargs)


def remember(store: Any, result: AuditResult) -> None:
    """Keep the audit in the store's history (one row per project)."""
    rows = [
        (
            p.project,
            p.checks,
            p.passed,
            json.dumps([asdict(b) for b in result.breaches_of(p.project)], ensure_ascii=False),
        )
        for p in result.projects.values()
    ]
    store.save_audit(result.at, rows)
