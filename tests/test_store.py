"""The store is sacred: atomic files, tamper evidence that holds both ways, damage reported and never
overwritten, nothing written outside SOP_HOME, and no traceback whatever is found on disk."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from sopcli.errors import Damaged, StoreError
from sopcli.records import record_hash
from sopcli.safefs import atomic_write
from sopcli.store.tinydb import AtomicJSONStorage

pytestmark = pytest.mark.usefixtures("english")

COMMANDS = (("done", "2"), ("note", "1", "x"), ("report",), ("status",), ("log",), ("undo",))


def start(sop) -> str:
    return sop("start", "rkt-ii", "-q").out.strip()


def run_file(home: Path, run: str) -> Path:
    return home / "runs" / f"{run}.json"


def shard(home: Path, run: str) -> Path:
    return home / "index" / f"{run[:2]}.json"


def rewrite(path: Path, change: Callable[[dict], None]) -> None:
    data = json.loads(path.read_text())
    change(data["records"])
    path.write_text(json.dumps(data))


def rehash(records: dict) -> None:
    """What a forger does after an edit: recompute every hash so that the chain looks whole."""
    prev = "0" * 64
    for key in sorted(records, key=int):
        record = records[key]
        record["prev"] = prev
        record["hash"] = record_hash(record)
        prev = record["hash"]


def refused_everywhere(sop, path: Path, words: str = "damaged") -> None:
    """Every command on the run: exit 1 and one line naming the file; the file unchanged."""
    before = path.read_bytes() if path.exists() else None
    for args in COMMANDS:
        line = sop.fail(*args)
        assert words in line, (args, line)
    result = sop("verify", ok=False)
    assert result.code == 1 and "Traceback" not in result.err
    assert (path.read_bytes() if path.exists() else None) == before


def test_atomic_write_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "x.json"
    atomic_write(target, b"{}")
    atomic_write(target, b'{"a": {}}')
    assert json.loads(target.read_text()) == {"a": {}} and os.listdir(tmp_path) == ["x.json"]


@pytest.mark.parametrize(
    "content",
    [b"", b'{"records": {"1": ', b'{"records": {}} trailing', b"\x00\x00", b"[1, 2]", b'{"records": []}', b"[" * 5000],
)
def test_a_damaged_file_is_reported_and_left_untouched(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "run.json"
    path.write_bytes(content)
    with pytest.raises(StoreError) as err:
        AtomicJSONStorage(path).read()
    assert str(path) in err.value.message
    assert path.read_bytes() == content


# ------------------------------------------------------------------ damaged run files: no traceback, ever

RAW_DAMAGE = {
    "empty": lambda raw: b"",
    "truncated": lambda raw: raw[: len(raw) // 2],
    "trailing garbage": lambda raw: raw + b"\n}garbage",
    "NUL bytes": lambda raw: b"\x00" * len(raw),
    "wrong top-level type": lambda raw: b"[]",
    "wrong table type": lambda raw: b'{"records": [1, 2]}',
    "deep nesting": lambda raw: b'{"records": ' + b"[" * 3000 + b"]" * 3000 + b"}",
    "not UTF-8": lambda raw: raw.replace(b'"ani"', b'"\xff\xfe"'),
}


@pytest.mark.parametrize("damage", RAW_DAMAGE)
def test_a_damaged_run_refuses_every_command_and_stays_as_it_was(sop, home: Path, damage: str) -> None:
    run = start(sop)
    sop("done", "1")
    path = run_file(home, run)
    path.write_bytes(RAW_DAMAGE[damage](path.read_bytes()))
    refused_everywhere(sop, path)


def _set(key: str, value: object) -> Callable[[dict], None]:
    return lambda recs: recs["2"].__setitem__(key, value)


def _set_data(key: str, value: object) -> Callable[[dict], None]:
    return lambda recs: recs["2"]["data"].__setitem__(key, value)


EDITS = {
    "seq removed": lambda recs: recs["2"].pop("seq"),
    "seq as text": _set("seq", "2"),
    "seq as float": _set("seq", 2.0),
    "seq as bool": _set("seq", True),
    "record is a list": lambda recs: recs.__setitem__("2", [1, 2]),
    "record is a string": lambda recs: recs.__setitem__("2", "done"),
    "record is null": lambda recs: recs.__setitem__("2", None),
    "data is a list": _set("data", []),
    "data is a string": _set("data", "x"),
    "type unknown": _set("type", "explode"),
    "type missing": lambda recs: recs["2"].pop("type"),
    "at not a time": _set("at", "yesterday"),
    "at without offset": _set("at", "2026-11-23T08:00:00"),
    "at in year 1": _set("at", "0001-01-01T00:00:00+07:00"),
    "at in year 9999": _set("at", "9999-12-31T00:00:00+07:00"),
    "by is a number": _set("by", 7),
    "step as text": _set_data("step", "1"),
    "step unknown": _set_data("step", 99),
    "step missing": lambda recs: recs["2"]["data"].pop("step"),
    "pass out of range": _set_data("pass", 5),
    "pass negative": _set_data("pass", -3),
    "outputs is a string": _set_data("outputs", "a.pdf"),
    "outputs of numbers": _set_data("outputs", [1, 2]),
    "file without sha": _set_data("outputs", [{"name": "a", "size": 1}]),
    "file with bad sha": _set_data("outputs", [{"name": "a", "size": 1, "sha256": "xyz"}]),
    "target a string": _set_data("target", "somewhere"),
    "target to a missing step": _set_data("target", 42),
    "lane unknown": _set_data("lane", "nobody"),
    "deep nesting in data": _set_data("note", json.loads("[" * 200 + "]" * 200)),
    "start record twice": lambda recs: recs.__setitem__("2", {**recs["1"], "seq": 2}),
    "first record not a start": lambda recs: recs.__setitem__("1", {**recs["2"], "seq": 1}),
    "sop snapshot broken": lambda recs: recs["1"]["data"].__setitem__("sop", {"id": "x"}),
    "sop steps not a list": lambda recs: recs["1"]["data"]["sop"].__setitem__("steps", "x"),
    "closed dates invalid": lambda recs: recs["1"]["data"].__setitem__("closed", ["2026-13-45"]),
    "assignments a list": lambda recs: recs["1"]["data"].__setitem__("assignments", ["a"]),
    "undo with nothing to undo": lambda recs: recs["2"].update(type="undo", data={"undoes": 9, "step": 1}),
    "record keys not numbers": lambda recs: recs.__setitem__("x", recs.pop("2")),
}


@pytest.mark.parametrize("forged", [False, True], ids=["edited", "edited-and-rehashed"])
@pytest.mark.parametrize("edit", EDITS)
def test_every_edit_shape_is_damage_never_a_traceback(sop, home: Path, edit: str, forged: bool) -> None:
    run = start(sop)
    sop("done", "1")
    path = run_file(home, run)

    def change(recs: dict) -> None:
        EDITS[edit](recs)
        if forged and all(isinstance(r, dict) for r in recs.values()) and all(k.isdigit() for k in recs):
            rehash(recs)

    rewrite(path, change)
    for args in COMMANDS:
        result = sop(*args, ok=None)
        assert result.code == 1 and "Traceback" not in result.err and len(result.err.strip().splitlines()) == 1, (
            args,
            result,
        )
    assert sop("verify", ok=False).code == 1


# ------------------------------------------------------------------ tamper evidence both ways


def test_a_truncated_run_is_never_resealed(sop, home: Path) -> None:
    """Issue #10.1: delete the last record, then a write must refuse, not seal the shorter chain."""
    run = start(sop)
    sop("done", "1")
    sop("note", "2", "catatan")
    path = run_file(home, run)
    rewrite(path, lambda recs: recs.pop("3"))
    refused_everywhere(sop, path, "removed from the end")
    rewrite(path, lambda recs: recs.pop("2"))
    assert "removed from the end" in sop.fail("note", "1", "again")


