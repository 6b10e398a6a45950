"""Turns the time standards written on SOP forms ("10 Menit", "1,5 jam", "P3D") into minutes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sopcli.errors import SopError
from sopcli.i18n import _

_UNITS = {
    "minute": ("menit", "minute", "minutes", "min", "mins", "m"),
    "hour": ("jam", "hour", "hours", "h", "hr", "hrs"),
    "day": ("hari", "day", "days", "d"),
    "week": ("minggu", "week", "weeks", "w"),
}
_UNIT_OF = {word: unit for unit, words in _UNITS.items() for word in words}
_PLAIN = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*([a-z]+)\s*$", re.IGNORECASE)
_ISO = re.compile(
    r"^P(?:(?P<week>\d+(?:[.,]\d+)?)W)?(?:(?P<day>\d+(?:[.,]\d+)?)D)?"
    r"(?:T(?:(?P<hour>\d+(?:[.,]\d+)?)H)?(?:(?P<minute>\d+(?:[.,]\d+)?)M)?)?$",
    re.IGNORECASE,
)

WORKDAYS_PER_WEEK = 5


class DurationError(SopError):
    """A time standard that cannot be read."""


@dataclass(frozen=True)
class Duration:
    """A time standard as amounts per unit; days and weeks depend on the calendar."""

    minutes: float = 0.0
    hours: float = 0.0
    days: float = 0.0
    weeks: float = 0.0

    def to_minutes(self, day_minutes: float, week_days: float = WORKDAYS_PER_WEEK) -> float:
        """Minutes of this standard when a day lasts `day_minutes` and a week `week_days` days."""
        total = self.minutes + 60 * self.hours + day_minutes * (self.days + week_days * self.weeks)
        return float(round(total, 6))


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def parse_duration(text: str) -> Duration:
    """Reads `<number> <unit>` (Indonesian or English units, decimal comma allowed) or ISO 8601."""
    if not isinstance(text, str) or not text.strip():
        raise DurationError(_("not a duration: {text!r}", text=text), _('write it like "60 Menit", "3 Hari" or "PT1H"'))
    raw = text.strip()
    iso = _ISO.match(raw)
    if iso and any(iso.groupdict().values()):
        parts = {unit: _number(v) for unit, v in iso.groupdict().items() if v}
        return Duration(**{f"{unit}s": amount for unit, amount in parts.items()})
    plain = _PLAIN.match(raw)
    if plain:
        unit = _UNIT_OF.get(plain.group(2).lower())
        if unit:
            return Duration(**{f"{unit}s": _number(plain.group(1))})
    raise DurationError(
        _("not a duration: {text!r}", text=text),
        _('write a number and a unit (menit, jam, hari, minggu), e.g. "60 Menit", or ISO 8601 like "PT1H"'),
    )
