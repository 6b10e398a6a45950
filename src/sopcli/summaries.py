"""A run's index row checked before a listing, a statistic or an inbox trusts it, and against its records."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sopcli.errors import Damaged
from sopcli.i18n import _
from sopcli.records import is_int, is_time

Check = Callable[[Any], bool]
T = TypeVar("T")
STATUSES = ("active", "completed", "cancelled")


def _text(value: Any) -> bool:
    return isinstance(value, str)


def _maybe(check: Check) -> Check:
    return lambda value: value is None or check(value)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value and value >= 0


def _texts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _zone(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        ZoneInfo(value)
    except (ValueError, KeyError, OSError):
        return False
    return True


def _pass(value: Any) -> bool:
    """[started, finished, working minutes, forced, received inputs]."""
    return (
        isinstance(value, list)
        and len(value) == 5
        and _maybe(is_time)(value[0])
        and _maybe(is_time)(value[1])
        and _number(value[2])
        and isinstance(value[3], bool)
        and isinstance(value[4], bool)
    )


STEP: dict[str, Check] = {
    "no": is_int,
    "standard_minutes": _maybe(_number),
    "group_standard_minutes": _maybe(_number),
    "elapsed_minutes": _number,
    "on_time": _maybe(lambda v: isinstance(v, bool)),
    "overrun_minutes": _maybe(_number),
    "requires": is_int,
    "passes": lambda v: isinstance(v, list) and all(_pass(p) for p in v),
}

ACTIVE: dict[str, Check] = {
    "step": is_int,
    "activity": _text,
    "actors": _texts,
    "open": _texts,
    "since": _maybe(is_time),
    "standard_minutes": _maybe(_number),
    "due_at": _maybe(is_time),
}


def _fields(value: Any, shape: dict[str, Check]) -> bool:
    return isinstance(value, dict) and all(key in value and check(value[key]) for key, check in shape.items())


ROW: dict[str, Check] = {
    "id": _text,
    "sop": _text,
    "number": _text,
    "title": _maybe(_text),
    "status": lambda v: v in STATUSES,
    "started_at": is_time,
    "finished_at": _maybe(is_time),
    "started_by": _text,
    "active_step": _maybe(is_int),
    "timezone": _zone,
    "people": _texts,
    "assignments": lambda v: isinstance(v, dict) and all(isinstance(x, str) for x in (*v, *v.values())),
    "seq": is_int,
    "head": _text,
    "as_of": is_time,
    "steps": lambda v: isinstance(v, list) and all(_fields(s, STEP) for s in v),
    "active": _maybe(lambda v: _fields(v, ACTIVE)),
}


def wrong_field(row: Any, keys: Sequence[str] | None = None) -> str | None:
    """The first field of an index row (of `keys`, else all) that is missing or of the wrong shape; "row"
    when it is no object; None when every reader can use it."""
    if not isinstance(row, dict):
        return "row"
    for key in keys if keys is not None else ROW:
        check = ROW.get(key)
        if check is None or (key == "active" and key not in row):
            continue
        if key not in row or not check(row[key]):
            return key
    return None


def problem(row: Any) -> str | None:
    """What is wrong with the shape of an index row, or None; the first wrong field is named."""
    wrong = wrong_field(row)
    if wrong == "row":
        return _("the index row is not an object")
    return None if wrong is None else _("the index row has no valid {field!r}", field=wrong)


def differences(row: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    """The fields in which a stored index row and the one computed again from the records disagree."""
    return sorted(key for key in row.keys() | expected.keys() if row.get(key) != expected.get(key))


def as_of(row: dict[str, Any]) -> datetime:
    """The moment the row was computed for (the working time of open passes runs up to it)."""
    return datetime.fromisoformat(row["as_of"])


def diagnosed(rows: list[dict[str, Any]], compute: Callable[[list[dict[str, Any]]], T]) -> T:
    """`compute(rows)`, trusting the rows (checking 10,000 of them field by field would cost more than the
    listing); when it fails on a row of the wrong shape, that row is found and named as damage."""
    try:
        return compute(rows)
    except (TypeError, AttributeError, KeyError, ValueError, IndexError, ZeroDivisionError):
        for row in rows:
            wrong = problem(row)
            if wrong:
                run = row.get("id") if isinstance(row, dict) else None
                raise Damaged(
                    _("run {run}: {problem}", run=run, problem=wrong),
                    _("after checking, run `sop store reindex`"),
                ) from None
        raise
