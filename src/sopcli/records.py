"""The shape of a run's records and their hash chain, checked the same way by every store."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime
from typing import Any

from sopcli.calendar import in_range
from sopcli.i18n import _

GENESIS = "0" * 64
_HEX = re.compile(r"^[0-9a-f]{64}$")
ID_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # no 0/o, 1/l/i: ids are read aloud and typed
ID_LENGTH = 5
RUN_REF = re.compile(rf"^[{ID_ALPHABET}]{{1,{ID_LENGTH}}}$")
MAX_DEPTH = 40


def canonical(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def record_hash(record: dict[str, Any]) -> str:
    """SHA-256 over the canonical JSON of a record without its own hash."""
    return hashlib.sha256(canonical({k: v for k, v in record.items() if k != "hash"})).hexdigest()


def chain(previous: dict[str, Any] | None, fields: dict[str, Any]) -> dict[str, Any]:
    """A new record after `previous`: its sequence number, the previous hash, and its own hash."""
    record = {
        "seq": previous["seq"] + 1 if previous else 1,
        "prev": previous["hash"] if previous else GENESIS,
        **fields,
    }
    record["hash"] = record_hash(record)
    return record


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_time(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return False
    return moment.tzinfo is not None and in_range(moment)


def _is_file(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("name"), str)
        and isinstance(value.get("sha256"), str)
        and bool(_HEX.match(value["sha256"]))
        and is_int(value.get("size"))
        and value["size"] >= 0
    )


def _files(value: Any) -> bool:
    return isinstance(value, list) and all(_is_file(f) for f in value)


def _opt_str(value: Any) -> bool:
    return value is None or isinstance(value, str)


def _target(value: Any) -> bool:
    return value is None or value == "end" or is_int(value)


_DATA: dict[str, dict[str, Any]] = {
    "start": {
        "run": lambda v: isinstance(v, str),
        "sop": lambda v: isinstance(v, dict),
        "closed": lambda v: v is None or (isinstance(v, list) and all(isinstance(d, str) for d in v)),
        "title": _opt_str,
        "assignments": lambda v: (
            v is None or (isinstance(v, dict) and all(isinstance(k, str) and isinstance(p, str) for k, p in v.items()))
        ),
        "holidays": lambda v: v is None or isinstance(v, dict),
    },
    "done": {
        "step": is_int,
        "pass": is_int,
        "lane": _opt_str,
        "target": _target,
        "outcome": _opt_str,
        "forced": lambda v: v is None or isinstance(v, bool),
        "note": _opt_str,
        "outputs": lambda v: v is None or _files(v),
        "inputs": lambda v: v is None or _files(v),
    },
    "undo": {
        "undoes": is_int,
        "step": is_int,
        "lane": _opt_str,
        "forced": lambda v: v is None or isinstance(v, bool),
    },
    "attach": {
        "step": is_int,
        "pass": is_int,
        "kind": lambda v: v in ("input", "output"),
        "files": _files,
        "forced": lambda v: v is None or isinstance(v, bool),
    },
    "note": {"step": is_int, "text": lambda v: isinstance(v, str)},
    "assign": {"actor": lambda v: isinstance(v, str), "person": _opt_str},
    "cancel": {"reason": lambda v: isinstance(v, str)},
}
_REQUIRED = {
    "start": ("run", "sop"),
    "done": ("step", "pass", "target"),
    "undo": ("undoes", "step"),
    "attach": ("step", "pass", "kind", "files"),
    "note": ("step", "text"),
    "assign": ("actor",),
    "cancel": ("reason",),
}


def _depth(value: Any, limit: int = MAX_DEPTH) -> int:
    """How deeply a value nests (stops counting past `limit`), without recursion."""
    deepest, todo = 0, [(value, 1)]
    while todo:
        item, level = todo.pop()
        deepest = max(deepest, level)
        if level > limit:
            return level
        if isinstance(item, dict):
            todo.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            todo.extend((v, level + 1) for v in item)
    return deepest


def shape_problem(record: Any) -> str | None:
    """What is wrong with the shape of one record, or None: every field of the right type, so that
    folding it can never fail on a missing key or a value of the wrong kind."""
    if not isinstance(record, dict):
        return _("is not a record (a mapping of fields)")
    for key, check in (
        ("seq", is_int),
        ("prev", lambda v: isinstance(v, str)),
        ("hash", lambda v: isinstance(v, str)),
        ("type", lambda v: v in _DATA),
        ("at", is_time),
        ("recorded_at", is_time),
        ("by", lambda v: isinstance(v, str)),
        ("login", _opt_str),
        ("data", lambda v: isinstance(v, dict)),
    ):
        if (key not in record and key != "login") or not check(record.get(key)):
            return _("has no valid '{key}' field", key=key)
    if _depth(record) > MAX_DEPTH:
        return _("is nested deeper than any record sop writes")
    data, kind = record["data"], record["type"]
    for key in _REQUIRED[kind]:
        if key not in data:
            return _("'{kind}' record has no '{key}'", kind=kind, key=key)
    for key, check in _DATA[kind].items():
        if key in data and not check(data[key]):
            return _("'{kind}' record has an invalid '{key}'", kind=kind, key=key)
    return None


def chain_problems(records: list[Any]) -> list[tuple[int, str]]:
    """The first break in the shapes, numbering or hash chain, as (position, what is wrong)."""
    prev = GENESIS
    for position, record in enumerate(records, 1):
        problem = shape_problem(record)
        if problem:
            return [(position, _("record {n} {problem}", n=position, problem=problem))]
        seq = record["seq"]
        if seq != position:
            return [
                (
                    position,
                    _(
                        "record {seq}: expected sequence number {n} (a record was removed, added or reordered)",
                        seq=seq,
                        n=position,
                    ),
                )
            ]
        if record["prev"] != prev:
            return [(position, _("record {seq}: does not follow record {n} (chain broken)", seq=seq, n=position - 1))]
        if record_hash(record) != record["hash"]:
            return [(position, _("record {seq}: content does not match its hash (the record was edited)", seq=seq))]
        if position == 1 and record["type"] != "start":
            return [(position, _("record 1 is not the start of a run"))]
        if position > 1 and record["type"] == "start":
            return [(position, _("record {seq} starts the run a second time", seq=seq))]
        prev = record["hash"]
    if not records:
        return [(0, _("the run has no records"))]
    return []
