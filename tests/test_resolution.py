"""Entity resolution against the real server: records without an id join the seed's entities
when one match is clear, go to review when not, and decisions (resolutions.yaml) settle them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kb import KnowledgeBase
from kb.cli import main
from kb.decisions import Decisions, user_file
from kb.fingerprint import fingerprint
from kb.matching import Known, Matcher, legal_key


def _write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _companies(kb: KnowledgeBase) -> set[str]:
    return {r["id"] for r in kb.cypher("MATCH (c:Company) RETURN c.id AS id")}


def _invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def no_decisions() -> None:
    user_file().unlink(missing_ok=True)


PLAIN = 'name\nNvidia Corp\n"Huawei Technologies Co., Ltd."\nHysol Huawei\nQuillwort Robotics\n'


def test_plain_companies_csv_joins_the_seed_and_keeps_the_others_apart(
    seeded_graph: KnowledgeBase, tmp_path: Path, no_decisions: None
) -> None:
    before = _companies(seeded_graph)
    nvidia = seeded_graph.cypher("MATCH (n:Company {id: 'nvidia'}) RETURN properties(n) AS p")
    folder = _write(tmp_path / "plain", {"companies.csv": PLAIN})
    code, out, err = _invoke("load", str(folder / "companies.csv"))
    assert code == 0, err
    assert "'Nvidia Corp' -> nvidia (same name without legal form" in out
    assert "'Huawei Technologies Co., Ltd.' -> huawei" in out
    # two joins, two new companies; Hysol Huawei is not Huawei, and not even a candidate
    assert _companies(seeded_graph) - before == {"hysol-huawei", "quillwort-robotics"}
    assert "may be others" not in out
    assert seeded_graph.cypher(
        "MATCH (c:Claim)-[:CLAIMS]->(n:Company) RETURN n.id AS id, c.name AS name, "
        "c.score AS score, c.reason AS reason ORDER BY id"
    ) == [
        {"id": "huawei", "name": "Huawei Technologies Co., Ltd.", "score": 100.0,
         "reason": "same name or alias"},
        {"id": "nvidia", "name": "Nvidia Corp", "score": 95.0,
         "reason": "same name without legal form and punctuation"},
    ]  # fmt: skip
    # the join is on the run record too, and the seed's node is as it was
    joins = seeded_graph.cypher(
        "MATCH (r:LoadRun) WHERE size(r.joins) > 0 RETURN r.joins AS j ORDER BY r.started DESC"
    )[0]["j"]
    assert any("'Nvidia Corp' -> nvidia" in line for line in joins)
    assert (
        seeded_graph.cypher("MATCH (n:Company {id: 'nvidia'}) RETURN properties(n) AS p") == nvidia
    )
    # the headline questions still know one NVIDIA; loading again changes nothing
    assert seeded_graph.query("firms-relying-on", tech="NVIDIA")
    code, out, _ = _invoke("load", str(folder / "companies.csv"))
    assert code == 0 and "Created 0 and changed 0" in out, out


AMBIGUOUS = "name\nIntell Corporation\nZephyrine Drones\nZephyrine Drones Industries\n"


def test_ambiguous_records_go_to_review_never_joined_by_guess(
    seeded_graph: KnowledgeBase, tmp_path: Path, no_decisions: None
) -> None:
    folder = _write(tmp_path / "amb", {"companies.csv": AMBIGUOUS})
    before = fingerprint(seeded_graph.driver, None)
    code, _, err = _invoke("load", "--on-ambiguous", "fail", str(folder))
    assert code == 1
    assert "'Intell Corporation' may be Intel (intel, 90.9: similar name" in err
    assert "'Zephyrine Drones Industries' may be Zephyrine Drones" in err
    assert "not joined by guess" in err
    assert fingerprint(seeded_graph.driver, None) == before

    code, out, err = _invoke("load", str(folder))  # the default: review
    assert code == 0, err
    assert "2 new entities may be others" in out
    flagged = seeded_graph.cypher(
        "MATCH (n:Company) WHERE n.needs_review RETURN n.id AS id ORDER BY id"
    )
    assert flagged == [{"id": "intell-corporation"}, {"id": "zephyrine-drones-industries"}]
    assert seeded_graph.cypher("MATCH (c:Claim) RETURN count(c) AS n") == [{"n": 0}]
    review_dir = Path(os.environ["KB_REVIEW_DIR"])
    review = yaml.safe_load(max(review_dir.glob("*.yaml"), key=os.path.getmtime).read_text())
    items = {item["name"]: item for item in review["review"]}
    assert items["Intell Corporation"]["created"] == "intell-corporation"
    assert items["Intell Corporation"]["candidates"][0]["id"] == "intel"
    assert "kb resolve same intel intell-corporation" in items["Intell Corporation"]["decide"]
    assert items["Zephyrine Drones Industries"]["candidates"][0]["id"] == "zephyrine-drones"


def test_decisions_are_honoured_by_later_loads(
    seeded_graph: KnowledgeBase, tmp_path: Path, no_decisions: None
) -> None:
    # a decision written before the load: the record joins by it
    user_file().parent.mkdir(parents=True, exist_ok=True)
    user_file().write_text(
        "decisions:\n- decision: same\n  entities: [nvidia, team-green]\n"
        "  who: analyst\n  when: '2026-01-01'\n  why: a nickname\n",
        encoding="utf-8",
    )
    folder = _write(tmp_path / "dec", {"companies.csv": "name\nTeam Green\n" + AMBIGUOUS[5:]})
    code, out, err = _invoke("load", str(folder))
    assert code == 0, err
    assert "'Team Green' -> nvidia (decision: same" in out
    # review settled by decisions: one merge, one "different"
    assert _invoke("resolve", "same", "intel", "intell-corporation", "--why", "typo")[0] == 0
    assert (
        _invoke("resolve", "different", "zephyrine-drones", "zephyrine-drones-industries")[0] == 0
    )
    decided = Decisions.load()
    assert decided.same == {"team-green": "nvidia", "intell-corporation": "intel"}
    assert decided.apart("zephyrine-drones", "zephyrine-drones-industries")
    assert "intell-corporation" not in _companies(seeded_graph)
    assert seeded_graph.cypher("MATCH (n:Company) WHERE n.needs_review RETURN n.id AS id") == []
    # loading again: Intell joins intel (by the decision); the Zephyrines stay two, unflagged;
    # a fact naming the merged id lands on the kept entity
    (folder / "sources.csv").write_text("id,title\nnotes,Notes\n", encoding="utf-8")
    (folder / "relies_on.csv").write_text(
        "subject,object,source,evidence,kind\nalibaba,intell-corporation,notes,chips,hardware\n",
        encoding="utf-8",
    )
    code, out, err = _invoke("load", str(folder))
    assert code == 0, err
    assert "'Intell Corporation' -> intel (decision: same" in out
    assert "may be others" not in out
    assert {"zephyrine-drones", "zephyrine-drones-industries"} <= _companies(seeded_graph)
    assert "intell-corporation" not in _companies(seeded_graph)
    assert seeded_graph.cypher(
        "MATCH (:Company {id: 'alibaba'})-[:RELIES_ON {source: 'notes'}]->(n) RETURN n.id AS id"
    ) == [{"id": "intel"}]


def test_same_different_and_undo_round_trip(
    seeded_graph: KnowledgeBase, tmp_path: Path, no_decisions: None
) -> None:
    folder = _write(
        tmp_path / "merge",
        {
            "sources.csv": "id,title\nfield-notes,Field notes\n",
            "companies.csv": "id,name,aliases,source,identifiers\n"
            "nv-dup,Nvidia Graphics,NVDA Graphics,field-notes,wikidata:Q182477\n",
            "relies_on.csv": "subject,object,source,evidence,kind\n"
            "nv-dup,foxconn,field-notes,assembled by Foxconn,manufacturing\n"
            "alibaba,nv-dup,field-notes,buys its GPUs,hardware\n",
            "headquartered_in.csv": "subject,object,source,evidence\nnv-dup,US,field-notes,HQ\n",
        },
    )
    assert _invoke("load", str(folder))[0] == 0
    nvidia_facts = seeded_graph.cypher(
        "MATCH (:Company {id: 'nvidia'})-[r]-() RETURN count(r) AS n"
    )[0]["n"]
    before = fingerprint(seeded_graph.driver, None)
    code, out, err = _invoke("resolve", "same", "nvidia", "nv-dup", "--why", "one company")
    assert code == 0, err
    assert "nv-dup" not in _companies(seeded_graph)
    merged = seeded_graph.cypher(
        "MATCH (n:Company {id: 'nvidia'}) RETURN n.aliases AS aliases, n.identifiers AS ids, "
        "n.description AS description, COUNT { (n)-[]-(:Entity) } AS facts"
    )[0]
    assert {"Nvidia Graphics", "NVDA Graphics"} <= set(merged["aliases"])
    assert merged["ids"] == ["wikidata:Q182477"]
    assert merged["description"].startswith("One of the most important suppliers")
    # every fact kept, with its provenance (the HQ fact of another source is a fact of its own)
    assert merged["facts"] == nvidia_facts + 3
    assert seeded_graph.cypher(
        "MATCH (:Company {id: 'alibaba'})-[r:RELIES_ON {source: 'field-notes'}]->(n) "
        "RETURN n.id AS id, r.evidence AS evidence"
    ) == [{"id": "nvidia", "evidence": "buys its GPUs"}]
    assert seeded_graph.cypher(
        "MATCH (c:Claim {merged_from: 'nv-dup'})-[:CLAIMS]->(n) RETURN n.id AS id, c.name AS name"
    ) == [{"id": "nvidia", "name": "Nvidia Graphics"}]
    # undo gives both entities back as they were
    code, out, err = _invoke("resolve", "undo")
    assert code == 0, err
    assert "Took back: same nvidia nv-dup" in out
    assert fingerprint(seeded_graph.driver, None) == before
    assert seeded_graph.cypher("MATCH (u:MergeUndo) RETURN count(u) AS n") == [{"n": 0}]
    # a "different" decision and its undo: only the file changes
    assert _invoke("resolve", "different", "nvidia", "nv-dup")[0] == 0
    assert Decisions.load().apart("nvidia", "nv-dup")
    assert _invoke("resolve", "undo")[0] == 0
    assert not Decisions.load().apart("nvidia", "nv-dup")
    # a decision about an entity not loaded yet waits for the loads
    code, out, _ = _invoke("resolve", "same", "nvidia", "not-loaded-yet")
    assert code == 0 and "nothing to merge now" in out
    assert Decisions.load().same == {"not-loaded-yet": "nvidia"}
    assert _invoke("resolve", "undo")[0] == 0
    code, _, err = _invoke("resolve", "undo")
    assert code == 1 and "No decision to undo" in err
    assert fingerprint(seeded_graph.driver, None) == before


def test_a_seed_node_keeps_its_values_when_an_outside_file_reuses_its_id(
    seeded_graph: KnowledgeBase, tmp_path: Path
) -> None:
    seed = seeded_graph.cypher("MATCH (n:Company {id: 'nvidia'}) RETURN properties(n) AS p")
    folder = _write(
        tmp_path / "reuse",
        {
            "sources.csv": "id,title\nother-list,Another list\n",
            "companies.csv": "id,name,aliases,description,source\n"
            "nvidia,Nvidia Inc,,A chip shop,other-list\n",
        },
    )
    code, out, err = _invoke("load", str(folder))
    assert code == 0, err
    assert "Not overwritten" in err and "'nvidia' was set by lee-2026-ai-infrastructure-race" in err
    after = seeded_graph.cypher("MATCH (n:Company {id: 'nvidia'}) RETURN properties(n) AS p")
    assert after == seed
    assert seed[0]["p"]["aliases"] == ["Nvidia", "NVIDIA Corporation"]
    # the other source's values are kept beside it, with their source
    assert seeded_graph.cypher(
        "MATCH (c:Claim)-[:CLAIMS]->(:Company {id: 'nvidia'}) "
        "RETURN c.set_by AS source, c.name AS name, c.description AS description"
    ) == [{"source": "other-list", "name": "Nvidia Inc", "description": "A chip shop"}]
    # the same source reloading its own record still updates it (no refusal, no claim)
    own = _write(
        tmp_path / "own",
        {"companies.csv": "id,name,description\nquill-own,Quill Own,v1\n"},
    )
    assert _invoke("load", str(own))[0] == 0
    (own / "companies.csv").write_text("id,name,description\nquill-own,Quill Own,v2\n")
    code, out, _ = _invoke("load", str(own))
    assert "changed 1" in out
    assert seeded_graph.cypher("MATCH (n {id: 'quill-own'}) RETURN n.description AS d") == [
        {"d": "v2"}
    ]


def test_people_never_collide_on_a_shared_name() -> None:
    """People match only by identifier or exact name with the same birth date, never fuzzily."""
    matcher = Matcher()
    matcher.add(Known("wang-wei-1970", "Person", "Wang Wei", ("Wang Wei",), birth="1970-01-02"))
    assert matcher.match("Person", ["Wang Wei"], birth="1981-05-06").target is None
    assert matcher.match("Person", ["Wang Wei"]).target is None
    assert matcher.match("Person", ["Wang Wai"], birth="1970-01-02").candidates == []
    joined = matcher.match("Person", ["WANG Wei"], birth="1970-01-02").target
    assert joined is not None and joined.id == "wang-wei-1970"
    matcher.add(Known("li-na", "Person", "Li Na", ("Li Na",), identifiers=("opensanctions:Q1",)))
    by_id = matcher.match("Person", ["Li N."], identifiers=["opensanctions:Q1"]).target
    assert by_id is not None and by_id.id == "li-na"


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("NVIDIA Corporation", "nvidia"),
        ("Nvidia Corp", "nvidia"),
        ("Huawei Technologies Co., Ltd.", "huawei technologies"),
        ("Hysol Huawei", "hysol huawei"),
        ("The Boeing Company", "boeing"),
    ],
)
def test_legal_forms_come_off_names(name: str, key: str) -> None:
    assert legal_key(name) == key
