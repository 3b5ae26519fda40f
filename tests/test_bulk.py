"""`kb load --bulk`: Neo4j's offline importer into an empty database of the managed server.

The bulk tests run on a managed instance of their own (the importer stops and restarts the
server, and needs one that kb manages), whatever server the rest of the session uses.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import own_instance

from kb import KnowledgeBase
from kb.bench.generate import generate
from kb.cli import main
from kb.errors import LoadError
from kb.fingerprint import fingerprint
from kb.load.bulk import BulkRefused, managed_instance
from kb.load.import_files import (
    ARRAY_DELIMITERS,
    EMPTY_LISTS,
    DelimiterClash,
    ImportFiles,
    ImportFilesError,
    ImportWriter,
    write_import_files,
)
from kb.load.spool import Spool
from kb.server import importer, manager
from kb.server.instance import Instance
from kb.settings import Connection
from kb.statements import statement

# --------------------------------------------------------------------------- importer files


def _spooled(*items: tuple[str, str, dict[str, object]]) -> Spool:
    spool = Spool()
    for part, name, row in items:
        spool.add(part, name, row)  # type: ignore[arg-type]
    return spool


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_import_files_carry_types_empty_texts_and_lists(tmp_path: Path) -> None:
    company = {
        "name": 'Acme "Tools"',
        "aliases": ["A; B", "C"],
        "sectors": [],
        "year": 2020,
        "share": 1.5,
        "needs_review": True,
        "description": None,
    }
    with _spooled(
        ("node", "Company", {"id": "acme", "props": company, "run": "r1"}),
        ("node", "Company", {"id": "beta", "props": {**company, "aliases": []}, "run": "r1"}),
        (
            "relation",
            "COMPETES_WITH",
            {
                "subject": "acme",
                "object": "beta",
                "source": "s",
                "key": "",
                "props": {},
                "run": "r1",
            },
        ),
    ) as spool:
        files = write_import_files(spool, tmp_path)
    labels, header, data = files.nodes[0]
    assert labels == "Entity:Company"
    assert _lines(header) == [
        "id:ID(Entity),name:string,aliases:string[],sectors:string[],year:long,share:double,"
        f"needs_review:boolean,description:string,created_run:string,{EMPTY_LISTS}:string[]"
    ]
    rows = _lines(data)
    delimiter = files.array_delimiter
    assert delimiter not in "A; B"
    # texts quoted (quotes doubled), an absent value left empty, empty lists named for later
    assert rows[0] == (
        f'"acme","Acme ""Tools""","A; B{delimiter}C",,"2020","1.5","true",,"r1","sectors"'
    )
    assert rows[1].endswith(f'"r1","aliases{delimiter}sectors"')
    assert files.empty_lists == 2
    _type, rel_header, rel_data = files.relationships[0]
    assert _lines(rel_header) == [
        ":START_ID(Entity),:END_ID(Entity),source:string,key:string,created_run:string"
    ]
    assert _lines(rel_data) == ['"acme","beta","s","","r1"']  # an empty key stays a text
    assert f"--array-delimiter=U+{ord(delimiter):04X}" in files.arguments()
    assert "--multiline-fields=false" in files.arguments()


def test_import_files_switch_to_multiline_and_refuse_mixed_types(tmp_path: Path) -> None:
    with _spooled(
        ("node", "Source", {"id": "s", "props": {"name": "line 1\nline 2"}, "run": "r"}),
    ) as spool:
        assert "--multiline-fields=true" in write_import_files(spool, tmp_path).arguments()
    with (
        _spooled(
            ("node", "Source", {"id": "a", "props": {"year": 1}, "run": "r"}),
            ("node", "Source", {"id": "b", "props": {"year": "one"}, "run": "r"}),
        ) as spool,
        pytest.raises(ImportFilesError, match="'year' is both"),
    ):
        write_import_files(spool, tmp_path / "mixed")


def _streamed(folder: Path, *items: tuple[str, str, dict[str, object]]) -> ImportFiles:
    """The importer's files written by the spool's sink while rows are added (one pass)."""
    writer = ImportWriter(folder)
    with Spool(batch_size=2) as spool:
        spool.sink = writer.sink
        for part, name, row in items:
            spool.add(part, name, row)  # type: ignore[arg-type]
        spool.flush()
    return writer.finish()


