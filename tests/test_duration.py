"""Time standards as written on forms become minutes under the SOP's working day."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sopcli.duration import DurationError, parse_duration


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("10 Menit", 10),
        ("60 menit", 60),
        ("120 MENIT", 120),
        ("1 jam", 60),
        ("1,5 jam", 90),
        ("1.5 jam", 90),
        ("2 Hari", 960),
        ("3 hari", 1440),
        ("1 minggu", 2400),
        ("30 min", 30),
        ("2 hours", 120),
        ("1 day", 480),
        ("2 weeks", 4800),
        ("45m", 45),
        ("2h", 120),
        ("1d", 480),
        ("PT30M", 30),
        ("PT1H30M", 90),
        ("P3D", 1440),
        ("P1W", 2400),
        ("P1DT2H", 600),
    ],
)
def test_forms_and_units(text: str, minutes: float) -> None:
    assert parse_duration(text).to_minutes(480) == minutes


def test_a_day_follows_the_calendar() -> None:
    assert parse_duration("3 Hari").to_minutes(1440, 7) == 3 * 1440
    assert parse_duration("1 minggu").to_minutes(1440, 7) == 7 * 1440
    assert parse_duration("1 hari").to_minutes(420) == 420


@pytest.mark.parametrize("text", ["", "menit", "10", "10 detik", "ten minutes", "P", "PT", "1 jam 30", "-5 menit"])
def test_unreadable_durations_are_refused(text: str) -> None:
    with pytest.raises(DurationError) as err:
        parse_duration(text)
    assert err.value.hint


@given(st.integers(min_value=0, max_value=100_000), st.sampled_from(["menit", "Menit", "minutes", "m"]))
def test_minutes_are_exact(n: int, unit: str) -> None:
    assert parse_duration(f"{n} {unit}").to_minutes(480) == n
