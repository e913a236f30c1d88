"""How a cycle reads on a terminal: the plan as a table (dry run), the outcome per pair.

Kept apart from the CLI wiring so the daemon, the demo and the Excel refresh macro can
describe a cycle in the same words.
"""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sync.outcome import CycleResult
from sync.plan import Operation, Plan
from sync.runner import PairFailure

VERB = {
    "jira_edit": "edit in Jira",
    "jira_create": "create in Jira",
    "jira_close": "close in Jira",
    "excel_write": "write to Excel",
    "excel_append": "add row",
    "excel_flag": "flag row",
    "excel_unflag": "unflag row",
    "conflict": "CONFLICT",
}


def _where(op: Operation) -> str:
    parts = [op.key or (op.sync_id or "")[:8] or "new"]
    if op.row is not None:
        parts.append(f"row {op.row}")
    return ", ".join(parts)


SHOWN = 120  # characters of a value a plan table shows (the whole value is in --json)


def shown(value: Any) -> str:
    """A value as a table shows it: its repr, a long one cut with its length said."""
    text = repr(value)
    if len(text) <= SHOWN:
        return text
    length = f"{len(value):,} characters" if isinstance(value, str) else "long"
    return f"{text[: SHOWN - 20]}... ({length})"


def _what(op: Operation) -> str:
    if op.changes:
        if op.kind == "conflict":
            return "; ".join(
                f"{c.name}: Jira {shown(c.jira)} / Excel {shown(c.excel)}" for c in op.changes
            )
        return "; ".join(f"{c.name}: {shown(_old(op, c))} -> {shown(c.value)}" for c in op.changes)
    if op.values:
        return shown(op.values.get("summary", ""))
    return op.reason


def _old(op: Operation, change: Any) -> Any:
    return change.jira if op.kind.startswith("jira") else change.excel


def plan_table(plan: Plan) -> Table:
    table = Table("operation", "record", "what", title=f"{plan.pair} / {plan.entity}")
    for op in plan.operations:
        table.add_row(VERB[op.kind], escape(_where(op)), escape(_what(op)))
    return table


def print_result(
    console: Console, result: CycleResult | PairFailure, *, details: bool = False
) -> None:
    if isinstance(result, PairFailure):
        console.print(f"[red]{result.pair}: not synced[/red] - {escape(result.error)}")
        return
    if result.dry_run or details:
        planned = [p for p in result.plans if not p.is_empty]
        if not planned:
            console.print(f"{result.pair}: nothing to do")
        for plan in planned:
            console.print(plan_table(plan))
        if result.dry_run:
            _problems(console, result)
            return
    counts = ", ".join(f"{n} {VERB[k]}" for k, n in sorted(result.counts.items())) or "no changes"
    colour = {"ok": "green", "conflicts": "yellow"}.get(result.outcome, "red")
    console.print(
        f"[{colour}]{result.pair}[/{colour}]: {counts}; {result.open_conflicts} open "
        f"conflict(s); cycle {result.cycle_id}" + (" (stopped early)" if result.stopped else "")
    )
    _problems(console, result)


def _problems(console: Console, result: CycleResult) -> None:
    """Errors, then warnings: the same lines whether the cycle ran or was only planned."""
    for error in result.all_errors:
        console.print(f"  [red]error[/red] {escape(error)}")
    for warning in result.all_warnings:
        console.print(f"  [yellow]warn[/yellow]  {escape(warning)}")


def results_json(results: list[CycleResult | PairFailure]) -> str:
    out = []
    for result in results:
        if isinstance(result, PairFailure):
            out.append({"pair": result.pair, "outcome": "failed", "error": result.error})
            continue
        out.append(
            {
                "pair": result.pair,
                "cycle_id": result.cycle_id,
                "dry_run": result.dry_run,
                "outcome": result.outcome,
                "counts": result.counts,
                "open_conflicts": result.open_conflicts,
                "errors": result.all_errors,
                "warnings": result.all_warnings,
                "plans": [p.to_json() for p in result.plans],
            }
        )
    return json.dumps(out, indent=2, default=str)
