"""The questions an analyst asks of the seed, each through a library query, each answer
checked with its evidence row: list items quoted with their heading, every list item as data,
numbers a script can use, and the queries depends-on, restricted, common and builders-by-country
with its regions; an empty answer says why and what to ask instead."""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner

from kb import KnowledgeBase
from kb.cli import main


def by(rows: list[dict[str, Any]], key: str) -> dict[Any, dict[str, Any]]:
    return {row[key]: row for row in rows}


def quotes(row: dict[str, Any]) -> list[tuple[str | None, str | None]]:
    return [(e["quote"], e["context"]) for e in row["evidence"]]


# --------------------------------------------------------------------------- evidence


def test_a_list_item_is_quoted_with_its_heading(seeded_graph: KnowledgeBase) -> None:
    """Arizona in the U.S. rests on 'Arizona' under 'Primary regions:'."""
    rows = seeded_graph.query("evidence-between", a="Arizona", b="United States")
    assert [(r["relation"], r["quote"], r["context"]) for r in rows] == [
        ("LOCATED_IN", "Arizona", "Primary regions:")
    ]
    catl = seeded_graph.query("evidence-between", a="CATL", b="China")
    assert ("HEADQUARTERED_IN", "CATL", "Chinese companies such as:") in [
        (r["relation"], r["quote"], r["context"]) for r in catl
    ]


def test_a_cut_quote_became_its_whole_sentence(seeded_graph: KnowledgeBase) -> None:
    rows = seeded_graph.query("evidence-between", a="China", b="United States")
    sold = [r for r in rows if "category=semiconductor-design-tools" in r["details"]]
    assert {r["quote"] for r in sold} == {
        "China remains deeply dependent on U.S. semiconductor tooling, AI frameworks, and "
        "enterprise software ecosystems, even while attempting long-term decoupling."
    }


def test_what_china_pursues_is_data(seeded_graph: KnowledgeBase) -> None:
    rows = seeded_graph.query("entity-profile", entity="China")
    pursued = {
        r["other"]: (r["quote"], r["context"])
        for r in rows
        if r["relation"] == "PURSUES" and r["direction"] == "out"
    }
    heading = "This is why China is aggressively pursuing:"
    assert pursued["Domestic operating systems"] == ("domestic operating systems,", heading)
    assert pursued["RISC-V"] == ("RISC-V architectures,", heading)
    assert {
        "Sovereign AI models",
        "Domestic semiconductors",
        "Indigenous AI accelerators",
        "Local cloud ecosystems",
    } <= set(pursued)


def test_the_channels_of_indirect_embedding_are_facts(seeded_graph: KnowledgeBase) -> None:
    rows = seeded_graph.query("evidence-between", a="China", b="United States")
    channels = {
        r["quote"]
        for r in rows
        if r["context"] == "Others remain embedded indirectly through:"
        and any(d.startswith("channel=") for d in r["details"])
    }
    assert channels == {
        "component suppliers,",
        "OEM manufacturing,",
        "subcontractors,",
        "or transshipment through third countries.",
    }


def test_countries_under_a_region_heading_are_in_it(seeded_graph: KnowledgeBase) -> None:
    rows = seeded_graph.query("builders-by-country", place="Europe")
    regions = by(rows[0]["regions"], "region")
    assert {"Sweden", "Finland", "Norway", "Denmark", "Germany", "Portugal", "Italy"} <= set(
        regions
    )
    assert (regions["Sweden"]["quote"], regions["Sweden"]["context"]) == (
        "Sweden",
        "Nordic Countries",
    )
    assert "Microsoft" in by(rows, "builder")  # builds in Germany and Portugal


