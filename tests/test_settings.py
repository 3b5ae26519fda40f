"""Connection settings: flags > NEO4J_* variables > the managed server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kb.errors import ConnectionFailed
from kb.server.instance import Instance
from kb.settings import resolve_connection


def test_flags_beat_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEO4J_URI", "neo4j+s://env.example:7687")
    monkeypatch.setenv("NEO4J_USERNAME", "envuser")
    monkeypatch.setenv("NEO4J_PASSWORD", "envpass")
    monkeypatch.setenv("NEO4J_DATABASE", "envdb")
    conn = resolve_connection("bolt://flag:1", "flaguser", "flagpass", "flagdb")
    assert (conn.uri, conn.user, conn.password, conn.database) == (
        "bolt://flag:1",
        "flaguser",
        "flagpass",
        "flagdb",
    )
    assert conn.origin == "flags"


def test_environment_beats_managed_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEO4J_URI", "neo4j+s://abc.databases.example")
    monkeypatch.setenv("NEO4J_USERNAME", "envuser")
    monkeypatch.setenv("NEO4J_PASSWORD", "envpass")
    monkeypatch.delenv("NEO4J_DATABASE", raising=False)
    conn = resolve_connection()
    assert (conn.uri, conn.user, conn.password, conn.database) == (
        "neo4j+s://abc.databases.example",
        "envuser",
        "envpass",
        None,
    )
    assert "NEO4J_URI" in conn.origin


def test_uri_without_password_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEO4J_URI", "bolt://somewhere:7687")
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    with pytest.raises(ConnectionFailed, match="NEO4J_PASSWORD"):
        resolve_connection()


def test_managed_server_is_the_fallback(
    monkeypatch: pytest.MonkeyPatch, test_instance_name: str | None
) -> None:
    if test_instance_name is None:
        monkeypatch.delenv("NEO4J_URI")
        return  # the suite runs against an external server: nothing managed to fall back to
    monkeypatch.delenv("NEO4J_URI", raising=False)
    instance = Instance(test_instance_name)
    conn = resolve_connection(database="flagdb")
    assert conn.uri == f"bolt://127.0.0.1:{instance.config().bolt_port}"
    assert conn.password == instance.password()
    assert conn.database == "flagdb"
    assert conn.origin == f"managed server '{test_instance_name}'"


def test_no_configuration_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEO4J_URI", raising=False)
    monkeypatch.setenv("KB_INSTANCE", "never-installed")
    with pytest.raises(ConnectionFailed, match="kb server install"):
        resolve_connection()


ROOT = Path(__file__).resolve().parent.parent
# Reading a variable: os.environ.get / [...] / getenv. Copying the whole environment for a
# child process (dict(os.environ)) is not reading a setting.
READS = re.compile(r"os\.environ\s*(\.get|\[)|os\.getenv|environ\.get")


def test_only_the_settings_module_reads_the_environment() -> None:
    readers = [
        str(path.relative_to(ROOT))
        for folder in ("kb", "loaders")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if READS.search(path.read_text(encoding="utf-8"))
    ]
    assert readers == ["kb/settings.py"]


def test_the_readme_lists_every_variable_the_settings_read() -> None:
    source = (ROOT / "kb" / "settings.py").read_text(encoding="utf-8")
    read = set(re.findall(r'(?:env|_xdg)\("([A-Z0-9_]+)"', source))
    assert {"NEO4J_URI", "KB_INSTANCE", "XDG_CACHE_HOME", "KB_LOG_LEVEL"} <= read
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Environment variables", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| `([A-Z0-9_]+)` \|", table, re.MULTILINE))
    assert read <= listed, read - listed
