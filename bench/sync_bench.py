"""Benchmark of the sync engine at portfolio scale (not a timed test).

For each N (1,000 and 10,000; 100,000 with --large) a sandbox Jira is started in its
own process with the ``scale:N`` seed (risks, change requests, RAID issues, stories,
tasks, actions over three projects, custom fields filled), and a worker process, so
peak RSS is pmo-sync's own, measures:

1. initial sync (Jira -> an empty RAID-log workbook): wall time, peak RSS, HTTP requests;
   next to the floor measured in the same run: the same search pages fetched with bare
   ``requests`` calls plus the same cells written by an openpyxl write-only loop;
2. a no-op cycle: requests, wall time, whether the workbook was rewritten; once right
   after the initial sync (the workbook pmo-sync just wrote is parsed again) and once
   steady (the file is unchanged, so it is not parsed: what a daemon does all day);
3. 1% of the records edited on each side: requests per changed record, wall time, bytes
   of the workbook rewritten versus its size.

Sizes up to 10,000 run three times (each on a freshly seeded sandbox) and report medians.
Then the growth exponents of time and memory versus N (a log-log fit). Everything is
printed as a table and written as JSON to bench/results/sync_bench.json.

    python -m bench.sync_bench [--sizes 1000,10000] [--large]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench import sync_goals

RESULTS_DIR = Path(__file__).resolve().parent / "results"
PROJECTS = ["ALPHA", "BETA", "GAMMA"]


# -- the sandbox, in its own process -------------------------------------------------------------
class SandboxProcess:
    def __init__(self, seed: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pmo_sync", "sandbox", "--seed", seed, "--port", "0"],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        lines = [self.process.stdout.readline() for _ in range(3)]
        self.url = lines[0].split("listening on ")[1].strip()
        self.email = lines[1].split(":", 1)[1].strip()
        self.token = lines[2].split(":", 1)[1].strip()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


# -- the worker: runs in a fresh process per measurement ------------------------------------------
class RequestCounter:
    """Counts the HTTP requests this process makes (pmo-sync's own, nothing else runs)."""

    def __init__(self) -> None:
        import requests

        self.by_method: Counter[str] = Counter()
        original = requests.Session.request
        counter = self

        def counted(session: Any, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            counter.by_method[method.upper()] += 1
            return original(session, method, url, *args, **kwargs)

        requests.Session.request = counted  # type: ignore[method-assign]

    def take(self) -> dict[str, int]:
        taken = dict(self.by_method)
        self.by_method.clear()
        return taken


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 1024 / 1024


def _config(folder: Path, url: str, email: str) -> Path:
    path = folder / "pmo-sync.toml"
    path.write_text(
        f'[jira]\nurl = "{url}"\nemail = "{email}"\n\n[sync]\nstate_store = "state.db"\n'
        "mass_change_guard = 1.0\n\n"
        '[[pair]]\nname = "portfolio"\nworkbook = "raid.xlsx"\nmapping = "builtin:raid_log"\n'
        f"projects = {json.dumps(PROJECTS)}\n"
    )
    return path


def worker_sync(folder: Path, url: str, email: str) -> dict[str, Any]:
    """Initial sync, no-op cycle, 1% edits on each side: one process, measured."""
    from connectors.excel.template import write_template
    from mappings.config import load_config
    from mappings.mapping import load_mapping
    from sync.runner import Runner

    counter = RequestCounter()
    mapping = load_mapping("builtin:raid_log")
    workbook = folder / "raid.xlsx"
    write_template(mapping, workbook)
    config = load_config(_config(folder, url, email))
    runner = Runner(config)
    (pair,) = config.pairs
    out: dict[str, Any] = {}

    started = time.perf_counter()
    first = runner.run_pair(pair)
    out["initial"] = {
        "seconds": time.perf_counter() - started,
        "requests": counter.take(),
        "records": sum(first.counts.values()),
        "errors": len(first.all_errors),
        "peak_rss_mb": _peak_rss_mb(),
        "workbook_bytes": workbook.stat().st_size,
    }
    # The first cycle after a writing cycle parses the workbook pmo-sync just wrote; the
    # steady no-op (what a daemon does all day) finds the file unchanged and does not.
    for name in ("noop_after_write", "noop"):
        before = workbook.read_bytes()
        started = time.perf_counter()
        noop = runner.run_pair(pair)
        out[name] = {
            "seconds": time.perf_counter() - started,
            "requests": counter.take(),
            "changes": noop.counts,
            "workbook_rewritten": workbook.read_bytes() != before,
        }
    changed = _edit_both_sides(folder, workbook, mapping, url, email, counter)
    counter.take()  # the edits themselves are not pmo-sync's requests
    size = workbook.stat().st_size
    started = time.perf_counter()
    edited = runner.run_pair(pair)
    seconds = time.perf_counter() - started
    requests_made = counter.take()
    out["one_percent"] = {
        "seconds": seconds,
        "requests": requests_made,
        "edited_in_excel": changed["excel"],
        "edited_in_jira": changed["jira"],
        "changes": edited.counts,
        "errors": len(edited.all_errors),
        "requests_per_changed_record": sum(requests_made.values())
        / max(1, changed["excel"] + changed["jira"]),
        "bytes_written": edited.bytes_written,
        "workbook_bytes": size,
    }
    runner.close()
    return out


def _edit_both_sides(
    folder: Path, workbook: Path, mapping: Any, url: str, email: str, counter: RequestCounter
) -> dict[str, int]:
    """1% of the risk rows edited in the workbook, 1% of other risks edited in Jira."""
    import requests

    from connectors.excel import WorkbookPatch, apply_patch
    from connectors.excel.record_writes import add_row_changes
    from connectors.excel.records import read_records

    entity = mapping.entity("risk")
    read = read_records(workbook, mapping, entity)
    rows = read.rows
    total = sum(len(read_records(workbook, mapping, e).rows) for e in mapping.entities)
    count = max(1, total // 100)
    rng = random.Random(3)
    picked = rng.sample(rows, min(len(rows), 2 * count))
    excel_rows, jira_rows = picked[:count], picked[count:]
    patch = WorkbookPatch()
    for row in excel_rows:
        add_row_changes(
            patch, mapping, entity, read.location, row.row_number, {"mitigation": "bench edit"}
        )
    apply_patch(workbook, patch, expected=read.fingerprint, live=False)
    session = requests.Session()
    session.auth = (email, os.environ["PMO_SYNC_JIRA_TOKEN"])
    fields = session.get(f"{url}/rest/api/2/field", timeout=30).json()
    mitigation = next(f["id"] for f in fields if f["name"] == "Mitigation")
    for row in jira_rows:
        answer = session.put(
            f"{url}/rest/api/2/issue/{row.record.key}",
            json={"fields": {mitigation: "edited in Jira"}},
            timeout=30,
        )
        answer.raise_for_status()
    return {"excel": len(excel_rows), "jira": len(jira_rows)}


def worker_floor(folder: Path, url: str, email: str) -> dict[str, Any]:
    """The least any tool must do: page through the same search, write the same cells."""
    import openpyxl
    import requests

    from connectors.jira.reader import JiraReader
    from connectors.jira.site import open_configured_site
    from mappings.config import load_config
    from mappings.mapping import load_mapping

    config = load_config(_config(folder, url, email))
    mapping = load_mapping("builtin:raid_log")
    site = open_configured_site(config.jira)
    reader = JiraReader(site, mapping)
    session = requests.Session()
    session.auth = (email, os.environ["PMO_SYNC_JIRA_TOKEN"])
    counter = RequestCounter()
    started = time.perf_counter()
    rows: dict[str, list[list[Any]]] = {}
    for entity in mapping.entities:
        jql = reader.scope_jql(entity, PROJECTS) + " ORDER BY updated ASC, key ASC"
        fields = reader.field_ids(entity)
        body: dict[str, Any] = {"jql": jql, "fields": fields, "maxResults": 100}
        found = rows.setdefault(entity.type, [])
        while True:
            page = session.post(f"{url}/rest/api/3/search/jql", json=body, timeout=60).json()
            for issue in page.get("issues", []):
                values = issue["fields"]
                found.append([issue["key"], *(str(values.get(f)) for f in fields)])
            token = page.get("nextPageToken")
            if page.get("isLast", token is None) or not token:
                break
            body["nextPageToken"] = token
    book = openpyxl.Workbook(write_only=True)
    for entity, lines in rows.items():
        sheet = book.create_sheet(entity)
        for line in lines:
            sheet.append(line)
    book.save(folder / "floor.xlsx")
    return {
        "seconds": time.perf_counter() - started,
        "requests": counter.take(),
        "records": sum(len(v) for v in rows.values()),
        "peak_rss_mb": _peak_rss_mb(),
    }


def _run_worker(kind: str, folder: Path, sandbox: SandboxProcess) -> dict[str, Any]:
    env = {**os.environ, "PMO_SYNC_JIRA_TOKEN": sandbox.token}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.sync_bench",
            "--worker",
            kind,
            str(folder),
            sandbox.url,
            sandbox.email,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
        cwd=Path(__file__).resolve().parents[1],  # bench/ is run from the repository
    )
    if done.returncode != 0:
        raise RuntimeError(f"{kind} worker failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _median_of(runs: list[Any]) -> Any:
    """Field by field: the median of numbers, the first run's value for anything else."""
    first = runs[0]
    if isinstance(first, dict):
        return {k: _median_of([r[k] for r in runs]) for k in first}
    if isinstance(first, int | float) and not isinstance(first, bool):
        return statistics.median(runs)
    return first


def measure(n: int, reps: int = 3) -> dict[str, Any]:
    """Floor and pmo-sync, ``reps`` times each, every time on a freshly seeded sandbox
    (the previous run's edits would otherwise sit in the next one's overlap window)."""
    floors, syncs = [], []
    for _ in range(reps):
        sandbox = SandboxProcess(f"scale:{n}")
        try:
            with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
                floors.append(_run_worker("floor", Path(a), sandbox))
                syncs.append(_run_worker("sync", Path(b), sandbox))
        finally:
            sandbox.stop()
    floor, synced = _median_of(floors), _median_of(syncs)
    initial = synced["initial"]
    return {
        "n": n,
        "reps": reps,
        "floor": floor,
        **synced,
        "initial_over_floor": initial["seconds"] / floor["seconds"],
        "noop_share_of_initial": synced["noop"]["seconds"] / initial["seconds"],
    }


def _exponent(points: list[tuple[float, float]]) -> float | None:
    """Slope of log(y) over log(x): 1 is linear, 0 flat."""
    if len(points) < 2:
        return None
    xs = [math.log(x) for x, _ in points]
    ys = [math.log(max(y, 1e-9)) for _, y in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )


def run(sizes: list[int], out_dir: Path = RESULTS_DIR, reps: int = 3) -> dict[str, Any]:
    rows = [measure(n, reps if n <= 10_000 else 1) for n in sizes]
    results = {
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "sizes": rows,
        "growth": {
            "initial_time_exponent": _exponent([(r["n"], r["initial"]["seconds"]) for r in rows]),
            "initial_memory_exponent": _exponent(
                [(r["n"], r["initial"]["peak_rss_mb"]) for r in rows]
            ),
            "noop_time_exponent": _exponent([(r["n"], r["noop"]["seconds"]) for r in rows]),
            "noop_requests": [sum(r["noop"]["requests"].values()) for r in rows],
        },
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "sync_bench.json").write_text(json.dumps(results, indent=2))
    return results


def _print(results: dict[str, Any]) -> None:
    m = results["machine"]
    print(f"machine: {m['platform']}, {m['cpus']} CPUs, Python {m['python']}")
    header = (
        f"{'N':>7} {'records':>8} {'initial s':>9} {'floor s':>8} {'x floor':>7} "
        f"{'RSS MB':>7} {'init req':>8} {'noop1 s':>7} {'noop s':>7} {'noop req':>8} {'noop %':>6} "
        f"{'1% s':>6} {'req/chg':>7} {'1% bytes/size':>13}"
    )
    print(header)
    for r in results["sizes"]:
        i, f, z, e = r["initial"], r["floor"], r["noop"], r["one_percent"]
        print(
            f"{r['n']:>7} {i['records']:>8} {i['seconds']:>9.2f} {f['seconds']:>8.2f} "
            f"{r['initial_over_floor']:>7.2f} {i['peak_rss_mb']:>7.0f} "
            f"{sum(i['requests'].values()):>8} {r['noop_after_write']['seconds']:>7.3f} "
            f"{z['seconds']:>7.3f} "
            f"{sum(z['requests'].values()):>8} {100 * r['noop_share_of_initial']:>5.1f}% "
            f"{e['seconds']:>6.2f} {e['requests_per_changed_record']:>7.2f} "
            f"{e['bytes_written'] / e['workbook_bytes']:>13.2f}"
        )
    g = results["growth"]
    if g["initial_time_exponent"] is not None:
        print(
            f"growth exponents (1 = linear): initial time {g['initial_time_exponent']:.2f}, "
            f"memory {g['initial_memory_exponent']:.2f}, no-op time {g['noop_time_exponent']:.2f}"
        )
    for line in sync_goals.goal_lines(results):
        print(line)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--large", action="store_true", help="also N = 100,000 (one run)")
    parser.add_argument("--reps", type=int, default=3, help="runs per size up to 10,000 (medians)")
    parser.add_argument("--worker", nargs=4, metavar=("KIND", "DIR", "URL", "EMAIL"))
    args = parser.parse_args(argv)
    if args.worker:
        kind, folder, url, email = args.worker
        work = worker_sync if kind == "sync" else worker_floor
        print(json.dumps(work(Path(folder), url, email)))
        return
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.large:
        sizes.append(100_000)
    _print(run(sizes, reps=args.reps))


if __name__ == "__main__":
    main()
