"""The one reader of the package's Cypher: every statement it sends lives in ``cypher/``.

``cypher/*.cypher`` is the query library (one named query a file, parsed by
:mod:`kb.library`); each subfolder holds the package's own fixed statements, named by their
path without the suffix: ``statement("load/upsert_nodes")`` is
``cypher/load/upsert_nodes.cypher``. The folders:

- ``load/``: the loader, export, fingerprint and reset
- ``resolve/``: entity names to ids (:mod:`kb.resolve`)
- ``viz/``: the picture's subgraph (:mod:`kb.viz`, ``kb browser --graph``)
- ``bench/``: the benchmark (LOAD CSV for comparison, its anchors and environment)
- ``page/``: the runner's wrapper that counts the rows left after a page

``summary/NAME.cypher`` is no statement but part of the library: the summary (counts per
group) of the query ``NAME``, parsed by :mod:`kb.library` as the query files are.

No text is ever built from input; where a statement needs a label or relationship type
written in, its caller substitutes one of the fixed schema (``$($type)``).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from kb.paths import cypher_dir

SUFFIX = ".cypher"
SUMMARY_DIR = "summary"  # library files too: the summary of the query of the same name
_NAME = re.compile(r"^[a-z][a-z0-9_]*/[a-z][a-z0-9_]*$")


def read(path: Path) -> str:
    """The text of one ``.cypher`` file (library query or statement)."""
    return path.read_text(encoding="utf-8")


def library_paths(directory: Path | None = None) -> list[Path]:
    """The query files of a library folder (default: the packaged ``cypher/``), sorted."""
    return sorted((directory or cypher_dir()).glob(f"*{SUFFIX}"))


def statement_path(name: str) -> Path:
    """Where ``statement(name)`` reads from: ``cypher/<folder>/<file>.cypher``."""
    if not _NAME.match(name):
        raise ValueError(f"a statement is named 'folder/file' (e.g. 'load/reset'), not {name!r}")
    return cypher_dir() / f"{name}{SUFFIX}"


@cache
def statement(name: str) -> str:
    """The text of the package statement ``name`` (``"folder/file"``), read once."""
    return read(statement_path(name))


def statements(name: str) -> list[str]:
    """A file of several statements separated by semicolons, without comment lines."""
    body = "\n".join(
        line for line in statement(name).splitlines() if not line.lstrip().startswith("//")
    )
    return [part.strip() for part in body.split(";") if part.strip()]


def statement_names() -> list[str]:
    """Every package statement (the files in the subfolders of ``cypher/``), sorted."""
    root = cypher_dir()
    return sorted(
        path.relative_to(root).with_suffix("").as_posix()
        for path in root.glob(f"*/*{SUFFIX}")
        if path.parent.name != SUMMARY_DIR
    )
