"""Entity-resolution decisions are data: ``resolutions.yaml`` (same / different, who, when, why).

Two files are read, in this order: the repository's ``resolutions.yaml`` (the seed's decisions,
shipped in the package) and the user's own (``KB_RESOLUTIONS``, default
``~/.local/state/ai-infra-kb/resolutions.yaml``), where ``kb resolve same|different`` write and
``kb resolve undo`` takes the last one back. A later decision about the same pair overrides an
earlier one. Every load honours them: a ``same`` pair loads as one entity (the first id is
kept), a ``different`` pair is never joined.
"""

from __future__ import annotations

import getpass
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import yaml

from kb.errors import KBError
from kb.paths import packaged_file, state_home
from kb.settings import resolutions_file

Verdict = Literal["same", "different"]
HEADER = (
    "# Entity-resolution decisions (kb resolve same|different|undo write here).\n"
    "# decision: same | different; entities: two ids (for same, the first is kept).\n"
)


class DecisionError(KBError):
    """A decisions file cannot be read, or a decision makes no sense."""


@dataclass(frozen=True)
class Decision:
    decision: Verdict
    entities: tuple[str, str]
    who: str
    when: str
    why: str = ""
    id: str = ""

    @property
    def pair(self) -> tuple[str, str]:
        a, b = self.entities
        return (a, b) if a <= b else (b, a)

    def as_yaml(self) -> dict[str, Any]:
        data = asdict(self)
        data["entities"] = list(self.entities)
        return data


def user_file() -> Path:
    configured = resolutions_file()
    return Path(configured) if configured else state_home() / "resolutions.yaml"


def repository_file() -> Path:
    return packaged_file("resolutions.yaml")


def read(path: Path) -> list[Decision]:
    """The decisions of one file, in order; a missing file holds none."""
    if not path.is_file():
        return []
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise DecisionError(f"{path}: invalid YAML: {exc}") from None
    items = document.get("decisions") if isinstance(document, dict) else None
    if not isinstance(items, list):
        raise DecisionError(f"{path}: expected a mapping with a list under 'decisions'")
    found: list[Decision] = []
    for number, item in enumerate(items, start=1):
        where = f"{path}: decision {number}"
        if not isinstance(item, dict):
            raise DecisionError(f"{where}: a decision is a mapping, got {item!r}")
        verdict = item.get("decision")
        entities = item.get("entities")
        if verdict not in ("same", "different"):
            raise DecisionError(f"{where}: field 'decision' must be same or different")
        if (
            not isinstance(entities, list)
            or len(entities) != 2
            or not all(isinstance(e, str) and e for e in entities)
            or entities[0] == entities[1]
        ):
            raise DecisionError(f"{where}: field 'entities' must hold two different ids")
        found.append(
            Decision(
                verdict,
                (entities[0], entities[1]),
                str(item.get("who") or ""),
                str(item.get("when") or ""),
                str(item.get("why") or ""),
                str(item.get("id") or f"{path.name}-{number}"),
            )
        )
    return found


def write(path: Path, decisions: list[Decision]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = yaml.safe_dump(
        {"decisions": [d.as_yaml() for d in decisions]}, sort_keys=False, allow_unicode=True
    )
    path.write_text(HEADER + body, encoding="utf-8")


def new(verdict: Verdict, a: str, b: str, why: str = "", who: str | None = None) -> Decision:
    if a == b:
        raise DecisionError(f"'{a}' is one entity: a decision takes two different ids")
    return Decision(
        verdict,
        (a, b),
        who or getpass.getuser(),
        datetime.now(UTC).isoformat(timespec="seconds"),
        why,
        f"d-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}",
    )


@dataclass
class Decisions:
    """Every decision in force: the repository's, then the user's (the later one wins)."""

    same: dict[str, str]  # merged id -> kept id (followed to the end of a chain)
    different: set[tuple[str, str]]  # sorted pairs

    @classmethod
    def load(cls, paths: list[Path] | None = None) -> Decisions:
        paths = paths if paths is not None else [repository_file(), user_file()]
        verdicts: dict[tuple[str, str], Decision] = {}
        for path in paths:
            for decision in read(path):
                verdicts.pop(decision.pair, None)
                verdicts[decision.pair] = decision
        same: dict[str, str] = {}
        different: set[tuple[str, str]] = set()
        for decision in verdicts.values():
            if decision.decision == "same":
                kept, merged = decision.entities
                same[merged] = kept
            else:
                different.add(decision.pair)
        for merged in list(same):
            seen = {merged}
            kept = same[merged]
            while kept in same and kept not in seen:
                seen.add(kept)
                kept = same[kept]
            same[merged] = kept
        return cls(same, different)

    def apart(self, a: str, b: str) -> bool:
        return (min(a, b), max(a, b)) in self.different
