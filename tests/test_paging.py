"""Large answers page (issue 14 part 3), against the real server on the seed: pages put
together are the whole answer, a cursor is refused for another query or other parameters,
the count of the rows left is right, a summary counts the groups of the whole answer; and the
place -> inside rule is opt-in in blast-radius and sites-relying-on-supplier (issue 11)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from click.testing import CliRunner

from kb import KnowledgeBase
from kb.cli import main
from kb.errors import QueryError
from kb.library import load_library

LIBRARY = load_library()
PAGED = [name for name in LIBRARY.names if LIBRARY.get(name).header.paged]
# the two heavy questions, with parameters whose answers span several pages of 4
ASKED: list[tuple[str, dict[str, Any]]] = [
    ("blast-radius", {"supplier": "CATL", "inherited": True}),
    ("blast-radius", {"supplier": "China", "max_hops": 3}),
    ("sites-relying-on-supplier", {"country": "US", "supplier": "CATL", "inherited": True}),
    ("sites-relying-on-supplier", {"country": "US", "supplier": "China", "inherited": True}),
]


def _key(row: dict[str, Any]) -> str:
    return json.dumps(row, sort_keys=True, default=str)


def test_the_heavy_questions_and_those_whose_answers_grow_page() -> None:
    assert {"blast-radius", "sites-relying-on-supplier", "depends-on", "firms-relying-on"} <= set(
        PAGED
    )


@pytest.mark.parametrize(("name", "params"), ASKED)
def test_pages_put_together_are_the_whole_answer(
    seeded_graph: KnowledgeBase, name: str, params: dict[str, Any]
) -> None:
    whole = seeded_graph.query(name, params)
    assert len(whole) > 8, "the question must span several pages"
    pages = list(seeded_graph.pages(name, params, size=4))
    assert [len(p) for p in pages[:-1]] == [4] * (len(pages) - 1)
    assert [row for page in pages for row in page] == list(whole)
    assert [p.offset for p in pages] == list(range(0, 4 * len(pages), 4))
    assert pages[-1].next_cursor is None and all(p.next_cursor for p in pages[:-1])
    assert list(seeded_graph.iter_rows(name, params, size=5)) == list(whole)


@pytest.mark.parametrize(("name", "params"), ASKED[::2])
def test_a_cursor_walks_the_answer_and_counts_what_remains(
    seeded_graph: KnowledgeBase, name: str, params: dict[str, Any]
) -> None:
    whole = seeded_graph.query(name, params)
    rows: list[dict[str, Any]] = []
    page = seeded_graph.query(name, params, limit=3)
    while True:
        rows.extend(page)
        assert page.remaining == len(whole) - len(rows)
        if page.next_cursor is None:
            break
        page = seeded_graph.query(name, params, limit=3, cursor=page.next_cursor)
    assert rows == list(whole)
    # a cursor names an offset, not a size: the next page may be larger
    first = seeded_graph.query(name, params, limit=2)
    rest = seeded_graph.query(name, params, limit=1000, cursor=first.next_cursor)
    assert list(first) + list(rest) == list(whole)
    assert rest.remaining == 0 and rest.next_cursor is None


@pytest.mark.parametrize("name", PAGED)
def test_every_paged_query_s_first_page_is_the_head_of_its_whole_answer(
    seeded_graph: KnowledgeBase, name: str
) -> None:
    example = LIBRARY.get(name).header.example
    whole = seeded_graph.query(name, example)
    page = seeded_graph.query(name, example, limit=2)
    assert list(page) == list(whole[:2])
    assert page.remaining == max(0, len(whole) - 2)
    assert (page.next_cursor is not None) == (len(whole) > 2)


def test_a_cursor_of_another_query_or_other_parameters_is_refused(
    seeded_graph: KnowledgeBase,
) -> None:
    page = seeded_graph.query("blast-radius", supplier="CATL", limit=2)
    assert page.next_cursor
    # the same question in other words (an id for a name) keeps the cursor
    again = seeded_graph.query("blast-radius", supplier="catl", limit=2, cursor=page.next_cursor)
    assert again.offset == 2
    with pytest.raises(QueryError, match="with other parameters"):
        seeded_graph.query("blast-radius", supplier="CATL", max_hops=2, cursor=page.next_cursor)
    with pytest.raises(QueryError, match="a page of query 'blast-radius', not of 'depends-on'"):
        seeded_graph.query("depends-on", entity="CATL", limit=2, cursor=page.next_cursor)
    with pytest.raises(QueryError, match="not a page cursor"):
        seeded_graph.query("blast-radius", supplier="CATL", cursor="not-a-cursor")


def test_the_cli_prints_a_page_then_what_remains_and_the_next_command(
    seeded_graph: KnowledgeBase,
) -> None:
    whole = seeded_graph.query("blast-radius", supplier="CATL")
    args = ["query", "run", "blast-radius", "-p", "supplier=CATL", "--format", "json"]
    result = CliRunner().invoke(main, [*args, "--limit", "5"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == json.loads(json.dumps(list(whole[:5]), default=str))
    assert f"Rows 1-5; {len(whole) - 5} more rows. Next page:" in result.stderr
    command = result.stderr.splitlines()[-1].split()
    assert command[:6] == ["kb", "query", "run", "blast-radius", "-p", "supplier=CATL"]
    cursor = command[command.index("--cursor") + 1]
    result = CliRunner().invoke(main, [*args, "--limit", "100", "--cursor", cursor])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == json.loads(json.dumps(list(whole[5:]), default=str))
    assert f"Rows 6-{len(whole)}; no more rows." in result.stderr
    result = CliRunner().invoke(
        main, ["query", "run", "blast-radius", "-p", "supplier=China", "--cursor", cursor]
    )
    assert result.exit_code != 0 and "with other parameters" in result.output


@pytest.mark.parametrize(
    ("name", "params", "group", "count"),
    [
        (
            "blast-radius",
            {"supplier": "CATL", "inherited": True},
            ("inferred", "distance", "type", "confidence"),
            "affected",
        ),
        (
            "sites-relying-on-supplier",
            {"country": "US", "supplier": "CATL", "inherited": True},
            ("inferred", "supplier", "place_type", "confidence"),
            "places",
        ),
    ],
)
def test_a_summary_counts_the_groups_of_the_whole_answer(
    seeded_graph: KnowledgeBase,
    name: str,
    params: dict[str, Any],
    group: tuple[str, ...],
    count: str,
) -> None:
    whole = seeded_graph.query(name, params)
    summary = seeded_graph.query(name, params, summary=True)
    assert {tuple(row[g] for g in group): row[count] for row in summary} == dict(
        Counter(tuple(row[g] for g in group) for row in whole)
    )
    assert sum(row[count] for row in summary) == len(whole)
    result = CliRunner().invoke(
        main,
        [
            *["query", "run", name],
            *[f"-p{k}={json.dumps(v)}" for k, v in params.items()],
            *["--summary", "--format", "json"],
        ],
    )
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == len(summary)
    shown = CliRunner().invoke(main, ["query", "show", name]).output
    assert f"cypher/summary/{name}.cypher" in shown.replace("\\", "/")


def test_a_query_without_a_summary_says_which_have_one(seeded_graph: KnowledgeBase) -> None:
    with pytest.raises(QueryError, match=r"has no summary; these do: .*blast-radius"):
        seeded_graph.query("restricted", summary=True)


# --------------------------------------------------------------------------- place -> inside


def test_blast_radius_infers_what_places_inherit_only_when_asked(
    seeded_graph: KnowledgeBase,
) -> None:
    plain = seeded_graph.query("blast-radius", supplier="CATL")
    assert plain and not any(row["inferred"] for row in plain)
    assert not {"us-texas", "tx-campus"} & {row["affected_id"] for row in plain}
    asked = seeded_graph.query("blast-radius", supplier="CATL", inherited=True)
    inferred = [row for row in asked if row["inferred"]]
    assert inferred and asked[-len(inferred) :] == inferred  # after the rows from facts
    texas = next(row for row in inferred if row["affected_id"] == "us-texas")
    assert texas["rules"] == ["place -> inside"]
    assert texas["confidence"] in ("implied", "external")
    assert "Texas -LOCATED_IN-> United States" in [e["fact"] for e in texas["evidence"]]
    assert all(e["quote"] and e["source"] for e in texas["evidence"])
    # the rows from facts are the same either way
    assert [r for r in asked if not r["inferred"]] == list(plain)


def test_sites_relying_on_a_supplier_infer_inheritance_only_when_asked(
    seeded_graph: KnowledgeBase,
) -> None:
    plain = seeded_graph.query("sites-relying-on-supplier", country="US", supplier="CATL")
    assert plain and {row["place_type"] for row in plain} == {"Company"}
    assert not any(row["inferred"] or row["rules"] for row in plain)
    asked = seeded_graph.query(
        "sites-relying-on-supplier", country="US", supplier="CATL", inherited=True
    )
    inferred = [row for row in asked if row["inferred"]]
    assert inferred and asked[-len(inferred) :] == inferred
    texas = next(row for row in inferred if row["place"] == "Texas")
    assert texas["rules"] == ["place -> inside"] and texas["confidence"] == "implied"
    facts = [e["fact"] for e in texas["evidence"]]
    assert facts[0] == "Texas -LOCATED_IN-> United States"
    assert "CATL -SUPPLIES-> Lithium-ion batteries" in facts
    assert {row["place"] for row in plain} <= {row["place"] for row in asked}
