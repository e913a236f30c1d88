"""When the daemon runs next: an interval or a cron expression, plus random jitter.

Jitter spreads many installations (or many pairs) over time so they do not all hit
Jira's rate limits at the same second. Cron expressions are read in local time, the
way a PMO thinks of "every 15 minutes during office hours".
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from croniter import croniter
from pydantic import ValidationError

from mappings.config import Schedule
from mappings.errors import ConfigError, Problem


def check_schedule(schedule: Schedule) -> None:
    """Refuse a schedule the daemon cannot run, before it starts.

    A loaded configuration has already refused these (so `pmo-sync check` and `sync`
    report them too); this catches a Schedule built without validation, which would
    otherwise spin ("0s") or crash on the first next_run.
    """
    try:
        Schedule.model_validate(schedule.model_dump())
    except ValidationError as exc:
        raise ConfigError(
            "config",
            [
                Problem(
                    ".".join(["sync.schedule", *(str(part) for part in err["loc"])]),
                    err["msg"].removeprefix("Value error, "),
                )
                for err in exc.errors(include_url=False)
            ],
        ) from None


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
