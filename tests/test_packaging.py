"""The built wheel: it carries the query library, the seed, the article and the server's
pom.xml, and once installed into a fresh virtual environment (with its dependencies, as a user
would install it) `kb` works from any folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    yield next(out.glob("*.whl"))


def test_wheel_ships_cypher_seed_and_pom(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "kb/server/pom.xml",
        "kb/_data/cypher/load/upsert_nodes.cypher",
        "kb/_data/cypher/load/constraints.cypher",
        "kb/_data/cypher/firms-relying-on.cypher",
        "kb/_data/seed/companies.yaml",
        "kb/_data/seed/relies_on.yaml",
        "kb/_data/sources/ai-infrastructure-race.txt",
        "kb/_data/resolutions.yaml",
        "loaders/mapping.py",
        "kb/_data/mappings/us-dod-1260h.yaml",
        "kb/_data/mappings/fcc-covered-list.yaml",
        "kb/_data/mappings/ftm.yaml",
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
    # a statement is cypher/<folder>/<file>; cypher/summary/ holds library files (summaries)
    statements_count = sum(
        1 for n in in_source if n.count("/") == 4 and "/cypher/summary/" not in n
    )
    summaries = sum(1 for n in in_source if "/cypher/summary/" in n)
    assert done.stdout.split() == [
        str(statements_count),
        str(len(in_source) - statements_count - summaries),
    ]


def _clean_env() -> dict[str, str]:
    """The user's environment without anything that points back at this checkout."""
    drop = {"PYTHONPATH", "VIRTUAL_ENV", "KB_ARTICLE", "PYTHONHOME"}
    return {k: v for k, v in os.environ.items() if k not in drop}


def test_the_installed_wheel_works_from_the_root_folder(wheel: Path, tmp_path: Path) -> None:
    """A real install (dependencies from the package index, through pip's cache) into a
    fresh venv; then `kb seed check` and `kb query list` run from `/`, far from the checkout."""
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    bin_dir = env_dir / "bin"
    env = _clean_env()
    subprocess.run(
        [
            str(bin_dir / "python"),
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            str(wheel),
        ],
        check=True,
        capture_output=True,
        env=env,
    )
    # the installed package, not this checkout, is what runs
    where = subprocess.run(
        [str(bin_dir / "python"), "-c", "import kb; print(kb.__file__)"],
        cwd="/",
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert where.startswith(str(env_dir)), where

    check = subprocess.run(
        [str(bin_dir / "kb"), "seed", "check"], cwd="/", env=env, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr
    assert "1195 records, 816 facts" in check.stdout
    assert "0 problem(s)" in check.stdout

    listed = subprocess.run(
        [str(bin_dir / "kb"), "query", "list", "--format", "json"],
        cwd="/",
        env=env,
        capture_output=True,
        text=True,
    )
    assert listed.returncode == 0, listed.stderr
    queries = {q["name"]: q for q in json.loads(listed.stdout)}
    assert {"firms-relying-on", "sites-relying-on-supplier", "blast-radius"} <= set(queries)
    assert len(queries) == len(list((ROOT / "cypher").glob("*.cypher")))
    params = {p["name"]: p for p in queries["firms-relying-on"]["params"]}
    assert params["tech"]["type"] == "entity"
