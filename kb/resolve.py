"""Entity names to ids: what lets a user write ``CATL`` or ``china`` where a query wants an id.

Order of trust: the exact id; then the normalised name (``schema.normalise_name``); then an
alias or the id in another case; for statistics, also their series id (the latest statistic of
the series answers). Candidates of the wrong label do not count. An unknown entity is a
:class:`~kb.errors.QueryError` with "did you mean" suggestions over names and aliases; a name
that fits several entities lists them.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import neo4j

from kb import db
from kb.errors import QueryError
from kb.schema import normalise_name
from kb.statements import statement


@dataclass(frozen=True)
class Entity:
    id: str
    name: str
    label: str

    def describe(self) -> str:
        return f"{self.name} ({self.label}, id {self.id})"


def _entity(row: dict[str, Any]) -> Entity:
    labels = row["labels"] or ["Entity"]
    return Entity(id=row["id"], name=row["name"] or row["id"], label=labels[0])


def resolve(
    driver: neo4j.Driver,
    database: str | None,
    value: str,
    labels: Sequence[str] = (),
    *,
    param: str = "entity",
    query: str | None = None,
) -> Entity:
    """The one entity ``value`` names (id, name or alias), of one of ``labels`` if given."""
    where = f"parameter '{param}'" + (f" of query '{query}'" if query else "")
    wanted = _either(labels)
    norm = normalise_name(value)
    params = {"value": value, "norm": norm}

    def fits(row: dict[str, Any]) -> bool:
        return not labels or any(label in labels for label in row["labels"])

    # the index seeks first (id, normalised name, statistic series); the scan of aliases only
    # when they find nothing
    rows = _read(driver, database, "resolve/by_key", params)
    matching = [row for row in rows if fits(row)]
    if not matching:
        rows += _read(driver, database, "resolve/by_alias", params)
        matching = [row for row in rows if fits(row)]
    if not matching:
        if rows:
            found = "; ".join(sorted({_entity(row).describe() for row in rows}))
            raise QueryError(f"'{value}' names {found}, but {where} takes a {wanted}.")
        raise QueryError(
            f"No {wanted} called '{value}' ({where})."
            + _did_you_mean(driver, database, value, labels)
        )
    best = min(row["rank"] for row in matching)
    top = [row for row in matching if row["rank"] == best]
    if len(top) > 1 and all(row["by_series"] for row in top):
        # A series id names the whole series: its latest statistic stands for it.
        top = [max(top, key=lambda row: (row["year"] or 0, row["id"]))]
    if len(top) > 1 and sum("Source" not in row["labels"] for row in top) == 1:
        # A source titled like the company it describes does not compete with the company.
        top = [row for row in top if "Source" not in row["labels"]]
    if len(top) > 1:
        listed = "; ".join(_entity(row).describe() for row in sorted(top, key=lambda r: r["id"]))
        raise QueryError(
            f"'{value}' is ambiguous for {where}: it names {listed}. Give the id instead."
        )
    return _entity(top[0])


def _read(
    driver: neo4j.Driver, database: str | None, name: str, params: dict[str, Any]
) -> list[dict[str, Any]]:
    """Rows of one of the fixed statements of ``cypher/resolve/``."""
    return db.run(driver, database, statement(name), params, shipped=True, name="resolve")


def _did_you_mean(
    driver: neo4j.Driver, database: str | None, value: str, labels: Sequence[str]
) -> str:
    rows = _read(driver, database, "resolve/all_names", {"labels": list(labels)})
    keys: dict[str, list[Entity]] = {}
    for row in rows:
        entity = _entity(row)
        spellings = [row["name"], row["id"], *row["aliases"]]
        if row["series"]:
            spellings.append(row["series"])
        for spelling in spellings:
            if spelling:
                keys.setdefault(normalise_name(str(spelling)), []).append(entity)
    norm = normalise_name(value)
    hits = (
        sorted((k for k in keys if norm in k), key=lambda k: (len(k), k)) if len(norm) >= 3 else []
    )
    hits += [
        k for k in difflib.get_close_matches(norm, list(keys), n=5, cutoff=0.6) if k not in hits
    ]
    found: list[Entity] = []
    for key in hits:
        for entity in keys[key]:
            if entity not in found:
                found.append(entity)
    if not found:
        return (
            " Names, aliases and ids are accepted; "
            '`kb cypher "MATCH (e:Entity) RETURN e.id, e.name"` lists them.'
        )
    return " Did you mean: " + "; ".join(e.describe() for e in found[:5]) + "?"


def _either(labels: Sequence[str]) -> str:
    if not labels:
        return "entity"
    if len(labels) == 1:
        return labels[0]
    return ", ".join(labels[:-1]) + " or " + labels[-1]
