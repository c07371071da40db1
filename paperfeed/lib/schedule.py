"""When scheduled jobs are due: cron expressions read in a time zone, by cronsim.

Pure Python, no Django. A schedule's fire times name the slots of a job (see paperfeed/ops):
the harvest at 20:30 New York time on the evenings arXiv announces, the daily digest at 07:00
in the site's zone. Times are aware datetimes; the result is in the schedule's zone, so a
wall-clock schedule keeps its hour across daylight-saving changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

from cronsim import CronSim, CronSimError


class ScheduleError(ValueError):
    """A schedule that cannot be read; the message says what to write instead."""


@dataclass(frozen=True)
class Schedule:
    expression: str  # minute hour day-of-month month day-of-week (0 = Sunday)
    zone: str = "UTC"

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.zone)
            CronSim(self.expression, datetime(2026, 1, 1))
        except CronSimError as exc:
            raise ScheduleError(f"{self.expression!r} is not a cron schedule: {exc}") from None
        except (KeyError, ValueError) as exc:
            raise ScheduleError(f"{self.zone!r} is not a time zone: {exc}") from None

    def _local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            raise ValueError("schedules take aware datetimes")
        # cronsim works on wall-clock times; drop sub-second parts so `moment` itself counts.
        return moment.astimezone(ZoneInfo(self.zone)).replace(microsecond=0)

    def _backwards(self, moment: datetime) -> CronSim:
        """Fire times at or before `moment`, newest first. cronsim going backwards leaves out
        its starting point, so it starts one second later (fire times fall on whole minutes)."""
        return CronSim(self.expression, self._local(moment) + timedelta(seconds=1), reverse=True)

    def latest(self, now: datetime) -> datetime:
        """The last fire time at or before `now`."""
        return next(iter(self._backwards(now)))

    def next_after(self, now: datetime) -> datetime:
        """The first fire time after `now`."""
        return next(iter(CronSim(self.expression, self._local(now))))

    def between(self, start: datetime, end: datetime, *, limit: int = 1000) -> list[datetime]:
        """Fire times in (start, end], oldest first, at most `limit` of the newest."""
        times: list[datetime] = []
        for fire in islice(self._backwards(end), limit):
            if fire <= start:
                break
            times.append(fire)
        return times[::-1]


def every(minutes: int) -> timedelta:
    return timedelta(minutes=minutes)
