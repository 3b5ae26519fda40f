"""Entity records without an id (or with another system's id) find their entity.

A record of an entity kind that gives no ``id`` (or says ``resolve_by_name``) is matched, after
every other node record of the load is known, against the graph and the load itself
(:mod:`kb.matching`): decisions first (``resolutions.yaml``), then identifiers, names and
aliases, names without legal forms, fuzzy names. One clear match joins: the record is kept as a
*claim* beside the entity (its values with its source; the entity's own values never change)
and the join is reported with its score and reason. Several candidates, or only weak ones,
never join: ``fail`` makes them problems, ``new`` creates new entities, ``review`` (the
default) creates them flagged ``needs_review`` and lists their candidates for a review file.

A record with an explicit id that another source set is a claim too: an outside file never
overwrites the seed's values (no silent overwrite).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from normality import slugify

from kb.decisions import Decisions
from kb.load.index import Entity
from kb.matching import Candidate, Known, Matcher
from kb.paths import seed_dir
from kb.schema import (
    NODE_BY_KIND,
    NodeRecord,
    SourceRecord,
    StatementRecord,
    StatisticRecord,
    identifier_list,
)
from loaders.records import RawRecord

if TYPE_CHECKING:
    from kb.load.plan import Pending, Planner, Records

OnAmbiguous = Literal["fail", "new", "review"]
ON_AMBIGUOUS: tuple[OnAmbiguous, ...] = ("fail", "new", "review")

# Kinds whose records may come without an id: every entity but sources, statistics and
# statements (a source's own words, never the same thing as another's by name).
RESOLVABLE = frozenset(
    kind
    for kind, node_type in NODE_BY_KIND.items()
    if issubclass(node_type.model, NodeRecord)
    and not issubclass(node_type.model, (StatisticRecord, StatementRecord))
)


def contributor(raw: RawRecord, record: Any) -> str | None:
    """Who sets a node's values: its ``source``, a source itself, ``seed`` for the seed's own
    records without one; else nobody (a record without a source updates such an entity)."""
    if isinstance(record, SourceRecord):
        return str(record.id)
    source = getattr(record, "source", None)
    if source:
        return str(source)
    return "seed" if _in_seed(raw.path) else None


@lru_cache(maxsize=256)
def _in_seed(path: Path) -> bool:
    """Whether a file lies in the seed folder (asked once a file, not once a record)."""
    return path.resolve().is_relative_to(seed_dir().resolve())


def provisional_id(data: dict[str, Any]) -> str:
    """A stable id from the name (and a person's birth date): the same on every load."""
    name = str(data.get("name") or "").strip()
    parts = [name, str(data.get("birth_date") or "")]
    base = "-".join(p for p in (slugify(part, sep="-") for part in parts) if p)
    if not base:
        base = "entity-" + hashlib.sha1(name.encode()).hexdigest()[:10]
    return base[:180].strip("-")


@dataclass
class Deferred:
    raw: RawRecord
    record: Any
    label: str


class Resolver:
    """The entity records of one load that are matched rather than named by id."""

    def __init__(self, planner: Planner, decisions: Decisions, on_ambiguous: OnAmbiguous) -> None:
        self.planner = planner
        self.decisions = decisions
        self.on_ambiguous = on_ambiguous
        self.deferred: list[Deferred] = []
        self.claims: list[dict[str, Any]] = []
        self.joined_names: dict[str, set[Entity]] = {}  # names of joined records -> entity
        self.homes: dict[str, set[str]] = {}  # subjects of the load's HQ facts -> countries
        self.graph_homes: dict[str, set[str]] = {}  # graph entities -> their HQ countries
        self.apart: dict[str, set[str]] = {}
        for a, b in decisions.different:
            self.apart.setdefault(a, set()).add(b)
            self.apart.setdefault(b, set()).add(a)

    # ------------------------------------------------------------------- collecting

    def wants(self, raw: RawRecord) -> bool:
        if raw.kind not in RESOLVABLE:
            return False
        given = raw.data.get("id")
        absent = given is None or (isinstance(given, str) and not given.strip())
        return absent or bool(raw.data.get("resolve_by_name"))

    def with_provisional_id(self, raw: RawRecord) -> RawRecord:
        given = raw.data.get("id")
        if given is not None and not (isinstance(given, str) and not given.strip()):
            return raw
        return RawRecord(
            raw.kind, {**raw.data, "id": provisional_id(raw.data)}, raw.path, raw.where
        )

    def defer(self, raw: RawRecord, record: Any) -> None:
        self.deferred.append(Deferred(raw, record, NODE_BY_KIND[raw.kind].label))

    # ------------------------------------------------------------------- countries

    def _read_homes(self, records: Records, matcher: Matcher) -> None:
        """The countries the load's HEADQUARTERED_IN facts give (by subject as written, an id
        or a name), and those of the graph's entities that the records may join by name."""
        homes: dict[str, set[str]] = {}
        for raw in records("relations"):
            if raw.kind == "headquartered_in":
                subject, home = raw.data.get("subject"), raw.data.get("object")
                if isinstance(subject, str) and isinstance(home, str) and home.strip():
                    homes.setdefault(subject.strip(), set()).add(home.strip())
        for item in self.deferred:
            nationality = getattr(item.record, "nationality", None)
            if nationality:
                homes.setdefault(item.record.id, set()).add(nationality)
        if not homes:
            return
        country = self.planner.country_ids({t for texts in homes.values() for t in texts})
        for subject, texts in homes.items():
            found = {country[t] for t in texts if t in country}
            if found:
                self.homes[subject] = found
        named: set[str] = set()
        for item in self.deferred:
            if self._home_of(item.record):
                named |= matcher.named(item.label, [item.record.name, *item.record.aliases])
        index = self.planner.index.by_id
        self.graph_homes = self.planner.graph.countries(i for i in named if i not in index)

    def _home_of(self, record: Any) -> set[str]:
        """The countries a record without an id is said to be in (by its id or its name)."""
        return self.homes.get(record.id, set()) | self.homes.get(record.name, set())

    def _elsewhere(self, record: Any, target: Candidate) -> str | None:
        """Why a name match must not join: the record is in a country the entity is not in."""
        if target.reason.startswith(("decision", "same identifier")):
            return None
        ours = self._home_of(record)
        theirs = self.homes.get(target.id) or self.graph_homes.get(target.id, set())
        if ours and theirs and not ours & theirs:
            return f"in {', '.join(sorted(theirs))}, not {', '.join(sorted(ours))}"
        return None

    # ------------------------------------------------------------------- matching

    def _matcher(self) -> Matcher:
        labels = sorted({d.label for d in self.deferred})
        matcher = Matcher()
        for entity in self.planner.graph.candidates(labels):
            matcher.add(entity)
        index = self.planner.index
        names: dict[str, list[str]] = {}
        for norm, ids in index.by_name.items():
            for id_ in (ids,) if isinstance(ids, str) else ids:
                names.setdefault(id_, []).append(norm)
        for id_, (label, name) in index.by_id.items():
            if label in labels:
                matcher.add(Known(id_, label, name, (name, *names.get(id_, ()))))
        return matcher

    def resolve_all(
        self,
        pending: list[Pending],
        duplicates: list[tuple[RawRecord, str]],
        records: Records | None = None,
    ) -> None:
        planner = self.planner
        if self.deferred:
            matcher = self._matcher()
            if records is not None:
                self._read_homes(records, matcher)
            taken = set(planner.graph.by_ids(d.record.id for d in self.deferred))
            for item in self.deferred:
                self._resolve(item, matcher, taken, pending, duplicates)
            self.deferred = []
        for merged, kept in self.decisions.same.items():
            if merged not in planner.index.by_id:
                planner.redirect.setdefault(merged, kept)

    def _resolve(
        self,
        item: Deferred,
        matcher: Matcher,
        taken: set[str],
        pending: list[Pending],
        duplicates: list[tuple[RawRecord, str]],
    ) -> None:
        planner, record, raw = self.planner, item.record, item.raw
        names = [record.name, *record.aliases]
        identifiers = identifier_list(record.identifiers)
        birth = getattr(record, "birth_date", None)
        set_by = contributor(raw, record)
        kept = self.decisions.same.get(record.id)
        if kept is not None and (kept in matcher.known or kept in planner.index.by_id):
            target: Candidate | None = Candidate(kept, kept, 100.0, "decision: same")
            candidates: list[Candidate] = []
            ambiguous = False
        else:
            exclude = set(self.apart.get(record.id, ()))
            found = matcher.match(item.label, names, identifiers, birth, exclude)
            target, candidates, ambiguous = found.target, found.candidates, found.ambiguous
            elsewhere = self._elsewhere(record, target) if target is not None else None
            if target is not None and elsewhere is not None:
                # the same name in another country: perhaps another firm; never joined by guess
                candidates = [
                    Candidate(target.id, target.name, target.score, f"{target.reason}; {elsewhere}")
                ]
                target, ambiguous = None, True
        if target is not None:
            known = matcher.known.get(target.id)
            if (
                known is not None
                and known.set_by == set_by
                and target.id not in planner.index.by_id
            ):
                # its own entity, from an earlier load of the same source: updated as before
                own = record.model_copy(update={"id": target.id})
                planner.node(raw, own, pending, duplicates)
            else:
                props = planner_props(record, set_by)
                self.claim(raw, target.id, props, target.score, target.reason)
            if target.id != record.id:
                planner.redirect[record.id] = target.id
            for identifier in identifiers:
                planner.redirect.setdefault(identifier, target.id)
            return
        if ambiguous and self.on_ambiguous == "fail":
            listed = "; ".join(f"{c.name} ({c.id}, {c.score:g}: {c.reason})" for c in candidates)
            planner.plan.problems.append(
                f"{raw.origin}: {record.name!r} may be {listed}: not joined by guess "
                "(--on-ambiguous fail); decide with `kb resolve same|different`, or load with "
                "--on-ambiguous review"
            )
            return
        new_id = record.id
        number = 1
        while new_id in taken or new_id in planner.index.by_id:
            number += 1
            new_id = f"{record.id}-{number}"
        if new_id != record.id:
            planner.redirect.setdefault(record.id, new_id)
        review = ambiguous and self.on_ambiguous == "review"
        planner.node(raw, record.model_copy(update={"id": new_id}), pending, duplicates, review)
        home = self._home_of(record)
        if home:
            self.homes[new_id] = home
        matcher.add(
            Known(new_id, item.label, record.name, tuple(names), tuple(identifiers), birth, set_by)
        )
        if ambiguous:
            planner.plan.review.append(
                {
                    "record": f"{raw.path.name}:{raw.where}",
                    "name": record.name,
                    "created": new_id,
                    "candidates": [
                        {"id": c.id, "name": c.name, "score": c.score, "reason": c.reason}
                        for c in candidates
                    ],
                }
            )

    # ------------------------------------------------------------------- claims

    def claim(
        self,
        raw: RawRecord,
        entity_id: str,
        props: dict[str, Any],
        score: float,
        reason: str,
        existing: Entity | None = None,
    ) -> None:
        """Keep a record beside an entity: its values with its source, the entity's unchanged."""
        planner = self.planner
        label = NODE_BY_KIND[raw.kind].label
        where = f"{raw.path.name}:{raw.where}"
        values = {k: v for k, v in props.items() if k != "needs_review"}
        values["entity"] = entity_id
        self.claims.append(
            {
                "id": f"{entity_id}|{props['set_by'] or '-'}|{props['norm_name']}",
                "entity": entity_id,
                "props": values,
                "match": {"score": score, "reason": reason, "record": where},
                "run": planner.run,
            }
        )
        planner.plan.claims += 1
        if existing is not None:
            planner.plan.kept.append(
                f"{where}: id {entity_id!r} was set by {existing.set_by}: the values of "
                f"{props['set_by'] or 'this record'} are kept beside it (a claim), the "
                "entity's own stay"
            )
        else:
            planner.plan.joins.append(
                f"{where}: {props['name']!r} -> {entity_id} ({reason}, score {score:g})"
            )
        entity = Entity(entity_id, label, str(props["name"]))
        for norm in props["norm_names"]:
            self.joined_names.setdefault(norm, set()).add(entity)

    def spool_claims(self) -> None:
        if self.planner.spool is not None:
            for row in self.claims:
                self.planner.spool.add("claim", "Claim", row)
        self.claims = []


def planner_props(record: Any, set_by: str | None) -> dict[str, Any]:
    from kb.load.plan import node_props

    return node_props(record, set_by)
