"""restricted-vendors-reaching, exposure, suppliers-of-category and dependency-paths against
the real server: paged (the whole answer is its pages end to end), summarised (the summary's
groups are those of the whole answer), every supply shape read alike (docs/supply.md),
staged runs hidden (CONVENTIONS.md section 2), and place -> inside opt-in in
dependency-paths (docs/inference.md)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from kb import KnowledgeBase, library
from kb.inference import RULE_BY_NAME
from kb.library import ALL_ROWS, parse_file
from kb.load.runner import load
from kb.paths import cypher_dir

PAGED = ("restricted-vendors-reaching", "exposure", "suppliers-of-category", "dependency-paths")
LEVEL = {"external": 1, "implied": 2, "stated": 3}
# Questions of the seed whose answers have more rows than a page of PAGE.
PAGE = 3
ASKED: list[tuple[str, dict[str, Any]]] = [
    ("restricted-vendors-reaching", {"country": "China", "issuer": "US"}),
    ("restricted-vendors-reaching", {"country": "China", "issuer": "all", "include_ended": True}),
    ("exposure", {"country": "US", "supplier_country": "China"}),
    ("exposure", {"country": "Germany", "supplier_country": "China"}),
    ("suppliers-of-category", {"category": "batteries"}),
    ("suppliers-of-category", {"category": "AI chips"}),
    ("dependency-paths", {"a": "Microsoft", "b": "China", "inherited": True}),
    ("dependency-paths", {"a": "United States", "b": "China", "max_hops": 2, "inherited": True}),
]


def _run(
    kb: KnowledgeBase,
    path: Path,
    params: Mapping[str, Any],
    *,
    skip: int = 0,
    limit: int = ALL_ROWS,
) -> list[dict[str, Any]]:
    """One query file with its parameters resolved; a paged one from ``skip``, ``limit`` rows."""
    query = parse_file(path)
    bound = library.resolved_params(kb.driver, kb.database, query, params)
    if query.header.paged:
        bound.update(skip=skip, limit=limit)
    # a generous time limit: these tests check answers, and a busy machine plans slowly
    return library.run_resolved(kb.driver, kb.database, query, bound, timeout=300)


def _whole(kb: KnowledgeBase, name: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    return _run(kb, cypher_dir() / f"{name}.cypher", params)


def _summary(kb: KnowledgeBase, name: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    return _run(kb, cypher_dir() / "summary" / f"{name}.cypher", params)


# --------------------------------------------------------------------------- the files


@pytest.mark.parametrize("name", PAGED)
def test_paged_with_a_summary_of_the_same_parameters(name: str) -> None:
    query = library.load_library().get(name)
    summary = parse_file(cypher_dir() / "summary" / f"{name}.cypher")
    assert query.header.paged and not summary.header.paged
    assert summary.name == name
    assert summary.params == query.params
    assert "SKIP $skip LIMIT $limit" in query.body
    assert "$skip" not in summary.body and "$limit" not in summary.body


@pytest.mark.parametrize("name", PAGED)
def test_staged_runs_are_hidden_from_the_start(name: str) -> None:
    for path in (cypher_dir() / f"{name}.cypher", cypher_dir() / "summary" / f"{name}.cypher"):
        body = parse_file(path).body
        assert body.startswith("// the runs still staging")
        assert "MATCH (run:LoadRun {status: 'staging'})" in body
        assert "coalesce(r.created_run, '') IN hidden" in body


def test_place_inside_is_opt_in_in_dependency_paths() -> None:
    rule = RULE_BY_NAME["place -> inside"]
    assert rule.opt_in and "dependency-paths" in rule.queries
    body = library.load_library().get("dependency-paths").body
    for branch in re.split(r"\bUNION\b", body[: body.index("WITH hidden, src, dst, side, p")]):
        if re.search(r"\(src\)-\[:LOCATED_IN\|BUILDS_IN\|OPERATES_IN\]", branch):
            assert "$inherited" in branch, branch


# --------------------------------------------------------------------------- the seed


@pytest.mark.parametrize(("name", "params"), ASKED)
def test_the_whole_answer_is_its_pages(
    seeded_graph: KnowledgeBase, name: str, params: dict[str, Any]
) -> None:
    kb = seeded_graph
    whole = _whole(kb, name, params)
    assert len(whole) > PAGE, (name, params, len(whole))
    assert _whole(kb, name, params) == whole  # the order is total: the same twice
    pages: list[dict[str, Any]] = []
    path = cypher_dir() / f"{name}.cypher"
    while True:
        page = _run(kb, path, params, skip=len(pages), limit=PAGE)
        assert len(page) <= PAGE
        pages += page
        if len(page) < PAGE:
            break
    assert pages == whole
    assert _run(kb, path, params, skip=len(whole), limit=PAGE) == []


def _group_suppliers(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    groups: dict[str | None, dict[str, Any]] = {}
    for row in rows:
        g = groups.setdefault(
            row["home"],
            {"home": row["home"], "suppliers": 0, "companies": 0, "restricted": 0, "flows": 0}
            | {level: 0 for level in LEVEL},
        )
        g["suppliers"] += 1
        g["companies"] += row["supplier_type"] == "Company"
        g["restricted"] += bool(row["restrictions"])
        g["flows"] += len(row["flows"])
        g[row["confidence"]] += 1
    return sorted(groups.values(), key=lambda g: (-g["suppliers"], g["home"] or ""))


def _group_vendors(rows: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    groups: dict[tuple[str, str], dict[str, Any]] = defaultdict(
        lambda: {"routes": set(), "reaches": set(), "chains": 0, "best": 0}
    )
    for row in rows:
        for restriction in {r["restriction"] for r in row["restrictions"]}:
            g = groups[(restriction, row["vendor_id"])]
            g["routes"].add(row["route"])
            g["reaches"] |= set(row["reaches"])
            g["chains"] += row["other_chains"] + 1
            g["best"] = max(g["best"], LEVEL[row["confidence"]])
    return groups


@pytest.mark.parametrize(("name", "params"), ASKED)
def test_the_summary_counts_the_whole_answer(
    seeded_graph: KnowledgeBase, name: str, params: dict[str, Any]
) -> None:
    kb = seeded_graph
    whole, summary = _whole(kb, name, params), _summary(kb, name, params)
    assert summary
    if name == "suppliers-of-category":
        assert [{k: v for k, v in g.items() if k != "home_id"} for g in summary] == (
            _group_suppliers(whole)
        )
    elif name == "exposure":
        # a row names the suppliers of the first few supply facts found; the summary counts all
        assert [g["suppliers"] for g in summary] == [
            len(r["suppliers"]) if not r["more_suppliers"] else g["suppliers"]
            for g, r in zip(summary, whole, strict=True)
        ]
        assert all(
            g["suppliers"] >= len(r["suppliers"]) for g, r in zip(summary, whole, strict=True)
        )
        assert [{k: v for k, v in g.items() if k != "suppliers"} for g in summary] == [
            {
                "category": r["category"],
                "category_id": r["category_id"],
                "flows": len(r["flows"]),
                "latest_share": r["latest_share"],
                "rerouted_via": len(r["rerouted_via"]),
                "reliance": len(r["reliance"]),
                "statistics": len(r["statistics"]),
                "confidence": r["confidence"],
            }
            for r in whole
        ]
    elif name == "restricted-vendors-reaching":
        groups = _group_vendors(whole)
        assert {(g["restriction"], g["vendor_id"]) for g in summary} == set(groups)
        for g in summary:
            expected = groups[(g["restriction"], g["vendor_id"])]
            assert g["routes"] == sorted(expected["routes"])
            assert g["reaches"] == len(expected["reaches"])
            assert g["chains"] == expected["chains"]
            assert LEVEL[g["confidence"]] == expected["best"]
        assert [(g["restriction"], g["vendor"]) for g in summary] == sorted(
            (g["restriction"], g["vendor"]) for g in summary
        )
    else:
        counted: dict[tuple[str, bool], list[dict[str, Any]]] = defaultdict(list)
        for row in whole:
            counted[(row["direction"], row["inferred"])].append(row)
        assert {(g["direction"], g["inferred"]): g["chains"] for g in summary} == {
            key: len(rows) for key, rows in counted.items()
        }
        for g in summary:
            rows = counted[(g["direction"], g["inferred"])]
            assert g["shortest"] == min(r["hops"] for r in rows)
            assert g["longest"] == max(r["hops"] for r in rows)
            assert LEVEL[g["confidence"]] == max(LEVEL[r["confidence"]] for r in rows)
            assert g["rules"] == (["place -> inside"] if g["inferred"] else [])


def test_dependency_paths_direct_by_default_inferred_on_request(
    seeded_graph: KnowledgeBase,
) -> None:
    kb = seeded_graph
    direct = _whole(kb, "dependency-paths", {"a": "Texas", "b": "CATL"})
    assert direct == []
    note = kb.query("dependency-paths", a="Texas", b="CATL").note
    assert note is not None and "inherited=true" in note
    asked = _whole(kb, "dependency-paths", {"a": "Texas", "b": "CATL", "inherited": True})
    assert asked and all(r["inferred"] and r["rules"] == ["place -> inside"] for r in asked)
    assert {r["confidence"] for r in asked} <= {"implied", "external"}
    assert asked[0]["chain"].startswith("Texas -LOCATED_IN-> United States")
    # both kinds in one answer: direct rows first in each direction
    both = _whole(kb, "dependency-paths", {"a": "Microsoft", "b": "China", "inherited": True})
    plain = _whole(kb, "dependency-paths", {"a": "Microsoft", "b": "China"})
    assert plain and not any(r["inferred"] for r in plain)
    assert any(r["inferred"] for r in both)
    for direction in {r["direction"] for r in both}:
        flags = [r["inferred"] for r in both if r["direction"] == direction]
        assert flags == sorted(flags)
    assert [r for r in both if not r["inferred"]] == plain


# --------------------------------------------------------------------------- supply shapes

SRC = "shapes"
BASE: dict[str, list[dict[str, Any]]] = {
    "sources": [{"id": SRC, "title": "The supply shapes"}],
    "countries": [
        {"id": "US", "name": "United States", "iso2": "US"},
        {"id": "CN", "name": "China", "iso2": "CN"},
        {"id": "VN", "name": "Vietnam", "iso2": "VN"},
    ],
    "regions": [
        {"id": "world", "name": "World", "kind": "supranational"},
        {"id": "north-america", "name": "North America", "kind": "supranational"},
    ],
    "companies": [
        {"id": "volt", "name": "Volt Cells"},
        {"id": "grid", "name": "Grid Builders"},
    ],
    "categories": [
        {"id": "cells", "name": "Battery cells"},
        {"id": "batteries", "name": "Batteries"},
    ],
    "restrictions": [{"id": "volt-ban", "name": "Volt ban", "kind": "ban", "start": "2020"}],
    "headquartered_in": [
        {"subject": "volt", "object": "CN"},
        {"subject": "grid", "object": "US"},
    ],
    "located_in": [{"subject": "US", "object": "north-america"}],
    "part_of": [{"subject": "cells", "object": "batteries"}],
    "restricts": [{"subject": "volt-ban", "object": "volt"}],
    "issued_by": [{"subject": "volt-ban", "object": "US"}],
    # China's batteries flow to a U.S. firm, and China's cells are rerouted to the U.S.
    "supplies": [{"subject": "CN", "object": "grid", "category": "batteries"}],
    "routed_via": [
        {"subject": "CN", "object": "VN", "category": "cells", "destination": "US"},
    ],
}
# Volt's battery cells, in each shape of docs/supply.md.
VENDOR_SHAPES: dict[str, list[dict[str, Any]]] = {
    "to the category": [{"subject": "volt", "object": "cells"}],
    "to a market, naming the category": [
        {"subject": "volt", "object": "world", "category": "cells", "share": 30}
    ],
    "as its maker": [],
}
# China's flow of battery cells to the U.S. market, in each shape.
FLOW_SHAPES: dict[str, dict[str, Any]] = {
    "to the country, naming the category": {"object": "US", "category": "cells"},
    "to a region the country lies in": {"object": "north-america", "category": "cells"},
    "to the category": {"object": "cells"},
}


def _load(kb: KnowledgeBase, tmp_path: Path, data: dict[str, list[dict[str, Any]]]) -> str:
    records = {
        kind: [
            {**r, "source": SRC, "evidence": "e"} if "subject" in r or kind == "restrictions" else r
            for r in rows
        ]
        for kind, rows in data.items()
    }
    path = tmp_path / f"shapes-{len(list(tmp_path.iterdir()))}.yaml"
    path.write_text(yaml.safe_dump(records), encoding="utf-8")
    return load(kb.driver, kb.database, [path]).run_id


@pytest.mark.parametrize("shape", sorted(VENDOR_SHAPES))
def test_restricted_vendors_read_every_shape_of_the_vendors_supply(
    empty_graph: KnowledgeBase, tmp_path: Path, shape: str
) -> None:
    kb = empty_graph
    data = {k: list(v) for k, v in BASE.items()}
    data["supplies"] += VENDOR_SHAPES[shape]
    if shape == "as its maker":
        data["makes"] = [{"subject": "volt", "object": "cells"}]
    _load(kb, tmp_path, data)
    rows = {r["route"]: r for r in _whole(kb, "restricted-vendors-reaching", {"country": "US"})}
    # the home's flow into the country in a broader category of the vendor's
    assert "component" in rows, rows
    assert rows["component"]["reaches"] == ["Grid Builders"]
    assert "China -SUPPLIES-> Grid Builders" in {e["fact"] for e in rows["component"]["evidence"]}
    # the home's rerouting of the vendor's category
    assert rows["transshipment via Vietnam"]["confidence"] == "stated"
    summary = _summary(kb, "restricted-vendors-reaching", {"country": "US"})
    assert [(g["vendor_id"], g["routes"]) for g in summary] == [
        ("volt", ["component", "transshipment via Vietnam"])
    ]


@pytest.mark.parametrize("shape", sorted(FLOW_SHAPES))
def test_exposure_reads_every_shape_of_a_countrys_flow(
    empty_graph: KnowledgeBase, tmp_path: Path, shape: str
) -> None:
    kb = empty_graph
    data = {k: list(v) for k, v in BASE.items()}
    data["supplies"] = [{"subject": "CN", "share": 40, "year": 2025, **FLOW_SHAPES[shape]}]
    _load(kb, tmp_path, data)
    rows = {
        r["category_id"]: r
        for r in _whole(kb, "exposure", {"country": "US", "supplier_country": "CN"})
    }
    assert set(rows) == {"cells"}, rows
    flows = rows["cells"]["flows"]
    assert [(f["share"], f["year"]) for f in flows] == [(40, 2025)]
    market = {"US": "United States", "north-america": "North America"}
    assert flows[0]["to"] == market.get(FLOW_SHAPES[shape]["object"])
    assert rows["cells"]["latest_share"] == 40
    assert rows["cells"]["rerouted_via"] == ["Vietnam"]
    # a flow to a market Vietnam is not in is no exposure of Vietnam; one naming no market is
    asked = {"country": "VN", "supplier_country": "CN"}
    vietnam = {r["category_id"] for r in _whole(kb, "exposure", asked)}
    assert vietnam == ({"cells"} if FLOW_SHAPES[shape]["object"] == "cells" else set())


# --------------------------------------------------------------------------- staged runs


def test_a_staged_runs_facts_are_hidden_until_it_is_published(
    empty_graph: KnowledgeBase, tmp_path: Path
) -> None:
    kb = empty_graph
    data = {k: list(v) for k, v in BASE.items()}
    data["supplies"] += VENDOR_SHAPES["to the category"]
    _load(kb, tmp_path, data)
    staged = _load(
        kb,
        tmp_path,
        {
            "sources": BASE["sources"],
            "companies": [{"id": "spark", "name": "Spark Power"}],
            "headquartered_in": [{"subject": "spark", "object": "CN"}],
            "supplies": [
                {"subject": "spark", "object": "cells"},
                {"subject": "CN", "object": "US", "category": "cells", "share": 55},
            ],
            "restricts": [{"subject": "volt-ban", "object": "spark"}],
        },
    )
    asked: list[tuple[str, dict[str, Any]]] = [
        ("suppliers-of-category", {"category": "cells"}),
        ("exposure", {"country": "US", "supplier_country": "CN"}),
        ("restricted-vendors-reaching", {"country": "US"}),
        ("dependency-paths", {"a": "US", "b": "CN"}),
    ]
    shown = {name: _whole(kb, name, params) for name, params in asked}
    assert "spark" in {r["supplier_id"] for r in shown["suppliers-of-category"]}
    assert {r["category_id"]: r for r in shown["exposure"]}["cells"]["latest_share"] == 55
    assert "spark" in {r["vendor_id"] for r in shown["restricted-vendors-reaching"]}
    assert any("55" in r["chain"] for r in shown["dependency-paths"])
    kb.cypher(
        "MATCH (run:LoadRun {id: $run}) SET run.status = 'staging'", {"run": staged}, write=True
    )
    hidden = {name: _whole(kb, name, params) for name, params in asked}
    assert [r["supplier_id"] for r in hidden["suppliers-of-category"]] == ["volt"]
    cells = {r["category_id"]: r for r in hidden["exposure"]}["cells"]
    assert cells["flows"] == [] and cells["suppliers"] == ["Volt Cells"]
    assert {r["vendor_id"] for r in hidden["restricted-vendors-reaching"]} == {"volt"}
    assert not any("55" in r["chain"] for r in hidden["dependency-paths"])
    for name, params in asked:
        assert all("Spark" not in str(g) and "55" not in str(g) for g in _summary(kb, name, params))


# --------------------------------------------------------------------------- bounded rows


def test_an_exposure_row_names_the_first_suppliers_and_says_there_are_more(
    empty_graph: KnowledgeBase, tmp_path: Path
) -> None:
    kb = empty_graph
    data = {k: list(v) for k, v in BASE.items()}
    firms = [f"cell-maker-{i}" for i in range(6)]
    data["companies"] += [{"id": f, "name": f"Cell Maker {i}"} for i, f in enumerate(firms)]
    data["headquartered_in"] += [{"subject": f, "object": "CN"} for f in firms]
    data["supplies"] += [{"subject": f, "object": "cells"} for f in firms]
    _load(kb, tmp_path, data)
    asked = {"country": "US", "supplier_country": "CN"}
    rows = {r["category_id"]: r for r in _whole(kb, "exposure", asked)}
    cells = rows["cells"]
    # six of China's firms supply cells: the row names those of the first four facts found
    assert 1 <= len(cells["suppliers"]) <= 4 and cells["more_suppliers"] is True
    assert cells["suppliers"] == sorted(cells["suppliers"])
    assert set(cells["suppliers"]) <= {f"Cell Maker {i}" for i in range(6)}
    facts = {e["fact"] for e in cells["evidence"]}
    for name in cells["suppliers"]:
        assert f"{name} -HEADQUARTERED_IN-> China" in facts
        assert f"{name} -SUPPLIES-> Battery cells" in facts
    # the summary counts every supplier (Volt Cells is not a supplier here: no supply fact)
    summary = {g["category_id"]: g for g in _summary(kb, "exposure", asked)}
    assert summary["cells"]["suppliers"] == 6


def test_a_vendor_route_shows_twenty_facts_and_counts_the_rest(
    empty_graph: KnowledgeBase, tmp_path: Path
) -> None:
    kb = empty_graph
    data = {k: list(v) for k, v in BASE.items()}
    buyers = [f"buyer-{i}" for i in range(25)]
    data["companies"] += [{"id": b, "name": f"Buyer {i:02d}"} for i, b in enumerate(buyers)]
    data["headquartered_in"] += [{"subject": b, "object": "US"} for b in buyers]
    data["supplies"] += [{"subject": "volt", "object": b} for b in buyers]
    _load(kb, tmp_path, data)
    rows = {r["route"]: r for r in _whole(kb, "restricted-vendors-reaching", {"country": "US"})}
    direct = rows["direct"]
    assert direct["reaches"] == [f"Buyer {i:02d}" for i in range(25)]
    assert direct["other_chains"] == 24
    # the restriction's fact, the best chain's, then 18 of the other 24 chains' facts
    facts = [e["fact"] for e in direct["evidence"]]
    assert len(facts) == 20 == len(set(facts))
    assert facts[0] == "Volt ban -RESTRICTS-> Volt Cells"
    assert facts[1] == "Volt Cells -SUPPLIES-> Buyer 00"
    assert direct["chain"] == "Volt Cells -SUPPLIES-> Buyer 00"
    assert direct["more_evidence"] == 6
