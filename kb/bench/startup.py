"""How long `kb --help` and `kb query list` take to answer: each run in a fresh interpreter,
as a user's shell starts it. Wall time is what the user waits; CPU time (user + system) is
what the command itself costs, and varies less on a busy machine."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass

COMMANDS = (("--help",), ("query", "list"))


@dataclass(frozen=True)
class Startup:
    command: str
    wall_min: float
    wall_median: float
    cpu_median: float


def measure(args: tuple[str, ...], runs: int) -> Startup:
    walls: list[float] = []
    cpus: list[float] = []
    command = [sys.executable, "-m", "kb.cli", *args]
    subprocess.run(command, capture_output=True, check=True)  # warm the disk cache and the
    for _ in range(runs):  # library's description cache
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return Startup(
        "kb " + " ".join(args), min(walls), statistics.median(walls), statistics.median(cpus)
    )


def startup(runs: int = 20) -> list[Startup]:
    return [measure(args, runs) for args in COMMANDS]


def load_average() -> float:
    return os.getloadavg()[0]
