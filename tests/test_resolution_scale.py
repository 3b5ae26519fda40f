"""Entity resolution at scale and with countries: fuzzy matching compares a name only with the
names that share a block with it (same decisions as comparing all pairs on the seed and the
shipped lists), and a record that names a country never joins a namesake in another country."""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from kb import KnowledgeBase
from kb.bench.plan import _typo, idless_names
from kb.cli import main
from kb.decisions import user_file
from kb.load.entities import RESOLVABLE
from kb.load.runner import read_records
from kb.matching import Known, Match, Matcher, block_keys, similar_pairs
from kb.paths import datasets_dir, mappings_dir, seed_dir
from kb.schema import NODE_BY_KIND
from loaders.mapping import MappedFile, load_mapping


def _seed_entities() -> list[Known]:
    _, records, problems = read_records([seed_dir()])
    assert not problems
    return [
        Known(r.data["id"], NODE_BY_KIND[r.kind].label, r.data["name"],
              (r.data["name"], *r.data.get("aliases", [])))
        for r in records
        if r.kind in RESOLVABLE
    ]  # fmt: skip


def _listed(mapping: str, data: str) -> list[tuple[str, list[str]]]:
    """The entity records of a shipped list, as (label, names), in the order a load meets them."""
    path = mappings_dir() / f"{mapping}.yaml"
    found = []
    for raw in MappedFile(load_mapping(path), path, datasets_dir() / data).records("nodes"):
        if raw.kind in RESOLVABLE:
            names = [raw.data["name"], *raw.data.get("aliases", [])]
            found.append((NODE_BY_KIND[raw.kind].label, names))
    return found


def _outcome(match: Match) -> tuple[Any, ...]:
    return (match.target, match.candidates, match.ambiguous)


@pytest.mark.parametrize(
    ("mapping", "data"),
    [
        ("us-dod-1260h", "opensanctions-us-dod-1260h.csv"),
        ("fcc-covered-list", "fcc-covered-list.csv"),
    ],
)
def test_blocking_decides_as_all_pairs_on_the_seed_and_the_shipped_lists(
    mapping: str, data: str
) -> None:
    blocked, everyone = Matcher(), Matcher(blocking=False)
    for entity in _seed_entities():
        blocked.add(entity)
        everyone.add(entity)
    records = _listed(mapping, data)
    assert len(records) > 15
    fuzzy = 0
    for number, (label, names) in enumerate(records):
        outcome = _outcome(blocked.match(label, names))
        assert outcome == _outcome(everyone.match(label, names)), names
        fuzzy += any("similar name" in c.reason for c in outcome[1])
        # each record joins the load's world, as a new entity would
        new = Known(f"listed-{number}", label, names[0], tuple(names))
        blocked.add(new)
        everyone.add(new)
    assert fuzzy > 0  # the lists do exercise fuzzy matching
    assert blocked.compared < everyone.compared / 5


def test_blocking_finds_the_same_likely_duplicates_in_the_seed() -> None:
    entities = _seed_entities()
    pairs = similar_pairs(entities)
    assert pairs == similar_pairs(entities, blocking=False)
    assert pairs  # the seed has spellings worth a look (e.g. names that begin others)


def test_blocking_compares_few_names_among_many_and_still_finds_misspellings() -> None:
    names = idless_names(20_000, seed=3)
    matcher = Matcher()
    for number, name in enumerate(names):
        matcher.add(Known(f"c{number}", "Company", name, (name,)))
    rng = random.Random(5)
    sample = range(0, len(names), 100)
    for number in sample:
        misspelt = _typo(rng, names[number])  # "Kavoro Systems Inc." -> "Kavvoro Systems Inc."
        found = matcher.match("Company", [misspelt], exclude={f"c{number}", "x"})
        assert not found.target
        found = matcher.match("Company", [misspelt])
        ids = {c.id for c in found.candidates} | ({found.target.id} if found.target else set())
        assert f"c{number}" in ids, (misspelt, found)
    # on average a name met a few hundred others, not 20,000 (all pairs: 2 * 10^8 in all)
    assert 0 < matcher.compared / len(sample) / 2 < 1_000


def test_names_with_numbers_meet_only_names_with_the_same_numbers() -> None:
    assert block_keys("bulk firm 10") == ("#10",)
    assert block_keys("cambricon") == ("cambricon", "^cam", "$con")
    matcher = Matcher()
    for number, name in enumerate(["Bulk firm 1", "Bulk firm 10", "Canbricon"]):
        matcher.add(Known(f"e{number}", "Company", name, (name,)))
    assert [c.id for c in matcher.match("Company", ["Bulk firms 10"]).candidates] == ["e1"]
    # one letter off and no word in common: the first (or last) three letters bring them together
    assert [c.id for c in matcher.match("Company", ["Cambricon"]).candidates] == ["e2"]


MAPPING = """\
header: [Firm, Home]
static:
  sources: [{id: home-list, title: A list of firms and their homes}]
defaults: {source: home-list, confidence: external, evidence: {column: Firm}}
records:
  firm:
    kind: companies
    keys: [Firm]
    prefix: home-list-
    join_by_name: true
    fields:
      name: {column: Firm}
  home:
    kind: headquartered_in
    fields:
      subject: {record: firm}
      object: {column: Home, country: name}
"""

FIRMS = """\
Firm,Home
"Huawei Technologies Co., Ltd.",China
NVIDIA Corporation,China
Intel Corporation,United States
AMD,
"""


def test_a_name_match_in_another_country_goes_to_review(
    seeded_graph: KnowledgeBase, tmp_path: Path
) -> None:
    user_file().unlink(missing_ok=True)
    (tmp_path / "homes.yaml").write_text(MAPPING, encoding="utf-8")
    (tmp_path / "firms.csv").write_text(FIRMS, encoding="utf-8")
    result = CliRunner().invoke(
        main, ["load", str(tmp_path / "firms.csv"), "--mapping", str(tmp_path / "homes.yaml")]
    )
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    # same country, or no country given: joined as before
    assert "'Huawei Technologies Co., Ltd.' -> huawei" in out
    assert "'Intel Corporation' -> intel" in out
    assert "'AMD' -> amd" in out
    # NVIDIA is in the U.S.; a Chinese NVIDIA Corporation is perhaps another firm: not joined
    assert "'NVIDIA Corporation' -> nvidia" not in out
    assert "1 new entities may be others" in out or "1 new entity may be others" in out
    flagged = seeded_graph.cypher(
        "MATCH (n:Company) WHERE n.needs_review RETURN n.id AS id, n.name AS name"
    )
    assert flagged == [{"id": "home-list-nvidia-corporation", "name": "NVIDIA Corporation"}]
    assert seeded_graph.cypher(
        "MATCH (:Company {id: 'home-list-nvidia-corporation'})-[:HEADQUARTERED_IN]->(c) "
        "RETURN c.id AS id"
    ) == [{"id": "CN"}]
    review_dir = Path(os.environ["KB_REVIEW_DIR"])
    review = yaml.safe_load(max(review_dir.glob("*.yaml"), key=os.path.getmtime).read_text())
    [item] = review["review"]
    assert item["name"] == "NVIDIA Corporation"
    [candidate] = item["candidates"]
    assert candidate["id"] == "nvidia"
    assert candidate["reason"].endswith("; in US, not CN")
