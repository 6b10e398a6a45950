"""Moving runs between the embedded store and a team store, record for record and with their evidence."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sopcli.errors import NotFound, Refused
from sopcli.i18n import _
from sopcli.store import Record, RunStore


def _files(records: list[Record]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for record in records:
        data = record["data"]
        for item in [*(data.get("outputs") or []), *(data.get("inputs") or []), *(data.get("files") or [])]:
            seen.setdefault(item["sha256"], item)
    return list(seen.values())


def migrate(
    source: RunStore,
    target: RunStore,
    summarize: Callable[[list[Record]], dict[str, Any]],
    verify: Callable[[str], list[str]],
) -> list[str]:
    """Copies every run of `source` that `target` lacks, skips the identical ones, and refuses, naming the
    run and copying nothing, where the two disagree. Every copied run is verified in `target` after."""
    plan: list[tuple[str, list[Record]]] = []
    skipped = 0
    for run_id in source.run_ids():
        records = source.export_run(run_id)
        try:
            there = target.export_run(run_id)
        except NotFound:
            plan.append((run_id, records))
            continue
        if [r["hash"] for r in there] != [r["hash"] for r in records]:
            raise Refused(
                _(
                    "run {run} differs between the two stores ({mine} records here, {theirs} there); "
                    "nothing was copied",
                    run=run_id,
                    mine=len(records),
                    theirs=len(there),
                ),
                _("compare them with `sop log --run {run}` on each store", run=run_id),
            )
        skipped += 1
    lines = []
    for run_id, records in plan:
        blobs: Iterator[tuple[dict[str, Any], Iterator[bytes]]] = (
            (item, source.open_evidence(item)) for item in _files(records)
        )
        target.import_run(run_id, records, summarize(records), blobs)
        problems = verify(run_id)
        if problems:
            raise Refused(
                _("run {run} was copied but does not verify there: {problem}", run=run_id, problem=problems[0]), ""
            )
        lines.append(_("run {run}: copied ({count} records), verified", run=run_id, count=len(records)))
    lines.append(_("{copied} run(s) copied, {skipped} already there and identical", copied=len(plan), skipped=skipped))
    return lines
