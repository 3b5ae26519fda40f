"""Issue 15's attacks through the loader and the exports, against the real server."""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import wipe
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb import KnowledgeBase
from kb.cli import main
from kb.errors import KBError, LoadError
from kb.export import collect, export
from kb.load import writer
from kb.load.runner import load
from kb.load.spool import Spool

SOURCE = {"id": "s", "title": "A source"}


def run_cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def runs(kb: KnowledgeBase) -> list[dict[str, Any]]:
    return kb.cypher("MATCH (r:LoadRun) RETURN properties(r) AS run ORDER BY r.started")


# --------------------------------------------------------------------------- D2a / D2b


def test_d2a_concurrent_loads_cannot_give_one_id_two_kinds(
    empty_graph: KnowledgeBase, tmp_path: Path
) -> None:
    ids = [f"dual-{i}" for i in range(3000)]
    for kind, folder in (("companies", "a"), ("products", "b")):
        (tmp_path / folder).mkdir()
        lines = ["id,name", *(f"{i},{kind} {i}" for i in ids)]
        (tmp_path / folder / f"{kind}.csv").write_text("\n".join(lines) + "\n")
    outcomes: dict[str, str] = {}
    barrier = threading.Barrier(2)

    def run(folder: str) -> None:
        barrier.wait()
        try:
            load(empty_graph.driver, None, [tmp_path / folder])
            outcomes[folder] = "loaded"
        except Exception as exc:
            outcomes[folder] = f"{type(exc).__name__}: {exc}"

    threads = [threading.Thread(target=run, args=(f,)) for f in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    two_kinds = empty_graph.cypher(
        "MATCH (n:Entity) WHERE size(labels(n)) > 2 RETURN count(n) AS n"
    )[0]["n"]
    assert two_kinds == 0, outcomes
    assert list(outcomes.values()).count("loaded") == 1, outcomes
    assert any("LoadError" in o and "already a" in o for o in outcomes.values()), outcomes


def test_d2b_a_load_reads_one_snapshot_of_a_file_that_changes_meanwhile(
    empty_graph: KnowledgeBase, tmp_path: Path
) -> None:
    def version(tag: str) -> str:
        companies = [{"id": f"c{i}", "name": f"{tag} name {i}"} for i in range(60)]
        facts = [
            {"subject": f"c{i}", "object": f"c{i + 1}", "source": "s", "evidence": f"{tag} said"}
            for i in range(59)
        ]
        document = {"sources": [SOURCE], "companies": companies, "subsidiary_of": facts}
        return yaml.safe_dump(document)

    path = tmp_path / "graph.yaml"
    first = version("v1")
    path.write_text(first)
    swapped = threading.Event()

    def swap(_: int) -> None:  # after the first batch is written, while planning goes on
        if not swapped.is_set():
            path.write_text(version("v2"))
            swapped.set()

    load(empty_graph.driver, None, [tmp_path], batch_size=1, progress=swap)
    assert swapped.is_set()
    seen = empty_graph.cypher(
        "MATCH (c:Company) WITH collect(DISTINCT split(c.name, ' ')[0]) AS names "
        "MATCH ()-[r:SUBSIDIARY_OF]->() "
        "RETURN names, collect(DISTINCT split(r.evidence, ' ')[0]) AS facts"
    )[0]
    assert seen == {"names": ["v1"], "facts": ["v1"]}
    assert runs(empty_graph)[-1]["run"]["sha256"] == [hashlib.sha256(first.encode()).hexdigest()]


# --------------------------------------------------------------------------- D8


def test_d8_a_fact_whose_endpoint_vanished_fails_the_write(empty_graph: KnowledgeBase) -> None:
    """The plan found both endpoints; one was deleted before the batch ran: the writer compares
    the rows it wrote with the rows planned and fails, instead of dropping the fact."""
    empty_graph.cypher(
        "CREATE (:Entity:Company {id: 'a', name: 'A'}), (:Entity:Company {id: 'b', name: 'B'}),"
        " (:Entity:Source {id: 's', name: 'S'})",
        write=True,
    )
    rows = [
        {"subject": "a", "object": "b", "source": "s", "key": "", "props": {"evidence": "x"}},
        {"subject": "a", "object": "gone", "source": "s", "key": "", "props": {"evidence": "y"}},
    ]
    with Spool(10) as spool:
        for row in rows:
            spool.add("relation", "SUBSIDIARY_OF", row)
        with pytest.raises(LoadError, match=r"1 of 2 SUBSIDIARY_OF facts.*'gone'"):
            writer.write(empty_graph.driver, None, spool)
    assert empty_graph.cypher("MATCH ()-[r]->() RETURN count(r) AS n") == [{"n": 0}]


# --------------------------------------------------------------------------- D3, D11, D12


def alias_bomb(levels: int) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels + 1):
        refs = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    return "\n".join(lines) + "\n"


