"""The loader's own Cypher, read from ``cypher/load/*.cypher`` (never built from input)."""

from __future__ import annotations

from functools import cache

from kb.paths import cypher_dir


@cache
def statement(name: str) -> str:
    """The text of ``cypher/load/<name>.cypher``."""
    return (cypher_dir() / "load" / f"{name}.cypher").read_text(encoding="utf-8")


def statements(name: str) -> list[str]:
    """A file of several statements separated by semicolons, without comment lines."""
    body = "\n".join(
        line for line in statement(name).splitlines() if not line.lstrip().startswith("//")
    )
    return [part.strip() for part in body.split(";") if part.strip()]