@pytest.mark.parametrize("where", ["end", "middle-rehashed"])
def test_a_forged_record_is_caught_even_with_a_perfect_chain(sop, home: Path, where: str) -> None:
    run = start(sop)
    sop("done", "1")
    path = run_file(home, run)

    def forge(recs: dict) -> None:
        extra = {**recs["2"], "seq": 3, "data": {"step": 2, "text": "palsu"}, "type": "note"}
        recs["3"] = extra
        if where == "middle-rehashed":
            recs["2"], recs["3"] = {**recs["3"], "seq": 2}, {**recs["2"], "seq": 3}
        rehash(recs)

    rewrite(path, forge)
    result = sop("verify", ok=False)
    assert "index vouches for 2" in result.err or "added outside sop" in result.err, result.err
    assert "disagrees with the index" in sop.fail("note", "1", "x")


def test_a_run_without_its_index_row_and_a_row_without_its_run(sop, home: Path) -> None:
    first, second = start(sop), start(sop)
    sop("done", "1", "--run", second)
    for path in (home / "index").iterdir():
        table = AtomicJSONStorage(path).read()
        table["runs"] = {k: v for k, v in table["runs"].items() if v["id"] != first}
        path.write_text(json.dumps(table))
    assert "no row in the index" in sop("verify", "--run", first, ok=False).err
    assert "no row in the index" in sop.fail("note", "1", "x", "--run", first)
    warn = sop("runs")
    assert first in warn.err and "store reindex" in warn.err
    run_file(home, second).unlink()
    result = sop("verify", "--all", ok=False)
    assert f"index knows run {second} but its file" in result.err and "no row in the index" in result.err
    changes = sop("store", "reindex").out
    assert f"run {first}: added to the index" in changes and f"run {second}: removed from the index" in changes
    assert "1 run checked" in sop("verify", "--all").out
    assert "agrees" in sop("store", "reindex").out


