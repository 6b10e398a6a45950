"""The shape of a run's summary row, checked before listings, statistics and the inbox read it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sopcli.calendar import in_range

STATUSES = ("active", "completed", "cancelled")


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: Any) -> bool:
    return value is None or (isinstance(value, int | float) and not isinstance(value, bool))


def _time(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return False
    return moment.tzinfo is not None and in_range(moment)


def _opt_time(value: Any) -> bool:
    return value is None or _time(value)


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _pass(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) >= 5
        and _time(value[0])
        and _opt_time(value[1])
        and _number(value[2])
        and isinstance(value[3], bool)
        and isinstance(value[4], bool)
    )


def _step(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and _int(value.get("no"))
        and _int(value.get("requires"))
        and all(
            _number(value.get(k))
            for k in ("standard_minutes", "group_standard_minutes", "elapsed_minutes", "overrun_minutes")
        )
        and (value.get("on_time") is None or isinstance(value.get("on_time"), bool))
        and isinstance(value.get("passes"), list)
        and all(_pass(p) for p in value["passes"])
    )


def _active(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and _int(value.get("step"))
        and isinstance(value.get("activity"), str)
        and _strings(value.get("actors"))
        and _strings(value.get("open"))
        and _opt_time(value.get("since"))
        and _number(value.get("standard_minutes"))
        and _opt_time(value.get("due_at"))
    )


_CHECKS: dict[str, Any] = {
    "id": lambda v: isinstance(v, str),
    "seq": _int,
    "head": lambda v: isinstance(v, str),
    "sop": lambda v: isinstance(v, str),
    "number": lambda v: isinstance(v, str),
    "title": lambda v: isinstance(v, str),
    "status": lambda v: v in STATUSES,
    "started_at": _time,
    "finished_at": _opt_time,
    "started_by": lambda v: isinstance(v, str),
    "active_step": lambda v: v is None or _int(v),
    "timezone": lambda v: isinstance(v, str),
    "people": _strings,
    "assignments": lambda v: isinstance(v, dict) and all(isinstance(p, str) for p in v.values()),
    "steps": lambda v: isinstance(v, list) and all(_step(s) for s in v),
}


def row_problem(row: Any, keys: Sequence[str] | None = None) -> str | None:
    """The first field of a summary row (of `keys`, else all) that is missing or of the wrong type; None when
    every reader can use the row."""
    if not isinstance(row, dict):
        return "row"
    for key in keys or _CHECKS:
        check = _CHECKS.get(key)
        if check is not None and (key not in row or not check(row[key])):
            return key
    if keys is None and "active" in row and not _active(row["active"]):
        return "active"
    return None
