"""Across an SOP's completed runs: how long each step really takes against its standard."""

from __future__ import annotations

import math
from typing import Any


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile of sorted `values` (the value that `share` of the runs stay within)."""
    rank = max(1, math.ceil(share * len(values)))
    return values[rank - 1]


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def step_stats(sop_id: str, standards: dict[int, float | None], summaries: list[dict[str, Any]]) -> dict[str, Any]:
    """Per step: count, median and p90 elapsed, standard, on-time share; and the step with the largest
    median overrun (the step that, in a typical run, runs furthest beyond its standard).

    `standards` are the SOP's current steps; a run keeps the standards it was started with."""
    completed = [r for r in summaries if r["sop"] == sop_id and r["status"] == "completed" and r.get("steps")]
    elapsed: dict[int, list[float]] = {}
    overrun: dict[int, list[float]] = {}
    verdicts: dict[int, list[bool]] = {}
    standard: dict[int, float | None] = dict(standards)
    for run in completed:
        for step in run["steps"]:
            no = step["no"]
            standard.setdefault(no, step.get("standard_minutes"))
            if not step.get("passes"):
                continue
            spent = step["elapsed_minutes"]
            elapsed.setdefault(no, []).append(spent)
            limit = step.get("group_standard_minutes", step.get("standard_minutes"))
            if limit is None:
                continue  # a step without a standard is timed, never late
            on_time = step.get("on_time", spent <= limit)
            verdicts.setdefault(no, []).append(bool(on_time))
            overrun.setdefault(no, []).append(step.get("overrun_minutes", max(0.0, spent - limit)))
    rows = []
    for no in sorted(standard):
        values = sorted(elapsed.get(no, []))
        judged = verdicts.get(no, [])
        rows.append(
            {
                "no": no,
                "count": len(values),
                "median_minutes": round(median(values), 1) if values else None,
                "p90_minutes": round(percentile(values, 0.9), 1) if values else None,
                "standard_minutes": standard[no],
                "on_time_share": round(sum(judged) / len(judged), 4) if judged else None,
                "median_overrun_minutes": round(median(overrun[no]), 1) if overrun.get(no) else None,
            }
        )
    worst, largest = None, 0.0
    for no, values in sorted(overrun.items()):
        middle = median(values)
        if middle > largest:  # ties stay with the earlier step
            worst, largest = no, middle
    return {"sop": sop_id, "runs": len(completed), "steps": rows, "most_late_step": worst}