def test_streamed_files_carry_types_empty_texts_and_lists(tmp_path: Path) -> None:
    company = {
        "name": 'Acme "Tools", Inc.',
        "aliases": ["A; B", "C"],
        "sectors": [],
        "year": 2020,
        "share": 1.5,
        "needs_review": True,
        "description": None,
    }
    fact = {"subject": "acme", "object": "beta", "source": "s", "props": {}, "run": "r1"}
    files = _streamed(
        tmp_path,
        ("node", "Company", {"id": "acme", "props": company, "run": "r1"}),
        ("node", "Company", {"id": "beta", "props": {**company, "aliases": []}, "run": "r1"}),
        ("node", "Company", {"id": "gamma", "props": {**company, "name": ""}, "run": "r1"}),
        ("relation", "COMPETES_WITH", {**fact, "key": ""}),
        ("relation", "COMPETES_WITH", {**fact, "key": "k=1"}),
    )
    labels, header, data = files.nodes[0]
    assert labels == "Entity:Company"
    assert _lines(header) == [
        "id:ID(Entity),name:string,aliases:string[],sectors:string[],year:long,share:double,"
        f"needs_review:boolean,description:string,created_run:string,{EMPTY_LISTS}:string[]"
    ]
    d = files.array_delimiter
    # quoted only where the CSV needs it, an absent value left empty, empty lists named
    assert _lines(data) == [
        f'acme,"Acme ""Tools"", Inc.",A; B{d}C,,2020,1.5,true,,r1,sectors',
        f'beta,"Acme ""Tools"", Inc.",,,2020,1.5,true,,r1,aliases{d}sectors',
        # a row with an empty text is quoted throughout: the empty text stays a text
        f'"gamma","","A; B{d}C",,"2020","1.5","true",,"r1","sectors"',
    ]
    assert files.empty_lists == 3
    assert (files.node_count, files.relationship_count) == (3, 2)
    _type, rel_header, rel_data = files.relationships[0]
    assert _lines(rel_header) == [
        ":START_ID(Entity),:END_ID(Entity),source:string,key:string,created_run:string"
    ]
    assert _lines(rel_data) == ['"acme","beta","s","","r1"', "acme,beta,s,k=1,r1"]
    assert f"--array-delimiter=U+{ord(d):04X}" in files.arguments()
    assert "--multiline-fields=false" in files.arguments()


def test_streamed_files_start_a_part_for_a_new_column_or_type(tmp_path: Path) -> None:
    files = _streamed(
        tmp_path,
        ("node", "Statistic", {"id": "a", "props": {"value": 1, "low": None}, "run": "r"}),
        ("node", "Statistic", {"id": "b", "props": {"value": 2, "low": 0.5}, "run": "r"}),
        ("node", "Statistic", {"id": "c", "props": {"value": 3.5, "low": 1}, "run": "r"}),
        ("node", "Statistic", {"id": "d", "props": {"value": 4, "unit": "t"}, "run": "r"}),
        ("node", "Statistic", {"id": "e", "props": {"value": 5}, "run": "r"}),
    )
    parts = [(_lines(h)[0], _lines(d)) for _labels, h, d in files.nodes]
    tail = f"created_run:string,{EMPTY_LISTS}:string[]"
    assert parts == [
        (f"id:ID(Entity),value:long,low:string,{tail}", ["a,1,,r,"]),
        # a column first seen empty gets its type; a long column that meets a double widens
        (f"id:ID(Entity),value:long,low:double,{tail}", ["b,2,0.5,r,"]),
        (f"id:ID(Entity),value:double,low:double,{tail}", ["c,3.5,1,r,"]),
        # a row that an existing part takes goes to the last part that takes it
        (f"id:ID(Entity),value:double,low:double,unit:string,{tail}", ["d,4,,t,r,", "e,5,,,r,"]),
    ]
    assert [labels for labels, _h, _d in files.nodes] == ["Entity:Statistic"] * 4


