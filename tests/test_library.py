"""The query library: every file parses, declares what it uses, bounds its paths and plans.

File checks need no database; the EXPLAIN checks run on the test server (empty is fine).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb import KnowledgeBase, db
from kb.cli import main
from kb.errors import KBError, QueryError
from kb.library import MAX_HOPS, PAGE_PARAMS, Query, load_library, parse_file
from kb.paths import cypher_dir

LIBRARY = load_library()
QUERIES = [LIBRARY.get(name) for name in LIBRARY.names]
NAMES = [q.name for q in QUERIES]

# The questions the library promises to answer (the list plus the analyst's extras).
PROMISED = {
    "firms-relying-on",
    "sites-relying-on-supplier",
    "dependency-paths",
    "exposure",
    "restricted-vendors-reaching",
    "mutual-dependence",
    "builders-by-country",
    "where-company-builds",
    "foreign-operators",
    "blast-radius",
    "entity-profile",
    "statistic-trend",
    "evidence-between",
    "restrictions-on-entity",
    "suppliers-of-category",
    "statistics-list",
}


def _strip(text: str) -> str:
    """Comments and string literals removed: written here again, independent of the library."""
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.DOTALL)
    text = re.sub(r"//[^\n]*", " ", text)
    return re.sub(r"'(?:\\.|[^'\\])*'|\"(?:\\.|[^\"\\])*\"", "''", text)


# --------------------------------------------------------------------------- the files


def test_every_file_of_the_folder_is_a_query_of_the_library() -> None:
    files = sorted(p.stem for p in cypher_dir().glob("*.cypher"))
    assert files == NAMES
    assert set(NAMES) >= PROMISED


@pytest.mark.parametrize("query", QUERIES, ids=NAMES)
def test_header_matches_body(query: Query) -> None:
    header = query.header
    assert header.name == query.path.stem
    assert header.mode == "read"
    assert header.title and header.description and header.returns
    used = set(re.findall(r"\$([A-Za-z_]\w*)", _strip(query.body)))
    paging = set(PAGE_PARAMS) if header.paged else set()
    assert paging <= used
    assert {p.name for p in header.params} == used - paging
    assert set(header.example) <= {p.name for p in header.params}
    assert query.text.lstrip().startswith("/*")


@pytest.mark.parametrize("query", QUERIES, ids=NAMES)
def test_every_variable_length_pattern_has_an_upper_bound(query: Query) -> None:
    code = _strip(query.body)
    stars = re.findall(r"-\s*\[([^\[\]]*\*[^\[\]]*)\]\s*-", code)
    for inside in stars:
        bound = re.search(r"\*\s*(\d*)\s*(?:\.\.\s*(\d*))?\s*$", inside)
        assert bound, inside
        upper = bound.group(2) if ".." in inside else bound.group(1)
        assert upper, f"unbounded pattern [{inside}] in {query.name}"
        assert int(upper) <= MAX_HOPS
    for _lower, upper in re.findall(r"\)\s*\{\s*(\d*)\s*,\s*(\d*)\s*\}", code):
        assert upper and int(upper) <= MAX_HOPS, f"unbounded quantifier in {query.name}"
    assert not re.search(r"\)\s*[+*]\s*\(", code), f"unbounded quantifier in {query.name}"


@pytest.mark.parametrize("query", QUERIES, ids=NAMES)
def test_every_query_anchors_on_an_indexed_key_or_a_label(query: Query) -> None:
    code = _strip(query.body)
    entity_params = [p.name for p in query.params if p.type == "entity"]
    for name in entity_params:
        assert re.search(r"\{id: \$" + name + r"\}", code) or f".id = ${name}" in code, name


def test_the_folder_is_found_without_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_library().names == NAMES


# --------------------------------------------------------------------------- broken files

GOOD_HEADER = """/*
name: {name}
title: A test query
description: Returns what it is given.
mode: read
params:
  - name: x
    type: integer
    default: 1
    description: a number
returns: [x]
example: {{x: 2}}
*/
"""

PAGED_HEADER = GOOD_HEADER.format(name="t").replace("mode: read", "mode: read\npaged: true")


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.cypher"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("RETURN 1 AS x", "must open with a /* ... */ YAML header"),
        ("/*\nname: [unclosed\n*/\nRETURN 1", "not valid YAML"),
        (GOOD_HEADER.format(name="t") + "RETURN $x + $y AS x", "uses $y"),
        (GOOD_HEADER.format(name="t") + "RETURN 1 AS x", "never uses it"),
        (GOOD_HEADER.format(name="other") + "RETURN $x AS x", "differs from the file name"),
        (GOOD_HEADER.format(name="t") + "MATCH (a)-[*]->(b) RETURN $x AS x", "upper bound"),
        (GOOD_HEADER.format(name="t") + "MATCH (a)-[:R*2..]->(b) RETURN $x AS x", "upper bound"),
        (GOOD_HEADER.format(name="t") + "MATCH (a)-[*1..9]->(b) RETURN $x AS x", "upper bound"),
        (
            GOOD_HEADER.format(name="t") + "MATCH (a) ((x)-->(y)){1,} (b) RETURN $x AS x",
            "upper bound",
        ),
        (GOOD_HEADER.format(name="t").replace("mode: read", "mode: write") + "RETURN $x", "mode"),
        (GOOD_HEADER.format(name="t").replace("{x: 2}", "{x: two}") + "RETURN $x", "example"),
        (GOOD_HEADER.format(name="t").replace("type: integer", "type: date") + "RETURN $x", "type"),
        (PAGED_HEADER + "RETURN $x AS x LIMIT $limit", "$skip unused"),
        (
            PAGED_HEADER.replace("name: x", "name: limit").replace("{x: 2}", "{limit: 2}")
            + "RETURN $limit AS x SKIP $skip LIMIT $limit",
            "rename the parameter",
        ),
    ],
)
def test_a_broken_file_is_a_clear_error_naming_it(tmp_path: Path, text: str, message: str) -> None:
    _write(tmp_path, "t", text)
    with pytest.raises(QueryError) as caught:
        parse_file(tmp_path / "t.cypher")
    assert "t.cypher" in str(caught.value)
    assert message in str(caught.value)
    with pytest.raises(QueryError, match=r"1 broken file\(s\)"):
        load_library(tmp_path)


def test_params_in_strings_and_comments_do_not_count(tmp_path: Path) -> None:
    body = "// uses $nothing\nRETURN $x AS x, '$y' AS text /* $z */"
    query = parse_file(_write(tmp_path, "t", GOOD_HEADER.format(name="t") + body))
    assert query.bind({}) == {"x": 1}


def test_a_paged_query_takes_skip_and_limit_from_the_runner_not_the_caller(
    tmp_path: Path,
) -> None:
    query = parse_file(
        _write(tmp_path, "t", PAGED_HEADER + "RETURN $x AS x SKIP $skip LIMIT $limit")
    )
    assert query.header.paged
    assert query.bind({}) == {"x": 1}
    with pytest.raises(QueryError, match="no parameter 'skip'"):
        query.bind({"skip": 3})


# --------------------------------------------------------------------------- parameters


def test_parameters_are_coerced_to_their_types() -> None:
    q = LIBRARY.get("blast-radius")
    assert q.bind({"supplier": "CATL", "max_hops": "3", "types": "Company, Region"}) == {
        "supplier": "CATL",
        "max_hops": 3,
        "types": ["Company", "Region"],
        "inherited": False,
    }
    firms = LIBRARY.get("firms-relying-on")
    bound = firms.bind({"tech": "all", "inherited": "false"})
    assert bound == {"country": "CN", "tech": None, "origin": "US", "inherited": False}
    assert LIBRARY.get("mutual-dependence").bind({"level": "company"})["level"] == "company"


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("nope", {}, "Unknown query 'nope'"),
        ("firms-relyng-on", {}, "did you mean 'firms-relying-on'"),
        ("firms-relying-on", {"techh": "CUDA"}, "no parameter 'techh' (did you mean 'tech'?)"),
        ("dependency-paths", {"a": "US"}, "needs parameter 'b'"),
        ("blast-radius", {"supplier": "CATL", "max_hops": 9}, "between 1 and 6"),
        ("blast-radius", {"supplier": "CATL", "max_hops": "abc"}, "takes an integer"),
        ("blast-radius", {"supplier": "CATL", "max_hops": 2.5}, "takes an integer"),
        ("blast-radius", {"supplier": "all"}, "needs one entity"),
        ("blast-radius", {"supplier": None}, "may not be null"),
        ("firms-relying-on", {"inherited": "maybe"}, "true or false"),
        ("mutual-dependence", {"level": "planet"}, "one of country, company"),
        ("entity-profile", {"entity": ["a"]}, "a name, alias or id"),
    ],
)
def test_parameter_errors_are_clear_and_come_before_the_database(
    name: str, params: dict[str, object], message: str
) -> None:
    with pytest.raises(QueryError) as caught:
        LIBRARY.get(name).bind(params)
    assert message in str(caught.value)


def test_bad_parameters_in_the_cli_print_a_message_not_a_traceback() -> None:
    result = CliRunner().invoke(main, ["query", "run", "blast-radius", "-p", "max_hops=9"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert "Traceback" not in result.stderr


# --------------------------------------------------------------------------- the server's view


@pytest.mark.parametrize("query", QUERIES, ids=NAMES)
def test_every_query_plans_read_only_with_its_declared_columns(
    kb: KnowledgeBase, query: Query
) -> None:
    params = query.bind(query.header.example)
    result = kb.driver.execute_query(f"EXPLAIN {query.body}", params, database_=kb.database)
    assert result.summary.query_type == "r"
    assert list(result.keys) == list(query.header.returns)


def test_a_shipped_statement_runs_unchecked_but_the_server_refuses_it_a_write(
    empty_graph: KnowledgeBase,
) -> None:
    """Library queries skip the EXPLAIN check: their read transaction is the guard."""
    kb = empty_graph
    with pytest.raises(KBError, match="read access mode"):
        db.run(
            kb.driver, kb.database, "CREATE (p:Probe {id: 'probe'}) RETURN p.id AS id", shipped=True
        )
    assert kb.cypher("MATCH (p:Probe) RETURN count(p) AS n") == [{"n": 0}]


# --------------------------------------------------------------------------- the commands


@pytest.mark.parametrize(
    "args", [["query"], ["query", "list"], ["query", "show"], ["query", "run"]]
)
def test_every_query_command_has_help_with_an_example(args: list[str]) -> None:
    result = CliRunner().invoke(main, [*args, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output


def test_query_list_names_every_query_with_its_title() -> None:
    result = CliRunner().invoke(main, ["query", "list", "--format", "csv"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "name,title"
    assert [line.split(",", 1)[0] for line in lines[1:]] == NAMES


def test_query_show_prints_header_params_example_and_text() -> None:
    result = CliRunner().invoke(main, ["query", "show", "sites-relying-on-supplier"])
    assert result.exit_code == 0
    out = result.output
    assert "Parameters:" in out and "supplier" in out and "max_hops" in out
    assert "Example: kb query run sites-relying-on-supplier -p 'country=United States'" in out
    assert "MATCH (c:Country {id: $country})" in out


def test_query_show_of_an_unknown_query_suggests_names() -> None:
    result = CliRunner().invoke(main, ["query", "show", "blast-radios"])
    assert result.exit_code == 1
    assert "did you mean 'blast-radius'" in result.stderr


def test_query_list_as_json_gives_each_query_with_its_parameters() -> None:
    result = CliRunner().invoke(main, ["query", "list", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    listed = json.loads(result.output)
    assert [q["name"] for q in listed] == NAMES
    by_name = {q["name"]: q for q in listed}
    blast = by_name["blast-radius"]
    assert blast["title"] == load_library().get("blast-radius").title
    params = {p["name"]: p for p in blast["params"]}
    assert params["supplier"]["type"] == "entity" and params["supplier"]["required"] is True
    assert "default" not in params["supplier"]
    assert params["max_hops"] == {
        "name": "max_hops",
        "type": "integer",
        "required": False,
        "default": 4,
        "min": 1,
        "max": MAX_HOPS,
        "description": "the longest chain (in facts) followed",
    }
    assert "cypher" not in blast  # the list is for choosing; `show` gives the statement


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_query_show_as_json_or_yaml_is_the_facades_description(fmt: str) -> None:
    import yaml

    result = CliRunner().invoke(main, ["query", "show", "exposure", "--format", fmt])
    assert result.exit_code == 0, result.stderr
    shown = json.loads(result.output) if fmt == "json" else yaml.safe_load(result.output)
    assert shown == json.loads(json.dumps(KnowledgeBase().describe("exposure").as_dict()))
    assert shown["cypher"] == load_library().get("exposure").text
    assert [p["name"] for p in shown["params"]] == ["country", "supplier_country"]
