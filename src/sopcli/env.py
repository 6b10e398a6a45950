"""The outside world a command sees (home, user, clock, search path), gathered in one object."""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sopcli.errors import SopError


def _system_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Environment:
    """What commands read from the OS; tests build one instead of patching globals."""

    home: Path
    user: str
    cwd: Path
    sop_path: str | None = None
    now: Callable[[], datetime] = field(default=_system_now)
    lock_timeout: float = 10.0
    login: str = field(default_factory=lambda: _login_name())

    @classmethod
    def from_os(cls, environ: Mapping[str, str] | None = None) -> Environment:
        environ = os.environ if environ is None else environ
        return cls(
            home=Path(environ["SOP_HOME"]) if environ.get("SOP_HOME") else _default_home(),
            user=environ.get("SOP_USER") or _login_name(),
            cwd=Path.cwd(),
            sop_path=environ.get("SOP_PATH"),
            now=_fixed_clock(environ["SOP_NOW"]) if environ.get("SOP_NOW") else _system_now,
            lock_timeout=_seconds(environ.get("SOP_LOCK_TIMEOUT", "10")),
        )


def _default_home() -> Path:
    from platformdirs import user_data_path

    return user_data_path("sopcli", appauthor=False)


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def _fixed_clock(text: str) -> Callable[[], datetime]:
    """SOP_NOW pins the clock (for demos, replays and tests); it must carry an offset."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise SopError(f"SOP_NOW={text!r} is not an ISO 8601 time", "e.g. 2026-12-24T14:00+07:00") from None
    if moment.tzinfo is None:
        raise SopError(f"SOP_NOW={text!r} has no UTC offset", "e.g. 2026-12-24T14:00+07:00")
    return lambda: moment


def _seconds(text: str) -> float:
    try:
        return max(0.0, float(text))
    except ValueError:
        raise SopError(f"SOP_LOCK_TIMEOUT={text!r} is not a number of seconds", "e.g. SOP_LOCK_TIMEOUT=30") from None