def test_streamed_files_see_multiline_texts_and_refuse_what_the_importer_cannot_take(
    tmp_path: Path,
) -> None:
    files = _streamed(
        tmp_path / "multi",
        ("node", "Source", {"id": "s", "props": {"name": "line 1\nline 2"}, "run": "r"}),
    )
    assert "--multiline-fields=true" in files.arguments()
    with pytest.raises(ImportFilesError, match="'year' is both"):
        _streamed(
            tmp_path / "mixed",
            ("node", "Source", {"id": "a", "props": {"year": 1}, "run": "r"}),
            ("node", "Source", {"id": "b", "props": {"year": "one"}, "run": "r"}),
        )
    fact = {"subject": "a", "object": "b", "source": "s", "key": "", "run": "r"}
    with pytest.raises(ImportFilesError, match="empty list"):
        _streamed(
            tmp_path / "empty",
            ("relation", "RELIES_ON", {**fact, "props": {"kinds": ["x"]}}),
            ("relation", "RELIES_ON", {**fact, "props": {"kinds": []}}),
        )
    with pytest.raises(ImportFilesError, match="not a label"):
        _streamed(tmp_path / "label", ("node", "Nope", {"id": "a", "props": {}, "run": "r"}))


def test_a_text_with_the_array_delimiter_is_written_again_with_another(tmp_path: Path) -> None:
    first = ARRAY_DELIMITERS[0]
    row: dict[str, object] = {"id": "a", "props": {"aliases": [f"x{first}y", "z"]}, "run": "r"}
    with pytest.raises(DelimiterClash):
        _streamed(tmp_path / "one-pass", ("node", "Company", row))
    with _spooled(("node", "Company", row)) as spool:  # the two-pass writer chooses another
        files = write_import_files(spool, tmp_path / "two-pass")
    assert files.array_delimiter == ARRAY_DELIMITERS[1]
    text = files.nodes[0][2].read_text(encoding="utf-8")  # (U+001E ends a line for splitlines)
    assert text == f'"a","x{first}y{ARRAY_DELIMITERS[1]}z","r",\n'


def test_bulk_needs_the_managed_server() -> None:
    own = Connection("bolt://db.example:7687", "neo4j", "pw", None, "environment (NEO4J_URI)")
    with pytest.raises(BulkRefused, match="needs the managed server"):
        managed_instance(own, "default")
    managed = Connection("bolt://127.0.0.1:7687", "neo4j", "pw", "other", "managed server 'x'")
    with pytest.raises(BulkRefused, match="NEO4J_DATABASE"):
        managed_instance(managed, "x")


# --------------------------------------------------------------------------- on a server


@pytest.fixture(scope="module")
def bulk_instance() -> Iterator[str]:
    """A managed instance of the module's own, used through KB_INSTANCE (NEO4J_URI unset)."""
    saved = {k: os.environ.pop(k, None) for k in ("NEO4J_URI", "NEO4J_DATABASE")}
    saved["KB_INSTANCE"] = os.environ.get("KB_INSTANCE")
    try:
        with own_instance("pytest-bulk") as instance:
            os.environ["KB_INSTANCE"] = instance.name
            yield instance.name
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture
def bulk_kb(bulk_instance: str) -> Iterator[KnowledgeBase]:
    """The module's instance, running and empty."""
    manager.start(Instance(bulk_instance))
    knowledge_base = KnowledgeBase()
    knowledge_base.cypher(statement("load/reset"), write=True)
    yield knowledge_base
    knowledge_base.close()


def _graph(kb: KnowledgeBase, tmp: Path) -> tuple[dict[str, object], object, list[object]]:
    """The export, the fingerprint and who set each node's values."""
    out = tmp / "export.json"
    kb.export(out)
    set_by = kb.cypher("MATCH (n:Entity) RETURN n.id AS id, n.set_by AS s ORDER BY id")
    return json.loads(out.read_text()), fingerprint(kb.driver, None), set_by


def _same_as_load(kb: KnowledgeBase, folder: Path | str, tmp: Path) -> None:
    result = CliRunner().invoke(main, ["load", "--bulk", str(folder)])
    assert result.exit_code == 0, result.output
    assert "Imported" in result.output
    assert manager.status(Instance(os.environ["KB_INSTANCE"])).running
    bulk = _graph(kb, tmp)
    # every element carries its run, no importer mark is left, the run is recorded
    assert kb.cypher(
        "MATCH (n) WHERE n:Entity OR n:Claim WITH n "
        f"WHERE n.created_run IS NULL OR n.{EMPTY_LISTS} IS NOT NULL RETURN count(n) AS n"
    ) == [{"n": 0}]
    runs = kb.cypher("MATCH (r:LoadRun) RETURN r.status AS status, r.method AS method")
    assert runs == [{"status": "loaded", "method": "bulk"}]
    constraints = kb.cypher("SHOW CONSTRAINTS YIELD name RETURN collect(name) AS names")
    assert "entity_id" in constraints[0]["names"]  # type: ignore[operator]
    kb.cypher(statement("load/reset"), write=True)
    loaded = CliRunner().invoke(main, ["load", str(folder)])
    assert loaded.exit_code == 0, loaded.output
    assert bulk == _graph(kb, tmp)


