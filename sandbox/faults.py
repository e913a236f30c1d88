"""Fault injection: rate limits, outages, latency, dropped connections, lost responses.

A ``Fault`` is scoped by method, a path regex and which matching requests it hits (every Nth,
only the Nth, the first ``count``). ``Faults`` holds the active ones; tests switch them per
test through the Python API and the CLI builds them from ``--fault`` specs such as
``429:burst:every=3``, ``429:per-issue:rate=2:capacity=5`` (a token bucket), ``503:count=2``,
``latency:250``, ``drop:nth=2``, ``lost:method=POST``.
"""

from __future__ import annotations

import math
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

RATE_LIMIT_REASONS = {
    "burst": "jira-burst-based",
    "per-issue": "jira-per-issue-on-write",
    "quota": "jira-quota-tenant-based",
}
WRITE_METHODS = frozenset({"POST", "PUT", "DELETE"})
_ISSUE_WRITE_PATH = r"/rest/api/[^/]+/issue/[^/]+"


@dataclass
class Fault:
    """One fault rule.

    ``kind``: ``status`` (answer ``status`` without running the request), ``latency`` (sleep
    ``latency_ms`` then run it), ``drop`` (close the connection, request not run) or ``lost``
    (run the request, commit its write, then close the connection without answering).
    """

    kind: str
    status: int = 0
    reason: str | None = None
    retry_after: int | None = None
    latency_ms: int = 0
    method: str | None = None
    path: str | None = None
    every: int | None = None
    nth: int | None = None
    count: int | None = None
    rate: float | None = None
    capacity: int | None = None
    retry_format: str = "seconds"  # or "date": Retry-After as an HTTP-date
    seen: int = 0
    fired: int = 0
    _pattern: re.Pattern[str] | None = field(default=None, repr=False)
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._pattern = re.compile(self.path) if self.path else None

    def matches(self, method: str, path: str) -> int | None:
        """Count this request; None if the fault does not fire, else the Retry-After to send.

        With ``rate`` set the rule is a token bucket (``capacity`` tokens, refilled at ``rate``
        per second; per issue path for per-issue limits) and fires only when it is empty.
        """
        if self.method and method.upper() not in self.method.upper().split("|"):
            return None
        if self.reason == RATE_LIMIT_REASONS["per-issue"] and method.upper() not in WRITE_METHODS:
            return None
        if self._pattern and not self._pattern.search(path):
            return None
        self.seen += 1
        if self.every and self.seen % self.every:
            return None
        if self.nth is not None and self.seen != self.nth:
            return None
        if self.count is not None and self.fired >= self.count:
            return None
        wait = self.retry_after
        if self.rate:
            wait = self._take_token(path)
            if wait is None:
                return None
        self.fired += 1
        return wait if wait is not None else -1

    def _take_token(self, path: str) -> int | None:
        """Spend a token; None if one was available, else whole seconds until the next."""
        key = path if self.reason == RATE_LIMIT_REASONS["per-issue"] else ""
        assert self.rate is not None
        capacity = float(self.capacity or max(1, int(self.rate)))
        now = time.monotonic()
        tokens, last = self._buckets.get(key, (capacity, now))
        tokens = min(capacity, tokens + (now - last) * self.rate)
        if tokens >= 1:
            self._buckets[key] = (tokens - 1, now)
            return None
        self._buckets[key] = (tokens, now)
        return max(1, math.ceil((1 - tokens) / self.rate))

    def headers(self, mode: str, retry_after: int | None = None) -> dict[str, str]:
        """The response headers Jira sends with this status."""
        out: dict[str, str] = {}
        if retry_after is None or retry_after < 0:
            retry_after = self.retry_after
        if retry_after is not None:
            if self.retry_format == "date":
                # RFC 9110 also allows an HTTP-date here; clients that int() it break.
                when = datetime.now(UTC) + timedelta(seconds=retry_after)
                out["Retry-After"] = format_datetime(when, usegmt=True)
            else:
                out["Retry-After"] = str(retry_after)
        if self.status == 429:
            wait = retry_after or 1
            reset = datetime.now(UTC) + timedelta(seconds=wait)
            if mode == "cloud":
                out["X-RateLimit-Limit"] = "100"
                out["X-RateLimit-Remaining"] = "0"
                out["X-RateLimit-Reset"] = reset.strftime("%Y-%m-%dT%H:%MZ")
                out["X-RateLimit-NearLimit"] = "true"
                out["RateLimit-Reason"] = self.reason or RATE_LIMIT_REASONS["burst"]
            else:
                out["X-RateLimit-Limit"] = "10"
                out["X-RateLimit-Remaining"] = "0"
                out["X-RateLimit-Interval-Seconds"] = "1"
                out["X-RateLimit-FillRate"] = "5"
        return out


