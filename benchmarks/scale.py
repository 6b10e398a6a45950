"""Does a store of many runs slow down the commands that act on one run? Builds one and measures.

    python benchmarks/scale.py --home DIR --runs 10000 [--build-only] [--rounds 9]

Builds in DIR (once; reused when it already holds the runs) N completed runs of rkt-ii through
sopcli's own code paths (Runs.start / Runs.done, each step at a realistic time, one attached file
per run), then times `sop done`, `sop note` and `sop status` against an empty store, interleaved,
and `sop stats rkt-ii` and `sop runs` over the big store against one `sop note`. Prints ratios.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

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
    clock = [datetime.fromisoformat("2024-01-08T08:00:00+07:00")]
    env = Environment(home=home, user="bench", cwd=Path.cwd(), now=lambda: clock[0])
    runs = Runs(env)
    evidence = Path(tempfile.mkdtemp()) / "telaah.docx"
    started = time.perf_counter()
    for i in range(have, count):
        clock[0] += timedelta(hours=1)
        state = runs.start(sop, title=f"RKT {i}", assignments={}, at=None)
        for step, minutes in STEP_MINUTES:
            clock[0] += timedelta(minutes=minutes + (i * 7 + step * 13) % 40)
            evidence.write_text(f"telaah run {i}\n")
            runs.done(state.id, step, outcome="sesuai" if step == 5 else None, outputs=[evidence] if step == 3 else [])
        if (i + 1) % 500 == 0:
            rate = (i + 1 - have) / (time.perf_counter() - started)
            print(f"  {i + 1} runs built ({rate:.0f} runs/s)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--build-only", action="store_true")
    args = parser.parse_args()
    ensure_bytecode()
    build(args.home, args.runs)
    if args.build_only:
        return
    with tempfile.TemporaryDirectory() as empty:
        big_env = {"SOP_HOME": str(args.home), "SOP_USER": "bench", "NO_COLOR": "1", "COLUMNS": "100"}
        small_env = {**big_env, "SOP_HOME": empty}
        for env in (big_env, small_env):
            wall(sop_cmd("start", "rkt-ii", "-q"), env)

        def done(env: dict[str, str]) -> float:
            spent = wall(sop_cmd("done", "1"), env)
            wall(sop_cmd("undo"), env)
            return spent

        print(f"one-run commands on {args.runs} runs vs an empty store (median of {args.rounds}):")
        flat = interleaved(
            {
                "sop done": (lambda: done(big_env), lambda: done(small_env)),
                "sop note": (
                    lambda: wall(sop_cmd("note", "1", "x"), big_env),
                    lambda: wall(sop_cmd("note", "1", "x"), small_env),
                ),
                "sop status": (lambda: wall(sop_cmd("status"), big_env), lambda: wall(sop_cmd("status"), small_env)),
            },
            args.rounds,
        )
        print(f"listing and statistics over {args.runs} runs vs one `sop note`:")
        wide = interleaved(
            {
                "sop stats rkt-ii": (
                    lambda: wall(sop_cmd("stats", "rkt-ii"), big_env),
                    lambda: wall(sop_cmd("note", "1", "x"), big_env),
                ),
                "sop runs": (
                    lambda: wall(sop_cmd("runs", "--format", "json"), big_env),
                    lambda: wall(sop_cmd("note", "1", "x"), big_env),
                ),
            },
            max(3, args.rounds // 3),
        )
    for name, ratio in flat.items():
        print(f"  {name:<10} {ratio:4.2f}x an empty store (budget 1.15x)")
    print(f"  sop stats  {wide['sop stats rkt-ii']:4.2f}x one note (budget 5x)")
    print(f"  sop runs   {wide['sop runs']:4.2f}x one note")


if __name__ == "__main__":
    main()