def test_removing_the_whole_index_is_noticed(sop, home: Path) -> None:
    run = start(sop)
    for path in (home / "index").iterdir():
        path.unlink()
    assert "no row in the index" in sop("verify", ok=False).err
    assert run in sop("runs").err
    sop("store", "reindex")
    assert sop("verify").code == 0 and json.loads(sop("runs", "-f", "json").out)[0]["id"] == run


def test_a_damaged_index_shard_refuses_writes_until_reindexed(sop, home: Path) -> None:
    run = start(sop)
    path = shard(home, run)
    path.write_bytes(b"{not json")
    line = sop.fail("done", "1")
    assert str(path) in line and "damaged" in line and path.read_bytes() == b"{not json"
    assert str(path) in sop.fail("runs")
    assert "moved aside" in sop("store", "reindex").out
    sop("done", "1")
    assert json.loads(sop("runs", "--format", "json").out)[0]["active_step"] == 2


@pytest.mark.parametrize(
    "row",
    [{"id": 3}, {"id": "../../x"}, "a string", {"id": "aaaaa", "row": {"seq": "1"}}, {"id": "aaaaa", "row": []}],
)
def test_index_rows_of_the_wrong_shape_are_damage(sop, home: Path, row: object) -> None:
    run = start(sop)
    path = shard(home, run)
    table = json.loads(path.read_text())
    table["runs"]["99"] = row
    path.write_text(json.dumps(table))
    for line in (sop.fail("runs"), sop.fail("note", "1", "x")):
        assert str(path) in line and "damaged" in line and "reindex" in line


def _edit_row(home: Path, run: str, edit) -> Path:
    path = shard(home, run)
    table = json.loads(path.read_text())
    for entry in table["runs"].values():
        if entry["id"] == run:
            edit(entry["row"])
    path.write_text(json.dumps(table))
    return path


