"""The managed server's life cycle, on an instance of its own (a second real Neo4j)."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli import main
from kb.db import open_driver, run
from kb.errors import ConnectionFailed, JavaError, PortInUseError
from kb.server import manager
from kb.server.instance import Instance
from kb.server.java import find_java
from kb.settings import Connection


@pytest.fixture(scope="module")
def life() -> Iterator[Instance]:
    instance = Instance(f"pytest-life-{os.getpid()}")
    try:
        yield instance
    finally:
        manager.uninstall(instance)


def _listening_addresses(port: int) -> set[str]:
    """Local addresses of sockets listening on ``port`` (from /proc/net)."""
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].rsplit(":", 1)
            if fields[3] == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


LOOPBACK_HEX = {
    "0100007F",  # 127.0.0.1
    "0000000000000000FFFF00000100007F",  # ::ffff:127.0.0.1
    "00000000000000000000000001000000",  # ::1
}


@pytest.mark.neo4j
@pytest.mark.slow
def test_life_cycle(life: Instance) -> None:
    runner = CliRunner()
    # install: first time does the work, second time is a no-op
    assert manager.install(life, heap="512m", pagecache="128m") is True
    assert manager.install(life) is False
    mode = stat.S_IMODE(life.password_file.stat().st_mode)
    assert mode == 0o600

    # status is non-zero while down
    down = runner.invoke(main, ["server", "status", "--instance", life.name])
    assert down.exit_code == 1
    assert "running        False" in down.stdout

    assert manager.start(life, auto_ports=True) is True
    assert manager.start(life) is False  # already running: no-op
    config = life.config()
    up = runner.invoke(main, ["server", "status", "--instance", life.name, "--json"])
    assert up.exit_code == 0
    assert f'"uri": "bolt://127.0.0.1:{config.bolt_port}"' in up.stdout
    assert life.password() not in up.stdout

    # Bolt answers through the kb code, with the stored password
    good = Connection(f"bolt://127.0.0.1:{config.bolt_port}", "neo4j", life.password(), None, "t")
    driver = open_driver(good)
    assert run(driver, None, "RETURN 1 AS x") == [{"x": 1}]
    driver.close()

    # a wrong password, and the default one, are refused
    for wrong in ("wrong-password", "neo4j"):
        with pytest.raises(ConnectionFailed, match="refused the login"):
            open_driver(Connection(good.uri, "neo4j", wrong, None, "t"))

    # Browser answers over HTTP
    with urllib.request.urlopen(f"http://127.0.0.1:{config.http_port}/browser/") as response:
        assert response.status == 200

    # listening on loopback only
    for port in (config.bolt_port, config.http_port):
        addresses = _listening_addresses(port)
        assert addresses, f"nothing listens on {port}"
        assert addresses <= LOOPBACK_HEX, addresses

    # the password shows in no process listing
    listing = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert life.password() not in listing

    # a crash (SIGKILL) leaves a stale pid file that does not block the next start
    pid = manager.running_pid(life)
    assert pid is not None
    os.kill(pid, 9)
    os.waitpid(pid, 0) if _is_child(pid) else None
    assert manager.status(life).running is False
    assert life.pid_file.exists()
    assert manager.start(life) is True
    assert manager.status(life).running is True

    assert manager.stop(life) is True
    assert manager.stop(life) is False
    down = runner.invoke(main, ["server", "status", "--instance", life.name])
    assert down.exit_code == 1

    # any command against the stopped server: a clear message naming the address
    stopped = runner.invoke(main, ["cypher", "RETURN 1"], env={"KB_INSTANCE": life.name})
    assert stopped.exit_code == 1
    assert f"Neo4j at bolt://127.0.0.1:{config.bolt_port} does not answer" in stopped.stderr
    assert "kb server start" in stopped.stderr
    assert "Traceback" not in stopped.stderr


def _is_child(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[3] == str(os.getpid())
    except OSError:
        return False


@pytest.mark.neo4j
def test_taken_port_is_a_clear_error(life: Instance) -> None:
    if not life.is_installed():
        manager.install(life, heap="512m", pagecache="128m")
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        with pytest.raises(PortInUseError) as info:
            manager.start(life, bolt_port=port)
    message = str(info.value)
    assert f"port {port}" in message
    assert f"pid {os.getpid()}" in message
    assert manager.running_pid(life) is None


def _fake_java(tmp_path: Path, major: str) -> Path:
    home = tmp_path / f"jdk-{major}"
    (home / "bin").mkdir(parents=True)
    java = home / "bin" / "java"
    java.write_text(f"#!/bin/sh\necho 'openjdk version \"{major}.0.2\" 2019-01-15' >&2\n")
    java.chmod(0o755)
    return home


def test_too_old_java_home_is_a_clear_error(tmp_path: Path) -> None:
    old = _fake_java(tmp_path, "11")
    with pytest.raises(JavaError, match=r"JAVA_HOME points to Java 11 .* needs Java 17"):
        find_java("5.26.30", str(old), str(tmp_path / "none"))


def test_missing_java_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no java on PATH
    with pytest.raises(JavaError, match="needs Java 21 or newer, and none was found"):
        find_java("2026.08.1", None, str(tmp_path / "none"))


def test_calendar_versions_pick_a_newer_jdk(tmp_path: Path) -> None:
    _fake_java(tmp_path, "17")
    _fake_java(tmp_path, "25")
    java = find_java("2026.08.1", None, str(tmp_path))
    assert java.major == 25


def test_install_with_old_java_fails_through_the_cli(tmp_path: Path) -> None:
    old = _fake_java(tmp_path, "11")
    result = CliRunner().invoke(
        main,
        ["server", "install", "--instance", f"pytest-nojava-{os.getpid()}"],
        env={"JAVA_HOME": str(old)},
    )
    assert result.exit_code == 1
    assert "Java 11" in result.stderr
    assert "Traceback" not in result.stderr
