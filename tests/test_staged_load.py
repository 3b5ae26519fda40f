"""Staged loads (issue 14 part 5) against the real server: written in committed batches,
hidden from every reader until published, removed when they fail or their loader dies."""

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
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import kill_load_while_writing, own_instance, wipe, writes_running

from kb import KnowledgeBase
from kb.cli import main
from kb.errors import LoadError
from kb.fingerprint import fingerprint
from kb.load.runner import load
from kb.paths import seed_dir
from kb.server import manager
from kb.server.instance import Instance


def _write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def bulk(folder: Path, count: int, *, bad_fact: bool = False, target: str = "cuda") -> Path:
    """``count`` new companies, each relying on ``target`` (CUDA, or a hub company of their
    own); with ``bad_fact``, a last fact whose object is unknown (found only when the facts
    are read, after the nodes were written)."""
    companies = "".join(f"staged-{i},Staged firm {i},company\n" for i in range(count))
    if target != "cuda":
        companies += f"{target},Staged hub,company\n"
    facts = "".join(
        f"staged-{i},{target},staged-notes,firm {i} builds on it,software_ecosystem\n"
        for i in range(count)
    )
    if bad_fact:
        facts += "staged-0,no-such-entity,staged-notes,a fact on nothing,software_ecosystem\n"
    return _write(
        folder,
        {
            "sources.csv": "id,title\nstaged-notes,Staged test notes\n",
            "companies.csv": "id,name,kind\n" + companies,
            "relies_on.csv": "subject,object,source,evidence,kind\n" + facts,
        },
    )


def _export(path: Path) -> bytes:
    result = CliRunner().invoke(main, ["export", "--format", "json", str(path)])
    assert result.exit_code == 0, result.output
    return path.read_bytes()


def staged_nodes(kb: KnowledgeBase) -> int:
    """Nodes written by runs still staging (ad-hoc Cypher: it sees what readers do not)."""
    return int(
        kb.cypher(
            "MATCH (run:LoadRun {status: 'staging'}) "
            "MATCH (n:Entity {created_run: run.id}) RETURN count(n) AS n"
        )[0]["n"]
    )


def runs(kb: KnowledgeBase, status: str) -> list[dict[str, Any]]:
    return kb.cypher(
        "MATCH (r:LoadRun {status: $status}) RETURN properties(r) AS run ORDER BY r.started",
        {"status": status},
    )


class Paused:
    """A progress callback that holds the load's writer after ``after`` committed batches
    (the writer thread calls it once a batch is committed), until :meth:`go`."""

    def __init__(self, after: int = 1) -> None:
        self.after, self.batches = after, 0
        self.reached, self.release = threading.Event(), threading.Event()

    def __call__(self, rows: int) -> None:
        self.batches += 1
        if self.batches == self.after:
            self.reached.set()
            assert self.release.wait(120)

    def go(self) -> None:
        self.release.set()


def load_in_thread(kb: KnowledgeBase, folder: Path, paused: Paused) -> dict[str, Any]:
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["report"] = load(
                kb.driver, None, [folder], staged=True, commit_rows=500, progress=paused
            )
        except BaseException as exc:  # the test asserts on it
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    outcome["thread"] = thread
    assert paused.reached.wait(120), outcome.get("error")
    return outcome


# --------------------------------------------------------------------------- both paths


def test_a_staged_load_writes_what_one_transaction_writes(kb: KnowledgeBase) -> None:
    wipe(kb)
    one = load(kb.driver, None, [seed_dir()], staged=False)
    expected = fingerprint(kb.driver, None)
    wipe(kb)
    staged = load(kb.driver, None, [seed_dir()], staged=True, commit_rows=200)
    assert fingerprint(kb.driver, None) == expected
    assert staged.counts.created == one.counts.created
    [run] = runs(kb, "done")
    assert run["run"]["staged"] is True and run["run"]["id"] == staged.run_id
    assert run["run"]["pid"] == os.getpid() and run["run"]["host"]
    assert run["run"]["heartbeat"] and run["run"]["published"]
    assert runs(kb, "staging") == []
    # loading it again changes nothing, staged or not
    again = load(kb.driver, None, [seed_dir()], staged=True, commit_rows=200)
    assert (again.counts.created, again.counts.changed) == (0, 0)
    assert fingerprint(kb.driver, None) == expected


