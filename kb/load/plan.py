"""From raw records to a write plan: validate every record, resolve every reference.

All problems of a load are collected and reported together; a plan with problems is never
written. Names and aliases resolve case- and punctuation-insensitively.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from kb.schema import (
    NODE_BY_KIND,
    RELATION_BY_KIND,
    NodeRecord,
    RelationRecord,
    SourceRecord,
    normalise_name,
    relation_key,
)
from loaders.records import RawRecord

RELATION_FIELDS_IN_KEY = {"subject", "object", "source"}


@dataclass(frozen=True)
class Entity:
    id: str
    label: str
    name: str
    aliases: tuple[str, ...] = ()


class EntityIndex:
    """Ids, names and aliases of the entities a load can refer to."""

    def __init__(self, entities: Iterable[Entity] = ()) -> None:
        self.by_id: dict[str, Entity] = {}
        self.by_name: dict[str, set[str]] = defaultdict(set)
        for entity in entities:
            self.add(entity)

    def add(self, entity: Entity) -> None:
        self.by_id[entity.id] = entity
        for text in (entity.name, *entity.aliases):
            key = normalise_name(text)
            if key:
                self.by_name[key].add(entity.id)

    def lookup(self, text: str) -> list[Entity]:
        """Entities whose id is ``text``, else whose normalised name or alias equals it."""
        if text in self.by_id:
            return [self.by_id[text]]
        return [self.by_id[i] for i in sorted(self.by_name.get(normalise_name(text), ()))]

    def suggest(self, text: str, limit: int = 3) -> list[str]:
        key = normalise_name(text)
        names = difflib.get_close_matches(key, list(self.by_name), n=limit, cutoff=0.6)
        found: list[str] = []
        for name in names:
            for entity_id in sorted(self.by_name[name]):
                entity = self.by_id[entity_id]
                label = f"{entity.name} ({entity.id})"
                if label not in found:
                    found.append(label)
        ids = difflib.get_close_matches(text, list(self.by_id), n=limit, cutoff=0.7)
        found.extend(f"{self.by_id[i].name} ({i})" for i in ids if f"{self.by_id[i].name} ({i})"
                     not in found)
        return found[:limit]


@dataclass
class Plan:
    nodes: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    relations: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    records: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    problems: list[str] = field(default_factory=list)

    @property
    def size(self) -> int:
        return sum(map(len, self.nodes.values())) + sum(map(len, self.relations.values()))


def _describe_validation(raw: RawRecord, error: ValidationError) -> list[str]:
    problems = []
    for item in error.errors():
        loc = ".".join(str(part) for part in item["loc"]) or "(record)"
        value = item.get("input")
        if item["type"] == "missing":
            problems.append(f"{raw.origin}: field '{loc}' is missing ({raw.kind} record)")
        elif item["type"] == "extra_forbidden":
            problems.append(
                f"{raw.origin}: field '{loc}' is not a field of {raw.kind} records "
                f"(value {value!r})"
            )
        else:
            problems.append(f"{raw.origin}: field '{loc}': value {value!r}: {item['msg']}")
    return problems


def _node_props(record: NodeRecord | SourceRecord) -> dict[str, Any]:
    props = record.model_dump(exclude={"id"})
    if isinstance(record, SourceRecord) and not props.get("name"):
        props["name"] = record.title
    names = [props["name"], *props.get("aliases", [])]
    props["norm_name"] = normalise_name(props["name"])
    props["norm_names"] = sorted({normalise_name(n) for n in names if normalise_name(n)})
    return props


class Planner:
    """Builds a :class:`Plan` from raw records against the entities already in the graph."""

    def __init__(self, existing: EntityIndex) -> None:
        self.existing = existing
        self.index = EntityIndex(existing.by_id.values())
        self.plan = Plan()
        self.node_origin: dict[str, str] = {}
        self.redirect: dict[str, str] = {}  # ids of name-resolved records -> existing ids

    def build(self, raws: Iterable[RawRecord]) -> Plan:
        relations: list[tuple[RawRecord, RelationRecord]] = []
        for raw in raws:
            self.plan.records[raw.kind] += 1
            if raw.kind in NODE_BY_KIND:
                self._node(raw)
            elif raw.kind in RELATION_BY_KIND:
                record = self._validate(raw, RELATION_BY_KIND[raw.kind].model)
                if record is not None:
                    relations.append((raw, record))
            else:
                self.plan.problems.append(f"{raw.origin}: unknown kind '{raw.kind}'")
        seen: dict[tuple[str, ...], str] = {}
        for raw, record in relations:
            self._relation(raw, record, seen)
        return self.plan

    def _validate(self, raw: RawRecord, model: type[Any]) -> Any:
        data = dict(raw.data)
        data.pop("resolve_by_name", None)
        try:
            return model.model_validate(data)
        except ValidationError as error:
            self.plan.problems.extend(_describe_validation(raw, error))
            return None

    def _node(self, raw: RawRecord) -> None:
        node_type = NODE_BY_KIND[raw.kind]
        record = self._validate(raw, node_type.model)
        if record is None:
            return
        if raw.data.get("resolve_by_name"):
            # A record from an outside list: it joins an existing entity of the same name.
            for text in (record.name if hasattr(record, "name") and record.name else "",
                         *record.aliases):
                matches = [e for e in self.existing.lookup(text) if e.label == node_type.label]
                if len(matches) == 1 and text:
                    self.redirect[record.id] = matches[0].id
                    return
        if record.id in self.node_origin:
            self.plan.problems.append(
                f"{raw.origin}: field 'id': duplicate id {record.id!r} "
                f"(first defined at {self.node_origin[record.id]})"
            )
            return
        known = self.existing.by_id.get(record.id)
        if known is not None and known.label != node_type.label:
            self.plan.problems.append(
                f"{raw.origin}: field 'id': {record.id!r} is already a {known.label} in the "
                f"graph, not a {node_type.label}"
            )
            return
        self.node_origin[record.id] = raw.origin
        props = _node_props(record)
        self.index.add(
            Entity(record.id, node_type.label, props["name"], tuple(props.get("aliases", ())))
        )
        self.plan.nodes[node_type.label].append({"id": record.id, "props": props})

    def _resolve(self, raw: RawRecord, field_name: str, text: str,
                 allowed: frozenset[str]) -> Entity | None:
        text = self.redirect.get(text, text)
        matches = self.index.lookup(text)
        fitting = [m for m in matches if m.label in allowed]
        if len(fitting) == 1:
            return fitting[0]
        if len(fitting) > 1:
            names = ", ".join(f"{m.name} ({m.label} {m.id})" for m in fitting)
            self.plan.problems.append(
                f"{raw.origin}: field '{field_name}': {text!r} is ambiguous: {names}; use an id"
            )
            return None
        if matches:
            kinds = ", ".join(sorted({m.label for m in matches}))
            self.plan.problems.append(
                f"{raw.origin}: field '{field_name}': {text!r} is a {kinds}, but "
                f"{raw.kind} takes {' or '.join(sorted(allowed))} here"
            )
            return None
        hint = self.index.suggest(text)
        more = f"; did you mean {' or '.join(hint)}?" if hint else ""
        self.plan.problems.append(
            f"{raw.origin}: field '{field_name}': unknown entity {text!r}{more}"
        )
        return None

    def _relation(self, raw: RawRecord, record: RelationRecord,
                  seen: dict[tuple[str, ...], str]) -> None:
        rel_type = RELATION_BY_KIND[raw.kind]
        subject = self._resolve(raw, "subject", record.subject, rel_type.subjects)
        obj = self._resolve(raw, "object", record.object, rel_type.objects)
        source = self._resolve(raw, "source", record.source, frozenset({"Source"}))
        for name in ("category", "destination"):
            value = getattr(record, name, None)
            if value is not None:
                label = "Category" if name == "category" else "Country"
                self._resolve(raw, name, value, frozenset({label}))
        if subject is None or obj is None or source is None:
            return
        key = relation_key(record)
        identity = (subject.id, rel_type.type, obj.id, source.id, key)
        if identity in seen:
            self.plan.problems.append(
                f"{raw.origin}: duplicate fact {subject.id} {rel_type.type} {obj.id} "
                f"(source {source.id}{', ' + key if key else ''}; first at {seen[identity]})"
            )
            return
        seen[identity] = raw.origin
        props = record.model_dump(exclude=RELATION_FIELDS_IN_KEY)
        self.plan.relations[rel_type.type].append(
            {"subject": subject.id, "object": obj.id, "source": source.id, "key": key,
             "props": props}
        )


def build_plan(raws: Iterable[RawRecord], existing: EntityIndex) -> Plan:
    return Planner(existing).build(raws)