def test_reasons_and_goals_are_statements_about_what_they_concern(
    seeded_graph: KnowledgeBase,
) -> None:
    """'These regions are favored because of: cold climates, ...': each reason a statement, with
    its own line, supporting the claim the heading makes; Saudi Arabia's goals are about it."""
    heading = "These regions are favored because of:"
    claim = seeded_graph.query(
        "entity-profile", entity="The Nordic countries are favored for data centers"
    )
    reasons = {
        r["other"]: (r["quote"], r["context"], "kind=reason" in r["details"])
        for r in claim
        if r["relation"] == "REASON_FOR" and r["direction"] == "in"
    }
    assert reasons == {
        "Cold climates": ("cold climates,", heading, True),
        "Hydroelectric power": ("hydroelectric power,", heading, True),
        "Political stability": ("political stability,", heading, True),
        "Lower cooling costs": ("lower cooling costs.", heading, True),
    }
    about = [
        (r["other"], r["other_type"], r["quote"], r["context"])
        for r in claim
        if r["relation"] == "ABOUT"
    ]
    assert about == [("Nordic countries", "Region", heading, None)]
    saudi = seeded_graph.query("entity-profile", entity="Saudi Arabia")
    goals = {
        r["other"]: (r["other_type"], r["quote"], r["context"], "kind=goal" in r["details"])
        for r in saudi
        if r["relation"] == "ABOUT" and r["direction"] == "in"
    }
    assert goals == {
        "Sovereign Arabic-language AI": (
            "Statement",
            "sovereign Arabic-language AI,",
            "Goal:",
            True,
        ),
        "Regional compute independence": (
            "Statement",
            "regional compute independence,",
            "Goal:",
            True,
        ),
        "Digital diversification beyond oil": (
            "Statement",
            "digital diversification beyond oil.",
            "Goal:",
            True,
        ),
    }


def test_the_world_relies_on_us_origin_operating_systems(seeded_graph: KnowledgeBase) -> None:
    rows = seeded_graph.query("evidence-between", a="World (global)", b="Operating systems")
    assert [(r["relation"], r["quote"], r["context"]) for r in rows] == [
        (
            "RELIES_ON",
            "operating systems,",
            "Even when China builds domestic infrastructure, much of the global digital "
            "ecosystem still depends on U.S.-origin:",
        )
    ]


# --------------------------------------------------------------------------- numbers


def test_statistics_carry_value_unit_and_normalised_forms(seeded_graph: KnowledgeBase) -> None:
    rows = by(seeded_graph.query("statistics-list"), "statistic_id")
    capacity = rows["cn-share-global-liion-capacity"]
    assert (capacity["value"], capacity["low"], capacity["high"]) == (None, 70, 80)
    assert (capacity["low_normalised"], capacity["high_normalised"]) == (0.7, 0.8)
    assert capacity["unit_normalised"] == "fraction"
    assert capacity["context"] == "Globally, China controls roughly:"
    growth = rows["mea-ai-infra-growth-2025"]
    assert (growth["value"], growth["bound"], growth["value_normalised"]) == (500, "above", 5.0)
    imports = rows["us-dc-power-stack-imports-2025"]
    assert (imports["value"], imports["unit"]) == (77.1, "usd_billion")
    assert (imports["value_normalised"], imports["unit_normalised"]) == (77_100_000_000, "usd")


# --------------------------------------------------------------------------- new queries


def test_what_huawei_depends_on(seeded_graph: KnowledgeBase) -> None:
    rows = seeded_graph.query("depends-on", entity="Huawei")
    direct = [r for r in rows if r["distance"] == 1]
    assert [(r["dependency"], r["kind"]) for r in direct] == [("United States", "ip")]
    assert quotes(direct[0]) == [
        (
            "Much of this infrastructure integrates with U.S.-origin AI IP, software "
            "frameworks, and operating system ecosystems.",
            None,
        )
    ]
    further = [r for r in rows if r["distance"] == 2]
    assert further and all(r["first_kind"] == "ip" for r in further)
    assert all(len(r["evidence"]) == 2 for r in further)
    # by kind: only the dependencies whose last step is a supply
    supplied = seeded_graph.query("depends-on", entity="China", kind="supply", hops=1)
    assert "NVIDIA" in by(supplied, "dependency")
    assert {r["kind"] for r in supplied} == {"supply"}


