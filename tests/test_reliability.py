"""Faults and load: killed loaders, a killed server, concurrent loaders and readers.

Counts are small here so the suite stays quick; `make soak` (KB_SOAK=1) runs the same tests
with many more kills, loaders and queries.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import neo4j
import pytest
from conftest import own_instance, wipe, writes_running

from kb import KnowledgeBase
from kb.fingerprint import fingerprint
from kb.load.runner import load
from kb.paths import seed_dir
from kb.server import manager
from kb.server.instance import Instance

SOAK = os.environ.get("KB_SOAK") == "1"
KILLS = 40 if SOAK else 4
READERS, READS = (8, 1000) if SOAK else (8, 40)
LOADERS = 6 if SOAK else 3


def write_bulk(folder: Path, count: int, prefix: str = "bulk", offset: int = 0) -> Path:
    """A user's folder: a source, ``count`` companies and one reliance fact for each."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sources.csv").write_text("id,title\nbulk-notes,Bulk test notes\n", encoding="utf-8")
    ids = range(offset, offset + count)
    (folder / "companies.csv").write_text(
        "id,name,aliases,kind\n"
        + "".join(
            f"{prefix}-{i},{prefix.title()} firm {i},{prefix.upper()}{i},company\n" for i in ids
        ),
        encoding="utf-8",
    )
    (folder / "relies_on.csv").write_text(
        "subject,object,source,evidence,kind\n"
        + "".join(
            f"{prefix}-{i},{'cuda' if i % 2 else 'android'},bulk-notes,"
            f"firm {i} builds on it,software_ecosystem\n"
            for i in ids
        ),
        encoding="utf-8",
    )
    return folder


def loader(folder: Path, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "kb.cli", "load", str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env or dict(os.environ),
    )