@pytest.mark.neo4j
@pytest.mark.slow
def test_bulk_gives_the_graph_of_load_on_the_seed(bulk_kb: KnowledgeBase, tmp_path: Path) -> None:
    _same_as_load(bulk_kb, "seed", tmp_path)


@pytest.mark.neo4j
@pytest.mark.slow
def test_bulk_gives_the_graph_of_load_on_a_generated_graph(
    bulk_kb: KnowledgeBase, tmp_path: Path
) -> None:
    folder = tmp_path / "generated"
    generate(folder, 10_000, 1)
    _same_as_load(bulk_kb, folder, tmp_path)


@pytest.mark.neo4j
def test_bulk_refuses_a_database_that_holds_data(bulk_kb: KnowledgeBase, tmp_path: Path) -> None:
    bulk_kb.cypher("CREATE (:Entity:Company {id: 'acme', name: 'Acme'})", write=True)
    result = CliRunner().invoke(main, ["load", "--bulk", "seed"])
    assert result.exit_code != 0
    assert "holds 1 nodes" in result.output and "into an empty database only" in result.output
    assert bulk_kb.cypher("MATCH (n) RETURN count(n) AS n") == [{"n": 1}]


@pytest.mark.neo4j
def test_bulk_of_a_bad_file_names_it_and_writes_nothing(
    bulk_kb: KnowledgeBase, tmp_path: Path
) -> None:
    (tmp_path / "companies.csv").write_text("id,name,kind\nacme,Acme,company\nbad,Bad,spaceship\n")
    before = fingerprint(bulk_kb.driver, None)
    with pytest.raises(LoadError) as caught:
        bulk_kb.load_bulk(tmp_path)
    assert any("companies.csv:line 3: field 'kind'" in p for p in caught.value.problems), (
        caught.value.problems
    )
    assert fingerprint(bulk_kb.driver, None) == before
    assert bulk_kb.cypher("MATCH (n) RETURN count(n) AS n") == [{"n": 0}]
    assert not importer.work_folder(Instance(os.environ["KB_INSTANCE"])).exists()


@pytest.mark.neo4j
@pytest.mark.slow
def test_a_failed_import_leaves_the_database_as_it_was(
    bulk_kb: KnowledgeBase, tmp_path: Path
) -> None:
    from kb.load.bulk import bulk_load

    instance = Instance(os.environ["KB_INSTANCE"])
    bulk_kb.cypher(
        "CREATE INDEX kept_by_the_failure IF NOT EXISTS FOR (n:Site) ON (n.kind)", write=True
    )
    connection = bulk_kb.connection
    bulk_kb.close()
    # an importer that cannot start (a heap too small for its JVM) fails after the stop
    with pytest.raises(importer.ImportFailed, match="the database is as it was"):
        bulk_load(instance, connection, _seed(), heap="1m")
    assert manager.status(instance).running
    names = bulk_kb.cypher("SHOW INDEXES YIELD name RETURN collect(name) AS names")
    assert "kept_by_the_failure" in names[0]["names"]  # type: ignore[operator]
    assert bulk_kb.cypher("MATCH (n) RETURN count(n) AS n") == [{"n": 0}]


def _seed() -> list[Path]:
    return [KnowledgeBase.seed_dir()]


@pytest.mark.neo4j
def test_a_bulk_dry_run_checks_and_writes_nothing(bulk_kb: KnowledgeBase) -> None:
    bulk_kb.cypher("CREATE (:Entity:Company {id: 'acme', name: 'Acme'})", write=True)
    report = bulk_kb.load_bulk("seed", dry_run=True)  # a dry run checks only: data is no bar
    assert report.dry_run and report.plan.nodes["Company"] > 0 and report.rows == 0
    assert bulk_kb.cypher("MATCH (n) RETURN count(n) AS n") == [{"n": 1}]
    assert manager.status(Instance(os.environ["KB_INSTANCE"])).running