@pytest.mark.parametrize(
    "field, value",
    [
        ("active", 5),
        ("active", {"step": 2}),
        ("status", "paused"),
        ("steps", [{"no": 1}]),
        ("steps", "many"),
        ("people", "ani"),
        ("assignments", {"kabag": 7}),
        ("started_at", "yesterday"),
        ("timezone", "Mars/Olympus"),
        ("as_of", None),
        ("title", ["a"]),
    ],
)
def test_an_index_row_with_a_field_of_the_wrong_type_is_damage_named(sop, home: Path, field: str, value) -> None:
    """Listings trust the rows (checking each of 10,000 costs more than the listing), so a command that
    does not read the field answers; one that stumbles on it names the run and the field; verify always."""
    run = start(sop)
    sop("done", "1")
    _edit_row(home, run, lambda row: row.__setitem__(field, value))
    for command in (("runs",), ("inbox", "--all"), ("stats", "rkt-ii"), ("monitor", "rkt-ii"), ("runs", "-f", "json")):
        result = sop(*command, ok=None)
        assert "Traceback" not in result.err and "unexpected" not in result.err, (command, result.err)
        if result.code:
            assert result.code == 1 and f"run {run}" in result.err and repr(field) in result.err, (command, result)
    result = sop("verify", "--all", ok=False)
    assert result.code == 1 and f"run {run}" in result.err and repr(field) in result.err, result.err
    sop("store", "reindex")
    assert sop("verify", "--all").code == 0


def test_a_row_that_trips_the_inbox_is_named(sop, home: Path) -> None:
    run = start(sop)
    _edit_row(home, run, lambda row: row.__setitem__("active", 5))
    line = sop.fail("inbox", "--all")
    assert f"run {run}" in line and "'active'" in line and "reindex" in line


@pytest.mark.parametrize(
    "edit, field",
    [
        (lambda row: row.update(status="cancelled"), "status"),
        (lambda row: row.update(title="FORGED"), "title"),
        (lambda row: row["steps"][0].update(on_time=False), "steps"),
        (lambda row: row["steps"][0]["passes"][0].__setitem__(2, 1.0), "steps"),
        (lambda row: row.update(people=["ani", "mallory"]), "people"),
        (lambda row: row["active"].update(due_at=None), "active"),
    ],
)
def test_verify_computes_each_index_row_again_and_names_what_was_edited(sop, home: Path, edit, field: str) -> None:
    run = start(sop)
    sop("done", "1")
    assert sop("verify", "--all").code == 0
    _edit_row(home, run, edit)
    result = sop("verify", "--all", ok=False)
    assert result.code == 1 and f"run {run}" in result.err and field in result.err and "reindex" in result.err
    assert sop("verify", ok=False).code == 1
    sop("store", "reindex")
    assert sop("verify", "--all").code == 0


@pytest.mark.parametrize(
    "meta",
    [{"format": "2", "current": None}, {"format": 2, "current": 5}, {"format": 2, "current": "../../etc"}, [], "x"],
)
def test_damaged_store_json_fields_stop_every_write(sop, home: Path, meta: object) -> None:
    start(sop)
    store = home / "store.json"
    store.write_text(json.dumps({"meta": {"1": meta}}) if not isinstance(meta, str) else meta)
    broken = store.read_bytes()
    for args in (("start", "rkt-ii"), ("note", "1", "x"), ("status",)):
        line = sop.fail(*args)
        assert str(store) in line and "damaged" in line
    assert store.read_bytes() == broken


def test_a_newer_store_format_is_refused(sop, home: Path) -> None:
    start(sop)
    meta = json.loads((home / "store.json").read_text())
    meta["meta"]["1"]["format"] = 99
    (home / "store.json").write_text(json.dumps(meta))
    assert "newer than this sop understands" in sop.fail("start", "rkt-ii")


def test_a_crash_between_run_and_index_heals_and_a_completed_run_catches_up(sop, home: Path, monkeypatch) -> None:
    """Issue #10.5: the final index write of a completing `done` fails; `runs` and `stats` still see the
    truth (the pending row is confirmed by the run file) and the next locked read heals the row."""
    from sopcli.store import tinydb

    run = start(sop)
    for step in range(1, 6):
        sop("done", str(step))
    real = tinydb.TinyStore._put_entry
    calls = {"n": 0}

    def failing(self, run_id, row, pending):
        calls["n"] += 1
        if calls["n"] == 2:  # the second write of the append: the final row
            raise StoreError("disk full", "")
        return real(self, run_id, row, pending)

    with monkeypatch.context() as patch:
        patch.setattr(tinydb.TinyStore, "_put_entry", failing)
        result = sop("done", "6", "--outcome", "sesuai")
    assert "index was not updated" in result.err
    entry = json.loads(shard(home, run).read_text())["runs"]
    (raw,) = entry.values()
    assert raw["pending"]["status"] == "completed" and raw["row"]["status"] == "active"
    assert json.loads(sop("runs", "-f", "json").out)[0]["status"] == "completed"
    assert json.loads(sop("stats", "rkt-ii", "-f", "json").out)["runs"] == 1
    assert sop("verify").code == 0  # a crash residue, not damage; verify heals it under the lock
    (raw,) = json.loads(shard(home, run).read_text())["runs"].values()
    assert raw["pending"] is None and raw["row"]["status"] == "completed"