def wait_for_rollback(kb: KnowledgeBase, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and writes_running(kb):
        time.sleep(0.1)
    assert not writes_running(kb), "a killed load's transaction is still open"


@pytest.mark.slow
def test_loads_killed_at_random_points_are_all_or_nothing(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    folder = write_bulk(tmp_path / "bulk", 5000)
    wipe(kb)
    load(kb.driver, None, [seed_dir()])
    before = fingerprint(kb.driver, None)
    started = time.monotonic()
    load(kb.driver, None, [folder])
    duration = time.monotonic() - started
    complete = fingerprint(kb.driver, None)
    assert complete != before
    wipe(kb)
    load(kb.driver, None, [seed_dir()])
    rng = random.Random(1260)
    outcomes = {"before": 0, "complete": 0}
    for _ in range(KILLS):
        process = loader(folder)
        time.sleep(rng.uniform(0.2, duration * 1.5 + 1.0))
        process.send_signal(signal.SIGKILL)
        process.wait()
        wait_for_rollback(kb)
        after = fingerprint(kb.driver, None)
        assert after in (before, complete), "a killed load left part of its writes"
        outcomes["before" if after == before else "complete"] += 1
        if after == complete:  # start the next round from the empty state again
            wipe(kb)
            load(kb.driver, None, [seed_dir()])
    # running the load again completes it, with nothing duplicated
    load(kb.driver, None, [folder])
    assert fingerprint(kb.driver, None) == complete
    print(f"\n{KILLS} loader kills: {outcomes}")


@pytest.fixture
def crash_instance() -> Iterator[Instance]:
    with own_instance("pytest-crash") as instance:
        yield instance


@pytest.mark.neo4j
@pytest.mark.slow
def test_a_server_killed_mid_load_comes_back_unchanged(
    crash_instance: Instance, tmp_path: Path
) -> None:
    folder = write_bulk(tmp_path / "bulk", 6000)
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    env["KB_INSTANCE"] = crash_instance.name
    uri = f"bolt://127.0.0.1:{crash_instance.config().bolt_port}"
    with KnowledgeBase.connect(uri, "neo4j", crash_instance.password()) as kb:
        load(kb.driver, None, [seed_dir()])
        before = fingerprint(kb.driver, None)
        process = loader(folder, env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not writes_running(kb):
            time.sleep(0.05)
        assert writes_running(kb), "the load was not caught while writing"
        pid = manager.running_pid(crash_instance)
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        _, err = process.communicate(timeout=120)
    assert process.returncode == 1
    assert "Traceback" not in err
    assert "Neo4j" in err and ("lost the connection" in err or "does not answer" in err), err
    assert manager.start(crash_instance) is True  # the stale pid file does not block it
    with KnowledgeBase.connect(uri, "neo4j", crash_instance.password()) as kb:
        assert fingerprint(kb.driver, None) == before
        again = loader(folder, env)
        _, err = again.communicate(timeout=300)
        assert again.returncode == 0, err
        companies = kb.cypher(
            "MATCH (c:Company) WHERE c.id STARTS WITH 'bulk-' RETURN count(c) AS n"
        )[0]["n"]
        assert companies == 6000


def test_concurrent_overlapping_loaders_never_duplicate(kb: KnowledgeBase, tmp_path: Path) -> None:
    wipe(kb)
    load(kb.driver, None, [seed_dir()])
    # each loader shares half of its companies and facts with the next one
    folders = [write_bulk(tmp_path / f"l{i}", 3000, offset=i * 1500) for i in range(LOADERS)]
    processes = [loader(folder) for folder in folders]
    results = [p.communicate(timeout=300) for p in processes]
    for process, (_, err) in zip(processes, results, strict=True):
        assert "Traceback" not in err
        assert process.returncode == 0, err
    expected = 1500 * (LOADERS + 1)
    assert kb.cypher(
        "MATCH (c:Company) WHERE c.id STARTS WITH 'bulk-' "
        "RETURN count(c) AS n, count(DISTINCT c.id) AS ids"
    ) == [{"n": expected, "ids": expected}]
    duplicates = kb.cypher(
        "MATCH (a:Entity)-[r]->(b:Entity) "
        "WITH a, type(r) AS t, b, r.source AS s, r.key AS k, count(*) AS n WHERE n > 1 "
        "RETURN count(*) AS duplicated"
    )
    assert duplicates == [{"duplicated": 0}]
    assert kb.cypher(
        "MATCH (c:Company)-[r:RELIES_ON]->() WHERE c.id STARTS WITH 'bulk-' RETURN count(r) AS n"
    ) == [{"n": expected}]


def test_relationship_merge_is_locking(kb: KnowledgeBase) -> None:
    """Why concurrent loaders cannot duplicate a fact: the plan locks both end nodes."""
    from kb.db import explain
    from kb.statements import statement

    plan = explain(
        kb.driver, None, statement("load/upsert_relations"), {"rows": [], "type": "RELIES_ON"}
    )
    assert "LockingMerge" in plan.operators
    assert "NodeUniqueIndexSeek(Locking)" in plan.operators


def test_readers_see_the_graph_before_or_after_a_load_never_half(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    """Readers run library queries while loads (and one-transaction deletions) come and go."""
    wipe(kb)
    load(kb.driver, None, [seed_dir()])
    size = 12000 if SOAK else 4000
    folder = write_bulk(tmp_path / "bulk", size)
    seen: set[int] = set()
    answered = 0
    errors: list[str] = []
    lock = threading.Lock()
    cycles_done = threading.Event()

    def reader() -> None:
        nonlocal answered
        i = 0
        while i < READS or not cycles_done.is_set():
            i += 1
            try:
                if i % 2:
                    rows = kb.query(
                        "firms-relying-on", country="China", tech="CUDA", inherited=True
                    )
                    assert {"Alibaba", "Tencent"} <= {r["firm"] for r in rows}
                else:
                    first, second = kb.driver.execute_query(
                        "MATCH (c:Company) WHERE c.id STARTS WITH 'bulk-' RETURN count(c) AS n "
                        "UNION ALL "
                        "MATCH (c:Company) WHERE c.id STARTS WITH 'bulk-' RETURN count(c) AS n",
                        routing_=neo4j.RoutingControl.READ,
                        database_=kb.database,
                    ).records
                    # Neo4j reads committed data: a scan that runs while a load commits sees
                    # part of it, and the scan after it all of it. Half a load would stay.
                    if first["n"] == second["n"]:
                        with lock:
                            seen.add(first["n"])
                with lock:
                    answered += 1
            except Exception as exc:  # every failure is recorded and fails the test below
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=reader) for _ in range(READERS)]
    for thread in threads:
        thread.start()
    loads = 0
    while loads < 2 or (loads < 1000 and any(t.is_alive() for t in threads)):
        process = loader(folder)
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        loads += 1
        time.sleep(0.5)  # let the readers see the loaded graph
        kb.cypher("MATCH (c:Company) WHERE c.id STARTS WITH 'bulk-' DETACH DELETE c", write=True)
        if loads >= 2:
            cycles_done.set()
    for thread in threads:
        thread.join(timeout=600)
    assert errors == []
    assert answered >= READERS * READS
    assert seen == {0, size}, f"readers saw {sorted(seen)}: half a load, or no load at all"
    print(
        f"\n{answered} reads by {READERS} readers during {loads} loads and deletions; "
        f"counts seen {sorted(seen)}"
    )
