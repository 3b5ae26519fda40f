"""From raw records to a write plan: validate every record, resolve every reference.

All problems of a load are collected and reported together; a plan with problems is never
written. Names and aliases resolve case- and punctuation-insensitively.

Planning streams: records are read in passes over the files and never held together. The
nodes pass validates node records, indexes their ids and names (compactly) and spools their
rows; the facts pass first gathers what the facts refer to beyond the input's own ids and asks
the graph about those only (index seeks), then validates, resolves and spools every fact.
Duplicate facts are found through a set of hashes; their first occurrence is looked up again
only when there is one.
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import ValidationError

from kb.decisions import Decisions
from kb.load.entities import OnAmbiguous, Resolver, contributor
from kb.load.index import CHUNK, Entity, EntityIndex, Graph, MemoryGraph
from kb.load.spool import Spool
from kb.schema import (
    NODE_BY_KIND,
    RELATION_BY_KIND,
    NodeRecord,
    RelationRecord,
    SourceRecord,
    identifier_list,
    normalise_name,
    relation_key,
)
from loaders.records import RawRecord, brief

RELATION_FIELDS_IN_KEY = {"subject", "object", "source"}
REFERENCE_FIELDS = ("subject", "object", "source", "category", "destination")
SOURCE = frozenset({"Source"})
OTHER_REFERENCES = (("category", frozenset({"Category"})), ("destination", frozenset({"Country"})))
SUGGESTIONS = 20  # unknown references that get "did you mean" (each compares every name)

Part = Literal["nodes", "relations"]
Records = Callable[[Part], Iterable[RawRecord]]  # a fresh pass over the input's records

__all__ = ["Entity", "EntityIndex", "Plan", "Planner", "build_plan"]


class Hashes:
    """A set of 64-bit hashes in one flat table (open addressing): 8-16 bytes a hash, where a
    Python set of ints takes about 76 (76 MB for the 10^6 facts of a large load)."""

    def __init__(self) -> None:
        self.table = array("q", bytes(8 * 4096))
        self.mask = 4095
        self.count = 0

    def add(self, value: int) -> bool:
        """Add ``value``; False if it was there already."""
        value = value or 1  # (0 marks an empty slot)
        table, mask = self.table, self.mask
        slot = value & mask
        while True:
            found = table[slot]
            if found == 0:
                table[slot] = value
                self.count += 1
                if self.count * 10 > mask * 7:
                    self._grow()
                return True
            if found == value:
                return False
            slot = (slot + 1) & mask

    def _grow(self) -> None:
        old = self.table
        self.mask = self.mask * 2 + 1
        self.table = array("q", bytes(8 * (self.mask + 1)))
        self.count = 0
        for value in old:
            if value:
                self.add(value)


@dataclass
class Pending:
    """A node row whose id the graph has yet to check (label, and who set it)."""

    raw: RawRecord
    id: str
    label: str
    props: dict[str, Any]


@dataclass
class Plan:
    nodes: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # rows per label
    relations: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # per type
    records: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # per kind
    problems: list[str] = field(default_factory=list)
    claims: int = 0  # records kept beside an entity that another source set (or joined)
    joins: list[str] = field(default_factory=list)  # entity records joined, with score, reason
    kept: list[str] = field(default_factory=list)  # records reusing an id another source set
    review: list[dict[str, Any]] = field(default_factory=list)  # new entities to look at

    @property
    def size(self) -> int:
        return sum(self.nodes.values()) + sum(self.relations.values())


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
                f"(value {brief(value)})"
            )
        else:
            problems.append(f"{raw.origin}: field '{loc}': value {brief(value)}: {item['msg']}")
    return problems


def node_props(record: NodeRecord | SourceRecord, set_by: str | None) -> dict[str, Any]:
    """The properties a node record writes: its fields, its name keys, who set them."""
    props = record.model_dump(exclude={"id"})
    if isinstance(record, SourceRecord) and not props.get("name"):
        props["name"] = record.title
    if "identifiers" in props:
        props["identifiers"] = identifier_list(props["identifiers"]) or None
    names = [props["name"], *props.get("aliases", [])]
    props["norm_name"] = normalise_name(props["name"])
    props["norm_names"] = sorted({norm for norm in map(normalise_name, names) if norm})
    props["set_by"] = set_by
    return props


def _reference(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


class Planner:
    """Builds a :class:`Plan` from passes over raw records, against the graph's entities."""

    def __init__(
        self,
        graph: Graph,
        spool: Spool | None = None,
        *,
        run: str = "",
        decisions: Decisions | None = None,
        on_ambiguous: OnAmbiguous = "review",
    ) -> None:
        self.graph = graph
        self.spool = spool
        self.run = run
        self.plan = Plan()
        self.resolver = Resolver(self, decisions or Decisions({}, set()), on_ambiguous)
        self.index = EntityIndex()  # the input's own entities
        self.redirect: dict[str, str] = {}  # ids of name-resolved records -> existing ids
        self.found_ids: dict[str, Entity] = {}  # graph entities referred to by id
        self.found_names: dict[str, list[Entity]] = {}  # ... and by normalised name
        self.graph_aliases: dict[str, list[Entity]] | None = None  # read only if needed
        self.looked: set[str] = set()  # references and names the graph was asked about
        self.looked_norms: set[str] = set()
        self.suggestions: EntityIndex | None = None
        self.unknown = 0
        self.invalid: dict[str, str] = {}  # ids of node records with problems -> where

    def build(self, records: Records) -> Plan:
        self._nodes(records)
        if self.spool is not None:
            self.spool.flush()
        self._relations(records)
        return self.plan

    def _validate(self, raw: RawRecord, model: type[Any], problems: bool = True) -> Any:
        data = raw.data
        if "resolve_by_name" in data:  # (a flag for the loader, not a field)
            data = {k: v for k, v in data.items() if k != "resolve_by_name"}
        try:
            return model.model_validate(data)
        except ValidationError as error:
            if problems:
                self.plan.problems.extend(_describe_validation(raw, error))
            return None

    # ----------------------------------------------------------------------- nodes

    def _nodes(self, records: Records) -> None:
        pending: list[Pending] = []  # rows waiting for the graph's check of their ids
        duplicates: list[tuple[RawRecord, str]] = []
        for raw in records("nodes"):
            if raw.kind not in NODE_BY_KIND:
                if raw.kind not in RELATION_BY_KIND:
                    self.plan.records[raw.kind] += 1
                    self.plan.problems.append(f"{raw.origin}: unknown kind '{raw.kind}'")
                continue
            self.plan.records[raw.kind] += 1
            resolvable = self.resolver.wants(raw)
            if resolvable:
                raw = self.resolver.with_provisional_id(raw)
            record = self._validate(raw, NODE_BY_KIND[raw.kind].model)
            if record is None:
                id_ = _reference(raw.data.get("id"))
                if id_ is not None and not resolvable:
                    self.invalid.setdefault(id_, raw.origin)
                continue
            if resolvable or record.id in self.resolver.decisions.same:
                self.resolver.defer(raw, record)
                continue
            self.node(raw, record, pending, duplicates)
        self.resolver.resolve_all(pending, duplicates, records)
        self._check_labels(pending)
        if duplicates:
            self._report_duplicate_ids(records, duplicates)
        if self.spool is not None:
            self.spool.flush()  # every node row before any claim on it
        self.resolver.spool_claims()

    def node(
        self,
        raw: RawRecord,
        record: Any,
        pending: list[Pending],
        duplicates: list[tuple[RawRecord, str]],
        review: bool = False,
    ) -> None:
        """A node of the input: indexed now, written once the graph has checked its id."""
        label = NODE_BY_KIND[raw.kind].label
        if record.id in self.index.by_id:
            duplicates.append((raw, record.id))
            return
        props = node_props(record, contributor(raw, record))
        if review:
            props["needs_review"] = True  # (a later load leaves the flag to the decision)
        self.index.add(record.id, label, props["name"], props.get("aliases", ()))
        for identifier in props.get("identifiers") or ():
            self.redirect.setdefault(identifier, record.id)
        pending.append(Pending(raw, record.id, label, props))
        if len(pending) >= 5000:
            self._check_labels(pending)

    def _check_labels(self, pending: list[Pending]) -> None:
        """Ids of another label are problems; ids set by another source become claims."""
        known = self.graph.by_ids(item.id for item in pending)
        for item in pending:
            existing = known.get(item.id)
            if existing is not None and existing.label != item.label:
                self.plan.problems.append(
                    f"{item.raw.origin}: field 'id': {item.id!r} is already a {existing.label} "
                    f"in the graph, not a {item.label}"
                )
                continue
            if existing is not None and existing.set_by not in (None, item.props["set_by"]):
                self.resolver.claim(item.raw, item.id, item.props, 100.0, "same id", existing)
                continue
            if self.spool is not None:
                self.spool.add(
                    "node", item.label, {"id": item.id, "props": item.props, "run": self.run}
                )
            self.plan.nodes[item.label] += 1
        pending.clear()

    def _report_duplicate_ids(
        self, records: Records, duplicates: list[tuple[RawRecord, str]]
    ) -> None:
        wanted = {id_ for _, id_ in duplicates}
        first: dict[str, str] = {}
        for raw in records("nodes"):
            id_ = raw.data.get("id")
            if raw.kind in NODE_BY_KIND and id_ in wanted and id_ not in first:
                first[id_] = raw.origin
        for raw, id_ in duplicates:
            self.plan.problems.append(
                f"{raw.origin}: field 'id': duplicate id {id_!r} (first defined at {first[id_]})"
            )

    # ----------------------------------------------------------------------- references

    def _look_up(self, chunk: list[RawRecord]) -> None:
        """Ask the graph about the references of a chunk of facts that the input cannot answer.

        Ids and names are index seeks; the graph's aliases are streamed once, and only when a
        reference is not an id (the graph is never read whole otherwise).
        """
        texts: set[str] = set()
        by_id, redirect, looked = self.index.by_id, self.redirect, self.looked
        for raw in chunk:
            data = raw.data
            for name in REFERENCE_FIELDS:
                value = data.get(name)
                if value is None or (
                    type(value) is str and value in by_id and value not in redirect
                ):
                    continue  # (most references: an id of the input, as given)
                text = _reference(value)
                if text is not None:
                    text = redirect.get(text, text)
                    if text not in by_id and text not in looked:
                        texts.add(text)
        if not texts:
            return
        self.looked |= texts
        self.found_ids.update(self.graph.by_ids(texts))
        norms = {normalise_name(t) for t in texts if t not in self.found_ids}
        norms -= {""} | self.looked_norms
        if not norms:
            return
        self.looked_norms |= norms
        for norm, entities in self.graph.by_norms(norms).items():
            self.found_names.setdefault(norm, []).extend(entities)
        if self.graph_aliases is None:
            self.graph_aliases = self.graph.aliases()

    def lookup(self, text: str) -> list[Entity]:
        text = self.redirect.get(text, text)
        found = self.index.get(text) or self.found_ids.get(text)
        if found is not None:
            return [found]
        norm = normalise_name(text)
        matches = {e.id: e for e in self.found_names.get(norm, ())}
        matches.update((e.id, e) for e in self.resolver.joined_names.get(norm, ()))
        matches.update((e.id, e) for e in (self.graph_aliases or {}).get(norm, ()))
        matches.update((e.id, e) for e in self.index.named(norm))
        return [matches[i] for i in sorted(matches)]

    def country_ids(self, texts: set[str]) -> dict[str, str]:
        """The country each text names (an id, a name or an alias; of the input or the graph),
        for the texts that name exactly one."""
        asked = {t for t in texts if t not in self.index.by_id}
        by_id = self.graph.by_ids(asked)
        by_name = self.graph.by_norms({normalise_name(t) for t in asked - set(by_id)} - {""})
        found: dict[str, str] = {}
        for text in texts:
            own = self.index.get(text) or by_id.get(text)
            if own is not None:
                entities = [own]
            else:
                norm = normalise_name(text)
                entities = [*self.index.named(norm), *by_name.get(norm, ())]
            countries = {e.id for e in entities if e.label == "Country"}
            if len(countries) == 1:
                found[text] = countries.pop()
        return found

    def _suggest(self, text: str) -> list[str]:
        self.unknown += 1
        if self.unknown > SUGGESTIONS:
            return []
        if self.suggestions is None:
            stored = self.graph.everything()
            self.suggestions = EntityIndex()
            self.suggestions.by_id, self.suggestions.by_name = (
                dict(stored.by_id),
                dict(stored.by_name),
            )
            for id_, (label, name) in self.index.by_id.items():
                self.suggestions.add(id_, label, name)
            for norm, ids in self.index.by_name.items():
                for id_ in (ids,) if isinstance(ids, str) else ids:
                    self.suggestions.add(id_, *self.index.by_id[id_], (norm,))
        return self.suggestions.suggest(text)

    def _resolve(
        self,
        raw: RawRecord,
        field_name: str,
        text: str,
        allowed: frozenset[str],
        problems: bool = True,
    ) -> str | None:
        """The id of the one entity ``text`` names that fits ``allowed`` (else a problem)."""
        if text not in self.redirect:
            known = self.index.by_id.get(text)
            if known is not None and known[0] in allowed:
                return text  # (most references: an id of the input)
        matches = self.lookup(text)
        fitting = [m for m in matches if m.label in allowed]
        if len(fitting) == 1:
            return fitting[0].id
        if not problems:
            return None
        if len(fitting) > 1:
            names = ", ".join(f"{m.name} ({m.label} {m.id})" for m in fitting)
            self.plan.problems.append(
                f"{raw.origin}: field '{field_name}': {brief(text)} is ambiguous: {names}; "
                "use an id"
            )
            return None
        if matches:
            kinds = ", ".join(sorted({m.label for m in matches}))
            self.plan.problems.append(
                f"{raw.origin}: field '{field_name}': {brief(text)} is a {kinds}, but "
                f"{raw.kind} takes {' or '.join(sorted(allowed))} here"
            )
            return None
        if text in self.invalid:
            self.plan.problems.append(
                f"{raw.origin}: field '{field_name}': {brief(text)} is the id of the record at "
                f"{self.invalid[text]}, which has a problem (see there)"
            )
            return None
        hint = self._suggest(text)
        more = f"; did you mean {' or '.join(hint)}?" if hint else ""
        self.plan.problems.append(
            f"{raw.origin}: field '{field_name}': unknown entity {brief(text)}{more}"
        )
        return None

    # ----------------------------------------------------------------------- facts

    def _chunks(self, records: Records) -> Iterator[RawRecord]:
        """The fact records, read a chunk ahead, so that the graph is asked once a chunk."""
        chunk: list[RawRecord] = []
        for raw in records("relations"):
            if raw.kind in RELATION_BY_KIND:
                chunk.append(raw)
            if len(chunk) >= CHUNK:
                self._look_up(chunk)
                yield from chunk
                chunk = []
        self._look_up(chunk)
        yield from chunk

    def _facts(
        self, records: Records, problems: bool
    ) -> Iterator[tuple[RawRecord, tuple[str, ...], dict[str, Any]]]:
        """Each valid, resolved fact: its raw record, identity and row."""
        by_id, redirect, counts = self.index.by_id, self.redirect, self.plan.records
        for raw in self._chunks(records):
            if problems:
                counts[raw.kind] += 1
            rel_type = RELATION_BY_KIND[raw.kind]
            record: RelationRecord | None = self._validate(raw, rel_type.model, problems)
            if record is None:
                continue
            fields = record.__dict__
            # (inline, the case of nearly every fact: both parties and the source are ids of
            # the input's own entities, of the kinds the fact takes)
            subject, obj, source = fields["subject"], fields["object"], fields["source"]
            known = by_id.get(subject)
            if known is None or known[0] not in rel_type.subjects or subject in redirect:
                subject = self._resolve(raw, "subject", subject, rel_type.subjects, problems)
            known = by_id.get(obj)
            if known is None or known[0] not in rel_type.objects or obj in redirect:
                obj = self._resolve(raw, "object", obj, rel_type.objects, problems)
            known = by_id.get(source)
            if known is None or known[0] != "Source" or source in redirect:
                source = self._resolve(raw, "source", source, SOURCE, problems)
            for name, allowed in OTHER_REFERENCES:
                value = fields.get(name)
                if value is not None:
                    self._resolve(raw, name, value, allowed, problems)
            if subject is None or obj is None or source is None:
                continue
            if subject == obj and record.subject != record.object:
                continue  # two parties that resolution found to be one: no fact
            key = relation_key(record)
            identity = (subject, rel_type.type, obj, source, key)
            row = {
                "subject": subject,
                "object": obj,
                "source": source,
                "key": key,
                "props": _fact_props(record),
                "run": self.run,
            }
            yield raw, identity, row

    def _relations(self, records: Records) -> None:
        seen = Hashes()
        suspects: list[tuple[RawRecord, tuple[str, ...], dict[str, Any]]] = []
        for raw, identity, row in self._facts(records, problems=True):
            if not seen.add(hash(identity)):
                suspects.append((raw, identity, row))
                continue
            self._keep(identity[1], row)
        if suspects:
            self._report_duplicate_facts(records, suspects)

    def _keep(self, rel_type: str, row: dict[str, Any]) -> None:
        if self.spool is not None:
            self.spool.add("relation", rel_type, row)
        self.plan.relations[rel_type] += 1

    def _report_duplicate_facts(
        self, records: Records, suspects: list[tuple[RawRecord, tuple[str, ...], dict[str, Any]]]
    ) -> None:
        wanted = {identity for _, identity, _ in suspects}
        first: dict[tuple[str, ...], tuple[str, tuple[Any, Any]]] = {}
        for raw, identity, _ in self._facts(records, problems=False):
            if identity in wanted and identity not in first:
                first[identity] = (raw.origin, _parties(raw))
        for raw, identity, row in suspects:
            origin, parties = first[identity]
            if origin == raw.origin:  # only a hash collision: not a duplicate
                self._keep(identity[1], row)
                continue
            if parties != _parties(raw):
                # facts that name their parties differently (two spellings of a company in an
                # outside list) and that resolution found to be one fact: kept once
                continue
            subject, rel_type, obj, source, key = identity
            self.plan.problems.append(
                f"{raw.origin}: duplicate fact {subject} {rel_type} {obj} "
                f"(source {source}{', ' + key if key else ''}; first at {first[identity]})"
            )


def _fact_props(record: RelationRecord) -> dict[str, Any]:
    """``record.model_dump(exclude=RELATION_FIELDS_IN_KEY)``, faster: a fact's fields are
    plain values (no nested models, no computed fields)."""
    props = dict(record.__dict__)
    for name in RELATION_FIELDS_IN_KEY:
        del props[name]
    return props


def _parties(raw: RawRecord) -> tuple[Any, Any]:
    return raw.data.get("subject"), raw.data.get("object")


def in_memory(raws: Iterable[RawRecord]) -> Records:
    """Passes over records already in memory (small inputs: the seed check)."""
    items = list(raws)

    def records(part: Part) -> Iterable[RawRecord]:
        return items

    return records


def build_plan(
    raws: Iterable[RawRecord], existing: EntityIndex, spool: Spool | None = None
) -> Plan:
    return Planner(MemoryGraph(existing), spool).build(in_memory(raws))