def test_d3_yaml_alias_bomb_is_refused_at_once(empty_graph: KnowledgeBase, tmp_path: Path) -> None:
    (tmp_path / "companies.yaml").write_text(alias_bomb(9))
    started = time.monotonic()
    code, out = run_cli("load", str(tmp_path))
    assert time.monotonic() - started < 10
    assert code == 1 and "anchors and aliases" in out and "companies.yaml:line 1" in out
    assert len(out) < 2000
    problems = runs(empty_graph)[-1]["run"]["problems"]
    assert sum(map(len, problems)) < 2000


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("companies.json", "[" * 100_000 + "]" * 100_000, "nested more than 20 levels"),
        ("companies.yaml", "[" * 100_000 + "]" * 100_000, "nested more than 20 levels"),
        ("companies.jsonl", '{"id": ' + "[" * 50_000 + "]" * 50_000 + "}", "nested more than"),
        (
            "companies.json",
            '[{"id": "a",\n  "name": "First",\n  "name": "Second"}]',
            "line 3: key 'name' given twice",
        ),
        ("companies.yaml", "- id: a\n  name: First\n  name: Second\n", "line 3: invalid YAML: key"),
    ],
)
def test_d11_d12_hostile_files_are_clear_errors(
    empty_graph: KnowledgeBase, tmp_path: Path, name: str, text: str, message: str
) -> None:
    (tmp_path / name).write_text(text)
    code, out = run_cli("load", str(tmp_path))
    assert code == 1 and message in out, out[:2000]
    assert "Traceback" not in out
    assert empty_graph.cypher("MATCH (n:Entity) RETURN count(n) AS n") == [{"n": 0}]


def test_d11_symlink_loop_is_named_before_planning(
    empty_graph: KnowledgeBase, tmp_path: Path
) -> None:
    (tmp_path / "sources.yaml").write_text(yaml.safe_dump([SOURCE]))
    os.symlink("loop.csv", tmp_path / "loop.csv")
    os.symlink("..", tmp_path / "up")  # a folder loop: not followed
    code, out = run_cli("load", str(tmp_path))
    assert code == 1 and "loop.csv: a symbolic link loop" in out
    assert "Traceback" not in out


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("[" * 100_000, "nested too deeply"),
        ("[" * 30 + "]" * 30, "nested more than 20 levels"),
        ("99999999999999999999999", "out of range"),
    ],
)
def test_d11_hostile_parameters_are_clear_errors(
    kb: KnowledgeBase, value: str, message: str
) -> None:
    code, out = run_cli("cypher", "RETURN $x AS x", "-p", f"x={value}")
    assert code != 0 and message in out and "Traceback" not in out


def test_d11_hostile_api_parameters_are_clear_errors(kb: KnowledgeBase) -> None:
    with pytest.raises(KBError, match="out of range"):
        kb.cypher("RETURN $x AS x", {"x": 10**30})
    deep: list[Any] = []
    for _ in range(30):
        deep = [deep]
    with pytest.raises(KBError, match="nested more than 20 levels"):
        kb.cypher("RETURN $x AS x", {"x": deep})


# --------------------------------------------------------------------------- D13


