"""Evidence at the physical floor: attaching a large file against the least any tool can do with it.

    python benchmarks/evidence.py [--size-mb 1024] [--rounds 5] [--pg]

Measures `sop done 1 --attach BIG` (a fresh run each time) against `sha256sum BIG && cp BIG COPY && sync`,
interleaved, each a fresh process; budget 1.2x. Then the peak memory (max RSS) of attaching BIG against
attaching a 1 MB file: budget within 10 MB on TinyDB. With --pg, the same attach into a PostgreSQL team
store (a throwaway cluster on a unix socket): peak memory within 30 MB of the 1 MB attach.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from timing import ensure_bytecode, interleaved, sop_cmd, wall  # noqa: E402

PEAK = textwrap.dedent(
    """
    import resource, sys
    from sopcli.cli import main
    sys.argv = ["sop", *sys.argv[1:]]
    try:
        main()
    except SystemExit:
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
        raise
    """
)


def make(path: Path, megabytes: int) -> None:
    block = os.urandom(1 << 20)
    with path.open("wb") as handle:
        for i in range(megabytes):
            handle.write(block[i % 251 :] + block[: i % 251])  # no two megabytes alike


def peak_kb(args: list[str], env: dict[str, str]) -> int:
    argv = [sys.executable, "-c", PEAK, *args]
    done = subprocess.run(argv, env={**os.environ, **env}, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return int(done.stderr.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pg", action="store_true")
    args = parser.parse_args()
    ensure_bytecode()
    with tempfile.TemporaryDirectory(dir=os.environ.get("SOP_BENCH_DIR")) as work:
        folder = Path(work)
        big, small = folder / "besar.bin", folder / "kecil.bin"
        make(big, args.size_mb)
        make(small, 1)
        env = {"SOP_HOME": str(folder / "home"), "SOP_USER": "bench", "SOP_NOW": "2026-11-23T10:00:00+07:00"}

        def attach() -> float:
            wall(sop_cmd("start", "rkt-ii", "-q"), env)
            return wall(sop_cmd("done", "1", "--attach", str(big)), env)

        def floor() -> float:
            copy = folder / "copy.bin"
            spent = wall(["sh", "-c", f"sha256sum '{big}' >/dev/null && cp '{big}' '{copy}' && sync"], {})
            copy.unlink()
            return spent

        print(f"`sop done --attach` of {args.size_mb} MB vs sha256sum + cp + sync (median of {args.rounds}):")
        ratio = interleaved({"attach": (attach, floor)}, args.rounds)["attach"]
        print(f"  {ratio:4.2f}x  ({'within' if ratio <= 1.2 else 'OVER'} budget 1.2x)")
        wall(sop_cmd("start", "rkt-ii", "-q"), env)
        one = peak_kb(["attach", "1", str(small)], env)
        many = peak_kb(["attach", "1", str(big)], env)
        print(
            f"  peak memory: {one / 1024:.1f} MB for 1 MB, {many / 1024:.1f} MB for {args.size_mb} MB "
            f"(+{(many - one) / 1024:.1f} MB; budget 10 MB)"
        )
        if args.pg:
            from tests.pgcluster import Cluster

            with Cluster() as cluster:
                cluster.start()
                cluster.psql("CREATE DATABASE bench ENCODING 'UTF8'")
                pg = {"SOP_STORE": cluster.dsn("bench"), "SOP_NOW": env["SOP_NOW"]}
                for command in (("store", "init"), ("start", "rkt-ii", "-q")):
                    subprocess.run(sop_cmd(*command), env={**os.environ, **pg}, check=True, capture_output=True)
                one = peak_kb(["attach", "1", str(small)], pg)
                many = peak_kb(["attach", "1", str(big)], pg)
                back = peak_kb(["verify"], pg)
                print(
                    f"  PostgreSQL peak memory: {one / 1024:.1f} MB for 1 MB, {many / 1024:.1f} MB for "
                    f"{args.size_mb} MB stored, {back / 1024:.1f} MB reading it back (budget +30 MB)"
                )
    print(f"  (this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")


if __name__ == "__main__":
    main()
