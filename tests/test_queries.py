"""The library's queries against real graphs: a small hand-made one, then the seed.

The hand-made graph follows the loader's contract (every node :Entity plus one schema label,
``norm_name``/``norm_names``, provenance on every relationship) and holds the entities the
examples name, so every example runs on it. The seed tests check the headline answers the
article gives. Each graph is written once and reused while no other test has replaced it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from click.testing import CliRunner

from kb import KnowledgeBase
from kb.cli import main
from kb.errors import QueryError
from kb.library import load_library
from kb.load.runner import load
from kb.paths import seed_dir
from kb.schema import normalise_name

LIBRARY = load_library()
SRC = "lee-2026-ai-infrastructure-race"

# --------------------------------------------------------------------------- the small graph

NODES: list[tuple[str, str, str, list[str], dict[str, Any]]] = [
    ("Source", SRC, "The AI Infrastructure Race", [], {"title": "The AI Infrastructure Race"}),
    ("Country", "CN", "China", ["PRC"], {"iso2": "CN"}),
    ("Country", "US", "United States", ["U.S.", "USA"], {"iso2": "US"}),
    ("Country", "VN", "Vietnam", [], {"iso2": "VN"}),
    ("Country", "TW", "Taiwan", [], {"iso2": "TW"}),
    ("Region", "us-texas", "Texas", [], {"kind": "state"}),
    ("Region", "us-virginia", "Virginia", [], {"kind": "state"}),
    ("Region", "us-data-center-alley", "Data Center Alley", [], {"kind": "corridor"}),
    ("Region", "us-georgia", "Georgia (U.S. state)", ["Georgia"], {"kind": "state"}),
    ("Site", "tx-campus", "Example Texas campus", [], {"kind": "campus"}),
    ("Company", "nvidia", "NVIDIA", ["Nvidia"], {"kind": "company"}),
    ("Company", "microsoft", "Microsoft", [], {"kind": "company"}),
    ("Company", "google", "Google", [], {"kind": "company"}),
    ("Company", "catl", "CATL", ["Contemporary Amperex Technology"], {"kind": "company"}),
    ("Company", "alibaba", "Alibaba", ["Alibaba Group"], {"kind": "company"}),
    ("Company", "alibaba-cloud", "Alibaba Cloud", ["Aliyun"], {"kind": "company"}),
    ("Company", "huawei", "Huawei", [], {"kind": "company"}),
    ("Company", "huawei-digital-power", "Huawei Digital Power", [], {"kind": "company"}),
    ("Company", "bis", "Bureau of Industry and Security", ["BIS"], {"kind": "government"}),
    ("Company", "foxconn", "Foxconn", ["Hon Hai"], {"kind": "company"}),
    ("Product", "cuda", "CUDA", ["NVIDIA CUDA"], {"kind": "platform"}),
    ("Product", "nvidia-a100", "NVIDIA A100", ["A100"], {"kind": "gpu"}),
    ("Product", "android", "Android", [], {"kind": "os"}),
    ("Category", "lithium-ion-batteries", "Lithium-ion batteries", ["Li-ion batteries"], {}),
    ("Category", "batteries", "Batteries", [], {}),
    ("Category", "gpus", "GPUs", [], {}),
    ("Category", "transformers", "Transformers", [], {}),
    ("Category", "electrical-infrastructure", "Electrical infrastructure", [], {}),
    ("Category", "data-center-equipment", "Data-center equipment", [], {}),
    ("Category", "electronics", "Electronics", [], {}),
    (
        "Restriction",
        "us-critical-infra-restrictions",
        "U.S. critical-infrastructure bans",
        [],
        {"kind": "ban", "authority": "United States"},
    ),
    (
        "Restriction",
        "us-ai-chip-export-controls",
        "U.S. AI chip export controls",
        [],
        {"kind": "export_control", "start": "2022-10-07"},
    ),
    ("Restriction", "old-listing", "An ended listing", [], {"kind": "listing", "end": "2020-01"}),
    (
        "Statistic",
        "cn-share-us-dce-2020",
        "China's share of U.S. data-center equipment imports, 2020",
        [],
        {
            "series": "cn-share-us-dc-equipment-imports",
            "metric": "share",
            "value": 41.0,
            "unit": "percent",
            "year": 2020,
            "source": SRC,
            "evidence": "down from 41% in 2020",
            "confidence": "stated",
        },
    ),
    (
        "Statistic",
        "cn-share-us-dce-2025",
        "China's share of U.S. data-center equipment imports, 2025",
        [],
        {
            "series": "cn-share-us-dc-equipment-imports",
            "metric": "share",
            "value": 11.0,
            "unit": "percent",
            "year": 2025,
            "source": SRC,
            "evidence": "roughly 11%",
            "confidence": "stated",
        },
    ),
]

RELS: list[tuple[str, str, str, dict[str, Any]]] = [
    ("HEADQUARTERED_IN", "nvidia", "US", {}),
    ("HEADQUARTERED_IN", "microsoft", "US", {}),
    ("HEADQUARTERED_IN", "google", "US", {}),
    ("HEADQUARTERED_IN", "bis", "US", {"confidence": "external"}),
    ("HEADQUARTERED_IN", "catl", "CN", {}),
    ("HEADQUARTERED_IN", "alibaba", "CN", {}),
    ("HEADQUARTERED_IN", "alibaba-cloud", "CN", {}),
    ("HEADQUARTERED_IN", "huawei", "CN", {}),
    ("HEADQUARTERED_IN", "huawei-digital-power", "CN", {}),
    ("HEADQUARTERED_IN", "foxconn", "TW", {"confidence": "external"}),
    ("SUBSIDIARY_OF", "alibaba-cloud", "alibaba", {"confidence": "implied"}),
    ("SUBSIDIARY_OF", "huawei-digital-power", "huawei", {"confidence": "implied"}),
    ("LOCATED_IN", "us-texas", "US", {}),
    ("LOCATED_IN", "us-virginia", "US", {}),
    ("LOCATED_IN", "us-georgia", "US", {}),
    ("LOCATED_IN", "us-data-center-alley", "us-virginia", {}),
    ("LOCATED_IN", "tx-campus", "us-texas", {}),
    ("MAKES", "nvidia", "cuda", {}),
    ("MAKES", "nvidia", "nvidia-a100", {}),
    ("MAKES", "google", "android", {}),
    ("MAKES", "catl", "lithium-ion-batteries", {}),
    ("MAKES", "huawei-digital-power", "electrical-infrastructure", {"confidence": "implied"}),
    ("IN_CATEGORY", "nvidia-a100", "gpus", {}),
    ("PART_OF", "lithium-ion-batteries", "batteries", {}),
    ("PART_OF", "transformers", "electrical-infrastructure", {}),
    (
        "RELIES_ON",
        "CN",
        "cuda",
        {
            "kind": "software_ecosystem",
            "evidence": "Chinese AI infrastructure is heavily dependent on CUDA",
        },
    ),
    ("RELIES_ON", "alibaba", "nvidia-a100", {"kind": "hardware"}),
    ("RELIES_ON", "alibaba", "android", {"kind": "os_platform"}),
    ("RELIES_ON", "CN", "US", {"kind": "ip"}),
    ("RELIES_ON", "US", "CN", {"kind": "component_supply"}),
    (
        "RELIES_ON",
        "US",
        "lithium-ion-batteries",
        {"kind": "component_supply", "confidence": "implied"},
    ),
    (
        "RELIES_ON",
        "microsoft",
        "lithium-ion-batteries",
        {"kind": "component_supply", "confidence": "implied"},
    ),
    ("SUPPLIES", "catl", "lithium-ion-batteries", {}),
    (
        "SUPPLIES",
        "CN",
        "US",
        {
            "category": "lithium-ion-batteries",
            "share": 59.0,
            "year": 2025,
            "key": "category=lithium-ion-batteries|year=2025",
        },
    ),
    (
        "SUPPLIES",
        "CN",
        "US",
        {
            "category": "data-center-equipment",
            "share": 41.0,
            "year": 2020,
            "key": "category=data-center-equipment|year=2020",
        },
    ),
    (
        "SUPPLIES",
        "CN",
        "US",
        {
            "category": "data-center-equipment",
            "share": 11.0,
            "year": 2025,
            "key": "category=data-center-equipment|year=2025",
        },
    ),
    ("SUPPLIES", "US", "CN", {"category": "gpus", "key": "category=gpus"}),
    ("SUPPLIES", "nvidia", "alibaba", {"category": "gpus", "key": "category=gpus"}),
    (
        "SUPPLIES",
        "foxconn",
        "microsoft",
        {"category": "electronics", "key": "category=electronics"},
    ),
    ("BUILDS_IN", "microsoft", "US", {"role": "builder"}),
    ("BUILDS_IN", "alibaba-cloud", "CN", {"role": "builder"}),
    ("BUILDS_IN", "huawei", "CN", {"role": "builder"}),
    ("OPERATES_IN", "microsoft", "CN", {"role": "operator"}),
    (
        "ROUTED_VIA",
        "CN",
        "VN",
        {
            "category": "transformers",
            "destination": "US",
            "key": "category=transformers|destination=US",
        },
    ),
    ("RESTRICTS", "us-critical-infra-restrictions", "huawei", {}),
    ("RESTRICTS", "us-ai-chip-export-controls", "nvidia-a100", {"confidence": "implied"}),
    ("RESTRICTS", "old-listing", "foxconn", {"confidence": "external"}),
    ("ISSUED_BY", "us-critical-infra-restrictions", "US", {}),
    ("ISSUED_BY", "us-ai-chip-export-controls", "bis", {"confidence": "external"}),
    ("ISSUED_BY", "old-listing", "US", {"confidence": "external"}),
    ("ABOUT", "cn-share-us-dce-2020", "CN", {}),
    ("ABOUT", "cn-share-us-dce-2020", "US", {}),
    ("ABOUT", "cn-share-us-dce-2025", "CN", {}),
    ("ABOUT", "cn-share-us-dce-2025", "US", {}),
]


def _build_small(kb: KnowledgeBase) -> None:
    nodes = [
        {
            "label": label,
            "props": {
                "id": id_,
                "name": name,
                "aliases": aliases,
                "norm_name": normalise_name(name),
                "norm_names": [normalise_name(n) for n in [name, *aliases]],
                "description": f"{name} (test graph)",
                **extra,
            },
        }
        for label, id_, name, aliases, extra in NODES
    ]
    kb.cypher(
        "UNWIND $rows AS row CREATE (n:Entity:$(row.label)) SET n = row.props",
        {"rows": nodes},
        write=True,
    )
    rels = [
        {
            "type": type_,
            "a": a,
            "b": b,
            "props": {
                "source": SRC,
                "evidence": f"quote for {a} {type_} {b}",
                "confidence": "stated",
                "as_of": None,
                "key": "",
                **props,
            },
        }
        for type_, a, b, props in RELS
    ]
    kb.cypher(
        "UNWIND $rows AS row MATCH (a:Entity {id: row.a}), (b:Entity {id: row.b}) "
        "CREATE (a)-[r:$(row.type)]->(b) SET r = row.props",
        {"rows": rels},
        write=True,
    )


def _build_seed(kb: KnowledgeBase) -> None:
    load(kb.driver, kb.database, [seed_dir()])


def _ensure(kb: KnowledgeBase, name: str, build: Callable[[KnowledgeBase], None]) -> None:
    """The graph ``name`` in the database, built unless it is there already."""
    marker = kb.cypher("MATCH (m:TestGraph) RETURN m.name AS name")
    if marker == [{"name": name}]:
        return
    kb.cypher("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS", write=True)
    build(kb)
    kb.cypher("CREATE (:TestGraph {name: $name})", {"name": name}, write=True)


@pytest.fixture
def small(kb: KnowledgeBase) -> KnowledgeBase:
    _ensure(kb, "small", _build_small)
    return kb


@pytest.fixture
def seeded(kb: KnowledgeBase) -> KnowledgeBase:
    _ensure(kb, "seed", _build_seed)
    return kb


def run_cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def by(rows: list[dict[str, Any]], key: str) -> dict[Any, dict[str, Any]]:
    return {row[key]: row for row in rows}


# --------------------------------------------------------------------------- every query


@pytest.mark.parametrize("name", LIBRARY.names)
def test_every_example_runs_and_returns_its_declared_columns(
    small: KnowledgeBase, name: str
) -> None:
    query = LIBRARY.get(name)
    rows = small.query(name, **query.header.example)
    assert rows, f"{name}: its example returns nothing on the test graph"
    for row in rows:
        assert list(row) == list(query.header.returns)


@pytest.mark.parametrize("name", ["firms-relying-on", "sites-relying-on-supplier", "exposure"])
def test_cli_and_python_return_the_same_rows(small: KnowledgeBase, name: str) -> None:
    example = LIBRARY.get(name).header.example
    args = [arg for k, v in example.items() for arg in ("-p", f"{k}={v}")]
    code, out, err = run_cli("query", "run", name, *args, "--format", "json")
    assert code == 0, err
    assert json.loads(out) == json.loads(json.dumps(small.query(name, **example)))
    assert list(small.queries) == LIBRARY.names


def test_table_and_csv_formats(small: KnowledgeBase) -> None:
    code, out, _ = run_cli("query", "run", "builders-by-country", "-p", "place=US")
    assert code == 0
    assert out.splitlines()[0].split()[:2] == ["builder", "builder_id"]
    assert "(1 row)" in out
    code, out, _ = run_cli(
        "query", "run", "builders-by-country", "-p", "place=US", "--format", "csv"
    )
    assert code == 0
    assert out.splitlines()[0].startswith("builder,builder_id,home")
    assert out.splitlines()[1].startswith("Microsoft,microsoft")


# --------------------------------------------------------------------------- entity names


def test_entities_resolve_by_id_name_alias_and_case(small: KnowledgeBase) -> None:
    for spelling in ["CN", "cn", "China", "china", "PRC"]:
        rows = small.query("firms-relying-on", country=spelling, tech="CUDA", inherited=True)
        assert {r["firm_id"] for r in rows} == {"alibaba", "alibaba-cloud", "huawei"}
    rows = small.query("entity-profile", entity="Georgia")
    assert rows[0]["other_id"] == "us-georgia"


def test_an_unknown_entity_suggests_names(small: KnowledgeBase) -> None:
    with pytest.raises(QueryError) as caught:
        small.query("sites-relying-on-supplier", supplier="CATLL")
    message = str(caught.value)
    assert "No Company, Country, Category or Product called 'CATLL'" in message
    assert "Did you mean: CATL (Company, id catl)" in message


def test_a_name_of_the_wrong_label_says_what_it_is(small: KnowledgeBase) -> None:
    with pytest.raises(QueryError, match=r"'Texas' names Texas \(Region, id us-texas\)"):
        small.query("firms-relying-on", country="Texas")


def test_an_ambiguous_name_lists_the_candidates(small: KnowledgeBase) -> None:
    small.cypher(
        "CREATE (:Entity:Company {id: 'georgia-power', name: 'Georgia Power', "
        "norm_name: 'georgiapower', norm_names: ['georgiapower', 'georgia'], "
        "aliases: ['Georgia']})",
        write=True,
    )
    try:
        with pytest.raises(QueryError) as caught:
            small.query("entity-profile", entity="georgia")
        message = str(caught.value)
        assert "'georgia' is ambiguous" in message
        assert "Georgia (U.S. state) (Region, id us-georgia)" in message
        assert "Georgia Power (Company, id georgia-power)" in message
        # A name beats an alias, and only a Company fits a company parameter.
        assert small.query("entity-profile", entity="Georgia Power")[0]["other_id"] == (
            "georgia-power"
        )
        assert small.query("where-company-builds", company="Georgia") == []
    finally:
        small.cypher("MATCH (n {id: 'georgia-power'}) DETACH DELETE n", write=True)


def test_unknown_entity_in_the_cli_is_a_message(small: KnowledgeBase) -> None:
    code, _, err = run_cli("query", "run", "entity-profile", "-p", "entity=Nvidai")
    assert code == 1
    assert "Did you mean: NVIDIA" in err
    assert "Traceback" not in err


# --------------------------------------------------------------------------- answers (small graph)


def test_firms_relying_on_through_each_route(small: KnowledgeBase) -> None:
    # from facts alone nobody: every route to CUDA is inferred, so asked for
    assert small.query("firms-relying-on", country="China", tech="CUDA") == []
    rows = by(
        small.query("firms-relying-on", country="China", tech="CUDA", inherited=True), "firm_id"
    )
    assert set(rows) == {"alibaba", "alibaba-cloud", "huawei"}
    assert all(r["inferred"] for r in rows.values())
    assert rows["huawei"]["rules"] == ["country -> firm"]
    assert all(r["confidence"] == "implied" for r in rows.values())
    assert rows["alibaba"]["routes"][0].startswith("maker ecosystem (implied): Alibaba -RELIES_ON")
    assert rows["huawei"]["routes"] == [
        "country -> firm (implied): Huawei -BUILDS_IN-> China; "
        "China -RELIES_ON(software_ecosystem)-> CUDA"
    ]
    facts = {e["fact"] for e in rows["huawei"]["evidence"]}
    assert facts == {
        "Huawei -HEADQUARTERED_IN-> China",
        "Huawei -BUILDS_IN-> China",
        "China -RELIES_ON-> CUDA",
    }
    direct = small.query("firms-relying-on", tech="Android", inherited=False)
    assert [(r["firm_id"], r["confidence"]) for r in direct] == [("alibaba", "stated")]
    everything = small.query("firms-relying-on", tech="all", inherited=True)
    assert {r["technology_id"] for r in everything} >= {"cuda", "nvidia-a100", "android"}


def test_sites_relying_on_supplier_show_the_chain(small: KnowledgeBase) -> None:
    direct = small.query("sites-relying-on-supplier", supplier="CATL")
    assert [(r["place_id"], r["inferred"]) for r in direct] == [("microsoft", False)]
    rows = by(small.query("sites-relying-on-supplier", supplier="CATL", inherited=True), "place_id")
    assert set(rows) == {
        "us-texas",
        "us-virginia",
        "us-georgia",
        "us-data-center-alley",
        "tx-campus",
        "microsoft",
    }
    assert {r["confidence"] for r in rows.values()} == {"implied"}
    assert rows["us-texas"]["chain"] == (
        "Texas -LOCATED_IN-> United States -RELIES_ON(component_supply)-> "
        "Lithium-ion batteries <-SUPPLIES- CATL -HEADQUARTERED_IN-> China"
    )
    assert rows["tx-campus"]["place_type"] == "Site"
    assert rows["microsoft"]["role"] == "builder"
    assert rows["microsoft"]["chain"].startswith("Microsoft -RELIES_ON(component_supply)->")
    assert [(f["share"], f["year"]) for f in rows["us-texas"]["flows"]] == [(59.0, 2025)]
    assert rows["us-texas"]["inferred"] and rows["us-texas"]["rules"] == ["place -> inside"]
    short = small.query("sites-relying-on-supplier", supplier="CATL", max_hops=3, inherited=True)
    assert "us-data-center-alley" not in {r["place_id"] for r in short}


def test_dependency_paths_in_both_directions(small: KnowledgeBase) -> None:
    rows = small.query("dependency-paths", a="United States", b="China", max_hops=1)
    directions = {r["direction"] for r in rows}
    assert directions == {"United States depends on China", "China depends on United States"}
    us_on_cn = [r["chain"] for r in rows if r["direction"].startswith("United States")]
    assert "United States <-SUPPLIES(lithium-ion-batteries, 59.0%, 2025)- China" in us_on_cn
    one_way = small.query("dependency-paths", a="Texas", b="CATL", inherited=True)
    assert {r["direction"] for r in one_way} == {"Texas depends on CATL"}
    assert all(r["hops"] == 3 for r in one_way)


def test_exposure_by_category(small: KnowledgeBase) -> None:
    rows = by(small.query("exposure", country="US", supplier_country="CN"), "category_id")
    assert [(f["share"], f["year"]) for f in rows["data-center-equipment"]["flows"]] == [
        (41.0, 2020),
        (11.0, 2025),
    ]
    assert rows["data-center-equipment"]["latest_share"] == 11.0
    assert rows["lithium-ion-batteries"]["suppliers"] == ["CATL"]
    assert rows["lithium-ion-batteries"]["reliance"] == ["component_supply (implied)"]
    assert rows["transformers"]["rerouted_via"] == ["Vietnam"]
    assert small.query("exposure")[0]["category_id"] == "lithium-ion-batteries"


def test_restricted_vendors_and_their_routes(small: KnowledgeBase) -> None:
    us = small.query("restricted-vendors-reaching", country="US")
    assert {(r["vendor_id"], r["route"]) for r in us} == {
        ("huawei-digital-power", "transshipment via Vietnam")
    }
    row = us[0]
    assert row["confidence"] == "implied"
    assert row["restrictions"][0]["through"] == "Huawei"
    cn = small.query("restricted-vendors-reaching", country="CN", issuer="US")
    assert ("nvidia-a100", "direct") in {(r["vendor_id"], r["route"]) for r in cn}
    a100 = next(r for r in cn if r["vendor_id"] == "nvidia-a100")
    assert a100["restrictions"][0]["start"] == "2022-10-07"
    assert "Alibaba" in a100["reaches"]
    ended = small.query("restricted-vendors-reaching", country="US", include_ended=True)
    assert ("foxconn", "direct") in {(r["vendor_id"], r["route"]) for r in ended}


def test_mutual_dependence(small: KnowledgeBase) -> None:
    rows = small.query("mutual-dependence")
    assert [(r["a_id"], r["b_id"]) for r in rows] == [("CN", "US")]
    assert rows[0]["a_on_b"] >= 2 and rows[0]["b_on_a"] >= 4
    assert small.query("mutual-dependence", level="company") == []


def test_builders_and_operators(small: KnowledgeBase) -> None:
    china = by(small.query("builders-by-country", place="China"), "builder_id")
    assert set(china) == {"alibaba-cloud", "huawei", "microsoft"}
    assert china["microsoft"]["relations"] == ["OPERATES_IN"]
    assert set(
        by(small.query("builders-by-country", place="China", operators=False), "builder_id")
    ) == {"alibaba-cloud", "huawei"}
    where = by(small.query("where-company-builds", company="Microsoft"), "place_id")
    assert (where["US"]["abroad"], where["CN"]["abroad"]) == (False, True)
    foreign = small.query("foreign-operators", home="US")
    assert [(r["operator_id"], r["host"]) for r in foreign] == [("microsoft", "China")]


def test_blast_radius_ranks_by_distance(small: KnowledgeBase) -> None:
    direct = {r["affected_id"] for r in small.query("blast-radius", supplier="CATL")}
    assert "us-texas" not in direct and "tx-campus" not in direct and "microsoft" in direct
    rows = small.query("blast-radius", supplier="CATL", max_hops=4, inherited=True)
    distance = {r["affected_id"]: r["distance"] for r in rows}
    assert distance["lithium-ion-batteries"] == 1
    assert distance["US"] == 2 and distance["microsoft"] == 2 and distance["batteries"] == 2
    assert distance["us-texas"] == 3 and distance["tx-campus"] == 4
    assert "CN" not in distance  # China relies on the U.S., but not for batteries
    for inferred in (False, True):  # nearest first, the rows from facts before the inferred
        distances = [r["distance"] for r in rows if r["inferred"] == inferred]
        assert distances == sorted(distances)
    assert [r["inferred"] for r in rows] == sorted(r["inferred"] for r in rows)
    regions = small.query("blast-radius", supplier="CATL", types=["Region"], inherited=True)
    assert {r["type"] for r in regions} == {"Region"}


def test_profile_trend_evidence_restrictions_suppliers(small: KnowledgeBase) -> None:
    profile = small.query("entity-profile", entity="CATL")
    assert profile[0]["relation"] == "(entity)"
    assert {(r["relation"], r["other_id"]) for r in profile[1:]} == {
        ("HEADQUARTERED_IN", "CN"),
        ("MAKES", "lithium-ion-batteries"),
        ("SUPPLIES", "lithium-ion-batteries"),
    }
    trend = small.query("statistic-trend", statistic="cn-share-us-dc-equipment-imports")
    assert [(r["year"], r["value"], r["change"]) for r in trend] == [
        (2020, 41.0, None),
        (2025, 11.0, -30.0),
    ]
    between = small.query("evidence-between", a="China", b="United States")
    assert {r["relation"] for r in between} == {"RELIES_ON", "SUPPLIES", "ABOUT (statistic)"}
    assert all(r["quote"] and r["source"] == SRC for r in between)
    assert between[0]["source_title"] == "The AI Infrastructure Race"
    restrictions = small.query("restrictions-on-entity", entity="Huawei Digital Power")
    assert [(r["restriction_id"], r["how"]) for r in restrictions] == [
        ("us-critical-infra-restrictions", "parent company")
    ]
    suppliers = by(small.query("suppliers-of-category", category="Li-ion batteries"), "supplier_id")
    assert set(suppliers) == {"catl", "CN"}
    assert suppliers["CN"]["flows"][0]["share"] == 59.0
    stats = small.query("statistics-list", about="US")
    assert [s["value"] for s in stats] == [41.0, 11.0]


# --------------------------------------------------------------------------- the seed (the article)


def test_seed_chinese_firms_relying_on_cuda(seeded: KnowledgeBase) -> None:
    rows = by(
        seeded.query("firms-relying-on", country="China", tech="CUDA", inherited=True), "firm_id"
    )
    # The NVIDIA customers (Alibaba, Tencent, ByteDance, Baidu) and the major builders of
    # Chinese AI infrastructure, which "is heavily dependent on CUDA": implied, not stated.
    assert set(rows) == {"alibaba", "alibaba-cloud", "baidu", "bytedance", "huawei", "tencent"}
    assert {r["confidence"] for r in rows.values()} == {"implied"}
    assert rows["alibaba"]["routes"][0].startswith(
        "maker ecosystem (implied): Alibaba -RELIES_ON(hardware)-> NVIDIA"
    )
    for row in rows.values():
        quotes = [e["quote"] for e in row["evidence"]]
        assert any("heavily dependent on CUDA" in q for q in quotes)


def test_seed_us_regions_and_builders_relying_on_catl(seeded: KnowledgeBase) -> None:
    rows = by(
        seeded.query("sites-relying-on-supplier", country="US", supplier="CATL", inherited=True),
        "place_id",
    )
    states = {
        f"us-{s}"
        for s in [
            "texas",
            "virginia",
            "arizona",
            "nevada",
            "ohio",
            "georgia",
            "north-carolina",
            "utah",
        ]
    }
    builders = {
        "microsoft",
        "google",
        "aws",
        "meta",
        "openai",
        "oracle",
        "coreweave",
        "hut-8",
        "blackstone",
    }
    assert set(rows) == states | {"us-data-center-alley"} | builders
    assert {r["confidence"] for r in rows.values()} == {"implied"}
    texas = rows["us-texas"]
    assert texas["chain"].startswith("Texas -LOCATED_IN-> United States -RELIES_ON")
    assert "Lithium-ion batteries" in texas["chain"]
    assert texas["chain"].endswith("CATL -HEADQUARTERED_IN-> China")
    assert (59.0, 2025) in [(f["share"], f["year"]) for f in texas["flows"]]
    assert {rows[b]["role"] for b in builders} == {"builder"}
    # the builders rely on the batteries themselves; the regions only by inheritance
    assert {p for p, r in rows.items() if r["inferred"]} == states | {"us-data-center-alley"}
    direct = seeded.query("sites-relying-on-supplier", country="US", supplier="CATL")
    assert {r["place_id"] for r in direct} == builders


def test_seed_headline_numbers(seeded: KnowledgeBase) -> None:
    trend = seeded.query("statistic-trend", statistic="cn-share-us-dc-equipment-imports")
    assert [(r["year"], r["value"]) for r in trend] == [(2020, 41.0), (2025, 11.0)]
    exposure = by(seeded.query("exposure"), "category_id")
    assert exposure["lithium-ion-batteries"]["latest_share"] == 59.0
    assert set(exposure["lithium-ion-batteries"]["suppliers"]) >= {"CATL"}
    assert exposure["transformers"]["latest_share"] == 10.0
    assert exposure["transformers"]["rerouted_via"] == ["Thailand", "Vietnam"]
    builders = {r["builder_id"] for r in seeded.query("builders-by-country", place="US")}
    assert builders == {
        "microsoft",
        "google",
        "aws",
        "meta",
        "openai",
        "oracle",
        "coreweave",
        "hut-8",
        "blackstone",
    }
    mutual = seeded.query("mutual-dependence")
    assert ("CN", "US") in {(r["a_id"], r["b_id"]) for r in mutual}
    restricted = seeded.query("restricted-vendors-reaching", country="China", issuer="US")
    assert "nvidia" in {r["vendor_id"] for r in restricted}


@pytest.mark.parametrize("name", LIBRARY.names)
def test_seed_every_example_runs(seeded: KnowledgeBase, name: str) -> None:
    query = LIBRARY.get(name)
    rows = seeded.query(name, **query.header.example)
    assert rows
    for row in rows:
        assert row.get("evidence") or row.get("quote"), f"{name}: a row without evidence"