def test_records_carry_the_chain(sop, home: Path) -> None:
    run = start(sop)
    sop("done", "1")
    records = json.loads(sop("log", "--format", "json").out)
    assert [r["seq"] for r in records] == [1, 2]
    assert records[0]["prev"] == "0" * 64 and records[1]["prev"] == records[0]["hash"]
    assert all(r["hash"] == record_hash(r) for r in records)
    assert {"at", "recorded_at", "by", "login", "type", "data"} <= set(records[1])
    assert all("." not in r["at"] and "." not in r["recorded_at"] for r in records)  # to the second
    assert "intact" in sop("verify").out
    assert run


@pytest.mark.parametrize(
    ("tamper", "words"),
    [
        (lambda recs: recs["2"]["data"].update(step=2), "record 2: content does not match"),
        (lambda recs: recs["2"].update(by="mallory"), "record 2: content does not match"),
        (lambda recs: recs.pop("2"), "expected sequence number 2"),
        (lambda recs: recs.update({"2": {**recs["3"], "seq": 2}, "3": {**recs["2"], "seq": 3}}), "record 2: "),
        (lambda recs: recs.pop("3"), "records were removed from the end"),
    ],
)
def test_verify_catches_tampering(sop, home: Path, files, tamper, words) -> None:
    run = start(sop)
    sop("done", "1", "--attach", files("a.pdf"))
    sop("done", "2")
    rewrite(run_file(home, run), tamper)
    result = sop("verify", ok=False)
    assert result.code == 1 and words in result.err, result.err


def test_verify_replays_the_rules_over_a_rewritten_store(sop, home: Path) -> None:
    """A completion in someone else's lane without a recorded override, written past sop (the chain and
    the index recomputed as a forger with access to both files would), is named by verify."""
    from sopcli.runs import Runs

    run = start(sop)
    sop("assign", "kabag=siti")
    path = run_file(home, run)

    def sneak(recs: dict) -> None:
        recs["3"] = {**recs["2"], "seq": 3, "type": "done", "by": "mallory"}
        recs["3"]["data"] = {"step": 1, "pass": 0, "lane": "kabag", "target": 2, "outcome": None, "forced": False}
        rehash(recs)

    rewrite(path, sneak)
    sop("store", "reindex")
    result = sop("verify", ok=False)
    assert "record 3 (done by mallory) breaks the rules" in result.err and "siti" in result.err
    assert Runs  # the same replay serves both stores


def test_verify_catches_changed_missing_or_replaced_evidence(sop, home: Path, files) -> None:
    start(sop)
    sop("done", "1", "--attach", files("a.pdf", "asli"))
    (blob,) = [p for p in (home / "evidence").rglob("*") if p.is_file()]
    blob.write_text("palsu")
    assert "was changed" in sop("verify", ok=False).err
    blob.unlink()
    assert "is missing" in sop("verify", ok=False).err
    os.symlink("/dev/zero", blob)
    started = time.monotonic()
    assert "not a regular file" in sop("verify", ok=False).err
    blob.unlink()
    os.mkfifo(blob)
    assert "not a regular file" in sop("verify", ok=False).err
    assert time.monotonic() - started < 30  # a guard against hanging, not a benchmark


