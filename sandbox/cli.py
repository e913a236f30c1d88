"""``pmo-sync sandbox`` / ``python -m sandbox``: run a sandbox until SIGINT or SIGTERM."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from types import FrameType

from sandbox.server import SandboxServer


def build_parser() -> argparse.ArgumentParser:
    """The command-line options."""
    p = argparse.ArgumentParser(
        prog="pmo-sync sandbox",
        description="Run a local Jira-compatible REST server for demos, training and tests.",
    )
    p.add_argument("--port", type=int, default=8080, help="TCP port on 127.0.0.1 (0: any free)")
    p.add_argument("--mode", choices=["cloud", "datacenter"], default="cloud")
    p.add_argument("--data", metavar="FILE", help="load state from FILE and save it there on exit")
    p.add_argument(
        "--seed", default="demo", help="demo, portfolio, scale:N or none (ignored if --data exists)"
    )
    p.add_argument(
        "--search-lag",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="search shows writes only after this delay (eventual consistency)",
    )
    p.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="SPEC",
        help="inject a fault, e.g. 429:burst:every=3, 503:count=2, drop:nth=5, "
        "lost:method=POST, latency:200:path=/search (repeatable)",
    )
    p.add_argument("--latency-ms", type=int, default=0, help="add this latency to every request")
    p.add_argument("--timezone", default="UTC", help="the users' time zone (default UTC)")
    p.add_argument(
        "--log-requests", action="store_true", help="print one line per request (for training)"
    )
    return p


def main(argv: list[str] | None = None) -> int:
    """Start the sandbox, print its URL and credentials, serve until interrupted."""
    args = build_parser().parse_args(argv)
    started = time.perf_counter()
    try:
        server = SandboxServer(
            mode=args.mode,
            seed=None if args.seed == "none" else args.seed,
            data_file=args.data,
            port=args.port,
            search_lag=args.search_lag,
            timezone=args.timezone,
        )
        for spec in args.fault:
            server.faults.add_spec(spec)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.latency_ms:
        server.faults.latency(args.latency_ms)
    if args.log_requests:
        server.echo = sys.stdout
    # Signals are caught from before the URL is printed: a Ctrl+C (or a supervisor's
    # SIGTERM) that comes as soon as the URL appears must stop the server cleanly.
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.start()
    except OSError as err:
        for s, handler in previous.items():
            signal.signal(s, handler)
        print(f"error: cannot listen on 127.0.0.1:{args.port}: {err}", file=sys.stderr)
        return 1
    creds = server.credentials
    print(f"Jira sandbox ({args.mode}) listening on {server.url}", flush=True)
    if args.mode == "cloud":
        print(f"  email: {creds.email}")
        print(f"  api token: {creds.api_token}")
    else:
        print(f"  token: {creds.token}")
    print(f"  issues: {len(server.store.issues)}  (ready in {time.perf_counter() - started:.2f}s)")
    print("  press Ctrl+C to stop", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        server.stop()
        if args.data:
            print(f"state saved to {args.data}", flush=True)
    return 0