def test_d13_error_text_is_bounded(empty_graph: KnowledgeBase, tmp_path: Path) -> None:
    huge = "N" * 1_000_000
    companies = [{"id": f"big-{i}", "name": huge} for i in range(50)]
    companies += [{"id": f"bad id {i}", "name": "x"} for i in range(100)]
    (tmp_path / "companies.json").write_text(json.dumps(companies))
    code, out = run_cli("load", str(tmp_path))
    assert code == 1 and "150 problems" in out and "and 100 more" in out
    assert len(out) < 100_000
    problems = runs(empty_graph)[-1]["run"]["problems"]
    assert len(problems) <= 200 and sum(map(len, problems)) < 250_000


# --------------------------------------------------------------------------- D7


TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=40
).filter(lambda t: t.strip() != "")
NASTY = st.sampled_from(
    [
        *("a;b", "; ;", '["x"]', "[x", "\x1b]0;x\x07 real\rFAKE"),
        *("\x00nul", "tab\there", "é 中", "a\r\nb"),
    ]
)
WORD = st.one_of(TEXT, NASTY)


@st.composite
def graphs(draw: st.DrawFn) -> dict[str, list[dict[str, Any]]]:
    count = draw(st.integers(1, 4))
    companies = []
    for i in range(count):
        company: dict[str, Any] = {"id": f"c{i}", "name": draw(WORD)}
        aliases = draw(st.lists(WORD, max_size=3, unique_by=lambda a: a.strip()))
        if aliases:
            company["aliases"] = aliases
        if draw(st.booleans()):
            company["description"] = draw(st.one_of(WORD, st.just("")))
        companies.append(company)
    facts = [
        {"subject": "c0", "object": f"c{i}", "source": "s", "evidence": draw(WORD)}
        for i in range(1, count)
    ]
    return {"sources": [SOURCE], "companies": companies, "subsidiary_of": facts}


def round_trip(kb: KnowledgeBase, fmt: str, folder: Path) -> None:
    before = collect(kb.driver, None)
    first = folder / f"first.{fmt}" if fmt != "csv" else folder / "first"
    export(kb.driver, None, fmt, first)
    wipe(kb)
    load(kb.driver, None, [first])
    assert collect(kb.driver, None) == before
    second = folder / f"second.{fmt}" if fmt != "csv" else folder / "second"
    export(kb.driver, None, fmt, second)
    if fmt == "csv":
        for path in sorted(first.iterdir()):
            assert (second / path.name).read_bytes() == path.read_bytes()
    else:
        assert second.read_bytes() == first.read_bytes()


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_d7_exports_load_back_unchanged(kb: KnowledgeBase, tmp_path: Path, fmt: str) -> None:
    counter = iter(range(10**6))

    @settings(
        max_examples=10,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(graph=graphs())
    def check(graph: dict[str, list[dict[str, Any]]]) -> None:
        folder = tmp_path / str(next(counter))
        folder.mkdir()
        wipe(kb)
        (folder / "input.json").write_text(json.dumps(graph))
        load(kb.driver, None, [folder / "input.json"])
        round_trip(kb, fmt, folder)

    check()


def test_d7_the_red_team_values_round_trip(empty_graph: KnowledgeBase, tmp_path: Path) -> None:
    graph = {
        "sources": [SOURCE],
        "companies": [
            {"id": "long", "name": "Long", "description": "d" * 200_000},
            {"id": "semi", "name": "Semi", "aliases": ["a;b", "c"]},
            {"id": "ctrl", "name": "Esc\x1b Bel\x07 Nul\x00", "description": ""},
        ],
    }
    (tmp_path / "input.json").write_text(json.dumps(graph))
    load(empty_graph.driver, None, [tmp_path / "input.json"])
    for fmt in ("json", "csv"):
        folder = tmp_path / fmt
        folder.mkdir()
        round_trip(empty_graph, fmt, folder)
    graphml = tmp_path / "graph.graphml"
    export(empty_graph.driver, None, "graphml", graphml)
    root = ET.parse(graphml).getroot()  # valid XML
    data = [
        json.loads(d.text or "")
        for d in root.iter("{http://graphml.graphdrawing.org/xmlns}data")
        if d.get("key") == "data"
    ]
    assert any(d["id"] == "ctrl" and d["name"] == "Esc\x1b Bel\x07 Nul\x00" for d in data)
