"""Working time: how many minutes of office hours lie between two instants, under one calendar."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
FIRST_YEAR, LAST_YEAR = 1970, 2199  # the years sop keeps time in; anything else is a typo or an attack


def parse_hours(text: str) -> tuple[int, int]:
    """`08:00-16:00` as (start, end) minutes after midnight; ValueError saying how to write it."""
    from sopcli.i18n import _

    match = _HOURS.match(text)
    if not match:
        raise ValueError(_("not a range of hours: {text!r}; write it like 08:00-16:00", text=text))
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if not (0 <= start < end <= 24 * 60 and m1 < 60 and m2 < 60):
        raise ValueError(_("not a range of hours within a day: {text!r}", text=text))
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

    def open_spans(self, first: datetime, last: datetime) -> Iterator[tuple[datetime, datetime]]:
        """The working spans [opens, closes) that overlap [first, last], in order (UTC instants)."""
        first, last = first.astimezone(self.zone), last.astimezone(self.zone)
        day = first.date()
        while day <= last.date():
            if self.is_workday(day):
                midnight = datetime(day.year, day.month, day.day, tzinfo=self.zone)
                for open_min, close_min in self.hours:
                    opens = (midnight + timedelta(minutes=open_min)).astimezone(UTC)
                    closes = (midnight + timedelta(minutes=close_min)).astimezone(UTC)
                    yield opens, closes
            day += timedelta(days=1)


def working_seconds(cal: WorkCalendar, start: datetime, end: datetime) -> int:
    """Seconds of working time in [start, end); 0 when end is not after start."""
    if end <= start:
        return 0
    if cal.continuous:
        return int((end - start).total_seconds())
    total = 0
    for opens, closes in cal.open_spans(start, end):
        lo, hi = max(opens, start), min(closes, end)
        if hi > lo:
            total += int((hi - lo).total_seconds())
    return total


def working_minutes(cal: WorkCalendar, start: datetime, end: datetime) -> float:
    """Minutes of working time between two instants (nights, weekends and closed days excluded)."""
    return working_seconds(cal, start, end) / 60


def add_working_minutes(cal: WorkCalendar, start: datetime, minutes: float) -> datetime:
    """The instant at which `minutes` of working time have passed since `start` (a deadline)."""
    if minutes <= 0:
        return start
    if cal.continuous:
        return start + timedelta(minutes=minutes)
    left = timedelta(minutes=minutes)
    cursor = start
    horizon = datetime(LAST_YEAR, 12, 31, tzinfo=UTC)
    while cursor < horizon:
        window_end = min(cursor + timedelta(days=366), horizon)
        for opens, closes in cal.open_spans(cursor, window_end):
            lo = max(opens, cursor)
            if closes <= lo:
                continue
            if closes - lo >= left:
                return (lo + left).astimezone(start.tzinfo)
            left -= closes - lo
        cursor = window_end
    return horizon


def holidays_of(country: str | None, years: Iterable[int], categories: Iterable[str]) -> dict[date, dict[str, str]]:
    """Public holidays (and, with the `government` category, cuti bersama) from the `holidays` package,
    with their Indonesian and English names; imported only when a run starts."""
    if not country:
        return {}
    return dict(_holidays(country, tuple(years), tuple(categories)))


@functools.lru_cache(maxsize=16)
def _holidays(country: str, years: tuple[int, ...], categories: tuple[str, ...]) -> dict[date, dict[str, str]]:
    import holidays

    subdivision = None
    if "-" in country:
        country, subdivision = country.split("-", 1)
    names: dict[date, dict[str, str]] = {}
    for lang, code in (("id", "id"), ("en", "en_US")):
        found = holidays.country_holidays(
            country, subdiv=subdivision, years=list(years), categories=tuple(categories), language=code
        )
        for day, name in found.items():
            names.setdefault(day, {})[lang] = name
    return dict(sorted(names.items()))


def in_range(moment: datetime) -> bool:
    """Whether a stored time lies in the years sop keeps time in, in the offset it was written with."""
    return FIRST_YEAR <= moment.year <= LAST_YEAR


# A time given by a person is taken a day inside those years, so that it stays inside them in whatever
# offset it is stored (offsets lie within a day of UTC): a time accepted is never a record called damaged.
_EARLIEST = datetime(FIRST_YEAR, 1, 2, tzinfo=UTC)
_LATEST = datetime(LAST_YEAR, 12, 30, 23, 59, 59, tzinfo=UTC)


def acceptable(moment: datetime) -> bool:
    """Whether a time given by `--at` or SOP_NOW (with an offset) may be recorded, in any timezone."""
    return _EARLIEST <= moment <= _LATEST
