"""A non-editable install carries the query library, the seed and the server's pom.xml."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel of this checkout, built once for the module."""
    folder = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(folder), str(ROOT)],
        check=True,
        capture_output=True,
    )
    return next(folder.glob("*.whl"))


def test_wheel_ships_cypher_seed_and_pom(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "kb/server/pom.xml",
        "kb/_data/cypher/load/upsert_nodes.cypher",
        "kb/_data/cypher/load/constraints.cypher",
        "kb/_data/cypher/firms-relying-on.cypher",
        "kb/_data/seed/companies.yaml",
        "kb/_data/seed/relies_on.yaml",
        "loaders/opensanctions.py",
        "kb/py.typed",
    }
    assert expected <= names, expected - names
    seeds = {n for n in names if n.startswith("kb/_data/seed/")}
    assert len(seeds) == len(list((ROOT / "seed").glob("*.yaml")))


def test_the_wheel_carries_every_cypher_file_and_its_loader_finds_them(
    wheel: Path, tmp_path: Path
) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    in_source = {
        "kb/_data/cypher/" + p.relative_to(ROOT / "cypher").as_posix()
        for p in (ROOT / "cypher").rglob("*.cypher")
    }
    assert {n for n in names if n.endswith(".cypher")} == in_source
    # unpacked and first on the path, the package reads its statements from kb/_data/cypher
    unpacked = tmp_path / "unpacked"
    zipfile.ZipFile(wheel).extractall(unpacked)
    script = (
        "from kb import statements, library, paths\n"
        "assert paths.cypher_dir().parent.name == '_data', paths.cypher_dir()\n"
        "print(len(statements.statement_names()), len(library.load_library().names))\n"
        "assert statements.statement('resolve/by_key')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env={"PYTHONPATH": str(unpacked), "PATH": "/usr/bin:/bin"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    statements_count = sum(1 for n in in_source if n.count("/") == 4)
    assert done.stdout.split() == [str(statements_count), str(len(in_source) - statements_count)]
