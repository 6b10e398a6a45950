"""The outside world a command sees (home, user, clock, search path, store), gathered in one object."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

from sopcli.calendar import FIRST_YEAR, LAST_YEAR, acceptable
from sopcli.errors import SopError
from sopcli.i18n import _


def _system_now() -> datetime:
    return datetime.now(UTC)


def undecodable(text: str) -> bool:
    """True for text that came from bytes that are not UTF-8 (Python keeps them as lone surrogates)."""
    return any("\udc80" <= c <= "\udcff" for c in text)


def checked_text(value: str, what: str) -> str:
    """A name or note given by the user, refused in one line when its bytes are not UTF-8."""
    if undecodable(value):
        raise SopError(_("{what} is not valid UTF-8 text", what=what), _("write it again with plain characters"))
    return value


@dataclass
class Environment:
    """What commands read from the OS; tests build one instead of patching globals."""

    home: Path
    user: str  # the person named by --as or SOP_USER; empty: the login acts
    cwd: Path
    sop_path: str | None = None
    now: Callable[[], datetime] = field(default=_system_now)
    lock_timeout: float = 10.0
    store_url: str | None = None
    connect_timeout: float = 5.0
    user_given: bool = False  # SOP_USER or --as named the person (refused on a team store)

    @classmethod
    def from_os(cls, environ: Mapping[str, str] | None = None) -> Environment:
        environ = os.environ if environ is None else environ
        given = environ.get("SOP_USER")
        home = environ.get("SOP_HOME")
        return cls(
            home=Path(checked_text(home, "SOP_HOME")) if home else _default_home(),
            user=checked_text(given, "SOP_USER") if given else "",
            cwd=Path.cwd(),
            sop_path=checked_text(environ.get("SOP_PATH") or "", "SOP_PATH") or None,
            now=_fixed_clock(environ["SOP_NOW"]) if environ.get("SOP_NOW") else _system_now,
            lock_timeout=_seconds(environ.get("SOP_LOCK_TIMEOUT", "10"), "SOP_LOCK_TIMEOUT"),
            store_url=checked_text(environ.get("SOP_STORE") or "", "SOP_STORE") or None,
            connect_timeout=_seconds(environ.get("SOP_CONNECT_TIMEOUT", "5"), "SOP_CONNECT_TIMEOUT"),
            user_given=bool(given),
        )

    @property
    def actor(self) -> str:
        """Who is acting: `--as` or SOP_USER, else the login (asked only when it is needed)."""
        return self.user or self.login

    @cached_property
    def login(self) -> str:
        """The OS login that types the commands (asked only when a record is written)."""
        return _login_name()


def _default_home() -> Path:
    from platformdirs import user_data_path

    return user_data_path("sopcli", appauthor=False)


def _login_name() -> str:
    import getpass

    try:
        return checked_text(getpass.getuser(), "the login name")
    except (OSError, KeyError, ImportError, SopError):
        return "unknown"


def _fixed_clock(text: str) -> Callable[[], datetime]:
    """SOP_NOW pins the clock (for demos, replays and tests); it must carry an offset."""
    example = "2026-12-24T14:00+07:00"
    try:
        moment = datetime.fromisoformat(checked_text(text, "SOP_NOW"))
    except ValueError:
        raise SopError(
            _("SOP_NOW={value!r} is not an ISO 8601 time", value=text), _("e.g. {example}", example=example)
        ) from None
    if moment.tzinfo is None:
        raise SopError(_("SOP_NOW={value!r} has no UTC offset", value=text), _("e.g. {example}", example=example))
    if not acceptable(moment):
        raise SopError(
            _("SOP_NOW={value!r} lies outside the years {first}–{last}", value=text, first=FIRST_YEAR, last=LAST_YEAR),
            _("e.g. {example}", example=example),
        )
    return lambda: moment


def _seconds(text: str, name: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise SopError(
            _("{name}={value!r} is not a number of seconds", name=name, value=text), _("e.g. {name}=30", name=name)
        ) from None
    if not 0 <= value < 86400:
        raise SopError(
            _("{name}={value!r} is not a number of seconds", name=name, value=text), _("e.g. {name}=30", name=name)
        )
    return value
