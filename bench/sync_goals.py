"""The sync benchmark's figures beside their goals (issue 19), each PASS or MISS."""

from __future__ import annotations

from typing import Any


def goal_lines(results: dict[str, Any]) -> list[str]:
    """Each figure beside its goal (issue 19), PASS or MISS."""

    def line(label: str, value: float, goal: str, ok: bool) -> str:
        return f"{label:<52} {value:>9.3f}   goal {goal:<10} {'PASS' if ok else 'MISS'}"

    rows, g = results["sizes"], results["growth"]
    out = []
    if g["noop_time_exponent"] is not None:
        exponent = g["noop_time_exponent"]
        out.append(line("no-op time growth exponent (0 = flat)", exponent, "<= 0.10",
                        exponent <= 0.10))  # fmt: skip
    for r in rows:
        if r["n"] >= 10_000:
            ratio = r["initial_over_floor"]
            out.append(line(f"initial sync / floor at {r['n']:,}", ratio, "<= 1.20", ratio <= 1.2))
    largest = rows[-1]
    if largest["n"] >= 100_000:
        kb = largest["initial"]["peak_rss_mb"] * 1024 / max(1, largest["initial"]["records"])
        out.append(line(f"peak RSS per record at {largest['n']:,} (KB)", kb, "< 4", kb < 4))
        edit = largest["one_percent"]["seconds"]
        out.append(line(f"1% edit cycle at {largest['n']:,} (s)", edit, "< 5", edit < 5))
    return out
