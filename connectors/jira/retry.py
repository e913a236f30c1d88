"""The connector's one retry policy: wait as long as Jira asks, retry only what is safe.

Jira tells a client how long to back off (Retry-After in seconds or as an HTTP-date,
X-RateLimit-Reset as a timestamp). Waiting less earns another 429 and, on Cloud, a longer
penalty, so the asked-for wait is a floor, never a suggestion. Without a hint the policy
falls back to exponential backoff with jitter so parallel clients do not retry in step.

A write is retried only when repeating it cannot duplicate anything: idempotent calls
(GET, PUT of the same fields) retry on every transient fault; non-idempotent ones (POST a
create or a transition) retry only on answers that prove the request was not run
(429 and 503); a lost connection on such a call is left to the caller, which checks
whether the write happened (the create's sync_id lookup).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import requests
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt
from tenacity.wait import wait_exponential_jitter

T = TypeVar("T")

RETRYABLE_STATUS = frozenset({429, 502, 503, 504})
NOT_RUN_STATUS = frozenset({429, 503})


class HttpStatusError(Exception):
    """A non-2xx answer, carrying what the retry policy needs (status and headers)."""

    def __init__(self, status: int, headers: dict[str, str], text: str, what: str) -> None:
        self.status = status
        self.headers = {k.lower(): v for k, v in headers.items()}
        self.text = text
        self.what = what
        super().__init__(f"{what} answered {status}")


def _parse_when(value: str) -> datetime | None:
    """An absolute time from an HTTP-date or an ISO 8601 timestamp."""
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        try:
            when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def asked_wait(headers: dict[str, str], now: datetime) -> float | None:
    """Seconds the server asked us to wait, rounded up; None when it gave no hint."""
    retry_after = headers.get("retry-after")
    if retry_after is not None:
        try:
            return max(0.0, float(retry_after))
        except ValueError:
            when = _parse_when(retry_after)
            if when is not None:
                return max(0.0, math.ceil((when - now).total_seconds()))
    reset = headers.get("x-ratelimit-reset")
    if reset is not None:
        when = _parse_when(reset)
        if when is not None:
            return max(0.0, math.ceil((when - now).total_seconds()))
    return None


class RetryPolicy:
    """Retries a call per the rules above; ``sleep`` and ``clock`` are injectable for tests.

    Args:
        attempts: total tries, including the first.
        base: first backoff (seconds) when the server gives no hint.
        cap: longest backoff without a hint (a server's hint is never capped).
    """

    def __init__(
        self,
        *,
        attempts: int = 6,
        base: float = 0.5,
        cap: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.attempts = attempts
        self.sleep = sleep
        self.clock = clock
        self._backoff = wait_exponential_jitter(multiplier=base, max=cap, jitter=base)

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, HttpStatusError):
            hinted = asked_wait(exc.headers, self.clock())
            if hinted is not None:
                return hinted
        return float(self._backoff(state))

    def call(self, fn: Callable[[], T], *, idempotent: bool = True) -> T:
        """Run ``fn`` until it succeeds, fails fatally, or attempts run out (re-raised)."""

        def retryable(exc: BaseException) -> bool:
            if isinstance(exc, HttpStatusError):
                allowed = RETRYABLE_STATUS if idempotent else NOT_RUN_STATUS
                return exc.status in allowed
            if isinstance(exc, requests.ConnectionError | requests.Timeout):
                return idempotent
            return False

        retrying = Retrying(
            retry=retry_if_exception(retryable),
            wait=self._wait,
            stop=stop_after_attempt(self.attempts),
            sleep=self.sleep,
            reraise=True,
        )
        result: Any = retrying(fn)
        return result
