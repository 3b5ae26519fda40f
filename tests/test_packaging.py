"""A non-editable install carries the query library, the seed and the server's pom.xml."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_ships_cypher_seed_and_pom(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "kb/server/pom.xml",
        "kb/_data/cypher/load/upsert_nodes.cypher",
        "kb/_data/cypher/load/constraints.cypher",
        "kb/_data/cypher/firms-relying-on.cypher",
        "kb/_data/seed/companies.yaml",
        "kb/_data/seed/relies_on.yaml",
        "loaders/mapping.py",
        "kb/_data/mappings/us-dod-1260h.yaml",
        "kb/_data/mappings/fcc-covered-list.yaml",
        "kb/_data/mappings/ftm.yaml",
        "kb/py.typed",
    }
    assert expected <= names, expected - names
    seeds = {n for n in names if n.startswith("kb/_data/seed/")}
    assert len(seeds) == len(list((ROOT / "seed").glob("*.yaml")))
