"""Across an SOP's completed runs: how long each step really takes against its standard."""

from __future__ import annotations

import math
from typing import Any


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile of sorted `values` (the value that `share` of the runs stay within)."""
    rank = max(1, math.ceil(share * len(values)))
    return values[rank - 1]


def median(values: list[float]) -> float:
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def step_stats(sop_id: str, standards: dict[int, float], summaries: list[dict[str, Any]]) -> dict[str, Any]:
    """Per step: count, median and p90 elapsed, standard, on-time share; and the step most often late.

    `standards` are the SOP's current steps; a run keeps the standards it was started with."""
    completed = [r for r in summaries if r["sop"] == sop_id and r["status"] == "completed" and r.get("steps")]
    elapsed: dict[int, list[float]] = {}
    standard: dict[int, float] = dict(standards)
    late: dict[int, int] = {}
    for run in completed:
        for step in run["steps"]:
            standard.setdefault(step["no"], step["standard_minutes"])
            if step.get("passes", 1) == 0:
                continue
            elapsed.setdefault(step["no"], []).append(step["elapsed_minutes"])
            late[step["no"]] = late.get(step["no"], 0) + (step["elapsed_minutes"] > step["standard_minutes"])
    rows = []
    for no in sorted(standard):
        values = sorted(elapsed.get(no, []))
        rows.append(
            {
                "no": no,
                "count": len(values),
                "median_minutes": round(median(values), 1) if values else None,
                "p90_minutes": round(percentile(values, 0.9), 1) if values else None,
                "standard_minutes": standard[no],
                "on_time_share": round(1 - late.get(no, 0) / len(values), 4) if values else None,
            }
        )
    most_late = max(late, key=lambda no: (late[no], -no), default=None)
    return {
        "sop": sop_id,
        "runs": len(completed),
        "steps": rows,
        "most_late_step": most_late if most_late is not None and late[most_late] > 0 else None,
    }
