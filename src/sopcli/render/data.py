"""Reports for scripts and documents: JSON, CSV and Markdown, all drawn from the same plain object."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from sopcli.render import fmt_minutes

SCALARS = (
    "no",
    "activity",
    "actor",
    "actor_name",
    "person",
    "status",
    "passes",
    "standard_minutes",
    "elapsed_minutes",
    "on_time",
    "started_at",
    "finished_at",
    "by",
    "outcome",
    "forced",
)


def to_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def report_csv(report: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*SCALARS, "inputs", "artifacts"])
    for step in report["steps"]:
        writer.writerow(
            [_cell(step[k]) for k in SCALARS] + ["; ".join(f["name"] for f in step[k]) for k in ("inputs", "artifacts")]
        )
    return out.getvalue()


def _md(text: Any) -> str:
    return _cell(text).replace("|", "\\|").replace("\n", " ")


def report_md(report: dict[str, Any]) -> str:
    run, totals = report["run"], report["totals"]
    day = run["day_minutes"]
    lines = [
        f"# {run['number']} — {_md(run['title'])}",
        "",
        f"Run `{run['id']}` · {run['status']} · dimulai {run['started_at']} oleh {_md(run['started_by'])}"
        + (f" · selesai {run['finished_at']}" if run["finished_at"] else ""),
        "",
        f"{totals['done']}/{totals['steps']} langkah selesai, {totals['on_time']} tepat waktu, "
        f"{totals['late']} terlambat; waktu kerja {fmt_minutes(totals['elapsed_minutes'], day)} / "
        f"standar {fmt_minutes(totals['standard_minutes'], day)}.",
        "",
        "| No | Kegiatan | Pelaksana | Status | Waktu | Standar | Tepat waktu | Kelengkapan | Output (bukti) |",
        "|---:|---|---|---|---:|---:|---|---|---|",
    ]
    for s in report["steps"]:
        on_time = {True: "ya", False: "tidak", None: ""}[s["on_time"]]
        lines.append(
            f"| {s['no']} | {_md(s['activity'])} | {_md(s['actor_name'])} | {s['status']}"
            f"{' (dipaksa)' if s['forced'] else ''} | {s['elapsed_minutes']} | {s['standard_minutes']} | {on_time} | "
            f"{_md('; '.join(s['requires']))} | {_md('; '.join(f['name'] for f in s['artifacts']))} |"
        )
    return "\n".join(lines) + "\n"
