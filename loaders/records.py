"""The raw record every parser yields: a kind, its fields, and where it came from."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

MAX_DEPTH = 20  # how deeply lists and mappings may nest in an input file or a parameter
BRIEF = 200  # characters of a value quoted in a message


def brief(value: Any, limit: int = BRIEF) -> str:
    """``repr(value)``, cut to ``limit`` characters: messages quote values, never whole ones."""
    text = reprlib_repr(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit} more characters)"


def reprlib_repr(value: Any) -> str:
    # repr of a huge or deeply nested value is itself huge or fails: cut it first.
    if isinstance(value, str) and len(value) > 4 * BRIEF:
        return repr(value[: 4 * BRIEF])
    try:
        return repr(value)
    except RecursionError:
        return f"(a {type(value).__name__} nested too deeply to show)"


def depth(value: Any) -> int:
    """How deeply lists and mappings nest in ``value`` (a scalar: 0), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        if isinstance(item, (dict, list, tuple)):
            deepest = max(deepest, level)
            if level <= MAX_DEPTH:
                stack.extend((child, level + 1) for child in children)
    return deepest


class ParseError(Exception):
    """A file cannot be read at all (bad syntax, bad encoding, unknown kind)."""

    def __init__(self, path: Path, where: str, message: str) -> None:
        self.path, self.where, self.message = path, where, message
        super().__init__(f"{path}{':' + where if where else ''}: {message}")


class RawRecord(NamedTuple):
    """Immutable, and cheap to make (a load makes one or two for every row it reads)."""

    kind: str  # a schema kind: "companies", "relies_on", ...
    data: dict[str, Any]
    path: Path
    where: str  # "line 12" or "record 3"

    @property
    def origin(self) -> str:
        return f"{self.path}:{self.where}"
