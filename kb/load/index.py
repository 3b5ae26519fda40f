"""What references in a load resolve against: the input's own entities and the graph's.

The input's entities are held compactly in memory (id -> label and name; normalised name ->
ids). The graph is never read whole: a load asks it only for the ids and names it refers to
(index seeks), and reads the aliases of the graph (a stream of the entities that have any)
only when a reference is not an id (a name may also be another entity's alias).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

import neo4j

from kb.matching import Known
from kb.schema import normalise_name
from kb.statements import statement

CHUNK = 5000  # ids or names per lookup query


@dataclass(frozen=True, slots=True)
class Entity:
    id: str
    label: str
    name: str
    aliases: tuple[str, ...] = ()
    set_by: str | None = None  # the source that set its values (None before provenance)


class EntityIndex:
    """Ids, names and aliases of entities, in memory."""

    def __init__(self, entities: Iterable[Entity] = ()) -> None:
        self.by_id: dict[str, tuple[str, str]] = {}
        self.by_name: dict[str, str | tuple[str, ...]] = {}
        for entity in entities:
            self.add(entity.id, entity.label, entity.name, entity.aliases)

    def add(self, id_: str, label: str, name: str, aliases: Iterable[str] = ()) -> None:
        self.by_id[id_] = (label, name)
        for text in (name, *aliases):
            key = normalise_name(text)
            if not key:
                continue
            known = self.by_name.get(key)
            if known is None:
                self.by_name[key] = id_
            elif isinstance(known, str):
                if known != id_:
                    self.by_name[key] = (known, id_)
            elif id_ not in known:
                self.by_name[key] = (*known, id_)

    def get(self, id_: str) -> Entity | None:
        found = self.by_id.get(id_)
        return Entity(id_, *found) if found else None

    def named(self, norm: str) -> list[Entity]:
        ids = self.by_name.get(norm, ())
        return [Entity(i, *self.by_id[i]) for i in sorted((ids,) if isinstance(ids, str) else ids)]

    def lookup(self, text: str) -> list[Entity]:
        """The entity whose id is ``text``, else those whose normalised name or alias equals it."""
        found = self.get(text)
        return [found] if found else self.named(normalise_name(text))

    def suggest(self, text: str, limit: int = 3) -> list[str]:
        key = normalise_name(text)
        found: list[str] = []
        for name in difflib.get_close_matches(key, list(self.by_name), n=limit, cutoff=0.6):
            for entity in self.named(name):
                label = f"{entity.name} ({entity.id})"
                if label not in found:
                    found.append(label)
        for id_ in difflib.get_close_matches(text, list(self.by_id), n=limit, cutoff=0.7):
            label = f"{self.by_id[id_][1]} ({id_})"
            if label not in found:
                found.append(label)
        return found[:limit]


class Graph(Protocol):
    """The entities already stored, asked only about what a load refers to."""

    def by_ids(self, ids: Iterable[str]) -> dict[str, Entity]: ...

    def by_norms(self, norms: set[str]) -> dict[str, list[Entity]]: ...

    def aliases(self) -> dict[str, list[Entity]]: ...

    def everything(self) -> EntityIndex: ...

    def candidates(self, labels: list[str]) -> list[Known]: ...

    def countries(self, ids: Iterable[str]) -> dict[str, set[str]]: ...


class MemoryGraph:
    """A graph given as an index (the seed check's empty graph, tests)."""

    def __init__(self, index: EntityIndex) -> None:
        self.index = index

    def by_ids(self, ids: Iterable[str]) -> dict[str, Entity]:
        return {i: e for i in ids if (e := self.index.get(i)) is not None}

    def by_norms(self, norms: set[str]) -> dict[str, list[Entity]]:
        return {n: found for n in norms if (found := self.index.named(n))}

    def aliases(self) -> dict[str, list[Entity]]:
        return {}  # by_norms answers names and aliases alike

    def everything(self) -> EntityIndex:
        return self.index

    def candidates(self, labels: list[str]) -> list[Known]:
        return [
            Known(id_, label, name, (name,))
            for id_, (label, name) in self.index.by_id.items()
            if label in labels
        ]

    def countries(self, ids: Iterable[str]) -> dict[str, set[str]]:
        return {}  # an index holds no facts


def _chunks(items: Iterable[str]) -> Iterator[list[str]]:
    chunk: list[str] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class Neo4jGraph:
    """The graph behind a driver: index seeks by id and name; aliases streamed on demand."""

    def __init__(self, driver: neo4j.Driver, database: str | None) -> None:
        self.driver, self.database = driver, database

    def _read(self, name: str, **params: object) -> list[neo4j.Record]:
        records, _, _ = self.driver.execute_query(
            statement(name), params, database_=self.database, routing_=neo4j.RoutingControl.READ
        )
        return records

    def by_ids(self, ids: Iterable[str]) -> dict[str, Entity]:
        found: dict[str, Entity] = {}
        for chunk in _chunks(ids):
            for r in self._read("load/entities_by_id", ids=chunk):
                found[r["id"]] = Entity(
                    r["id"], r["label"], r["name"] or r["id"], set_by=r["set_by"]
                )
        return found

    def by_norms(self, norms: set[str]) -> dict[str, list[Entity]]:
        found: dict[str, list[Entity]] = {}
        for chunk in _chunks(sorted(norms)):
            for r in self._read("load/entities_by_name", norms=chunk):
                found.setdefault(r["norm"], []).append(
                    Entity(r["id"], r["label"], r["name"] or r["id"])
                )
        return found

    def aliases(self) -> dict[str, list[Entity]]:
        """Every alias of the graph (streamed): asked once, when a reference is not an id."""
        found: dict[str, list[Entity]] = {}
        with self.driver.session(
            database=self.database, default_access_mode=neo4j.READ_ACCESS
        ) as session:
            for r in session.run(statement("load/entity_aliases")):
                entity = Entity(r["id"], r["label"], r["name"] or r["id"])
                for norm in r["norms"]:
                    found.setdefault(norm, []).append(entity)
        return found

    def everything(self) -> EntityIndex:
        return EntityIndex(
            Entity(r["id"], r["label"], r["name"] or r["id"], tuple(r["aliases"]))
            for r in self._read("load/entity_index")
        )

    def candidates(self, labels: list[str]) -> list[Known]:
        """Every entity of these labels, with every name and identifier (its claims' too):
        read only when a load has records without an id."""
        return [Known.from_row(r) for r in self._read("load/match_candidates", labels=labels)]

    def countries(self, ids: Iterable[str]) -> dict[str, set[str]]:
        """The countries these entities are headquartered in (those that have any)."""
        found: dict[str, set[str]] = {}
        for chunk in _chunks(ids):
            for r in self._read("load/entity_countries", ids=chunk):
                found[r["id"]] = set(r["countries"])
        return found
