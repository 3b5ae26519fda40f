"""Fuzzing the loaders: random and malformed records in every format.

The outcome is always a clear error (a LoadError listing problems that name the file) or a
correct load, never another exception; after an error the graph is unchanged, and a
successful load loaded twice changes nothing the second time.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb import KnowledgeBase
from kb.errors import LoadError
from kb.fingerprint import fingerprint
from kb.load.plan import EntityIndex, build_plan
from kb.load.runner import existing_entities, load, read_records
from kb.schema import ALL_KINDS, normalise_name

SOAK = os.environ.get("KB_SOAK") == "1"
PLAN_EXAMPLES = 2000 if SOAK else 150
DB_EXAMPLES = 200 if SOAK else 15

FIELDS = [
    "id",
    "name",
    "aliases",
    "kind",
    "subject",
    "object",
    "source",
    "evidence",
    "confidence",
    "as_of",
    "share",
    "year",
    "category",
    "value",
    "unit",
    "series",
    "metric",
    "iso2",
    "title",
    "description",
    "start",
    "end",
    "role",
    "purpose",
]
KNOWN = [
    "catl",
    "CATL",
    "cuda",
    "US",
    "CN",
    "China",
    "lee-2026-ai-infrastructure-race",
    "lithium-ion-batteries",
    "stated",
    "implied",
    "hardware",
    "company",
    "2025",
    "percent",
]

scalars = st.one_of(
    st.sampled_from(KNOWN),
    st.text(max_size=30),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
)
values = st.one_of(scalars, st.lists(scalars, max_size=3))
records = st.dictionaries(
    st.one_of(st.sampled_from(FIELDS), st.text(min_size=1, max_size=8)), values, max_size=8
)
kinds = st.one_of(st.sampled_from(ALL_KINDS), st.sampled_from(["widgets", "x"]))
formats = st.sampled_from(["csv", "json", "jsonl", "yaml"])


def _csv(rows: list[dict[str, Any]]) -> str:
    columns: list[str] = []
    for row in rows:
        columns.extend(str(c) for c in row if str(c) not in columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    return buffer.getvalue()


def serialise(rows: list[dict[str, Any]], fmt: str) -> str:
    if fmt == "csv":
        return _csv(rows)
    if fmt == "json":
        return json.dumps(rows, default=str)
    if fmt == "jsonl":
        return "\n".join(json.dumps(r, default=str) for r in rows)
    return yaml.safe_dump(rows, allow_unicode=True)


def _check_problems(problems: list[str], folder: Path) -> None:
    assert problems
    for problem in problems:
        assert str(folder) in problem, problem  # every problem names its file


def _plan(folder: Path, index: EntityIndex) -> list[str]:
    _, raws, problems = read_records([folder])
    return problems + build_plan(raws, index).problems


@settings(
    max_examples=PLAN_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(kind=kinds, fmt=formats, rows=st.lists(records, min_size=1, max_size=5))
def test_random_records_give_problems_or_a_plan(
    kind: str, fmt: str, rows: list[dict[str, Any]], seed_index: EntityIndex
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / f"{kind}.{fmt}").write_text(serialise(rows, fmt), encoding="utf-8")
        problems = _plan(folder, seed_index)
        if problems:
            _check_problems(problems, folder)


@settings(
    max_examples=PLAN_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(kind=kinds, fmt=formats, data=st.binary(max_size=200))
def test_random_bytes_give_problems_or_a_plan(
    kind: str, fmt: str, data: bytes, seed_index: EntityIndex
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / f"{kind}.{fmt}").write_bytes(data)
        problems = _plan(folder, seed_index)
        if problems:
            _check_problems(problems, folder)


@settings(
    max_examples=DB_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(kind=kinds, fmt=formats, rows=st.lists(records, min_size=1, max_size=4))
def test_random_loads_are_clean_errors_or_idempotent_loads(
    kind: str, fmt: str, rows: list[dict[str, Any]], seeded_graph: KnowledgeBase
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / f"{kind}.{fmt}").write_text(serialise(rows, fmt), encoding="utf-8")
        before = fingerprint(seeded_graph.driver, None)
        try:
            load(seeded_graph.driver, None, [folder])
        except LoadError as error:
            _check_problems(error.problems, folder)
            assert fingerprint(seeded_graph.driver, None) == before
            return
        again = load(seeded_graph.driver, None, [folder])
        assert (again.counts.created, again.counts.changed) == (0, 0)


def test_fuzz_fixture_sanity(seed_index: EntityIndex) -> None:
    """The plan-level fuzzers run against the real seed's entities."""
    assert seed_index.lookup("CATL")[0].id == "catl"


@pytest.fixture
def seed_index(seeded_graph: KnowledgeBase) -> EntityIndex:
    return existing_entities(seeded_graph.driver, None)


names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40
).filter(lambda s: s.strip() != "")


@settings(
    max_examples=DB_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    fmt=formats,
    name=names,
    aliases=st.lists(names, max_size=3),
    share=st.floats(min_value=0, max_value=100),
)
def test_valid_records_with_any_text_load_exactly_and_idempotently(
    fmt: str, name: str, aliases: list[str], share: float, seeded_graph: KnowledgeBase
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        company = {"id": "fuzz-co", "name": name}
        supply = {
            "subject": "fuzz-co",
            "object": "US",
            "category": "lithium-ion-batteries",
            "share": share,
            "year": 2025,
            "source": "lee-2026-ai-infrastructure-race",
            "evidence": name,
            "confidence": "implied",
        }
        if fmt == "csv" and any(";" in a for a in aliases):
            aliases = [a.replace(";", ",") for a in aliases]
        if aliases:
            company["aliases"] = aliases if fmt != "csv" else "; ".join(aliases)
        (folder / f"companies.{fmt}").write_text(serialise([company], fmt), encoding="utf-8")
        (folder / f"supplies.{fmt}").write_text(serialise([supply], fmt), encoding="utf-8")
        try:
            load(seeded_graph.driver, None, [folder])
        except LoadError as error:  # e.g. an alias that names another entity: still clean
            _check_problems(error.problems, folder)
            return
        stored = seeded_graph.cypher(
            "MATCH (c:Company {id: 'fuzz-co'})-[s:SUPPLIES]->(:Country {id: 'US'}) "
            "RETURN c.name AS name, s.evidence AS evidence, s.share AS share"
        )
        assert stored == [{"name": name.strip(), "evidence": name.strip(), "share": share}]
        again = load(seeded_graph.driver, None, [folder])
        assert (again.counts.created, again.counts.changed) == (0, 0)


@given(st.text(max_size=30) | st.text(alphabet=st.characters(max_codepoint=127), max_size=30))
def test_normalised_names_take_the_ascii_shortcut_to_the_same_answer(text: str) -> None:
    decomposed = unicodedata.normalize("NFKD", text)
    walked = "".join(
        ch for ch in decomposed.casefold() if ch.isalnum() and not unicodedata.combining(ch)
    )
    assert normalise_name(text) == walked
