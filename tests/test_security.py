"""The red team's attacks (issue 15) against the real server: each must be stopped.

docs/security.md lists every attack and what stops it; each test here names its defect.
"""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb import KnowledgeBase
from kb.cli import main
from kb.errors import ConnectionFailed, QueryStopped, WriteRefused
from kb.server import manager
from kb.server.instance import Instance
from kb.settings import resolve_connection

RUNAWAY = "UNWIND range(1, 400000000) AS x WITH collect(x) AS l RETURN size(l)"


def run_cli(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.output


# --------------------------------------------------------------------------- D4: guards


def test_d4_runaway_read_is_stopped_with_a_clear_message_and_the_server_stays_up(
    kb: KnowledgeBase,
) -> None:
    code, out = run_cli("cypher", RUNAWAY)
    assert code == 1, out
    assert "needed more than the" in out and "MiB" in out and "narrow it" in out
    assert "Traceback" not in out and "retried" not in out
    assert kb.cypher("RETURN 1 AS one") == [{"one": 1}]
    with pytest.raises(QueryStopped, match="server is still up"):
        kb.cypher(RUNAWAY)
    assert kb.cypher("RETURN 2 AS two") == [{"two": 2}]


def test_d4_a_read_over_its_timeout_is_stopped(seeded_graph: KnowledgeBase) -> None:
    kb = seeded_graph
    slow = "UNWIND range(1, 4000000000) AS x WITH x WHERE x < 0 RETURN count(*) AS n"
    started = time.monotonic()
    with pytest.raises(QueryStopped, match=r"took more than 1 s"):
        kb.cypher(slow, timeout=1)
    assert time.monotonic() - started < 1 + 5
    code, out = run_cli("cypher", "--timeout", "1", slow)
    assert code == 1 and "took more than 1 s" in out and "--timeout" in out
    # Library queries take the same switch. (The server's transaction monitor checks timeouts
    # every 2 s, so no query of the small seed runs long enough to be stopped by it here.)
    code, out = run_cli("query", "run", "statistics-list", "--timeout", "0")
    assert code == 2 and "--timeout" in out
    assert kb.query("statistics-list", timeout=30)
    assert kb.cypher("RETURN 1 AS one") == [{"one": 1}]


def test_d4_server_config_caps_transaction_memory_and_survives_out_of_memory(
    kb: KnowledgeBase, test_instance_name: str | None
) -> None:
    if test_instance_name is None:
        pytest.fail("run against the managed test instance to check its configuration")
    instance = Instance(test_instance_name)
    conf = (instance.conf_dir / "neo4j.conf").read_text()
    assert "db.memory.transaction.max=460m" in conf  # 60% of the tests' 768m heap
    assert "dbms.memory.transaction.total.max=537m" in conf
    assert "ExitOnOutOfMemoryError" not in " ".join(manager.JVM_FLAGS)
    pid = manager.running_pid(instance)
    assert pid is not None
    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode()
    assert "ExitOnOutOfMemoryError" not in cmdline


def test_d4_memory_is_sized_like_neo4j_admin_recommends() -> None:
    from kb.server.memory import GIB, recommend, to_setting

    # neo4j-admin server memory-recommendation --memory 16g: heap 5g, page cache 7g
    assert [to_setting(x) for x in recommend(16 * GIB)] == ["5120m", "7168m"]
    assert [to_setting(x) for x in recommend(8 * GIB)] == ["3584m", "2048m"]
    assert [to_setting(x) for x in recommend(2 * GIB)] == ["512m", "512m"]


def test_d4_driver_retry_warnings_never_reach_the_terminal(
    kb: KnowledgeBase, capfd: pytest.CaptureFixture[str]
) -> None:
    import neo4j

    # A transient error, retried by the driver's managed transaction and logged as a warning.
    with pytest.raises(neo4j.exceptions.TransientError):
        kb.driver.execute_query(RUNAWAY, max_transaction_retry_time=0.5)  # type: ignore[call-arg]
    captured = capfd.readouterr()
    assert "retried" not in captured.err and "retried" not in captured.out


# --------------------------------------------------------------------------- D6


@pytest.mark.parametrize(
    "statement",
    [
        "TERMINATE TRANSACTIONS 'neo4j-transaction-1'",
        "SHOW SETTINGS",
        "SHOW SETTINGS YIELD name, value WHERE name CONTAINS 'directories' RETURN name, value",
        "SHOW TRANSACTIONS YIELD *",
        "SHOW TRANSACTIONS YIELD currentQuery, parameters RETURN currentQuery, parameters",
    ],
)
def test_d6_read_only_path_refuses_admin_commands(kb: KnowledgeBase, statement: str) -> None:
    with pytest.raises(WriteRefused, match="administration command"):
        kb.cypher(statement)
    code, out = run_cli("cypher", statement)
    assert code == 1 and "administration command" in out


@pytest.mark.parametrize(
    "statement",
    ["SHOW INDEXES", "SHOW CONSTRAINTS", "SHOW FUNCTIONS YIELD name", "SHOW PROCEDURES"],
)
def test_d6_read_only_path_allows_what_a_reader_needs(kb: KnowledgeBase, statement: str) -> None:
    assert isinstance(kb.cypher(statement), list)  # runs, not refused


# --------------------------------------------------------------------------- D9


def test_d9_password_in_the_uri_is_never_printed(kb: KnowledgeBase) -> None:
    managed = resolve_connection()
    port = managed.uri.rsplit(":", 1)[1]
    secret = managed.password
    env = {
        "NEO4J_URI": f"bolt://neo4j:{secret}@127.0.0.1:{port}",
        "NEO4J_PASSWORD": "",
        "NEO4J_USERNAME": "",
    }
    code, out = run_cli("cypher", "RETURN 1 AS one", env=env)
    assert code == 0 and secret not in out  # the password in the address logs in
    code, out = run_cli("browser", env=env)
    assert code == 0 and secret not in out and port in out
    code, out = run_cli("cypher", "RETURN 1", env={**env, "NEO4J_URI": "bolt://u:SECRET9@x"})
    assert "SECRET9" not in out
    os.environ.pop("NEO4J_URI", None)
    with pytest.raises(ConnectionFailed) as failed:
        resolve_connection(uri="bolt://neo4j:SECRET8@127.0.0.1:1")
        from kb import db

        db.open_driver(resolve_connection(uri="bolt://neo4j:SECRET8@127.0.0.1:1"))
    assert "SECRET8" not in str(failed.value)
    connection = resolve_connection(uri="bolt://neo4j:SECRET7@127.0.0.1:1")
    assert "SECRET7" not in connection.uri and "SECRET7" not in connection.describe()


# --------------------------------------------------------------------------- file modes


def test_instance_files_are_private(kb: KnowledgeBase, test_instance_name: str | None) -> None:
    if test_instance_name is None:
        pytest.fail("run against the managed test instance to check its files")
    instance = Instance(test_instance_name)
    auth = instance.data_dir / "dbms" / "auth.ini"
    assert auth.is_file()
    loose = []
    for top in (instance.home, instance.state):
        for folder, _dirs, files in os.walk(top):
            for path in [folder, *(os.path.join(folder, f) for f in files)]:
                if not os.path.islink(path) and stat.S_IMODE(os.lstat(path).st_mode) & 0o077:
                    loose.append(path)
    assert loose == []
