"""What listings, statistics and monitoring ask of the run index: which runs (an SOP, a status, a period,
a person, overdue), as one query that TinyDB answers in Python and PostgreSQL in SQL."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sopcli.errors import Usage
from sopcli.i18n import _

_PERIOD = re.compile(r"^(\d{4})(?:-(H[12]|Q[1-4]|\d{1,2}))?$", re.IGNORECASE)
LISTED = ("id", "sop", "number", "title", "status", "started_at", "finished_at", "started_by", "active_step")


@dataclass(frozen=True)
class Period:
    """Whole days, the last one included; they are days in the SOP's timezone."""

    first: date
    last: date

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """[start of the first day, start of the day after the last) in `zone`."""
        start = datetime(self.first.year, self.first.month, self.first.day, tzinfo=zone)
        after = self.last + timedelta(days=1)
        return start, datetime(after.year, after.month, after.day, tzinfo=zone)

    def document(self) -> dict[str, str]:
        return {"from": self.first.isoformat(), "to": self.last.isoformat()}


def _forms() -> str:
    return _("write a period as 2026, 2026-H2, 2026-Q4 or 2026-12, or give --from/--to as YYYY-MM-DD")


def parse_period(text: str | None, since: str | None = None, until: str | None = None) -> Period | None:
    """`--period` (a year, half, quarter or month) or `--from`/`--to` dates; None when neither is given.
    A malformed value is a usage error naming the accepted forms."""
    if text is None and since is None and until is None:
        return None
    if text is not None and (since or until):
        raise Usage(_("--period goes without --from and --to"), _forms())
    if text is not None:
        return _named_period(text.strip())
    first = _day(since, "--from") if since else date(1970, 1, 1)
    last = _day(until, "--to") if until else date(2199, 12, 31)
    if last < first:
        raise Usage(_("--to {last} is before --from {first}", last=last, first=first), _forms())
    return Period(first, last)


def _named_period(text: str) -> Period:
    match = _PERIOD.match(text)
    if not match:
        raise Usage(_("{value!r} is not a period", value=text), _forms())
    year = int(match.group(1))
    if not 1970 <= year <= 2199:
        raise Usage(_("{value!r} is not a period", value=text), _forms())
    part = (match.group(2) or "").upper()
    if not part:
        return Period(date(year, 1, 1), date(year, 12, 31))
    if part[0] == "H":
        half = int(part[1])
        return Period(date(year, 1 + 6 * (half - 1), 1), _month_end(year, 6 * half))
    if part[0] == "Q":
        quarter = int(part[1])
        return Period(date(year, 1 + 3 * (quarter - 1), 1), _month_end(year, 3 * quarter))
    month = int(part)
    if not 1 <= month <= 12:
        raise Usage(_("{value!r} is not a period", value=text), _forms())
    return Period(date(year, month, 1), _month_end(year, month))


def _month_end(year: int, month: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    return following - timedelta(days=1)


def _day(text: str, option: str) -> date:
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise Usage(_("{option} {value!r} is not a date", option=option, value=text), _forms()) from None
    if not 1970 <= day.year <= 2199:
        raise Usage(_("{option} {value!r} is not a date", option=option, value=text), _forms())
    return day


@dataclass(frozen=True)
class Query:
    """Which runs a listing or a statistic covers; empty fields do not filter."""

    sop: str | None = None
    status: str | None = None
    period: Period | None = None
    person: str | None = None
    overdue: bool = False
    now: datetime | None = None


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def active_in(row: dict[str, Any], period: Period, now: datetime) -> bool:
    """A run counts in a period when any of its passes was active in it (days in the run's timezone)."""
    started = _when(row.get("started_at"))
    if started is None or started.tzinfo is None:
        return False
    start, end = period.bounds(ZoneInfo(row.get("timezone") or "Asia/Jakarta"))
    run_end = _when(row.get("finished_at")) or now
    for step in row.get("steps") or []:
        passes = step.get("passes")
        for item in passes if isinstance(passes, list) else []:  # a row of format 1 keeps a count only
            opened = _when(item[0])
            closed = _when(item[1]) or run_end
            if opened is not None and opened < end and closed >= start:
                return True
    return False


def matches(row: dict[str, Any], query: Query) -> bool:
    """The Python side of a query, over one index row (the SQL side is in the team store)."""
    now = query.now or datetime.now().astimezone()
    if query.sop is not None and query.sop.lower() not in (row["sop"], str(row.get("number", "")).lower()):
        return False
    if query.status is not None and row["status"] != query.status:
        return False
    if query.person is not None:
        people = set(row.get("people") or ()) | {row.get("started_by")} | set((row.get("assignments") or {}).values())
        if query.person not in people:
            return False
    if query.overdue:
        due = _when((row.get("active") or {}).get("due_at"))
        if row["status"] != "active" or due is None or due >= now:
            return False
    return not (query.period is not None and not active_in(row, query.period, now))


def listing(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The fields `sop runs` shows, newest first."""
    from sopcli.records import is_time

    found = [{k: row.get(k) for k in LISTED} for row in rows]
    for item in found:  # what the table will read as times and text; a wrong one is found and named
        if not is_time(item["started_at"]) or not (item["finished_at"] is None or is_time(item["finished_at"])):
            raise ValueError(item["id"])
    found.sort(key=lambda r: (instant(r["started_at"]), r["id"]), reverse=True)
    return found


_NEVER = float("-inf")


def instant(text: Any) -> float:
    """A stored time as the instant it names (seconds since the epoch), for ordering: times carry the offset
    of their SOP's timezone (+07:00, +09:00, ...), so their text does not sort as their instants do, and a
    number compares far faster than an aware datetime over 10,000 runs. Unreadable ones come first."""
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return _NEVER
    return moment.timestamp() if moment.tzinfo else _NEVER
