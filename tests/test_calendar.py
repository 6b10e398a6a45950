"""Working minutes are exact across nights, weekends, holidays and days off, and add up."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from sopcli.calendar import WorkCalendar, add_working_minutes, holidays_of, working_minutes, working_seconds

JKT = ZoneInfo("Asia/Jakarta")
CAL = WorkCalendar.from_settings({}, closed=["2026-12-25", "2026-12-24"])  # Natal + a cuti bersama day


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=JKT)


def test_within_one_working_day() -> None:
    assert working_minutes(CAL, t("2026-12-21 09:00"), t("2026-12-21 10:30")) == 90


def test_across_a_night() -> None:
    assert working_minutes(CAL, t("2026-12-21 15:00"), t("2026-12-22 09:00")) == 60 + 60


def test_across_a_weekend_a_public_holiday_and_a_day_off() -> None:
    # Wed 23 Dec 15:00 -> Mon 28 Dec 09:00: Wed 60; Thu 24 (day off), Fri 25 (Natal), Sat, Sun; Mon 60
    assert working_minutes(CAL, t("2026-12-23 15:00"), t("2026-12-28 09:00")) == 120


def test_across_the_year_end() -> None:
    cal = WorkCalendar.from_settings({}, closed=holidays_of("ID", [2026, 2027], ["public"]))
    # Thu 31 Dec 2026 15:00 -> Mon 4 Jan 2027 08:30: Thu 60, Fri 1 Jan is Tahun Baru, weekend, Mon 30
    assert working_minutes(cal, t("2026-12-31 15:00"), t("2027-01-04 08:30")) == 90


def test_outside_hours_counts_nothing() -> None:
    assert working_minutes(CAL, t("2026-12-21 16:00"), t("2026-12-22 08:00")) == 0
    assert working_minutes(CAL, t("2026-12-26 08:00"), t("2026-12-27 20:00")) == 0
    assert working_minutes(CAL, t("2026-12-22 10:00"), t("2026-12-22 09:00")) == 0


def test_instants_in_other_offsets_are_the_same_instants() -> None:
    utc = datetime.fromisoformat("2026-12-21T02:00:00+00:00")  # 09:00 in Jakarta
    assert working_minutes(CAL, utc, t("2026-12-21 10:00")) == 60


def test_split_hours_and_continuous_mode() -> None:
    split = WorkCalendar.from_settings({"hours": ["08:00-12:00", "13:00-16:00"]})
    assert split.day_minutes == 420
    assert working_minutes(split, t("2026-12-21 11:00"), t("2026-12-21 14:00")) == 120
    wall = WorkCalendar.from_settings({"mode": "continuous"})
    assert working_minutes(wall, t("2026-12-25 22:00"), t("2026-12-27 22:00")) == 2880


def test_indonesian_public_holidays_come_from_the_holidays_package() -> None:
    days = holidays_of("ID", [2026], ["public"])
    assert date(2026, 8, 17) in days and date(2026, 12, 25) in days and date(2026, 1, 1) in days
    assert date(2026, 12, 24) not in days  # cuti bersama is the government category
    assert days[date(2026, 12, 25)] == {"id": "Hari Raya Natal", "en": "Christmas Day"}


def test_cuti_bersama_count_as_days_off_by_default() -> None:
    """Issue #9: active Wed 23 Dec 15:50, completed Mon 28 Dec 08:05 = 15 working minutes."""
    days = holidays_of("ID", [2026], ["public", "government"])
    assert days[date(2026, 12, 24)]["id"] == "Cuti Bersama Hari Raya Natal"
    cal = WorkCalendar.from_settings({}, closed=days)
    assert working_minutes(cal, t("2026-12-23 15:50"), t("2026-12-28 08:05")) == 15


def test_a_deadline_is_where_the_working_time_runs_out() -> None:
    assert add_working_minutes(CAL, t("2026-12-21 15:00"), 90) == t("2026-12-22 08:30")
    # from Wed 23 Dec 15:50, 20 working minutes: 10 that day, then Mon 28 Dec 08:10
    assert add_working_minutes(CAL, t("2026-12-23 15:50"), 20) == t("2026-12-28 08:10")
    assert add_working_minutes(CAL, t("2026-12-26 10:00"), 0) == t("2026-12-26 10:00")


@given(
    st.sampled_from([CAL, WorkCalendar.from_settings({"hours": ["07:30-12:00", "13:00-16:30"]})]),
    st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 6, 30)).map(
        lambda d: d.replace(second=0, microsecond=0, tzinfo=JKT)
    ),
    st.integers(1, 5000),
)
def test_a_deadline_is_the_inverse_of_working_minutes(cal: WorkCalendar, start: datetime, minutes: int) -> None:
    due = add_working_minutes(cal, start, minutes)
    assert working_minutes(cal, start, due) == minutes
    assert working_minutes(cal, start, due - timedelta(minutes=1)) < minutes


instants = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)).map(
    lambda d: d.replace(second=0, microsecond=0, tzinfo=JKT)
)
calendars = st.sampled_from(
    [
        CAL,
        WorkCalendar.from_settings({"hours": ["07:30-12:00", "13:00-16:30"], "workdays": ["mon", "tue", "sat"]}),
        WorkCalendar.from_settings({"mode": "continuous"}),
        WorkCalendar.from_settings({"timezone": "Europe/Berlin"}),  # a zone with DST
    ]
)


@given(calendars, instants, instants, instants)
def test_minutes_add_up(cal: WorkCalendar, a: datetime, b: datetime, c: datetime) -> None:
    a, b, c = sorted((a, b, c))
    assert working_seconds(cal, a, c) == working_seconds(cal, a, b) + working_seconds(cal, b, c)


@given(calendars, instants, instants)
def test_never_negative_nor_more_than_wall_clock(cal: WorkCalendar, a: datetime, b: datetime) -> None:
    seconds = working_seconds(cal, a, b)
    assert 0 <= seconds <= max(0, (b - a).total_seconds())


@given(instants)
def test_a_closed_day_counts_nothing(a: datetime) -> None:
    day = a.date()
    closed = WorkCalendar.from_settings({}, closed=[day])
    midnight = datetime(day.year, day.month, day.day, tzinfo=JKT)
    assert working_seconds(closed, midnight, midnight + timedelta(days=1)) == 0
