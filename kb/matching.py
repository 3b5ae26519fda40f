"""How two names are compared when an entity comes without an id (or with a foreign one).

The steps, strongest first (the first that finds anything decides):

1. an identifier (``wikidata:Q182477``, ``lei:...``) shared with an entity;
2. the normalised name or an alias (:func:`kb.schema.normalise_name`);
3. the name without its legal form, article and punctuation (``fingerprints``, the
   OpenSanctions library: "NVIDIA Corporation", "Nvidia Corp" and "NVIDIA" share one key);
4. fuzzy candidates (``rapidfuzz``'s edit ratio on those keys), and names of which one is the
   other's first words ("Anduril" / "Anduril Industries"). These are never joined by guess:
   "Bulk firm 1" and "Bulk firm 10" score 96, yet are two firms. They go to review.

Only labels of the same kind ever meet. A name that merely *contains* another is no match:
"Hysol Huawei" is not Huawei (its key does not start with Huawei's, and their ratio is low).
People are never matched by fuzzy names: only by an identifier, or by exactly the same name
together with the same birth date (see :data:`EXACT_ONLY`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from typing import Any

from fingerprints import clean_entity_prefix, clean_name_light, remove_types
from rapidfuzz import fuzz, process

from kb.schema import normalise_name

REVIEW_FUZZY = 85.0  # fuzzy scores from here up are candidates for review
PREFIX_SCORE = 70.0  # "Anduril" and "Anduril Industries": for review
BLOCK_LIMIT = 1000  # a block of more names than this is left out when a smaller one exists
EXACT_ONLY = frozenset({"Person"})  # labels matched only by identifier or exact name + birth


@lru_cache(maxsize=1 << 17)
def legal_key(name: str) -> str:
    """The name without legal forms, a leading article and punctuation, words kept in order.

    "Huawei Technologies Co., Ltd." -> "huawei technologies"; "" when nothing is left.
    """
    cleaned = clean_name_light(clean_entity_prefix(name)) or ""
    return " ".join(remove_types(cleaned).split())


def squeeze(key: str) -> str:
    return key.replace(" ", "")


@dataclass
class Candidate:
    """An entity that a record may be, with a score out of 100 and the reason."""

    id: str
    name: str
    score: float
    reason: str


@dataclass
class Known:
    """An entity that records are matched against: from the graph or from the same load."""

    id: str
    label: str
    name: str
    names: tuple[str, ...]  # name and aliases (and names other sources gave it)
    identifiers: tuple[str, ...] = ()
    birth: str | None = None  # people only
    set_by: str | None = None  # the source that set its values

    @classmethod
    def from_row(cls, r: Mapping[str, Any]) -> Known:
        """One row of ``load/match_candidates``."""
        return cls(
            r["id"],
            r["label"],
            r["name"] or r["id"],
            tuple(dict.fromkeys(n for n in (r["name"], *r["names"]) if n)),
            tuple(sorted(set(r["identifiers"]))),
            r["birth"],
            r["set_by"],
        )


@dataclass
class Match:
    """The outcome for one record: a join (``target``), or new with candidates to review."""

    target: Candidate | None = None
    candidates: list[Candidate] = field(default_factory=list)
    ambiguous: bool = False


def block_keys(key: str) -> tuple[str, ...]:
    """The blocks a name key falls in: fuzzy matching compares a name only with the names that
    share a block with it, not with every name (10^5 names would be 5 * 10^9 pairs).

    A name with numbers meets only names with the same numbers (the only ones fuzzy matching
    may offer: "firm 1" is never "firm 10"); any other name meets those that share one of its
    words, its first three letters or its last three ("cambricon" / "canbricon" share no word).
    When matching, a word with a letter left out counts as a word too ("huaweii" meets
    "huawei"); a block of more than BLOCK_LIMIT names is left out when a smaller one exists. A
    name whose every word is misspelt inside, or that shares only words most names have, meets
    no one: the price of not comparing every pair.
    """
    numbers = _digits(key)
    if numbers:
        return ("#" + " ".join(numbers),)
    squeezed = squeeze(key)
    return (*dict.fromkeys(key.split()), "^" + squeezed[:3], "$" + squeezed[-3:])


class Matcher:
    """Entities of one load's world (the graph's and the load's own), indexed by every key.

    Fuzzy candidates come from blocks (:func:`block_keys`); ``blocking=False`` compares each
    name with every name of its label (the reference that blocking is tested against).
    """

    def __init__(self, blocking: bool = True) -> None:
        self.blocking = blocking
        self.compared = 0  # names that fuzzy matching compared (to see blocking work)
        self.known: dict[str, Known] = {}
        self.by_identifier: dict[str, set[str]] = {}
        self.by_norm: dict[str, set[str]] = {}
        self.by_key: dict[str, set[str]] = {}
        self.by_prefix: dict[str, set[str]] = {}  # proper word prefixes of keys -> ids
        self.keys: dict[str, list[str]] = {}  # label -> the keys (spaced) of its entities
        self.key_ids: dict[str, dict[str, set[str]]] = {}  # label -> key -> ids
        self.position: dict[str, dict[str, int]] = {}  # label -> key -> its place in keys
        self.blocks: dict[str, dict[str, list[str]]] = {}  # label -> block -> keys

    def add(self, entity: Known) -> None:
        if entity.id in self.known:
            old = self.known[entity.id]
            entity = Known(
                old.id,
                old.label,
                old.name,
                tuple(dict.fromkeys((*old.names, *entity.names))),
                tuple(dict.fromkeys((*old.identifiers, *entity.identifiers))),
                old.birth or entity.birth,
                old.set_by or entity.set_by,
            )
        self.known[entity.id] = entity
        for identifier in entity.identifiers:
            self.by_identifier.setdefault(identifier, set()).add(entity.id)
        for text in entity.names:
            norm = normalise_name(text)
            if norm:
                self.by_norm.setdefault(norm, set()).add(entity.id)
            key = legal_key(text)
            if not key:
                continue
            self.by_key.setdefault(squeeze(key), set()).add(entity.id)
            words = key.split()
            for end in range(1, len(words)):
                self.by_prefix.setdefault(" ".join(words[:end]), set()).add(entity.id)
            ids = self.key_ids.setdefault(entity.label, {}).setdefault(key, set())
            if not ids:
                keys = self.keys.setdefault(entity.label, [])
                self.position.setdefault(entity.label, {})[key] = len(keys)
                keys.append(key)
                blocks = self.blocks.setdefault(entity.label, {})
                for block in block_keys(key):
                    blocks.setdefault(block, []).append(key)
            ids.add(entity.id)

    def named(self, label: str, names: list[str]) -> set[str]:
        """Entities of ``label`` with one of these names, aliases or names without legal form."""
        norms = {normalise_name(n) for n in names} - {""}
        keys = {squeeze(legal_key(n)) for n in names} - {""}
        found = {i for n in norms for i in self.by_norm.get(n, ())}
        found |= {i for k in keys for i in self.by_key.get(k, ())}
        return {i for i in found if self.known[i].label == label}

    def _fits(self, ids: Iterable[str], label: str, exclude: set[str]) -> list[Known]:
        return [
            self.known[i] for i in sorted(ids) if i not in exclude and self.known[i].label == label
        ]

    def match(
        self,
        label: str,
        names: list[str],
        identifiers: Iterable[str] = (),
        birth: str | None = None,
        exclude: set[str] | None = None,
    ) -> Match:
        """Which entity of ``label`` a record with these names and identifiers is, if any.

        ``exclude`` holds ids the record must not join (decisions "different", itself).
        """
        exclude = exclude or set()
        found = {i for ident in identifiers for i in self.by_identifier.get(ident, ())}
        hits = self._fits(found, label, exclude)
        if hits:
            return _decide(hits, 100.0, "same identifier")
        norms = {normalise_name(n) for n in names} - {""}
        hits = self._fits({i for n in norms for i in self.by_norm.get(n, ())}, label, exclude)
        if label in EXACT_ONLY:
            hits = [h for h in hits if birth and h.birth == birth]
            return _decide(hits, 100.0, "same name and birth date") if hits else Match()
        if hits:
            return _decide(hits, 100.0, "same name or alias")
        keys = {legal_key(n) for n in names} - {""}
        squeezed = {squeeze(k) for k in keys}
        hits = self._fits({i for k in squeezed for i in self.by_key.get(k, ())}, label, exclude)
        if hits:
            return _decide(hits, 95.0, "same name without legal form and punctuation")
        return self._fuzzy(label, keys, exclude)

    def _fuzzy(self, label: str, keys: set[str], exclude: set[str]) -> Match:
        scores: dict[str, Candidate] = {}

        def offer(entity: Known, score: float, reason: str) -> None:
            best = scores.get(entity.id)
            if best is None or score > best.score:
                scores[entity.id] = Candidate(entity.id, entity.name, round(score, 1), reason)

        ids_of = self.key_ids.get(label, {})
        for key in keys:
            for choice, score in self._similar(label, key):
                if _digits(choice) != _digits(key):
                    continue  # "NVIDIA H100" / "H20", "firm 1" / "firm 10": numbers differ
                for entity in self._fits(ids_of[choice], label, exclude):
                    offer(entity, score, f"similar name ({choice!r})")
            # a known name that begins this one, or that this one begins
            words = key.split()
            for end in range(1, len(words)):
                shorter = " ".join(words[:end])
                for entity in self._fits(ids_of.get(shorter, ()), label, exclude):
                    offer(entity, PREFIX_SCORE, f"one name begins the other ({shorter!r})")
            for entity in self._fits(self.by_prefix.get(key, ()), label, exclude):
                offer(entity, PREFIX_SCORE, f"one name begins the other ({key!r})")
        ranked = sorted(scores.values(), key=lambda c: (-c.score, c.id))
        return Match(candidates=ranked, ambiguous=bool(ranked))

    def _similar(self, label: str, key: str, limit: int = 5) -> list[tuple[str, float]]:
        """The ``limit`` names of ``label`` most like ``key`` (scores from REVIEW_FUZZY up),
        best first, ties in the order the names were added: among the names that share a
        block with ``key`` (a word most names share, "technology", is no block when a smaller
        one exists), or among all names without blocking."""
        if not self.blocking:
            choices = [self.keys.get(label, [])]
        else:
            blocks = self.blocks.get(label, {})
            wanted = {*block_keys(key), *_one_letter_less(key)}
            found = sorted((blocks[b] for b in wanted if b in blocks), key=len)
            choices = [block for block in found if len(block) <= BLOCK_LIMIT] or found[:1]
        if not choices:
            return []
        if len(choices) == 1:
            names = choices[0]
            self.compared += len(names)
            similar = process.extract(
                key, names, scorer=fuzz.ratio, score_cutoff=REVIEW_FUZZY, limit=limit
            )
            return [(choice, score) for choice, score, _ in similar]
        names = list(chain.from_iterable(choices))  # (a name in two blocks is compared twice)
        self.compared += len(names)
        similar = process.extract(
            key, names, scorer=fuzz.ratio, score_cutoff=REVIEW_FUZZY, limit=None
        )
        position = self.position[label]
        best = {choice: score for choice, score, _ in similar}
        return sorted(best.items(), key=lambda item: (-item[1], position[item[0]]))[:limit]


def _one_letter_less(key: str) -> set[str]:
    """The words of ``key`` with one letter left out: a word misspelt by a letter too many
    ("Huaweii") meets its right spelling's block (asked when matching, never indexed)."""
    if _digits(key):
        return set()
    return {w[:i] + w[i + 1 :] for w in key.split() if len(w) >= 4 for i in range(len(w))}