class Faults:
    """The active fault rules of one server; thread-safe."""

    def __init__(self) -> None:
        self._rules: list[Fault] = []
        self._lock = threading.Lock()

    @property
    def rules(self) -> list[Fault]:
        """A copy of the active rules."""
        with self._lock:
            return list(self._rules)

    def add(self, fault: Fault) -> Fault:
        """Activate a rule and return it (its ``fired`` count is readable later)."""
        with self._lock:
            self._rules.append(fault)
        return fault

    def clear(self) -> None:
        """Remove every rule."""
        with self._lock:
            self._rules.clear()

    def remove(self, fault: Fault) -> None:
        """Remove one rule."""
        with self._lock:
            self._rules.remove(fault)

    def firing(self, method: str, path: str) -> list[tuple[Fault, int | None]]:
        """The rules that fire for this request with the Retry-After each asks for.

        Every rule sees every request, so counts (``every``, ``nth``) are per rule.
        """
        with self._lock:
            fired = [(f, f.matches(method, path)) for f in self._rules]
        return [(f, None if wait == -1 else wait) for f, wait in fired if wait is not None]

    # -- convenience constructors --------------------------------------------------------------
    def rate_limit(
        self, reason: str = "burst", retry_after: int | None = 1, **scope: object
    ) -> Fault:
        """429 Too Many Requests; ``reason`` burst, per-issue (writes to one issue) or quota."""
        if reason == "per-issue" and "path" not in scope:
            scope["path"] = _ISSUE_WRITE_PATH
        return self.add(
            Fault("status", 429, RATE_LIMIT_REASONS.get(reason, reason), retry_after, **scope)  # type: ignore[arg-type]
        )

    def unavailable(self, retry_after: int | None = None, **scope: object) -> Fault:
        """503 Service Unavailable."""
        return self.add(Fault("status", 503, None, retry_after, **scope))  # type: ignore[arg-type]

    def error(self, status: int, **scope: object) -> Fault:
        """Any other status (e.g. 409, 500) answered instead of running the request."""
        return self.add(Fault("status", status, **scope))  # type: ignore[arg-type]

    def latency(self, ms: int, **scope: object) -> Fault:
        """Delay matching requests by ``ms`` milliseconds."""
        return self.add(Fault("latency", latency_ms=ms, **scope))  # type: ignore[arg-type]

    def drop(self, **scope: object) -> Fault:
        """Close the connection without running the request or answering."""
        return self.add(Fault("drop", **scope))  # type: ignore[arg-type]

    def lose_response(self, **scope: object) -> Fault:
        """Run the request (its write is committed), then close without answering."""
        return self.add(Fault("lost", **scope))  # type: ignore[arg-type]

    def add_spec(self, spec: str) -> Fault:
        """Activate a rule from a CLI spec: ``KIND[:ARG][:key=value...]``."""
        return self.add(parse_spec(spec))


_SCOPE_INTS = {"every", "nth", "count", "retry_after", "retry-after", "capacity"}


def parse_spec(spec: str) -> Fault:
    """Parse ``429:burst:every=3``, ``503:retry_after=5``, ``latency:200:path=/search``..."""
    parts = spec.split(":")
    head, rest = parts[0].strip().lower(), parts[1:]
    kwargs: dict[str, object] = {}
    positional: list[str] = []
    for part in rest:
        if "=" in part:
            k, v = part.split("=", 1)
            k = k.strip().replace("-", "_")
            if k == "rate":
                kwargs[k] = float(v)
            else:
                kwargs[k] = int(v) if k in {s.replace("-", "_") for s in _SCOPE_INTS} else v
        elif part:
            positional.append(part)
    if head == "429":
        reason = positional[0] if positional else "burst"
        kwargs.setdefault("retry_after", 1)
        if reason == "per-issue" and "path" not in kwargs:
            kwargs["path"] = _ISSUE_WRITE_PATH
        return Fault("status", 429, RATE_LIMIT_REASONS.get(reason, reason), **kwargs)  # type: ignore[arg-type]
    if head.isdigit():
        return Fault("status", int(head), **kwargs)  # type: ignore[arg-type]
    if head == "latency":
        ms = int(positional[0]) if positional else int(str(kwargs.pop("ms", 100)))
        return Fault("latency", latency_ms=ms, **kwargs)  # type: ignore[arg-type]
    if head == "drop":
        return Fault("drop", **kwargs)  # type: ignore[arg-type]
    if head in ("lost", "lost-response", "lose"):
        return Fault("lost", **kwargs)  # type: ignore[arg-type]
    raise ValueError(f"unknown fault spec {spec!r}")
