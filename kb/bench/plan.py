"""How fast `kb load` plans: read, validate, resolve and spool every record, writing nothing.

Planning is the half of a load that runs in Python (the server writes meanwhile): reading the
files (from their snapshot), pydantic validation, name and id resolution, duplicate checks,
the spool. It runs here against an empty graph held in memory, in a process of its own, so
that the figures are planning's alone: records per second of wall-clock and of CPU time (the
CPU rate moves less on a shared machine), and the child's peak RSS (``wait4``).

``kb bench plan FOLDER`` plans a folder (``kb bench generate`` makes one);
``kb bench plan --idless N`` plans N company names without ids, some of them spellings of one
another (legal forms, typos), which resolution matches against each other (blocked fuzzy
matching). ``python -m kb.bench.plan FOLDER`` is the child.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

SYLLABLES = [
    "ka",
    "ro",
    "ven",
    "ti",
    "sa",
    "mu",
    "lo",
    "rex",
    "an",
    "tel",
    "nor",
    "vi",
    "da",
    "qu",
    "el",
    "shen",
    "hua",
    "zhi",
    "bo",
    "ter",
    "mi",
    "lan",
    "cor",
    "pa",
    "dex",
    "zen",
    "yu",
    "fa",
    "gor",
    "lin",
    "sto",
    "mar",
    "bri",
    "kel",
    "tor",
    "wan",
    "xi",
    "ne",
    "ra",
    "ju",
    "po",
    "li",
    "te",
]
SECTORS = [
    "Systems",
    "Electric",
    "Semiconductor",
    "Networks",
    "Materials",
    "Optics",
    "Power",
    "Robotics",
    "Cloud",
    "Software",
    "Microelectronics",
    "Photonics",
    "Instruments",
    "Energy",
    "Aerospace",
    "Logistics",
    "Telecom",
    "Devices",
]
FORMS = ("Co., Ltd.", "Corporation", "Inc.", "Group", "Holdings", "Limited", "GmbH", "LLC")


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def _typo(rng: random.Random, name: str) -> str:
    """One letter of the first word doubled: a misspelling that fuzzy matching finds."""
    at = rng.randint(1, max(1, name.find(" ") - 1))
    return name[:at] + name[at] + name[at:]


def idless_names(count: int, seed: int = 1) -> list[str]:
    """``count`` company names; about 1 in 10 is another spelling of an earlier one."""
    rng = random.Random(seed)
    names: list[str] = []
    bases: list[str] = []
    while len(names) < count:
        if bases and rng.random() < 0.1:
            base = rng.choice(bases)
            variant = _typo(rng, base) if rng.random() < 0.3 else base
            names.append(f"{variant} {rng.choice(FORMS)}")
            continue
        base = " ".join(_word(rng) for _ in range(rng.randint(1, 2)))
        base += f" {rng.choice(SECTORS)}"
        bases.append(base)
        names.append(f"{base} {rng.choice(FORMS)}")
    return names


def write_idless(folder: Path, count: int, seed: int = 1) -> Path:
    """A ``companies.csv`` of names only (no ids) and the source it cites."""
    import csv

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sources.csv").write_text("id,title\nbench-names,Generated names\n")
    path = folder / "companies.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["name", "source"])
        for name in idless_names(count, seed):
            out.writerow([name, "bench-names"])
    return path


def plan_folder(folder: Path) -> dict[str, Any]:
    """Plan the folder's files (this process): counts, wall and CPU seconds."""
    from kb.decisions import Decisions
    from kb.load.index import EntityIndex, MemoryGraph
    from kb.load.plan import Planner
    from kb.load.runner import FileRecords, Snapshot
    from kb.load.spool import Spool
    from loaders.files import find_files

    files = find_files([folder])
    wall, cpu = time.perf_counter(), time.process_time()
    with Spool(2000) as spool, Snapshot(files) as snapshot:
        source = FileRecords(files, snapshot)
        planner = Planner(
            MemoryGraph(EntityIndex()), spool, run="bench", decisions=Decisions({}, set())
        )
        plan = planner.build(source)
        problems = source.file_problems() + plan.problems
    return {
        "records": sum(plan.records.values()),
        "seconds": time.perf_counter() - wall,
        "cpu_seconds": time.process_time() - cpu,
        "problems": len(problems),
        "joins": len(plan.joins),
        "review": len(plan.review),
    }


def measure(folder: Path) -> dict[str, Any]:
    """:func:`plan_folder` in a child process, with the child's peak RSS (MB)."""
    with open(os.devnull, "wb") as devnull:
        process = subprocess.Popen(
            [sys.executable, "-m", "kb.bench.plan", str(folder)],
            stdout=subprocess.PIPE,
            stderr=devnull,
        )
        assert process.stdout is not None
        out = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"planning {folder} failed (exit {os.waitstatus_to_exitcode(status)})")
    result: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    result["rss_mb"] = usage.ru_maxrss / 1024
    result["per_second"] = result["records"] / result["seconds"]
    result["per_cpu_second"] = result["records"] / result["cpu_seconds"]
    return result


def line(name: str, result: dict[str, Any]) -> str:
    return (
        f"{name}: {result['records']:,} records in {result['seconds']:.1f} s "
        f"({result['per_second']:,.0f}/s; CPU {result['cpu_seconds']:.1f} s, "
        f"{result['per_cpu_second']:,.0f}/s), peak RSS {result['rss_mb']:.0f} MB, "
        f"{result['problems']} problem(s), {result['joins']} join(s), "
        f"{result['review']} to review; load average {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    print(json.dumps(plan_folder(Path(sys.argv[1]))))
