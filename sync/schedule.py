"""When the daemon runs next: an interval or a cron expression, plus random jitter.

Jitter spreads many installations (or many pairs) over time so they do not all hit
Jira's rate limits at the same second. Cron expressions are read in local time, the
way a PMO thinks of "every 15 minutes during office hours".
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from croniter import croniter

from mappings.config import Schedule
from mappings.errors import ConfigError, Problem


def check_schedule(schedule: Schedule) -> None:
    """Refuse a cron expression croniter cannot read, before the daemon starts."""
    if schedule.cron and not croniter.is_valid(schedule.cron):
        raise ConfigError(
            "config", [Problem("sync.schedule.cron", f"{schedule.cron!r} is not a valid cron")]
        )
    if not schedule.cron and not schedule.interval_seconds:
        raise ConfigError(
            "config", [Problem("sync.schedule", "set an interval (e.g. 15m) or a cron expression")]
        )


def next_run(schedule: Schedule, after: datetime, rng: random.Random | None = None) -> datetime:
    """The next start time strictly after ``after`` (tz-aware), jitter included."""
    if after.tzinfo is None:
        raise ValueError("next_run needs a timezone-aware time")
    if schedule.cron:
        local = after.astimezone()  # cron fields are wall-clock times of this machine
        base: datetime = croniter(schedule.cron, local).get_next(datetime)
    else:
        base = after + timedelta(seconds=schedule.interval_seconds or 0)
    jitter = (rng or random.Random()).uniform(0, schedule.jitter_seconds)
    return base + timedelta(seconds=jitter)


def backoff_seconds(failures: int, base: float, cap: float) -> float:
    """Exponential backoff after consecutive failures of one pair: base, 2x, 4x ... cap."""
    if failures <= 0:
        return 0.0
    return min(cap, base * 2 ** (failures - 1))
