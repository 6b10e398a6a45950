"""Wall time of whole commands, measured interleaved so both sides see the same machine."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent


def ensure_bytecode() -> None:
    """Compile sopcli as `pip install` does: Typer in site-packages has its .pyc files, and with
    PYTHONDONTWRITEBYTECODE set an editable sopcli would otherwise be recompiled on every run."""
    import compileall

    import sopcli

    compileall.compile_dir(str(Path(sopcli.__file__).parent), quiet=1)


def sop_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "sopcli", *args]


def wall(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(argv, env={**os.environ, **env}, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {result.stderr.strip()}")
    return elapsed


def interleaved(pairs: dict[str, tuple[Callable[[], float], Callable[[], float]]], rounds: int) -> dict[str, float]:
    """For each name: median(measured) / median(baseline), the two taken alternately round by round."""
    samples: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in pairs}
    for _ in range(rounds):
        for name, (measured, baseline) in pairs.items():
            samples[name][1].append(baseline())
            samples[name][0].append(measured())
    ratios = {}
    for name, (measured_s, baseline_s) in samples.items():
        m, b = statistics.median(measured_s), statistics.median(baseline_s)
        ratios[name] = m / b
        print(f"  {name:<34} {m * 1000:7.1f} ms vs {b * 1000:7.1f} ms  ratio {m / b:5.2f}")
    return ratios
