"""Start-up cost of `sop note|done|status|report` against a bare 5-command Typer app.

Budget (issue #5): note, done and status at most 1.3x, report at most 1.6x the bare app.
Run: python benchmarks/startup.py [--rounds 15]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import HERE, ensure_bytecode, interleaved, sop_cmd, wall  # noqa: E402

BUDGET = {"sop note": 1.3, "sop done": 1.3, "sop status": 1.3, "sop report": 1.6}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    ensure_bytecode()
    with tempfile.TemporaryDirectory() as home:
        env = {"SOP_HOME": home, "SOP_USER": "bench", "COLUMNS": "100", "NO_COLOR": "1"}
        wall(sop_cmd("start", "rkt-ii", "-q"), env)
        bare = [sys.executable, str(HERE / "bare_typer.py"), "one", "--name", "x"]

        def done() -> float:
            spent = wall(sop_cmd("done", "1"), env)
            wall(sop_cmd("undo"), env)
            return spent

        pairs = {
            "sop note": (lambda: wall(sop_cmd("note", "1", "catatan"), env), lambda: wall(bare, env)),
            "sop done": (done, lambda: wall(bare, env)),
            "sop status": (lambda: wall(sop_cmd("status"), env), lambda: wall(bare, env)),
            "sop report": (lambda: wall(sop_cmd("report"), env), lambda: wall(bare, env)),
        }
        print(f"start-up, median of {args.rounds} interleaved rounds, against a bare Typer app:")
        ratios = interleaved(pairs, args.rounds)
    for name, ratio in ratios.items():
        verdict = "within" if ratio <= BUDGET[name] else "OVER"
        print(f"  {name:<12} {ratio:4.2f}x  ({verdict} budget {BUDGET[name]}x)")


if __name__ == "__main__":
    main()
