"""Loading: the seed, users' files, bad input, idempotence, kills, and the ban list."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import kill_load_while_writing

from kb import KnowledgeBase
from kb.cli import main
from kb.errors import LoadError
from kb.fingerprint import fingerprint
from kb.load.runner import load
from kb.paths import seed_dir
from kb.schema import NODE_BY_KIND, RELATION_BY_KIND

FIXTURES = Path(__file__).parent / "fixtures"


def seed_counts() -> tuple[Counter[str], Counter[str]]:
    """Nodes per label and facts per type, counted from the seed files themselves."""
    nodes: Counter[str] = Counter()
    rels: Counter[str] = Counter()
    for path in seed_dir().glob("*.yaml"):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        records = document["records"] if isinstance(document, dict) else document
        if path.stem in NODE_BY_KIND:
            nodes[NODE_BY_KIND[path.stem].label] += len(records or [])
        else:
            rels[RELATION_BY_KIND[path.stem].type] += len(records or [])
    return nodes, rels


def graph_counts(kb: KnowledgeBase) -> tuple[Counter[str], Counter[str]]:
    nodes = kb.cypher(
        "MATCH (n:Entity) RETURN [l IN labels(n) WHERE l <> 'Entity'][0] AS label, count(*) AS n"
    )
    rels = kb.cypher("MATCH (:Entity)-[r]->(:Entity) RETURN type(r) AS type, count(*) AS n")
    return (
        Counter({r["label"]: r["n"] for r in nodes}),
        Counter({r["type"]: r["n"] for r in rels}),
    )


def test_seed_loads_with_the_counts_of_its_files(empty_graph: KnowledgeBase) -> None:
    report = load(empty_graph.driver, None, [seed_dir()])
    expected_nodes, expected_rels = seed_counts()
    assert graph_counts(empty_graph) == (expected_nodes, expected_rels)
    assert report.counts.created == sum(expected_nodes.values()) + sum(expected_rels.values())
    assert report.counts.changed == 0


def test_second_seed_load_changes_nothing(empty_graph: KnowledgeBase) -> None:
    load(empty_graph.driver, None, [seed_dir()])
    before = fingerprint(empty_graph.driver, None)
    again = load(empty_graph.driver, None, [seed_dir()])
    assert (again.counts.created, again.counts.changed) == (0, 0)
    assert fingerprint(empty_graph.driver, None) == before
    runs = empty_graph.cypher(
        "MATCH (r:LoadRun) RETURN r.status AS status, r.created AS created ORDER BY r.started"
    )
    assert [r["status"] for r in runs] == ["done", "done"]
    assert runs[-1]["created"] == 0


def test_every_seed_fact_has_provenance(empty_graph: KnowledgeBase) -> None:
    load(empty_graph.driver, None, [seed_dir()])
    missing = empty_graph.cypher(
        "MATCH (a:Entity)-[r]->(b:Entity) "
        "WHERE r.source IS NULL OR r.evidence IS NULL OR r.evidence = '' "
        "   OR NOT r.confidence IN ['stated', 'implied', 'external'] "
        "   OR NOT EXISTS { MATCH (s:Source {id: r.source}) } "
        "RETURN a.id AS a, type(r) AS t, b.id AS b LIMIT 5"
    )
    assert missing == []


def test_plain_cypher_answers_the_headline_questions(empty_graph: KnowledgeBase) -> None:
    load(empty_graph.driver, None, [seed_dir()])
    cuda = empty_graph.cypher(
        "MATCH (x)-[r:RELIES_ON]->(:Product {id: 'cuda'}) "
        "WHERE (x:Country AND x.id = 'CN') OR (x)-[:HEADQUARTERED_IN]->(:Country {id: 'CN'}) "
        "RETURN x.name AS who, r.evidence AS evidence"
    )
    assert any("dependent on CUDA" in row["evidence"] for row in cuda)
    catl = empty_graph.cypher(
        "MATCH (:Company {id: 'catl'})-[s:SUPPLIES]->(cat:Category)"
        "<-[r:RELIES_ON]-(who) "
        "WHERE who.id = 'US' OR (who)-[:BUILDS_IN|LOCATED_IN]->(:Country {id: 'US'}) "
        "RETURN DISTINCT who.name AS who, cat.name AS category, r.confidence AS confidence"
    )
    assert {"United States"} <= {row["who"] for row in catl}
    assert all(row["category"] for row in catl)


# --------------------------------------------------------------------------- users' files

GOOD_CSV = """id,name,aliases,kind,sectors
acme-power,Acme Power,Acme; ACME Corp,company,power
"""
GOOD_FACTS = (
    "subject,object,source,evidence,confidence,category,year,share\n"
    "Acme Power,United States,user-notes,Acme ships transformers to U.S. data centers,"
    "stated,transformers,2025,3\n"
)
GOOD_SOURCE = "sources:\n  - id: user-notes\n    title: My field notes\n    date: '2026-11'\n"


def _write(folder: Path, files: dict[str, str | bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        target = folder / name
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return folder


def test_user_files_load_then_reload_changes_nothing(
    empty_graph: KnowledgeBase, tmp_path: Path
) -> None:
    load(empty_graph.driver, None, [seed_dir()])
    folder = _write(
        tmp_path / "mine",
        {
            "companies.csv": GOOD_CSV,
            "supplies.csv": GOOD_FACTS,
            "notes.yaml": GOOD_SOURCE,
        },
    )
    runner = CliRunner()
    first = runner.invoke(main, ["load", str(folder)])
    assert first.exit_code == 0, first.output
    assert "Created 3 and changed 0" in first.stdout
    rows = empty_graph.cypher(
        "MATCH (:Company {id: 'acme-power'})-[s:SUPPLIES]->(:Country {id: 'US'}) "
        "RETURN s.category AS category, s.share AS share, s.year AS year, s.source AS source"
    )
    assert rows == [
        {"category": "transformers", "share": 3.0, "year": 2025, "source": "user-notes"}
    ]
    again = runner.invoke(main, ["load", str(folder)])
    assert "Created 0 and changed 0" in again.stdout
    # an edit is an update of the same fact, not a second fact
    (folder / "supplies.csv").write_text(GOOD_FACTS.replace(",3\n", ",4\n"), encoding="utf-8")
    third = runner.invoke(main, ["load", str(folder)])
    assert "Created 0 and changed 1" in third.stdout
    assert empty_graph.cypher(
        "MATCH (:Company {id: 'acme-power'})-[s:SUPPLIES]->() RETURN s.share AS share"
    ) == [{"share": 4.0}]


def test_dry_run_counts_but_writes_nothing(empty_graph: KnowledgeBase) -> None:
    result = CliRunner().invoke(main, ["load", "seed", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Would create" in result.stdout
    assert empty_graph.cypher("MATCH (n) RETURN count(n) AS n") == [{"n": 0}]


BAD_INPUTS: list[tuple[str, dict[str, str | bytes], list[str]]] = [
    (
        "malformed-yaml",
        {"companies.yaml": "- id: x\n  name: [unclosed\n"},
        ["companies.yaml:line 3", "invalid YAML"],
    ),
    (
        "malformed-json",
        {"companies.json": '[{"id": "x", "name": "X",}]'},
        ["companies.json:line 1", "invalid JSON"],
    ),
    (
        "malformed-csv-row",
        {"companies.csv": "id,name\nx,X,extra\n"},
        ["companies.csv:line 2", "3 cells, but the header has 2"],
    ),
    (
        "missing-field",
        {"companies.csv": "id,kind\nx,company\n"},
        ["companies.csv:line 2", "field 'name' is missing"],
    ),
    (
        "extra-field",
        {"companies.yaml": "- {id: x, name: X, colour: red}\n"},
        ["companies.yaml:line 1", "field 'colour' is not a field of companies"],
    ),
    (
        "wrong-type",
        {
            "supplies.csv": "subject,object,source,evidence,share\n"
            "catl,US,lee-2026-ai-infrastructure-race,e,lots\n"
        },
        ["supplies.csv:line 2", "field 'share'", "'lots'"],
    ),
    (
        "bad-enum",
        {
            "relies_on.csv": "subject,object,source,evidence,kind\n"
            "CN,cuda,lee-2026-ai-infrastructure-race,e,vibes\n"
        },
        ["relies_on.csv:line 2", "field 'kind'", "'vibes'"],
    ),
    (
        "unknown-reference",
        {
            "relies_on.csv": "subject,object,source,evidence,kind\n"
            "Alibabba,cuda,lee-2026-ai-infrastructure-race,e,hardware\n"
        },
        [
            "relies_on.csv:line 2",
            "field 'subject'",
            "unknown entity 'Alibabba'",
            "did you mean",
            "alibaba",
        ],
    ),
    (
        "reference-to-a-bad-record",
        {
            "companies.csv": "id,name,country\nacme-dc,Acme,US\n",
            "relies_on.csv": "subject,object,source,evidence,kind\n"
            "acme-dc,cuda,lee-2026-ai-infrastructure-race,e,hardware\n",
        },
        [
            "companies.csv:line 2",
            "field 'country' is not a field",
            "relies_on.csv:line 2: field 'subject': 'acme-dc' is the id of the record at",
            "companies.csv:line 2, which has a problem",
        ],
    ),
    (
        "wrong-label",
        {
            "headquartered_in.csv": "subject,object,source,evidence\n"
            "cuda,CN,lee-2026-ai-infrastructure-race,e\n"
        },
        ["headquartered_in.csv:line 2", "field 'subject'", "is a Product"],
    ),
    (
        "duplicate-id",
        {"companies.csv": "id,name\nx,X\nx,Y\n"},
        ["companies.csv:line 3", "duplicate id 'x'", "first defined at"],
    ),
    (
        "id-of-another-label",
        {"products.csv": "id,name\ncatl,CATL the product\n"},
        ["products.csv:line 2", "'catl' is already a Company"],
    ),
    (
        "bad-encoding",
        {"companies.csv": b"id,name\nx,\xff\xfeBad\n"},
        ["companies.csv:line 2", "not UTF-8"],
    ),
    (
        "unknown-kind",
        {"widgets.csv": "id,name\nx,X\n"},
        ["widgets.csv", "name a CSV file after its kind"],
    ),
    ("empty-file", {"companies.csv": ""}, ["companies.csv", "holds no records"]),
]


@pytest.mark.parametrize(
    ("files", "expected"), [(f, e) for _, f, e in BAD_INPUTS], ids=[n for n, _, _ in BAD_INPUTS]
)
def test_bad_input_is_a_clear_error_and_changes_nothing(
    seeded_graph: KnowledgeBase,
    tmp_path: Path,
    files: dict[str, str | bytes],
    expected: list[str],
) -> None:
    before = fingerprint(seeded_graph.driver, None)
    folder = _write(tmp_path / "bad", files)
    result = CliRunner().invoke(main, ["load", str(folder)])
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    for fragment in expected:
        assert fragment in result.stderr, (fragment, result.stderr)
    assert fingerprint(seeded_graph.driver, None) == before


def test_all_problems_are_reported_together(seeded_graph: KnowledgeBase, tmp_path: Path) -> None:
    folder = _write(
        tmp_path / "bad",
        {
            "companies.csv": "id,name\nx,X\nx,Y\n",
            "relies_on.csv": "subject,object,source,evidence,kind\nnobody,cuda,nosuch,e,hardware\n",
        },
    )
    with pytest.raises(LoadError) as info:
        load(seeded_graph.driver, None, [folder])
    text = str(info.value)
    assert "duplicate id 'x'" in text
    assert "unknown entity 'nobody'" in text
    assert "unknown entity 'nosuch'" in text
    assert len(info.value.problems) == 3


def test_a_problem_found_after_batches_were_written_rolls_them_back(
    seeded_graph: KnowledgeBase, tmp_path: Path
) -> None:
    """Batches go to the server while the plan is built; a late problem undoes them all."""
    before = fingerprint(seeded_graph.driver, None)
    companies = "\n".join(f"late-{i},Late company {i}" for i in range(300))
    source = "lee-2026-ai-infrastructure-race"
    facts = "\n".join(f"late-{i},cuda,{source},e,software_ecosystem" for i in range(299))
    folder = _write(
        tmp_path / "late",
        {
            "companies.csv": "id,name\n" + companies + "\n",
            "relies_on.csv": "subject,object,source,evidence,kind\n"
            + facts
            + f"\nlate-299,cuda,{source},e,not-a-kind\n",
        },
    )
    sent: list[int] = []
    with pytest.raises(LoadError) as info:
        load(seeded_graph.driver, None, [folder], batch_size=10, progress=sent.append)
    assert "relies_on.csv:line 301: field 'kind'" in str(info.value)
    assert sum(sent) >= 300  # the nodes at least were written before the problem was found
    assert fingerprint(seeded_graph.driver, None) == before


def test_nothing_is_sent_once_a_load_has_a_problem(
    seeded_graph: KnowledgeBase, tmp_path: Path
) -> None:
    rows = "\n".join(f"early-{i},Early company {i}" for i in range(300))
    folder = _write(
        tmp_path / "early",
        {"companies.csv": "id,name,colour\nearly-x,X,red\n" + rows.replace("\n", ",\n") + ",\n"},
    )
    sent: list[int] = []
    with pytest.raises(LoadError, match="field 'colour' is not a field"):
        load(seeded_graph.driver, None, [folder], batch_size=10, progress=sent.append)
    assert sent == []


def test_a_load_killed_midway_leaves_the_graph_unchanged(
    seeded_graph: KnowledgeBase, tmp_path: Path
) -> None:
    before = fingerprint(seeded_graph.driver, None)
    rows = "\n".join(f"bulk-{i},Bulk company {i}" for i in range(60_000))
    _write(tmp_path / "big", {"companies.csv": "id,name\n" + rows + "\n"})
    kill_load_while_writing(seeded_graph, tmp_path / "big", wait=60)
    # a large load is staged: what it committed stays hidden until the next start removes it
    seeded_graph.cleanup_loads()
    assert fingerprint(seeded_graph.driver, None) == before


# --------------------------------------------------------------------------- ban list


def test_ban_list_resolves_onto_seed_companies(seeded_graph: KnowledgeBase) -> None:
    before = seeded_graph.cypher("MATCH (c:Company) RETURN count(c) AS n")[0]["n"]
    result = CliRunner().invoke(
        main, ["load", str(FIXTURES / "opensanctions-us-dod-1260h-sample.csv")]
    )
    assert result.exit_code == 0, result.output
    listed = seeded_graph.cypher(
        "MATCH (:Restriction {id: 'us-dod-1260h'})-[r:RESTRICTS]->(c:Company) "
        "RETURN c.id AS id, collect(r.start) AS starts ORDER BY id"
    )
    by_id = {row["id"]: sorted(row["starts"]) for row in listed}
    assert by_id["huawei"] == ["2021-06-03"]
    assert by_id["inspur"] == ["2021-06-03"]
    assert by_id["sugon"] == ["2022-10-05"]
    assert by_id["catl"] == ["2025-01-07", "2026-06-08"]
    # the unlisted company and the parent holding are new nodes; nothing else is added
    after = seeded_graph.cypher("MATCH (c:Company) RETURN count(c) AS n")[0]["n"]
    new = set(by_id) - {"huawei", "inspur", "sugon", "catl", "ymtc"}
    assert new == {
        "listed-example-unlisted-widget-co-ltd",
        "listed-huawei-investment-holding-co-ltd",
        "listed-aisino-corporation",
        "listed-semiconductor-manufacturing-international-corporation",
    }
    # one parent fact across releases that spell the parent differently
    assert seeded_graph.cypher(
        "MATCH (:Company {id: 'listed-aisino-corporation'})-[r:SUBSIDIARY_OF]->(p) RETURN p.id AS p"
    ) == [{"p": "listed-china-aerospace-science-and-industry-corporation-limited"}]
    # widget, Huawei's holding, Aisino, its parent, SMIC (two spellings, one company)
    assert after - before == 5
    assert seeded_graph.cypher(
        "MATCH (:Company {id: 'huawei'})-[:SUBSIDIARY_OF]->(p:Company) RETURN p.name AS p"
    ) == [{"p": "Huawei Investment & Holding Co., Ltd."}]
    again = CliRunner().invoke(
        main, ["load", str(FIXTURES / "opensanctions-us-dod-1260h-sample.csv")]
    )
    assert "Created 0 and changed 0" in again.stdout


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_reset_load_gives_the_same_graph(
    seeded_graph: KnowledgeBase, tmp_path: Path, fmt: str
) -> None:
    CliRunner().invoke(main, ["load", str(FIXTURES / "opensanctions-us-dod-1260h-sample.csv")])
    before = fingerprint(seeded_graph.driver, None)
    out = tmp_path / ("graph.json" if fmt == "json" else "graph")
    runner = CliRunner()
    assert runner.invoke(main, ["export", "--format", fmt, str(out)]).exit_code == 0
    assert runner.invoke(main, ["reset", "--yes"]).exit_code == 0
    assert fingerprint(seeded_graph.driver, None).nodes == 0
    loaded = runner.invoke(main, ["load", str(out)])
    assert loaded.exit_code == 0, loaded.output
    assert fingerprint(seeded_graph.driver, None) == before


def test_graphml_export_holds_every_node_and_edge(
    seeded_graph: KnowledgeBase, tmp_path: Path
) -> None:
    import xml.etree.ElementTree as ET

    out = tmp_path / "graph.graphml"
    assert CliRunner().invoke(main, ["export", "--format", "graphml", str(out)]).exit_code == 0
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    root = ET.parse(out).getroot()
    counts = fingerprint(seeded_graph.driver, None)
    assert len(root.findall(".//g:node", ns)) == counts.nodes
    assert len(root.findall(".//g:edge", ns)) == counts.relationships


def test_a_csv_header_the_csv_module_rejects_is_a_parse_error_naming_the_file(
    tmp_path: Path,
) -> None:
    from loaders.files import read_csv
    from loaders.records import ParseError

    path = tmp_path / "sources.csv"
    path.write_bytes(b"\r\x00")  # found by test_fuzz: a NUL after a lone carriage return
    with pytest.raises(ParseError, match=r"sources\.csv:line 1: invalid CSV"):
        list(read_csv(path, {"sources"}))