def test_a_damaged_blob_is_replaced_only_by_verified_content_and_reported(sop, home: Path, files) -> None:
    """Issue #10.3: attaching the same content again repairs a damaged blob, moves the damaged one aside
    (never overwritten), says so, and verify passes after."""
    start(sop)
    sop("done", "1", "--attach", files("a.pdf", "asli"))
    (blob,) = [p for p in (home / "evidence").rglob("*") if p.is_file()]
    blob.write_text("aslX")  # same size, other content
    result = sop("attach", "1", files("b.pdf", "asli"))
    assert "was damaged" in result.err and "moved to" in result.err
    assert blob.read_text() == "asli"
    (aside,) = (home / "damaged").iterdir()
    assert aside.read_text() == "aslX"
    assert sop("verify").code == 0


def test_identical_content_is_stored_once(sop, home: Path, files) -> None:
    start(sop)
    sop("done", "1", "--attach", files("a.pdf", "sama"), "--attach", files("b.pdf", "sama"))
    blobs = [p for p in (home / "evidence").rglob("*") if p.is_file()]
    assert len(blobs) == 1 and blobs[0].parent.name == blobs[0].name[:2]


# ------------------------------------------------------------------ nothing outside SOP_HOME


@pytest.mark.parametrize(
    "ref", ["../../../tmp/victim", "/etc/passwd", "..", "a/b", "a*", "[a-z]*", "AAAAA", "toolongid", "x\x00y", ""]
)
def test_run_references_are_ids_never_paths(sop, tmp_path: Path, ref: str) -> None:
    start(sop)
    victim = tmp_path / "victim.json"
    victim.write_text("{}")
    for args in (("note", "1", "x", "--run", ref), ("use", ref), ("report", "--run", ref)):
        result = sop(*args, ok=False)
        assert result.code in (1, 2) and "Traceback" not in result.err, result
    assert victim.read_text() == "{}"


@pytest.mark.parametrize("target", ["lock", "runs", "index", "evidence", "incoming", "store.json"])
def test_links_inside_the_store_are_never_followed(sop, home: Path, tmp_path: Path, files, target: str) -> None:
    start(sop)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep").write_text("mine")
    path = home / target
    if path.is_dir():
        os.rename(path, tmp_path / f"moved-{target}")
        os.symlink(outside, path)
    else:
        path.unlink()
        os.symlink(outside / "keep", path)
    result = sop("note", "1", "x", ok=False)
    assert result.code == 1 and "Traceback" not in result.err and ("link" in result.err or "damaged" in result.err)
    assert sorted(os.listdir(outside)) == ["keep"] and (outside / "keep").read_text() == "mine"


def test_an_evidence_shard_that_is_a_link_is_refused(sop, home: Path, tmp_path: Path, files) -> None:
    import hashlib

    start(sop)
    content = "isi bukti"
    sha = hashlib.sha256(content.encode()).hexdigest()
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    os.symlink(outside, home / "evidence" / sha[:2])
    line = sop.fail("done", "1", "--attach", files("a.pdf", content))
    assert "link" in line and os.listdir(outside) == []
    assert len(json.loads(sop("log", "-f", "json").out)) == 1


def test_a_lock_that_is_a_folder_or_a_fifo(sop, home: Path) -> None:
    start(sop)
    (home / "lock").unlink()
    (home / "lock").mkdir()
    assert "not a regular file" in sop.fail("note", "1", "x")
    (home / "lock").rmdir()
    os.mkfifo(home / "lock")
    assert "not a regular file" in sop.fail("note", "1", "x")