def test_who_is_restricted_by_the_us_since_when(seeded_graph: KnowledgeBase) -> None:
    rows = seeded_graph.query("restricted", issuer="United States", country="China")
    firms = {r["target"] for r in rows}
    assert firms == {"Huawei", "ZTE", "Inspur", "Sugon"}
    first = {}
    for row in rows:
        if row["start"]:
            first.setdefault(row["target"], row["start"])
    assert first == {
        "Huawei": "2018-08-13",
        "ZTE": "2018-08-13",
        "Sugon": "2019-06-24",
        "Inspur": "2023-03",
    }
    bis = next(r for r in rows if r["restriction_id"] == "bis-entity-list-inspur-2023")
    assert bis["issuer"] == ["Bureau of Industry and Security (United States)"]
    # the evidence ties the target, the agency, the agency's country and the target's home
    assert [e["fact"] for e in bis["evidence"]] == [
        "Entity List: Inspur Group (2023) -RESTRICTS-> Inspur",
        "Entity List: Inspur Group (2023) -ISSUED_BY-> Bureau of Industry and Security",
        "Bureau of Industry and Security -HEADQUARTERED_IN-> United States",
        "Inspur -HEADQUARTERED_IN-> China",
    ]
    # in force on a date: before 2023 Inspur's listing was not
    earlier = seeded_graph.query("restricted", issuer="US", country="CN", date="2020-01-01")
    assert "bis-entity-list-inspur-2023" not in {r["restriction_id"] for r in earlier}
    # by kind; products count by their maker's home
    controls = seeded_graph.query("restricted", issuer="US", kind="export_control")
    assert {"NVIDIA A100", "NVIDIA H100"} <= {r["target"] for r in controls}
    assert {r["home"] for r in controls} == {"United States"}


def test_who_builds_in_both_saudi_arabia_and_the_uae(seeded_graph: KnowledgeBase) -> None:
    both = seeded_graph.query("common", places=["Saudi Arabia", "UAE"])
    assert [r["company"] for r in both] == ["Microsoft", "Oracle"]
    assert quotes(both[0]) == [("Microsoft", "Major builders:")] * 2
    either = seeded_graph.query("common", places="Saudi Arabia,UAE", match="any")
    assert {"G42", "Humain", "Saudi Aramco", "Google", "NVIDIA"} <= {r["company"] for r in either}
    assert by(either, "company")["G42"]["matched"] == 1


def test_builders_by_country_lists_the_cities(seeded_graph: KnowledgeBase) -> None:
    rows = seeded_graph.query("builders-by-country", place="India")
    assert {r["builder"] for r in rows} == {
        "Reliance Jio",
        "Adani Group",
        "Microsoft",
        "Amazon Web Services",
    }
    cities = {(c["region"], c["kind"], c["quote"], c["context"]) for c in rows[0]["regions"]}
    assert ("Mumbai", "city", "Mumbai", "Rapidly emerging AI/data-center market:") in cities
    assert {c[0] for c in cities} == {"Mumbai", "Hyderabad", "Chennai", "Bengaluru"}


def test_an_empty_answer_says_why_and_what_to_ask(seeded_graph: KnowledgeBase) -> None:
    rows = seeded_graph.query("sites-relying-on-supplier", supplier="Sungrow")
    assert rows == []
    assert rows.note is not None
    assert "the supplier may reach only categories" in rows.note
    assert "blast-radius -p supplier=Sungrow" in rows.note
    result = CliRunner().invoke(
        main,
        ["query", "run", "sites-relying-on-supplier", "-p", "supplier=Sungrow", "--format", "json"],
    )
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []
    assert "blast-radius -p supplier=Sungrow" in result.stderr
    assert seeded_graph.query("depends-on", entity="Huawei").note is None


# --------------------------------------------------------------------------- inference


def test_inferred_rows_only_when_asked_after_the_direct_ones(seeded_graph: KnowledgeBase) -> None:
    direct = seeded_graph.query("firms-relying-on", tech="NVIDIA")
    assert {r["firm"] for r in direct} == {"Alibaba", "Tencent", "ByteDance", "Baidu"}
    assert not any(r["inferred"] for r in direct)
    alibaba = next(r for r in direct if r["technology"] == "NVIDIA A100" and r["firm"] == "Alibaba")
    assert ("Alibaba,", "Customers reportedly included:") in quotes(alibaba)
    asked = seeded_graph.query("firms-relying-on", tech="NVIDIA", inherited=True)
    flags = [r["inferred"] for r in asked]
    assert flags == sorted(flags)  # direct rows first, inferred after
    huawei = [r for r in asked if r["firm"] == "Huawei"]
    assert huawei and all(r["inferred"] and r["rules"] == ["country -> firm"] for r in huawei)
    assert all(r["confidence"] == "implied" for r in huawei)
