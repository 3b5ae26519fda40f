"""The query library's descriptions, cached, for `kb query list` and `kb query show`.

Reading the library means parsing and validating every ``.cypher`` file, which needs yaml,
pydantic and the schema: about half the start-up of `kb query list`. The descriptions of a
library that validated are kept in ``$XDG_CACHE_HOME/ai-infra-kb/``, under a key made of the
files' contents, the package version and the code that validates them; any change makes a new
key, and a cache that cannot be read or written is simply not used.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from kb import __version__, paths, statements
from kb.api import QueryInfo, QueryParam

log = logging.getLogger(__name__)

# The modules whose code decides what a library file means.
_CODE = ("library.py", "statements.py", "schema.py", "api.py", "catalog.py")


def query_infos(directory: Path | None = None) -> dict[str, QueryInfo]:
    """Every query of the library (default: the packaged one) by name, validated."""
    directory = (directory or paths.cypher_dir()).resolve()
    place = hashlib.sha256(str(directory).encode()).hexdigest()[:12]
    cache = paths.cache_home() / f"library-{place}-{_key(directory)}.json"
    cached = _read(cache)
    if cached is not None:
        return cached
    from kb import library

    lib = library.load_library(directory)
    infos = {name: QueryInfo.of(lib.get(name)) for name in lib.names}
    _write(cache, infos)
    return infos


def _key(directory: Path) -> str:
    digest = hashlib.sha256(f"{__version__}\0{directory}\0".encode())
    package = Path(__file__).resolve().parent
    for name in _CODE:
        stat = (package / name).stat()
        digest.update(f"{name}\0{stat.st_mtime_ns}\0{stat.st_size}\0".encode())
    for path in statements.library_paths(directory):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    for path in statements.library_paths(directory / statements.SUMMARY_DIR):
        digest.update(b"summary/" + path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:32]


def _read(cache: Path) -> dict[str, QueryInfo] | None:
    try:
        data = json.loads(cache.read_text(encoding="utf-8"))
        return {item["name"]: _info(item) for item in data}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _info(item: dict[str, Any]) -> QueryInfo:
    params = tuple(
        QueryParam(**{**p, "labels": tuple(p["labels"]), "choices": tuple(p["choices"])})
        for p in item["params"]
    )
    return QueryInfo(
        **{
            **item,
            "params": params,
            "returns": tuple(item["returns"]),
            "summary_returns": tuple(item.get("summary_returns", ())),
            "path": Path(item["path"]),
            "summary_path": Path(item["summary_path"]) if item.get("summary_path") else None,
        }
    )


def _write(cache: Path, infos: dict[str, QueryInfo]) -> None:
    try:
        text = json.dumps(
            [
                {
                    **asdict(info),
                    "path": str(info.path),
                    "summary_path": str(info.summary_path) if info.summary_path else None,
                }
                for info in infos.values()
            ],
            ensure_ascii=False,
        )
        if _read_text(text) != infos:  # a value JSON cannot keep (a date, say): no cache
            return
        cache.parent.mkdir(parents=True, exist_ok=True)
        place = cache.name.split("-")[1]
        for old in cache.parent.glob(f"library-{place}-*.json"):  # this library's older ones
            old.unlink(missing_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache.parent, prefix=".library-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, cache)
    except (OSError, TypeError, ValueError) as exc:
        log.debug("the query library cache %s was not written: %s", cache, exc)


def _read_text(text: str) -> dict[str, QueryInfo]:
    return {item["name"]: _info(item) for item in json.loads(text)}
