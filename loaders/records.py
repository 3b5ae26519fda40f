"""The raw record every parser yields: a kind, its fields, and where it came from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


class ParseError(Exception):
    """A file cannot be read at all (bad syntax, bad encoding, unknown kind)."""

    def __init__(self, path: Path, where: str, message: str) -> None:
        self.path, self.where = path, where
        super().__init__(f"{path}{':' + where if where else ''}: {message}")


@dataclass(frozen=True)
class RawRecord:
    kind: str  # a schema kind: "companies", "relies_on", ...
    data: dict[str, Any]
    path: Path
    where: str  # "line 12" or "record 3"

    @property
    def origin(self) -> str:
        return f"{self.path}:{self.where}"
