"""The store is sacred: atomic files, damaged files left alone, tampering and changed evidence caught."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from sopcli.errors import StoreError
from sopcli.store import AtomicJSONStorage, atomic_write, record_hash


def start(sop) -> str:
    return sop("start", "rkt-ii", "-q").out.strip()


def run_file(home: Path, run: str) -> Path:
    return home / "runs" / f"{run}.json"


def rewrite(path: Path, change) -> None:
    data = json.loads(path.read_text())
    change(data["records"])
    path.write_text(json.dumps(data))


def test_atomic_write_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "x.json"
    atomic_write(target, b"{}")
    atomic_write(target, b'{"a": {}}')
    assert json.loads(target.read_text()) == {"a": {}} and os.listdir(tmp_path) == ["x.json"]


@pytest.mark.parametrize(
    "content", [b"", b'{"records": {"1": ', b'{"records": {}} trailing', b"\x00\x00", b"[1, 2]", b'{"records": []}']
)
def test_a_damaged_file_is_reported_and_left_untouched(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "run.json"
    path.write_bytes(content)
    with pytest.raises(StoreError) as err:
        AtomicJSONStorage(path).read()
    assert str(path) in err.value.message
    assert path.read_bytes() == content


DAMAGE = {
    "empty": lambda raw: b"",
    "truncated": lambda raw: raw[: len(raw) // 2],
    "trailing garbage": lambda raw: raw + b"\n}garbage",
    "NUL bytes": lambda raw: b"\x00" * len(raw),
    "wrong top-level type": lambda raw: b"[]",
    "wrong table type": lambda raw: b'{"records": [1, 2]}',
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_run_refuses_every_command_and_stays_as_it_was(sop, home: Path, damage: str) -> None:
    run = start(sop)
    path = run_file(home, run)
    path.write_bytes(DAMAGE[damage](path.read_bytes()))
    damaged = path.read_bytes()
    for args in (("done", "1"), ("note", "1", "x"), ("report",), ("status",)):
        line = sop.fail(*args)
        assert str(path) in line and "damaged" in line
    assert sop("verify", ok=False).code == 1
    assert path.read_bytes() == damaged


@pytest.mark.parametrize("damage", DAMAGE)
def test_damaged_store_and_index_files_are_not_overwritten(sop, home: Path, damage: str) -> None:
    run = start(sop)
    store, shard = home / "store.json", home / "index" / f"{run[:2]}.json"
    original = store.read_bytes()
    store.write_bytes(DAMAGE[damage](original))
    broken = store.read_bytes()
    line = sop.fail("start", "rkt-ii")
    assert str(store) in line and "damaged" in line and store.read_bytes() == broken
    store.write_bytes(original)

    # the index is a cache: a damaged shard is named and left alone, the run's record is still kept
    original = shard.read_bytes()
    shard.write_bytes(DAMAGE[damage](original))
    broken = shard.read_bytes()
    result = sop("done", "1", "--run", run)
    assert str(shard) in result.err and "damaged" in result.err and "warning" in result.err
    assert shard.read_bytes() == broken
    assert str(shard) in sop.fail("runs")
    shard.write_bytes(original)
    sop("note", "2", "index diperbaiki")
    assert json.loads(sop("runs", "--format", "json").out)[0]["active_step"] == 2


def test_records_carry_the_chain(sop, home: Path) -> None:
    run = start(sop)
    sop("done", "1")
    records = json.loads(sop("log", "--format", "json").out)
    assert [r["seq"] for r in records] == [1, 2]
    assert records[0]["prev"] == "0" * 64 and records[1]["prev"] == records[0]["hash"]
    assert all(r["hash"] == record_hash(r) for r in records)
    assert {"at", "recorded_at", "by", "type", "data"} <= set(records[1])
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


def test_verify_catches_changed_or_missing_evidence(sop, home: Path, files) -> None:
    start(sop)
    sop("done", "1", "--attach", files("a.pdf", "asli"))
    (blob,) = [p for p in (home / "evidence").rglob("*") if p.is_file()]
    blob.write_text("palsu")
    assert "was changed" in sop("verify", ok=False).err
    blob.unlink()
    assert "is missing" in sop("verify", ok=False).err


def test_identical_content_is_stored_once(sop, home: Path, files) -> None:
    start(sop)
    sop("done", "1", "--attach", files("a.pdf", "sama"), "--attach", files("b.pdf", "sama"))
    blobs = [p for p in (home / "evidence").rglob("*") if p.is_file()]
    assert len(blobs) == 1 and blobs[0].parent.name == blobs[0].name[:2]


@pytest.mark.parametrize(
    "name",
    ["x" * 250, "\u202etxt.exe", "laporan [final].pdf", "..etc_passwd", "con", "nul.txt", " spasi .pdf", "-rf"],
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
    assert "\u202e" not in sop("report").out and "\u202e" not in sop("log").out


def test_a_folder_or_a_fifo_is_refused(sop, tmp_path: Path) -> None:
    start(sop)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert "not a regular file" in sop.fail("done", "1", "--attach", str(fifo))
    assert "is a folder" in sop.fail("done", "1", "--attach", str(tmp_path))


def test_a_newer_store_format_is_refused(sop, home: Path) -> None:
    start(sop)
    meta = json.loads((home / "store.json").read_text())
    meta["meta"]["1"]["format"] = 99
    (home / "store.json").write_text(json.dumps(meta))
    assert "newer than this sop understands" in sop.fail("start", "rkt-ii")


def test_a_chain_valid_but_impossible_run_is_reported_not_a_traceback(sop, home: Path) -> None:
    run = start(sop)
    path = run_file(home, run)

    def impossible(recs: dict) -> None:  # an undo with nothing to undo, re-hashed as a forger would
        from sopcli.store import record_hash

        record = {
            "seq": 2,
            "prev": recs["1"]["hash"],
            "type": "undo",
            "at": recs["1"]["at"],
            "recorded_at": recs["1"]["at"],
            "by": "x",
            "data": {"undoes": 9, "step": 1},
        }
        record["hash"] = record_hash(record)
        recs["2"] = record

    rewrite(path, impossible)
    assert "does not make a valid run" in sop.fail("report")
    assert "does not make a valid run" in sop.fail("note", "1", "x")
    assert sop("verify", ok=False).code == 1
