"""Fault injection: rate limits, outages, latency, dropped connections, lost responses.

A ``Fault`` is scoped by method, a path regex and which matching requests it hits (every Nth,
only the Nth, the first ``count``). ``Faults`` holds the active ones; tests switch them per
test through the Python API and the CLI builds them from ``--fault`` specs such as
``429:burst:every=3``, ``503:count=2``, ``latency:250``, ``drop:nth=2``, ``lost:method=POST``.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

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
    seen: int = 0
    fired: int = 0
    _pattern: re.Pattern[str] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._pattern = re.compile(self.path) if self.path else None

    def matches(self, method: str, path: str) -> bool:
        """Count this request and say whether the fault fires for it."""
        if self.method and method.upper() not in self.method.upper().split("|"):
            return False
        if self.reason == RATE_LIMIT_REASONS["per-issue"] and method.upper() not in WRITE_METHODS:
            return False
        if self._pattern and not self._pattern.search(path):
            return False
        self.seen += 1
        if self.every and self.seen % self.every:
            return False
        if self.nth is not None and self.seen != self.nth:
            return False
        if self.count is not None and self.fired >= self.count:
            return False
        self.fired += 1
        return True

    def headers(self, mode: str) -> dict[str, str]:
        """The response headers Jira sends with this status."""
        out: dict[str, str] = {}
        if self.retry_after is not None:
            out["Retry-After"] = str(self.retry_after)
        if self.status == 429:
            wait = self.retry_after or 1
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

    def firing(self, method: str, path: str) -> list[Fault]:
        """The rules that fire for this request (every rule sees every request)."""
        with self._lock:
            return [f for f in self._rules if f.matches(method, path)]

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


_SCOPE_INTS = {"every", "nth", "count", "retry_after", "retry-after"}


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
