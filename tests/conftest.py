"""Test policy: every test runs against a real Neo4j, never a mock.

- With NEO4J_URI set, the tests use that server. They refuse to run if its database already
  holds data, unless KB_TEST_WIPE=1 says they may empty it.
- Otherwise the session installs and starts a managed server instance of its own
  (instance ``pytest-<pid>``, free loopback ports, small memory), points the CLI at it through
  KB_INSTANCE, and uninstalls it at the end. A user's own instance and data are never touched.

Read-only tests share the seeded graph of a module; tests that write start from an empty graph
(the ``empty_graph`` fixture).
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from kb import KnowledgeBase
from kb.server import manager
from kb.server.instance import Instance
from kb.statements import statement

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The lanes, from the fixtures a test uses: the server's make it `neo4j`, Chromium's
    `browser` (a test that needs either in another way carries the mark itself)."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if "test_instance_name" in fixtures:
            item.add_marker(pytest.mark.neo4j)
        if "chromium" in fixtures:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session", autouse=True)
def own_decisions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The user's resolution decisions and review files go to a folder of the test session's
    own (never the user's): KB_RESOLUTIONS and KB_REVIEW_DIR."""
    folder = tmp_path_factory.mktemp("kb-decisions")
    saved = {k: os.environ.get(k) for k in ("KB_RESOLUTIONS", "KB_REVIEW_DIR")}
    os.environ["KB_RESOLUTIONS"] = str(folder / "resolutions.yaml")
    os.environ["KB_REVIEW_DIR"] = str(folder / "review")
    try:
        yield folder
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextmanager
def own_instance(name: str, heap: str = "512m", pagecache: str = "128m") -> Iterator[Instance]:
    """A managed server instance of a test's own (``NAME-PID``), started on free ports and
    removed afterwards."""
    instance = Instance(f"{name}-{os.getpid()}")
    manager.install(instance, heap=heap, pagecache=pagecache)
    manager.start(instance, auto_ports=True)
    try:
        yield instance
    finally:
        manager.uninstall(instance)


@pytest.fixture(scope="session")
def test_instance_name() -> Iterator[str | None]:
    if os.environ.get("NEO4J_URI"):
        yield None
        return
    with own_instance("pytest", heap="768m", pagecache="256m") as instance:
        os.environ["KB_INSTANCE"] = instance.name
        yield instance.name


@pytest.fixture(scope="session")
def kb(test_instance_name: str | None) -> Iterator[KnowledgeBase]:
    knowledge_base = KnowledgeBase.connect()
    count = knowledge_base.cypher("MATCH (n) RETURN count(n) AS n")[0]["n"]
    if count and test_instance_name is None and os.environ.get("KB_TEST_WIPE") != "1":
        knowledge_base.close()
        pytest.exit(
            f"The database at {knowledge_base.connection.uri} holds {count} nodes; the tests "
            "would wipe it. Point NEO4J_URI at an empty database or set KB_TEST_WIPE=1.",
            returncode=3,
        )
    yield knowledge_base
    knowledge_base.close()


def wipe(knowledge_base: KnowledgeBase) -> None:
    knowledge_base.cypher(statement("load/reset"), write=True)


@pytest.fixture
def empty_graph(kb: KnowledgeBase) -> KnowledgeBase:
    wipe(kb)
    return kb


_SEEDED: dict[str, object] = {}


@pytest.fixture
def seeded_graph(kb: KnowledgeBase) -> KnowledgeBase:
    """A graph holding exactly the seed (reloaded only when something else changed it)."""
    from kb.fingerprint import fingerprint
    from kb.load.runner import load
    from kb.paths import seed_dir

    if _SEEDED.get("fingerprint") != fingerprint(kb.driver, None):
        wipe(kb)
        load(kb.driver, None, [seed_dir()])
        _SEEDED["fingerprint"] = fingerprint(kb.driver, None)
    return kb


def writes_running(knowledge_base: KnowledgeBase) -> int:
    """How many transactions are running a loader batch right now (this query excluded)."""
    # SHOW TRANSACTIONS reveals other sessions: read-only mode refuses it, the driver does not.
    records, _, _ = knowledge_base.driver.execute_query(
        "SHOW TRANSACTIONS YIELD currentQuery "
        "WHERE currentQuery CONTAINS 'UNWIND $rows' AND NOT currentQuery STARTS WITH 'SHOW' "
        "RETURN count(*) AS n"
    )
    return int(records[0]["n"])


def kill_load_while_writing(knowledge_base: KnowledgeBase, folder: Path, wait: float = 60) -> None:
    """Start ``kb load FOLDER`` in a process, SIGKILL it once its batches are being written,
    and wait until the server has rolled its transaction back."""
    import signal
    import subprocess
    import sys
    import time

    process = subprocess.Popen(
        [sys.executable, "-m", "kb.cli", "load", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + wait
    writing = False
    while time.monotonic() < deadline and process.poll() is None:
        if writes_running(knowledge_base):
            writing = True
            time.sleep(0.3)
            break
        time.sleep(0.05)
    assert writing and process.poll() is None, "the load was not caught while writing"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and writes_running(knowledge_base):
        time.sleep(0.2)


@contextmanager
def headless_chromium(allowed: tuple[str, ...], width: int) -> Iterator[Any]:
    """A Playwright context in Debian's headless Chromium (never a downloaded browser), with a
    fresh profile and kb's Chromium flags; requests to addresses outside ``allowed`` are
    refused. A missing Chromium fails the test: `make prereqs` installs it."""
    from kb import viz

    exe = Path("/usr/bin/chromium")
    if not exe.exists():
        pytest.fail("/usr/bin/chromium is missing: run `make prereqs` (apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="kb-test-chromium-") as profile,
        sync_playwright() as playwright,
    ):
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=str(exe),
            headless=True,
            args=list(viz.CHROMIUM_FLAGS),
            viewport={"width": width, "height": 1000},
        )
        context.route(
            "**/*",
            lambda route: (
                route.continue_() if route.request.url.startswith(allowed) else route.abort()
            ),
        )
        try:
            yield context
        finally:
            context.close()


ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def run_in_terminal(args: list[str], columns: int = 100, timeout: float = 300) -> tuple[int, str]:
    """Run the `kb` command in a pseudo-terminal ``columns`` wide (Python's `pty`, no expect
    library); returns its exit code and everything it wrote, colours and cursor moves removed,
    carriage returns kept (a progress bar redraws its line with them)."""
    import fcntl
    import pty
    import select
    import struct
    import subprocess
    import sys
    import termios
    import time

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    env["TERM"] = "xterm-256color"
    kb_command = str(Path(sys.executable).parent / "kb")
    process = subprocess.Popen(
        [kb_command, *args], stdin=follower, stdout=follower, stderr=follower, env=env
    )
    os.close(follower)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.5)
        if ready:
            try:
                data = os.read(leader, 65536)
            except OSError:  # the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        elif process.poll() is not None:
            break
    else:
        process.kill()
        pytest.fail(f"kb {' '.join(args)} ran over {timeout} s")
    os.close(leader)
    code = process.wait()
    text = b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")
    return code, ANSI.sub("", text)
