"""Does a store of many runs slow down the commands that act on one run, and what do listings, statistics
and monitoring over all of them cost? Builds a store once and measures, on TinyDB and on PostgreSQL.

    python benchmarks/scale.py --home DIR --runs 10000 [--build-only] [--rounds 9] [--pg]

Builds in DIR (once; reused when it already holds the runs) N completed runs of rkt-ii one after another
from January 2024 (each takes about a day: 10,000 reach into 2052), through sopcli's own code paths
(Runs.start / Runs.done, one attached file per run). Then, each command a fresh process, medians of interleaved rounds:
- `sop done`, `sop note`, `sop status` on the big store against an empty one (budget 1.15x);
- `sop runs` (the table), `sop runs --format json`, `sop stats rkt-ii` and `sop monitor rkt-ii --period
  2025-H2` over the big store against one `sop note` (budget 2x).
With --pg it starts a throwaway PostgreSQL cluster (tests/pgcluster.py), copies the store in with
`sop store migrate --to`, and measures the same there, plus `sop note`/`sop done` on PostgreSQL over a unix
socket against the same command on TinyDB (budget 1.3x).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from timing import ensure_bytecode, interleaved, sop_cmd, wall  # noqa: E402

from sopcli import loader  # noqa: E402
from sopcli.env import Environment  # noqa: E402
from sopcli.runs import Runs  # noqa: E402

STEP_MINUTES = [(1, 12), (2, 55), (3, 130), (4, 1300), (5, 50), (6, 25)]


def build(home: Path, count: int) -> None:
    have = len(list((home / "runs").glob("*.json"))) if (home / "runs").exists() else 0
    if have >= count:
        print(f"{home} already holds {have} runs")
        return
    sop = loader.find("rkt-ii", loader.search_dirs(None, Path.cwd()), Path.cwd())
    clock = [datetime.fromisoformat("2024-01-08T08:00:00+07:00") + timedelta(hours=2 * have)]
    env = Environment(home=home, user="bench", cwd=Path.cwd(), now=lambda: clock[0])
    runs = Runs(env)
    evidence = Path(tempfile.mkdtemp()) / "telaah.docx"
    started = time.perf_counter()
    for i in range(have, count):
        clock[0] += timedelta(hours=2)  # one run after another, each about a day: 10,000 span 2024-2052
        state = runs.start(sop, title=f"RKT {i}", assignments={}, at=None)
        for step, minutes in STEP_MINUTES:
            clock[0] += timedelta(minutes=minutes + (i * 7 + step * 13) % 40)
            evidence.write_text(f"telaah run {i}\n")
            runs.done(state.id, step, outcome="sesuai" if step == 6 else None, outputs=[evidence] if step == 3 else [])
        if (i + 1) % 500 == 0:
            rate = (i + 1 - have) / (time.perf_counter() - started)
            print(f"  {i + 1} runs built ({rate:.0f} runs/s)", flush=True)


def one_run_commands(big: dict[str, str], small: dict[str, str], rounds: int) -> dict[str, float]:
    def done(env: dict[str, str]) -> float:
        spent = wall(sop_cmd("done", "1"), env)
        wall(sop_cmd("undo"), env)
        return spent

    return interleaved(
        {
            "sop done": (lambda: done(big), lambda: done(small)),
            "sop note": (lambda: wall(sop_cmd("note", "1", "x"), big), lambda: wall(sop_cmd("note", "1", "x"), small)),
            "sop status": (lambda: wall(sop_cmd("status"), big), lambda: wall(sop_cmd("status"), small)),
        },
        rounds,
    )


def whole_store_commands(big: dict[str, str], rounds: int) -> dict[str, float]:
    def note() -> float:
        return wall(sop_cmd("note", "1", "x"), big)

    return interleaved(
        {
            "sop runs (table)": (lambda: wall(sop_cmd("runs"), big), note),
            "sop runs --format json": (lambda: wall(sop_cmd("runs", "--format", "json"), big), note),
            "sop stats rkt-ii": (lambda: wall(sop_cmd("stats", "rkt-ii"), big), note),
            "sop monitor rkt-ii --period 2025-H2": (
                lambda: wall(sop_cmd("monitor", "rkt-ii", "--period", "2025-H2"), big),
                note,
            ),
        },
        rounds,
    )


def report(title: str, ratios: dict[str, float], budget: float) -> None:
    print(title)
    for name, ratio in ratios.items():
        verdict = "within" if ratio <= budget else "OVER"
        print(f"  {name:<38} {ratio:5.2f}x  ({verdict} budget {budget}x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--pg", action="store_true", help="also measure a PostgreSQL team store")
    args = parser.parse_args()
    ensure_bytecode()
    build(args.home, args.runs)
    if args.build_only:
        return
    base = {"SOP_USER": "bench", "NO_COLOR": "1", "COLUMNS": "100", "SOP_NOW": "2026-11-23T10:00:00+07:00"}
    with tempfile.TemporaryDirectory() as empty:
        big = {**base, "SOP_HOME": str(args.home)}
        small = {**base, "SOP_HOME": empty}
        for env in (big, small):
            wall(sop_cmd("start", "rkt-ii", "-q"), env)
        report(
            f"TinyDB: one-run commands on {args.runs} runs vs an empty store",
            one_run_commands(big, small, args.rounds),
            1.15,
        )
        report(
            f"TinyDB: over {args.runs} runs vs one `sop note`", whole_store_commands(big, max(3, args.rounds // 2)), 2
        )
        if args.pg:
            measure_postgres(args, big, small)


def measure_postgres(args: argparse.Namespace, tiny_big: dict[str, str], tiny_small: dict[str, str]) -> None:
    from tests.pgcluster import Cluster

    with Cluster() as cluster:
        cluster.start()
        for name in ("big", "small"):
            cluster.psql(f"CREATE DATABASE {name} ENCODING 'UTF8'")
            env = {**os.environ, "SOP_STORE": cluster.dsn(name)}
            env.pop("SOP_USER", None)
            subprocess.run(sop_cmd("store", "init"), env=env, check=True, capture_output=True)
        cluster.psql("CREATE ROLE bench LOGIN; GRANT sop_admin TO bench;", dbname="postgres")
        started = time.perf_counter()
        migrate = {**os.environ, "SOP_HOME": tiny_big["SOP_HOME"], "SOP_USER": "bench"}
        subprocess.run(sop_cmd("store", "migrate", "--to", cluster.dsn("big")), env=migrate, check=True)
        print(f"  copied {args.runs} runs into PostgreSQL in {time.perf_counter() - started:.0f} s")
        pg = {key: {**tiny_big, "SOP_STORE": cluster.dsn(key, "bench")} for key in ("big", "small")}
        for env in pg.values():
            env.pop("SOP_USER", None)
            env.pop("SOP_HOME", None)
            wall(sop_cmd("start", "rkt-ii", "-q"), env)

        def done(env: dict[str, str]) -> float:
            spent = wall(sop_cmd("done", "1"), env)
            wall(sop_cmd("undo"), env)
            return spent

        report(
            "PostgreSQL (unix socket) vs TinyDB, the same command on an empty store",
            interleaved(
                {
                    "sop note": (
                        lambda: wall(sop_cmd("note", "1", "x"), pg["small"]),
                        lambda: wall(sop_cmd("note", "1", "x"), tiny_small),
                    ),
                    "sop done": (lambda: done(pg["small"]), lambda: done(tiny_small)),
                },
                args.rounds,
            ),
            1.3,
        )
        report(
            f"PostgreSQL: one-run commands on {args.runs} runs vs an empty database",
            one_run_commands(pg["big"], pg["small"], args.rounds),
            1.15,
        )
        report(
            f"PostgreSQL: over {args.runs} runs vs one `sop note`",
            whole_store_commands(pg["big"], max(3, args.rounds // 2)),
            2,
        )


if __name__ == "__main__":
    main()
