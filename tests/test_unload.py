"""`kb unload`: a loaded source comes back out exactly, in one transaction; a killed load of
records without ids leaves the graph as it was."""

from __future__ import annotations

import random
import string
from pathlib import Path

from click.testing import CliRunner
from conftest import kill_load_while_writing

from kb import KnowledgeBase
from kb.cli import main
from kb.fingerprint import fingerprint


def _write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _export(path: Path) -> bytes:
    result = CliRunner().invoke(main, ["export", "--format", "json", str(path)])
    assert result.exit_code == 0, result.output
    return path.read_bytes()


def _claims(kb: KnowledgeBase) -> int:
    return int(kb.cypher("MATCH (c:Claim) RETURN count(c) AS n")[0]["n"])


# An outside list: a source, companies without ids (two join the seed, one is new, one reuses a
# seed id), facts on the seed's entities and on the new one, a statistic.
OUTSIDE = {
    "sources.csv": "id,title,publisher\nsupplier-list,A supplier list,Someone\n",
    "companies.csv": "id,name,aliases,description,source\n"
    ",Nvidia Corp,,GPU maker,supplier-list\n"
    ',"Huawei Technologies Co., Ltd.",,,supplier-list\n'
    ",Quillwort Robotics,Quillwort,Robots,supplier-list\n"
    "catl,CATL Ltd,,Batteries (their words),supplier-list\n",
    "relies_on.csv": "subject,object,source,evidence,kind\n"
    "Quillwort,Nvidia Corp,supplier-list,row 3,hardware\n"
    '"Huawei Technologies Co., Ltd.",foxconn,supplier-list,row 2,manufacturing\n',
    "headquartered_in.csv": "subject,object,source,evidence\n"
    "Quillwort Robotics,US,supplier-list,row 3\n",
    "statistics.csv": "id,name,series,metric,value,unit,year,source,evidence\n"
    "quill-share,Quillwort share,quill-share,share,3.5,percent,2025,supplier-list,row 3\n",
    "about.csv": "subject,object,source,evidence\nquill-share,Quillwort,supplier-list,row 3\n",
}


def test_load_then_unload_a_source_gives_back_the_export_byte_for_byte(
    seeded_graph: KnowledgeBase, tmp_path: Path
) -> None:
    before = _export(tmp_path / "before.json")
    print_before = fingerprint(seeded_graph.driver, None)
    folder = _write(tmp_path / "outside", OUTSIDE)
    loaded = CliRunner().invoke(main, ["load", str(folder)])
    assert loaded.exit_code == 0, loaded.output
    assert _export(tmp_path / "loaded.json") != before
    assert _claims(seeded_graph) == 3  # nvidia, huawei (joined), catl (its id reused)
    result = CliRunner().invoke(main, ["unload", "--source", "supplier-list"])
    assert result.exit_code == 0, result.output
    # 3 relies_on/headquartered_in facts + 1 about; 3 claims; Quillwort, its statistic, the source
    assert "4 facts, 3 claims, 3 entities" in result.stdout
    assert _export(tmp_path / "after.json") == before
    assert fingerprint(seeded_graph.driver, None) == print_before
    assert _claims(seeded_graph) == 0
    again = CliRunner().invoke(main, ["unload", "--source", "supplier-list"])
    assert again.exit_code == 1 and "Nothing in the graph comes from" in again.stderr


def test_an_entity_another_source_still_uses_stays(
    seeded_graph: KnowledgeBase, tmp_path: Path
) -> None:
    assert CliRunner().invoke(main, ["load", str(_write(tmp_path / "a", OUTSIDE))]).exit_code == 0
    other = _write(
        tmp_path / "b",
        {
            "sources.csv": "id,title\nother-notes,Other notes\n",
            "relies_on.csv": "subject,object,source,evidence,kind\n"
            "Quillwort,cuda,other-notes,they use CUDA,software_ecosystem\n",
        },
    )
    assert CliRunner().invoke(main, ["load", str(other)]).exit_code == 0
    result = CliRunner().invoke(main, ["unload", "--source", "supplier-list"])
    assert result.exit_code == 0, result.output
    # Quillwort stays, and so does the source its own values cite
    assert "Kept 2 entities that other sources still use" in result.stdout
    assert "quillwort-robotics, supplier-list" in result.stdout
    assert seeded_graph.cypher(
        "MATCH (q {id: 'quillwort-robotics'})-[r]->(o) RETURN r.source AS s, o.id AS o"
    ) == [{"s": "other-notes", "o": "cuda"}]


def test_unload_a_run_takes_back_that_load(seeded_graph: KnowledgeBase, tmp_path: Path) -> None:
    before = _export(tmp_path / "before.json")
    # companies without a source: only their load's run id names them
    folder = _write(
        tmp_path / "run",
        {
            "companies.csv": "name\nQuillwort Robotics\nNvidia Corp\n",
            "sources.csv": "id,title\nrun-notes,Run notes\n",
            "relies_on.csv": "subject,object,source,evidence,kind\n"
            "Quillwort Robotics,cuda,run-notes,e,software_ecosystem\n",
        },
    )
    loaded = CliRunner().invoke(main, ["load", str(folder)])
    assert loaded.exit_code == 0, loaded.output
    run_id = loaded.stdout.rsplit("Run: ", 1)[1].strip()
    result = CliRunner().invoke(main, ["unload", "--run", run_id])
    assert result.exit_code == 0, result.output
    assert _export(tmp_path / "after.json") == before
    assert _claims(seeded_graph) == 0
    assert seeded_graph.cypher(
        "MATCH (r:LoadRun {status: 'unloaded'}) RETURN r.unloaded_run AS run"
    )[-1:] == [{"run": run_id}]


def test_a_killed_load_of_records_without_ids_leaves_the_graph_as_it_was(
    seeded_graph: KnowledgeBase, tmp_path: Path
) -> None:
    rng = random.Random(10)
    names = sorted({"".join(rng.choices(string.ascii_lowercase, k=9)).title() for _ in range(3000)})
    kinds = ["software_ecosystem", "hardware", "cloud", "financing", "ip", "manufacturing"]
    objects = ["cuda", "android", "foxconn", "nvidia", "huawei"]
    facts = [
        f"{name} Industries,{obj},bulk-list,row,{kind}"
        for name in names
        for obj in objects
        for kind in kinds
    ]
    folder = _write(
        tmp_path / "big",
        {
            "sources.csv": "id,title\nbulk-list,Bulk list\n",
            "companies.csv": "name\n" + "".join(f"{n} Industries\n" for n in names),
            "relies_on.csv": "subject,object,source,evidence,kind\n" + "\n".join(facts) + "\n",
        },
    )
    before, claims = fingerprint(seeded_graph.driver, None), _claims(seeded_graph)
    kill_load_while_writing(seeded_graph, folder, wait=120)
    # a large load is staged: what it committed stays hidden until the next start removes it
    seeded_graph.cleanup_loads()
    assert fingerprint(seeded_graph.driver, None) == before
    assert _claims(seeded_graph) == claims