def test_a_read_only_store_refuses_writes_in_one_line(sop, home: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes into read-only folders; the process test covers it as another user")
    start(sop)
    os.chmod(home, 0o500)
    try:
        assert "permission" in sop.fail("note", "1", "x").lower()
    finally:
        os.chmod(home, 0o700)


def test_old_temp_files_of_killed_attaches_are_swept(sop, home: Path) -> None:
    start(sop)
    incoming = home / "incoming"
    old, young = incoming / ".123-1.tmp", incoming / ".123-2.tmp"
    old.write_bytes(b"x" * 1000)
    young.write_bytes(b"y")
    hour_ago = time.time() - 3700
    os.utime(old, (hour_ago, hour_ago))
    sop("note", "1", "x")
    assert not old.exists() and young.exists()


@pytest.mark.parametrize(
    "name",
    [
        "x" * 250,
        "\u202etxt.exe",
        "laporan [final].pdf",
        "..etc_passwd",
        "con",
        "nul.txt",
        " spasi .pdf",
        "-rf",
        "a\x1b[2Jb",
    ],
)
def test_hostile_names_are_metadata_only(sop, home: Path, tmp_path: Path, name: str) -> None:
    start(sop)
    folder = tmp_path / "weird"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text("isi")
    sop("done", "1", "--attach", str(folder / ".." / "weird" / name))  # a path with `..` in it too
    (item,) = json.loads(sop("report", "-f", "json").out)["steps"][0]["artifacts"]
    assert item["name"] == name
    (blob,) = [p for p in (home / "evidence").rglob("*") if p.is_file()]
    assert blob.name == item["sha256"] and blob.parent.parent == home / "evidence"
    assert not any(name in p.name for p in home.rglob("*"))
    assert sorted(p.name for p in folder.iterdir()) == [name]  # nothing written beside the original
    for args in (("report",), ("log",), ("status",), ("report", "-f", "md")):
        out = sop(*args).out
        assert "\u202e" not in out and "\x1b" not in out, args


def test_a_file_name_that_is_not_utf8_is_kept_readably(sop, tmp_path: Path) -> None:
    start(sop)
    raw = os.fsencode(tmp_path) + b"/laporan-\xff\xfe.pdf"
    with open(raw, "wb") as handle:
        handle.write(b"isi")
    sop("done", "1", "--attach", os.fsdecode(raw))
    (item,) = json.loads(sop("report", "-f", "json").out)["steps"][0]["artifacts"]
    assert item["name"] == "laporan-\\xff\\xfe.pdf"
    assert sop("verify").code == 0


def test_a_folder_or_a_fifo_is_refused(sop, tmp_path: Path) -> None:
    start(sop)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert "not a regular file" in sop.fail("done", "1", "--attach", str(fifo))
    assert "is a folder" in sop.fail("done", "1", "--attach", str(tmp_path))
    assert "not a regular file" in sop.fail("attach", "1", "/dev/zero")


def test_damage_helpers_name_the_file(tmp_path: Path) -> None:
    from sopcli import safefs

    link = tmp_path / "link"
    os.symlink(tmp_path, link)
    with pytest.raises(Damaged) as err:
        safefs.read_bytes(link)
    assert str(link) in err.value.message


def test_a_store_written_by_sopcli_0_1_is_read_and_moved_forward(sop, home: Path) -> None:
    """A store of the first version (flat index rows, records without lanes, the SOP as it then was):
    every command reads it, the first write moves it to today's format and rebuilds its index rows."""
    import shutil

    shutil.copytree(Path(__file__).parent / "fixtures" / "store-0.1", home)
    assert {r["id"] for r in json.loads(sop("runs", "-f", "json").out)} == {"dpa6v", "znks6"}
    assert "2 runs checked" in sop("verify", "--all").out
    old = json.loads(sop("report", "--run", "znks6", "-f", "json").out)
    assert old["run"]["status"] == "completed" and old["steps"][4]["outcome"] == "sesuai"  # its own SOP of then
    assert json.loads(sop("stats", "rkt-ii", "-f", "json").out)["runs"] == 1
    sop.at("2026-11-25 08:00")
    sop("note", "3", "catatan baru", "--run", "dpa6v")
    assert json.loads(sop("store", "info", "-f", "json").out)["format"] == 2
    tabel = json.loads(sop("monitor", "rkt-ii", "--period", "2026-11", "-f", "json").out)
    assert tabel["runs"]["total"] == 2 and tabel["steps"][0]["passes"] == 2
    assert "2 runs checked" in sop("verify", "--all").out


def test_the_inbox_says_which_damaged_run_it_leaves_out(sop, home: Path) -> None:
    damaged, whole = start(sop), start(sop)
    sop("note", "1", "a second record", "--run", damaged)
    rewrite(run_file(home, damaged), lambda records: records.pop("2"))
    result = sop("inbox", "--all", ok=None)
    assert result.code == 0 and whole in result.out and damaged not in result.out
    assert f"run {damaged} is left out" in result.err and "removed from the end" in result.err
