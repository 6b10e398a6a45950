"""Working time: how many minutes of office hours lie between two instants, under one calendar."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def parse_hours(text: str) -> tuple[int, int]:
    """`08:00-16:00` as (start, end) minutes after midnight; ValueError saying how to write it."""
    match = _HOURS.match(text)
    if not match:
        raise ValueError(f"not a range of hours: {text!r}; write it like 08:00-16:00")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if not (0 <= start < end <= 24 * 60 and m1 < 60 and m2 < 60):
        raise ValueError(f"not a range of hours within a day: {text!r}")
    return start, end


@dataclass(frozen=True)
class WorkCalendar:
    """The office's week, hours and closed days; everything a run needs, fixed when it starts."""

    zone: ZoneInfo
    workdays: frozenset[int] = frozenset(range(5))
    hours: tuple[tuple[int, int], ...] = ((8 * 60, 16 * 60),)
    closed: frozenset[date] = frozenset()
    continuous: bool = False

    @classmethod
    def from_settings(cls, settings: dict, closed: Iterable[str | date] = ()) -> WorkCalendar:
        """From the `calendar` of an SOP document (canonical keys) and the run's closed dates."""
        return cls(
            zone=ZoneInfo(settings.get("timezone", "Asia/Jakarta")),
            workdays=frozenset(WEEKDAYS.index(d) for d in settings.get("workdays", WEEKDAYS[:5])),
            hours=tuple(parse_hours(text) for text in settings.get("hours", ["08:00-16:00"])),
            closed=frozenset(d if isinstance(d, date) else date.fromisoformat(d) for d in closed),
            continuous=settings.get("mode", "working") == "continuous",
        )

    @property
    def day_minutes(self) -> int:
        return 1440 if self.continuous else sum(end - start for start, end in self.hours)

    def is_workday(self, day: date) -> bool:
        return day.weekday() in self.workdays and day not in self.closed


def working_seconds(cal: WorkCalendar, start: datetime, end: datetime) -> int:
    """Seconds of working time in [start, end); 0 when end is not after start."""
    if end <= start:
        return 0
    if cal.continuous:
        return int((end - start).total_seconds())
    first, last = start.astimezone(cal.zone), end.astimezone(cal.zone)
    total = 0
    day = first.date()
    while day <= last.date():
        if cal.is_workday(day):
            midnight = datetime(day.year, day.month, day.day, tzinfo=cal.zone)
            for open_min, close_min in cal.hours:
                opens = midnight + timedelta(minutes=open_min)
                closes = midnight + timedelta(minutes=close_min)
                lo, hi = max(opens, first), min(closes, last)
                if hi > lo:
                    total += int((hi.astimezone(UTC) - lo.astimezone(UTC)).total_seconds())
        day += timedelta(days=1)
    return total


def working_minutes(cal: WorkCalendar, start: datetime, end: datetime) -> float:
    """Minutes of working time between two instants (nights, weekends and closed days excluded)."""
    return working_seconds(cal, start, end) / 60


def public_holidays(country: str | None, years: Iterable[int]) -> list[date]:
    """Public holidays from the `holidays` package; imported only when a run starts."""
    if not country:
        return []
    import holidays

    subdivision = None
    if "-" in country:
        country, subdivision = country.split("-", 1)
    return sorted(holidays.country_holidays(country, subdiv=subdivision, years=list(years)).keys())