def _digits(text: str) -> list[str]:
    return re.findall(r"\d+", text)


def _decide(hits: list[Known], score: float, reason: str) -> Match:
    candidates = [Candidate(h.id, h.name, score, reason) for h in hits]
    if len(hits) == 1:
        return Match(target=candidates[0], candidates=candidates)
    return Match(candidates=candidates, ambiguous=True)


def similar_pairs(
    entities: list[Known], apart: set[tuple[str, str]] | None = None, *, blocking: bool = True
) -> list[tuple[Known, Known, Candidate]]:
    """Likely duplicates among ``entities`` (a cross-reference), each pair once, best first.

    Each entity meets the others through :meth:`Matcher.match` (its strongest step decides);
    ``apart`` holds the pairs (sorted ids) decided different, left out.
    """
    matcher = Matcher(blocking)
    for entity in entities:
        matcher.add(entity)
    apart = apart or set()
    pairs: dict[tuple[str, str], tuple[Known, Known, Candidate]] = {}
    for entity in entities:
        found = matcher.match(
            entity.label, list(entity.names), entity.identifiers, entity.birth, {entity.id}
        )
        for candidate in found.candidates:
            a, b = sorted((entity.id, candidate.id))
            if (a, b) in apart:
                continue
            if (a, b) not in pairs or pairs[(a, b)][2].score < candidate.score:
                pairs[(a, b)] = (matcher.known[a], matcher.known[b], candidate)
    return sorted(pairs.values(), key=lambda p: (-p[2].score, p[0].id, p[1].id))