def test_the_setting_picks_the_path_by_input_lines(
    kb: KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wipe(kb)
    folder = bulk(tmp_path / "b", 50, target="staged-hub")
    monkeypatch.setenv("KB_LOAD_STAGED_ABOVE", "1000")
    small = load(kb.driver, None, [folder])
    monkeypatch.setenv("KB_LOAD_STAGED_ABOVE", "10")
    wipe(kb)
    large = load(kb.driver, None, [folder])
    staged = {r["run"]["id"]: r["run"]["staged"] for r in runs(kb, "done")}
    assert staged == {large.run_id: True}
    assert small.counts.created == large.counts.created == 51 + 50 + 1


# --------------------------------------------------------------------------- what readers see


def test_readers_never_see_a_staged_load_before_it_is_published(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    wipe(kb)
    load(kb.driver, None, [seed_dir()])
    folder = bulk(tmp_path / "b", 3000)
    before_export = _export(tmp_path / "before.json")
    before_answer = kb.query("firms-relying-on", country="China", tech="CUDA", inherited=True)
    before_profile = kb.query("entity-profile", entity="cuda")
    paused = Paused(after=2)
    outcome = load_in_thread(kb, folder, paused)
    try:
        assert staged_nodes(kb) >= 500, "the load committed nothing before it was held"
        assert kb.query("firms-relying-on", country="China", tech="CUDA", inherited=True) == (
            before_answer
        )
        assert kb.query("entity-profile", entity="cuda") == before_profile
        with pytest.raises(Exception, match="staged-1"):
            kb.query("entity-profile", entity="staged-1")
        assert _export(tmp_path / "during.json") == before_export
    finally:
        paused.go()
        outcome["thread"].join(300)
    assert "error" not in outcome, outcome.get("error")
    profile = kb.query("entity-profile", entity="cuda")
    assert sum(1 for row in profile if row["other_id"].startswith("staged-")) == 3000
    assert runs(kb, "staging") == []


def test_readers_in_a_loop_see_a_staged_load_whole_or_not_at_all(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    wipe(kb)
    load(kb.driver, None, [seed_dir()])
    count = 4000
    folder = bulk(tmp_path / "b", count)
    seen: set[int] = set()
    staged_while_reading: list[int] = []
    errors: list[str] = []
    done = threading.Event()

    def reader() -> None:
        while not done.is_set():
            try:
                rows = kb.query("entity-profile", entity="cuda")
                seen.add(sum(1 for r in rows if str(r["other_id"]).startswith("staged-")))
                staged_while_reading.append(staged_nodes(kb))
            except Exception as exc:  # recorded, fails the test below
                errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for thread in threads:
        thread.start()
    try:
        load(kb.driver, None, [folder], staged=True, commit_rows=200)
        time.sleep(1.0)
    finally:
        done.set()
        for thread in threads:
            thread.join(120)
    assert errors == []
    assert max(staged_while_reading) > 0, "no read ran while the load had committed batches"
    assert seen <= {0, count} and count in seen, sorted(seen)


def test_changes_to_existing_nodes_and_facts_wait_for_the_publish(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    wipe(kb)
    load(kb.driver, None, [seed_dir()])

    def files(description: str, quote: str) -> dict[str, str]:
        """A source's own company (it sets its values) with its fact on CUDA, and new firms."""
        return {
            "sources.csv": "id,title\nstaged-notes,Staged test notes\n",
            "companies.csv": "id,name,kind,description,source\n"
            + f"staged-own,Staged own firm,company,{description},staged-notes\n"
            + "".join(f"staged-{i},Staged firm {i},company,,\n" for i in range(1500)),
            "relies_on.csv": "subject,object,source,evidence,kind\n"
            + f"staged-own,cuda,staged-notes,{quote},software_ecosystem\n"
            + "".join(
                f"staged-{i},cuda,staged-notes,firm {i} builds on CUDA,software_ecosystem\n"
                for i in range(1500)
            ),
        }

    load(kb.driver, None, [_write(tmp_path / "first", files("old text", "old quote"))])
    folder = _write(tmp_path / "again", files("new text", "new quote"))
    read = (
        "MATCH (n:Entity {id: 'staged-own'})-[r:RELIES_ON]->(:Entity {id: 'cuda'}) "
        "RETURN n.description AS d, r.evidence AS q"
    )
    old = kb.cypher(read)
    assert old == [{"d": "old text", "q": "old quote"}]
    profile = kb.query("entity-profile", entity="staged-own")
    paused = Paused(after=1)
    outcome = load_in_thread(kb, folder, paused)
    try:
        # not even ad-hoc Cypher sees the changes: they are not in the graph before the publish
        assert kb.cypher(read) == old
        assert kb.query("entity-profile", entity="staged-own") == profile
    finally:
        paused.go()
        outcome["thread"].join(300)
    assert "error" not in outcome, outcome.get("error")
    assert kb.cypher(read) == [{"d": "new text", "q": "new quote"}]
    assert outcome["report"].counts.changed == 2


# --------------------------------------------------------------------------- failures


def test_a_staged_load_that_fails_late_leaves_the_export_byte_identical(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    wipe(kb)
    load(kb.driver, None, [seed_dir()])
    before = _export(tmp_path / "before.json")
    prints = fingerprint(kb.driver, None)
    folder = bulk(tmp_path / "b", 3000, bad_fact=True)
    with pytest.raises(LoadError, match="no-such-entity"):
        load(kb.driver, None, [folder], staged=True, commit_rows=500)
    assert _export(tmp_path / "after.json") == before
    assert fingerprint(kb.driver, None) == prints
    [failed] = runs(kb, "failed")
    assert failed["run"]["staged_rows"] >= 3000, "nothing was committed before the failure"
    assert any("no-such-entity" in p for p in failed["run"]["problems"])
    assert runs(kb, "staging") == []


def _staged_env() -> dict[str, str]:
    env = dict(os.environ)
    env["KB_LOAD_STAGED_ABOVE"] = "0"
    env["KB_LOAD_COMMIT_ROWS"] = "2000"
    return env


def test_a_killed_staged_loader_leaves_the_state_of_before_after_the_next_start(
    kb: KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wipe(kb)
    load(kb.driver, None, [seed_dir()])
    before, export = fingerprint(kb.driver, None), _export(tmp_path / "before.json")
    folder = bulk(tmp_path / "b", 20_000)
    monkeypatch.setenv("KB_LOAD_STAGED_ABOVE", "0")
    monkeypatch.setenv("KB_LOAD_COMMIT_ROWS", "2000")
    kill_load_while_writing(kb, folder, wait=120)
    left = staged_nodes(kb)
    [staging] = runs(kb, "staging")
    # hidden meanwhile: the export is that of before
    assert _export(tmp_path / "killed.json") == export
    # a staging run is not unloaded (its writes are the cleanup's to remove)
    refused = CliRunner().invoke(main, ["unload", "--run", staging["run"]["id"]])
    assert refused.exit_code != 0
    assert "still staging" in refused.output and "kb load --cleanup" in refused.output
    assert staged_nodes(kb) == left
    result = CliRunner().invoke(main, ["load", "--cleanup"])
    assert result.exit_code == 0, result.output
    assert "Removed 1 load run" in result.output
    assert fingerprint(kb.driver, None) == before
    assert runs(kb, "staging") == []
    print(f"\nthe killed load had committed {left} nodes; all removed")


@pytest.mark.slow
def test_loaders_killed_at_random_points_are_removed_by_the_next_load(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    wipe(kb)
    load(kb.driver, None, [seed_dir()])
    before = fingerprint(kb.driver, None)
    folder = bulk(tmp_path / "b", 8000)
    small = bulk(tmp_path / "small", 5)
    rng = random.Random(14)
    left = []
    for _ in range(3):
        process = subprocess.Popen(
            [sys.executable, "-m", "kb.cli", "load", str(folder)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=_staged_env(),
        )
        time.sleep(rng.uniform(1.0, 12.0))
        process.send_signal(signal.SIGKILL)
        process.wait()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and writes_running(kb):
            time.sleep(0.2)
        left.append(staged_nodes(kb))
        # the next load (of something else) removes what the killed one left first
        load(kb.driver, None, [small], staged=False)
        assert runs(kb, "staging") == []
        wipe(kb)
        load(kb.driver, None, [seed_dir()])
        assert fingerprint(kb.driver, None) == before
    print(f"\nnodes the killed loads had committed: {left}")


# --------------------------------------------------------------------------- a killed server


@pytest.fixture
def crash_instance() -> Iterator[Instance]:
    with own_instance("pytest-staged") as instance:
        yield instance


@pytest.mark.neo4j
@pytest.mark.slow
def test_a_server_killed_mid_staged_load_is_cleaned_up_when_it_starts_again(
    crash_instance: Instance, tmp_path: Path
) -> None:
    folder = bulk(tmp_path / "b", 20_000)
    env = {k: v for k, v in _staged_env().items() if not k.startswith("NEO4J_")}
    env["KB_INSTANCE"] = crash_instance.name
    uri = f"bolt://127.0.0.1:{crash_instance.config().bolt_port}"
    with KnowledgeBase.connect(uri, "neo4j", crash_instance.password()) as kb:
        load(kb.driver, None, [seed_dir()])
        before = fingerprint(kb.driver, None)
        process = subprocess.Popen(
            [sys.executable, "-m", "kb.cli", "load", str(folder)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and staged_nodes(kb) < 2000:
            time.sleep(0.1)
        assert staged_nodes(kb) >= 2000, "the load was not caught while staging"
        pid = manager.running_pid(crash_instance)
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        _, err = process.communicate(timeout=120)
    assert process.returncode == 1, err
    started = subprocess.run(
        [sys.executable, "-m", "kb.cli", "server", "start"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert started.returncode == 0, started.stderr
    assert "Removed 1 load run" in started.stdout, started.stdout
    with KnowledgeBase.connect(uri, "neo4j", crash_instance.password()) as kb:
        assert fingerprint(kb.driver, None) == before
        assert runs(kb, "staging") == []
        assert len(runs(kb, "failed")) == 1


# --------------------------------------------------------------------------- larger than memory


@pytest.fixture
def small_heap_instance() -> Iterator[Instance]:
    """A server of its own with a 256 MiB heap: a transaction may use 60% of it (the managed
    server's cap, kb/server/memory.py)."""
    with own_instance("pytest-small-heap", heap="256m", pagecache="64m") as instance:
        yield instance


@pytest.mark.neo4j
@pytest.mark.slow
def test_a_load_larger_than_the_servers_heap_fails_in_one_transaction_and_loads_staged(
    small_heap_instance: Instance, tmp_path: Path
) -> None:
    count = 80_000
    folder = bulk(tmp_path / "b", count, target="staged-hub")
    uri = f"bolt://127.0.0.1:{small_heap_instance.config().bolt_port}"
    with KnowledgeBase.connect(uri, "neo4j", small_heap_instance.password()) as kb:
        with pytest.raises(Exception, match="memory"):
            load(kb.driver, None, [folder], staged=False)
        assert kb.cypher("MATCH (n:Entity) RETURN count(n) AS n") == [{"n": 0}]
        report = load(kb.driver, None, [folder], staged=True)
        assert report.counts.created == (count + 1) + count + 1
        assert kb.cypher(
            "MATCH (:Company)-[r:RELIES_ON]->(:Company {id: 'staged-hub'}) RETURN count(r) AS n"
        ) == [{"n": count}]


# --------------------------------------------------------------------------- the batch sender


def test_staged_groups_of_several_batches_write_what_one_transaction_writes(
    kb: KnowledgeBase,
) -> None:
    """Small batches, several to a committed transaction (nodes and facts of several kinds
    mixed in one), each answer read after the next batch is sent: the graph, and the counts,
    of the one-transaction load."""
    wipe(kb)
    one = load(kb.driver, None, [seed_dir()], staged=False, batch_size=7)
    expected = fingerprint(kb.driver, None)
    wipe(kb)
    committed: list[int] = []
    staged = load(
        kb.driver,
        None,
        [seed_dir()],
        staged=True,
        batch_size=7,
        commit_rows=30,
        progress=committed.append,
    )
    assert fingerprint(kb.driver, None) == expected
    assert staged.counts.created == one.counts.created
    assert staged.counts.nodes_created == one.counts.nodes_created
    assert staged.counts.relations_created == one.counts.relations_created
    assert len(committed) > 3 and all(rows >= 30 for rows in committed[:-1])
    assert sum(committed) == one.plan.size + one.plan.claims


def test_a_staged_transaction_whose_connection_drops_is_written_again_whole(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The connection drops while a transaction of several batches is open (a retryable
    error, raised here in the third batch sent): the batches of that transaction are sent
    again, whole, in a managed transaction, and the load ends as if nothing happened."""
    import neo4j

    from kb.load import writer

    wipe(kb)
    load(kb.driver, None, [seed_dir()], staged=False)
    expected = fingerprint(kb.driver, None)
    wipe(kb)
    start_batch = writer.start_batch
    calls: list[int] = []

    def dropping(*args: Any, **kwargs: Any) -> writer.Sent:
        calls.append(1)
        if len(calls) == 3:
            raise neo4j.exceptions.SessionExpired("the connection dropped (test)")
        return start_batch(*args, **kwargs)

    monkeypatch.setattr(writer, "start_batch", dropping)
    report = load(kb.driver, None, [seed_dir()], staged=True, batch_size=5, commit_rows=20)
    assert len(calls) > 3
    assert fingerprint(kb.driver, None) == expected
    [run] = runs(kb, "done")
    assert run["run"]["staged_rows"] == report.plan.size + report.plan.claims
    assert runs(kb, "staging") == []


def test_a_staged_fact_whose_endpoint_vanished_fails_the_batch(kb: KnowledgeBase) -> None:
    """The staged statements answer as the upserts do: a fact whose endpoint is gone, or an
    id of another kind, is an error naming it, never a fact dropped in silence."""
    from kb.load import writer

    wipe(kb)
    kb.cypher(
        "CREATE (:Entity:Company {id: 'a', name: 'A'}), (:Entity:Company {id: 'b', name: 'B'}),"
        " (:Entity:Source {id: 's', name: 'S'})",
        write=True,
    )
    facts = [
        {"subject": "a", "object": "b", "source": "s", "key": "", "props": {"evidence": "x"}},
        {"subject": "a", "object": "gone", "source": "s", "key": "", "props": {"evidence": "y"}},
    ]
    nodes = [{"id": "a", "props": {"name": "A"}}]
    with kb.driver.session() as session:
        for part, name, rows, message in (
            ("relation", "SUBSIDIARY_OF", facts, r"1 of 2 SUBSIDIARY_OF facts.*'gone'"),
            ("node", "Product", nodes, r"id 'a' is already a Company in the graph, not a Product"),
        ):
            tx = session.begin_transaction()
            with pytest.raises(LoadError, match=message):
                writer.send_batch(
                    tx, writer.WriteCounts(), part, name, rows, "test-run", staged=True
                )
            tx.rollback()
    assert kb.cypher("MATCH ()-[r]->() RETURN count(r) AS n") == [{"n": 0}]
