"""Mappings: outside files (the DoD 1260H list, the FCC Covered List, FollowTheMoney entities)
loaded through YAML mappings, against the real server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kb import KnowledgeBase
from kb.cli import main
from kb.errors import LoadError
from kb.fingerprint import fingerprint
from kb.load.runner import load
from kb.paths import datasets_dir, mappings_dir, seed_dir
from loaders.mapping import MappedFile, MappingError, load_mapping

FIXTURES = Path(__file__).parent / "fixtures"
DOD = datasets_dir() / "opensanctions-us-dod-1260h.csv"
FCC = datasets_dir() / "fcc-covered-list.csv"
FTM = FIXTURES / "ftm-sample.ftm.json"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


LISTING = """\
header: [Name, Listed]
static:
  sources: [{id: my-list, title: My list}]
  restrictions: [{id: my-ban, name: My ban, kind: sanction, source: my-list}]
defaults: {source: my-list, confidence: external, evidence: {row: true}}
records:
  firm:
    kind: companies
    keys: [Name]
    prefix: my-
    join_by_name: true
    fields:
      name: {column: Name}
  listing:
    kind: restricts
    fields:
      subject: my-ban
      object: {record: firm}
      start: {column: Listed, date: ['%d.%m.%y']}
"""


# --------------------------------------------------------------------------- the mapping file


@pytest.mark.parametrize(
    ("change", "line", "says"),
    [
        (("kind: restricts", "kind: restrict"), 15, "unknown kind 'restrict'"),
        (("name: {column: Name}", "nam: {column: Name}"), 13, "'nam' is not a field"),
        (("name: {column: Name}", "name: {column: Nme}"), 13, "no column 'Nme'"),
        (("subject: my-ban", "subject: {record: frim}"), 17, "no record 'frim'"),
        (("start: {column: Listed,", "start: {column: Listed, regex: '(', "), 19, "regular"),
        (("      object: {record: firm}\n", ""), 15, "does not say its object"),
        (("    prefix: my-", "    prefx: my-"), 8, "prefx"),
    ],
)
def test_a_bad_mapping_is_refused_naming_its_line(
    tmp_path: Path, change: tuple[str, str], line: int, says: str
) -> None:
    path = _write(tmp_path / "bad.yaml", LISTING.replace(*change))
    with pytest.raises(MappingError) as error:
        load_mapping(path)
    assert f"bad.yaml:line {line}: " in str(error.value)
    assert says in str(error.value)


def test_the_shipped_mappings_are_valid() -> None:
    names = sorted(p.stem for p in mappings_dir().glob("*.yaml"))
    assert names == ["fcc-covered-list", "ftm", "us-dod-1260h"]
    for path in mappings_dir().glob("*.yaml"):
        assert load_mapping(path).records


def test_ids_resolve_gives_records_without_ids_but_with_identifiers(tmp_path: Path) -> None:
    mapping = _write(
        tmp_path / "m.yaml",
        LISTING.replace("    join_by_name: true", "    identifiers: {list: {column: Name}}")
        + "ids: resolve\n",
    )
    data = _write(tmp_path / "list.csv", "Name,Listed\nHuawei,16.05.19\n")
    records = list(MappedFile(load_mapping(mapping), mapping, data).records())
    firm = next(r for r in records if r.kind == "companies")
    assert "id" not in firm.data and firm.data["identifiers"] == {"list": "Huawei"}
    listing = next(r for r in records if r.kind == "restricts")
    assert listing.data["object"] == "Huawei" and listing.data["start"] == "2019-05-16"


# --------------------------------------------------------------------------- the data file


def test_a_bad_row_names_the_data_line_column_and_mapping_line(
    seeded_graph: KnowledgeBase, tmp_path: Path
) -> None:
    mapping = _write(tmp_path / "m.yaml", LISTING)
    data = _write(tmp_path / "list.csv", "Name,Listed\nHuawei,16.05.19\nAcme Widgets,2019-05-16\n")
    before = fingerprint(seeded_graph.driver, None)
    result = CliRunner().invoke(main, ["load", str(data), "--mapping", str(mapping)])
    assert result.exit_code != 0
    assert (
        f"{data}:line 3: column 'Listed' (record 'listing', field 'start', mapping m.yaml:line 19):"
        " '2019-05-16' is not a date in the format(s) %d.%m.%y"
    ) in result.output
    assert fingerprint(seeded_graph.driver, None) == before


def test_a_csv_with_other_columns_than_the_mapping_says_is_refused(
    seeded_graph: KnowledgeBase, tmp_path: Path
) -> None:
    mapping = _write(tmp_path / "m.yaml", LISTING)
    data = _write(tmp_path / "list.csv", "Company,Listed\nHuawei,16.05.19\n")
    with pytest.raises(LoadError, match=r"list.csv:line 1: the columns \['Company', 'Listed'\]"):
        load(seeded_graph.driver, None, [data], mapping=mapping)


def test_a_plain_list_joins_the_seed_by_name(seeded_graph: KnowledgeBase, tmp_path: Path) -> None:
    mapping = _write(tmp_path / "m.yaml", LISTING)
    data = _write(tmp_path / "list.csv", "Name,Listed\nHuawei,16.05.19\nAcme Widgets,01.02.24\n")
    report = load(seeded_graph.driver, None, [data], mapping=mapping)
    assert report.plan.nodes["Company"] == 1  # Acme; Huawei is the seed's
    rows = seeded_graph.cypher(
        "MATCH (:Restriction {id: 'my-ban'})-[r:RESTRICTS]->(c) "
        "RETURN c.id AS id, r.start AS start, r.evidence AS evidence ORDER BY id"
    )
    assert rows == [
        {"id": "huawei", "start": "2019-05-16", "evidence": "Name: Huawei; Listed: 16.05.19"},
        {
            "id": "my-acme-widgets",
            "start": "2024-02-01",
            "evidence": "Name: Acme Widgets; Listed: 01.02.24",
        },
    ]


# --------------------------------------------------------------------------- the shipped lists


def _answers(kb: KnowledgeBase) -> dict[str, Any]:
    # CUDA reaches Chinese firms through inference (the demo asks for it the same way)
    firms = kb.query("firms-relying-on", tech="CUDA", inherited=True)
    sites = kb.query("sites-relying-on-supplier", supplier="CATL")
    return {
        "firms": firms,
        # the supplier's restrictions gain the lists' entries; the places and chains stay
        "sites": [{k: v for k, v in r.items() if k != "supplier_restrictions"} for r in sites],
        "catl": sorted({x for r in sites for x in r["supplier_restrictions"]}),
    }


@pytest.fixture(scope="module")
def lists(kb: KnowledgeBase) -> Iterator[dict[str, Any]]:
    """The seed, then the 1260H list, the FCC Covered List and the FtM fixture."""
    from conftest import wipe

    wipe(kb)
    load(kb.driver, None, [seed_dir()])
    seed_companies = {
        r["id"]: r["norms"]
        for r in kb.cypher("MATCH (c:Company) RETURN c.id AS id, c.norm_names AS norms")
    }
    before = _answers(kb)
    reports = {
        "dod": kb.load(DOD),  # the CSV's header finds the shipped mapping
        "fcc": kb.load(FCC, mapping="fcc-covered-list"),
        "ftm": kb.load(FTM, mapping="ftm"),
    }
    yield {"before": before, "seed_companies": seed_companies, "reports": reports}
    wipe(kb)


def test_the_1260h_list_joins_seed_companies(kb: KnowledgeBase, lists: dict[str, Any]) -> None:
    listed = {
        r["id"]: r["starts"]
        for r in kb.cypher(
            "MATCH (:Restriction {id: 'us-dod-1260h'})-[r:RESTRICTS]->(c:Company) "
            "RETURN c.id AS id, collect(r.start) AS starts"
        )
    }
    # 227 clean names; spellings of one company (and its acronym) resolve to one entity
    assert len(listed) == 197
    joined = {id_ for id_ in listed if id_ in lists["seed_companies"]}
    assert joined == {
        "alibaba", "baidu", "byd", "catl", "cxmt", "eve-energy", "huawei", "inspur", "sugon",
        "tencent", "ymtc",
    }  # fmt: skip
    # names that stay apart: decisions in resolutions.yaml keep shared acronyms from joining
    assert "listed-china-three-gorges-corporation" in listed  # 'CTG', not China Telecom Global
    assert "listed-china-mobile-limited" in listed  # not the seed's China Mobile International
    assert sorted(listed["catl"]) == ["2025-01-07", "2026-06-08"]
    assert sorted(listed["huawei"]) == ["2021-06-03", "2025-01-07", "2026-06-08"]


def test_the_fcc_list_names_companies_in_prose(kb: KnowledgeBase, lists: dict[str, Any]) -> None:
    covered = {
        (r["id"], r["start"]): r
        for r in kb.cypher(
            "MATCH (:Restriction {id: 'fcc-covered-list'})-[r:RESTRICTS {source: "
            "'fcc-covered-list-table'}]->(t) RETURN t.id AS id, t.name AS name, "
            "labels(t) AS labels, r.start AS start, r.as_of AS as_of, r.note AS note"
        )
    }
    assert len(covered) == 17
    targets = {id_ for id_, _ in covered}
    # "Huawei Technologies Company" and "ZTE Corporation" are the seed's; Hikvision and Dahua
    # are the 1260H list's (loaded first)
    assert {"huawei", "zte"} <= targets
    assert ("huawei", "2021-03-12") in covered and ("zte", "2021-03-12") in covered
    assert {
        "listed-hangzhou-hikvision-digital-technology-co-ltd",
        "listed-zhejiang-dahua-technology-co-ltd",
    } <= targets
    # names that stay apart: the U.S. arm of a carrier is not the seed's carrier (it goes to
    # review instead)
    assert "fcc-china-mobile-international-usa-inc" in targets
    assert "fcc-china-telecom-americas-corp" in targets
    # a parent and its subsidiary in one row
    assert kb.cypher(
        "MATCH (s:Company)-[:SUBSIDIARY_OF]->(p:Company) WHERE s.id = 'fcc-comnet-usa-llc' "
        "RETURN p.name AS parent"
    ) == [{"parent": "Pacific Networks Corp"}]
    # a date and its updates
    drones = covered[("fcc-uncrewed-aircraft-systems", "2025-12-22")]
    assert (drones["start"], drones["as_of"]) == ("2025-12-22", "2026-07-21")
    assert drones["note"] == "updated 2026-01-07, 2026-03-18, 2026-06-15, 2026-07-21"


def test_the_fcc_category_rows_restrict_the_seed_categories(
    kb: KnowledgeBase, lists: dict[str, Any]
) -> None:
    rows = kb.query("restrictions-on-entity", entity="Inverters")
    assert [(r["restriction_id"], r["kind"], r["start"], r["how"]) for r in rows] == [
        ("fcc-covered-list", "covered_list", "2026-07-28", "direct")
    ]
    assert kb.cypher(
        "MATCH (k:Category)<-[:RESTRICTS]-(:Restriction {id: 'fcc-covered-list'}) "
        "RETURN k.id AS id ORDER BY id"
    ) == [
        {"id": "fcc-advanced-robotic-devices"},
        {"id": "fcc-routers"},
        {"id": "fcc-uncrewed-aircraft-systems"},
        {"id": "inverters"},
    ]
    # the Chinese inverter makers reach U.S. infrastructure under the restriction
    reaching = kb.query("restricted-vendors-reaching", country="US")
    by_vendor = {
        r["vendor_id"]: r for r in reaching if r["vendor_id"] in {"sungrow", "ginlong-solis"}
    }
    assert set(by_vendor) == {"sungrow", "ginlong-solis"}
    for row in by_vendor.values():
        assert row["route"] == "component" and row["reaches"] == ["United States"]
        assert [(x["restriction"], x["through"], x["start"]) for x in row["restrictions"]] == [
            ("FCC Covered List (Secure Networks Act)", "Inverters", "2026-07-28")
        ]
    assert kb.cypher("MATCH (:Category {id: 'fcc-routers'})-[:PART_OF]->(k) RETURN k.id AS id") == [
        {"id": "networking-equipment"}
    ]


def test_the_ftm_fixture_loads_people_companies_sanctions_and_ownership(
    kb: KnowledgeBase, lists: dict[str, Any]
) -> None:
    report = lists["reports"]["ftm"]
    # new nodes only: Huawei, China and the U.S. join the seed's
    assert dict(report.plan.nodes) == {
        "Source": 1, "Country": 2, "Company": 2, "Person": 2, "Restriction": 2,
    }  # fmt: skip
    people = kb.cypher(
        "MATCH (p:Person) RETURN p.id AS id, p.nationality AS nationality, "
        "p.birth_date AS born ORDER BY id"
    )
    assert people == [
        {"id": "ftm-nk-john-example", "nationality": "RU", "born": "1970"},
        {"id": "ftm-q1234567", "nationality": "CN", "born": "1944-10-25"},
    ]
    # the FtM company "Huawei Technologies Co., Ltd." (alias Huawei) is the seed's Huawei
    assert kb.cypher(
        "MATCH (o)-[r:OWNS]->(c:Company) RETURN o.id AS owner, c.id AS asset, r.share AS share "
        "ORDER BY owner"
    ) == [
        {"owner": "ftm-q1234567", "asset": "huawei", "share": 0.84},
        {"owner": "huawei", "asset": "ftm-nk-shell-trading", "share": 100.0},
    ]
    assert kb.cypher(
        "MATCH (p:Person)-[r:OFFICER_OF]->(c) RETURN p.name AS p, c.id AS c, r.role AS role"
    ) == [{"p": "Ren Zhengfei", "c": "huawei", "role": "Founder and CEO"}]
    sanctioned = kb.query("restrictions-on-entity", entity="John Example")
    assert [(r["kind"], r["issuer"], r["start"]) for r in sanctioned] == [
        ("sanction", ["United States"], "2024-05-01")
    ]
    # Russia and Hong Kong are new countries; China and the U.S. are the seed's
    assert kb.cypher(
        "MATCH (c:Country) WHERE c.id IN ['CN', 'US', 'RU', 'HK'] RETURN c.id AS id, "
        "c.name AS name ORDER BY id"
    ) == [
        {"id": "CN", "name": "China"},
        {"id": "HK", "name": "Hong Kong SAR"},
        {"id": "RU", "name": "Russia"},
        {"id": "US", "name": "United States"},
    ]


def test_no_list_duplicates_a_seed_company(kb: KnowledgeBase, lists: dict[str, Any]) -> None:
    seed = lists["seed_companies"]
    seed_names = {norm: id_ for id_, norms in seed.items() for norm in norms}
    new = kb.cypher(
        "MATCH (c:Company) WHERE NOT c.id IN $seed RETURN c.id AS id, c.norm_names AS norms",
        {"seed": list(seed)},
    )
    same = {(r["id"], seed_names[n]) for r in new for n in r["norms"] if n in seed_names}
    # 'CTG' is China Three Gorges in the 1260H list and China Telecom Global in the seed: kept
    # apart by a decision
    assert same == {("listed-china-three-gorges-corporation", "china-telecom-global")}
    # what resolution joined, and what it sent to review instead of guessing
    reports = lists["reports"]
    fcc_review = {item["name"]: item["candidates"][0]["id"] for item in reports["fcc"].plan.review}
    assert fcc_review["China Mobile International USA Inc."] == "china-mobile-international"
    assert any("'Huawei Technologies Company' -> huawei" in j for j in reports["fcc"].plan.joins)
    assert any("'ZTE Corporation' -> zte" in j for j in reports["fcc"].plan.joins)


def test_the_headline_questions_answer_as_before(kb: KnowledgeBase, lists: dict[str, Any]) -> None:
    before, after = lists["before"], _answers(kb)
    assert after["firms"] == before["firms"] and after["firms"]
    assert after["sites"] == before["sites"] and after["sites"]
    added = set(after["catl"]) - set(before["catl"])
    assert added == {
        "U.S. DoD Section 1260H list of Chinese military companies since 2025-01-07",
        "U.S. DoD Section 1260H list of Chinese military companies since 2026-06-08",
    }


def test_restrictions_on_huawei_list_the_three_lists_with_dates(
    kb: KnowledgeBase, lists: dict[str, Any]
) -> None:
    rows = kb.query("restrictions-on-entity", entity="Huawei", related=False)
    entries = {(r["restriction_id"], r["start"], r["source"]) for r in rows}
    assert {
        ("bis-entity-list-huawei-2019", "2019-05-16", "fr-2019-10616"),
        ("fcc-covered-list", "2021-03-12", "fcc-covered-list-table"),
        ("us-dod-1260h", "2021-06-03", "opensanctions-us-dod-1260h"),
        ("us-dod-1260h", "2025-01-07", "opensanctions-us-dod-1260h"),
        ("us-dod-1260h", "2026-06-08", "opensanctions-us-dod-1260h"),
        ("ftm-nk-sanction-huawei", "2019-05-16", "opensanctions-us-example-sanctions"),
    } <= entries


def test_loading_the_lists_again_changes_nothing(kb: KnowledgeBase, lists: dict[str, Any]) -> None:
    before = fingerprint(kb.driver, None)
    again = [
        kb.load(DOD, mapping="us-dod-1260h"),
        kb.load(FCC, mapping=mappings_dir() / "fcc-covered-list.yaml"),
        kb.load(FTM, mapping="ftm"),
    ]
    assert [(r.counts.created, r.counts.changed) for r in again] == [(0, 0)] * 3
    assert fingerprint(kb.driver, None) == before


def test_the_readme_walk_loads(seeded_graph: KnowledgeBase, tmp_path: Path) -> None:
    """The README's "Bring your own data" CSV and mapping load as they are written there."""
    import re

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Bring your own data") :]
    blocks = re.findall(r"```(\w+)\n(.*?)```", section, re.S)
    data = _write(tmp_path / "sanctions.csv", blocks[0][1])
    mapping = _write(tmp_path / "acme.yaml", blocks[1][1])
    report = seeded_graph.load(data, mapping=mapping, dry_run=True)
    assert dict(report.plan.nodes) == {"Source": 1, "Restriction": 1, "Company": 1}
    assert dict(report.plan.relations) == {"HEADQUARTERED_IN": 2, "RESTRICTS": 2}
