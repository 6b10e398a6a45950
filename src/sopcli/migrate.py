"""Moving runs between the embedded store and a team store, record for record and with their evidence."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sopcli.errors import NotFound, Refused, SopError
from sopcli.i18n import _
from sopcli.store import Record, RunStore


def _files(records: list[Record]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for record in records:
        data = record["data"]
        for item in [*(data.get("outputs") or []), *(data.get("inputs") or []), *(data.get("files") or [])]:
            seen.setdefault(item["sha256"], item)
    return list(seen.values())


@dataclass
class Migration:
    """What a migration did: a line per run copied and a closing count, and the runs it did not copy with the
    reason for each."""

    lines: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def migrate(
    source: RunStore,
    target: RunStore,
    summarize: Callable[[list[Record]], dict[str, Any]],
    check_source: Callable[[str], list[str]],
    check_target: Callable[[str], list[str]],
    progress: Callable[[str], None] = lambda line: None,
) -> Migration:
    """Copies every run of `source` that `target` lacks and skips the identical ones. Where the two stores
    disagree about a run it refuses, naming the run and copying nothing. A run that does not verify in
    `source` (damaged, or breaking the rules, or with evidence that does not have its SHA-256) is not copied
    and is named; the others are. Each run is copied whole or not at all and is verified in `target`: on a
    team store inside the transaction that copies it, so that a run that does not verify there is never
    committed; on the embedded store after it was written (its evidence was re-hashed on the way in), and a
    run that does not verify is named as not copied."""
    from sopcli.store.postgres import PostgresStore

    done = Migration()
    plan: list[str] = []  # ids only: a store's every record at once would not fit in memory (10,000 runs)
    disagree: list[str] = []
    skipped = 0
    existing = set(target.run_ids())  # one question first: a target that cannot be reached fails here, once
    for run_id in source.run_ids():
        if run_id not in existing:
            plan.append(run_id)
            continue
        try:
            records = source.export_run(run_id)
        except SopError as err:
            done.failed[run_id] = err.message
            continue
        try:
            there = target.export_run(run_id)
        except NotFound:
            plan.append(run_id)
            continue
        except SopError as err:
            done.failed[run_id] = err.message
            continue
        if [r["hash"] for r in there] != [r["hash"] for r in records]:
            disagree.append(
                _(
                    "run {run} differs between the two stores ({mine} records here, {theirs} there)",
                    run=run_id,
                    mine=len(records),
                    theirs=len(there),
                )
            )
            continue
        skipped += 1
    if disagree:
        raise Refused(
            _("{runs}; nothing was copied", runs="; ".join(disagree)),
            _("compare them with `sop log --run RUN` on each store"),
        )
    copied = 0
    for run_id in plan:
        problems = check_source(run_id)
        if problems:
            done.failed[run_id] = problems[0]
            continue
        try:
            records = source.export_run(run_id)  # read again, one run at a time
        except SopError as err:
            done.failed[run_id] = err.message
            continue
        blobs: Iterator[tuple[dict[str, Any], Iterator[bytes]]] = (
            (item, source.open_evidence(item)) for item in _files(records)
        )
        try:
            if isinstance(target, PostgresStore):
                target.import_run(run_id, records, summarize(records), blobs, check=check_target)
                problems = []
            else:
                target.import_run(run_id, records, summarize(records), blobs)
                problems = check_target(run_id)
        except SopError as err:
            done.failed[run_id] = err.message
            continue
        if problems:
            done.failed[run_id] = _("copied but does not verify there: {problem}", problem=problems[0])
            continue
        copied += 1
        line = _("run {run}: copied ({count} records), verified", run=run_id, count=len(records))
        done.lines.append(line)
        progress(line)  # as it happens: a migration stopped half-way has said which runs are across
    if done.failed:
        done.lines.append(
            _(
                "{copied} run(s) copied, {skipped} already there and identical; {failed} not copied: {runs}",
                copied=copied,
                skipped=skipped,
                failed=len(done.failed),
                runs=", ".join(sorted(done.failed)),
            )
        )
    else:
        done.lines.append(
            _("{copied} run(s) copied, {skipped} already there and identical", copied=copied, skipped=skipped)
        )
    return done
