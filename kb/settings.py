"""Every setting that comes from the environment is read here, and only here.

Connection precedence: command-line flags > NEO4J_URI / NEO4J_USERNAME / NEO4J_PASSWORD /
NEO4J_DATABASE > the managed local server (instance ``KB_INSTANCE``, default ``default``).
The README's table "Environment variables" lists each variable this module reads.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

DEFAULT_NEO4J_VERSION = "5.26.30"
DEFAULT_BROWSER_VERSION = "5.24.0"
DEFAULT_INSTANCE = "default"
DEFAULT_TIMEOUT = 30.0  # seconds a read may run before the server stops it (--timeout)


def env(name: str) -> str | None:
    value = os.environ.get(name)
    return value if value else None


def columns() -> int | None:
    """COLUMNS: the width to draw output at, piped or not (a positive whole number)."""
    value = (env("COLUMNS") or "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else None


def neo4j_uri() -> str | None:
    """NEO4J_URI: a server of the user's own instead of the managed one."""
    return env("NEO4J_URI")


def article_path() -> Path | None:
    """KB_ARTICLE: the source article `kb seed check` reads instead of the packaged copy."""
    given = env("KB_ARTICLE")
    return Path(given) if given else None


def log_level() -> str:
    """KB_LOG_LEVEL: how much the library logs to stderr under the CLI (default WARNING)."""
    return (env("KB_LOG_LEVEL") or "WARNING").upper()


def bench_without_rust() -> bool:
    """KB_BENCH_NO_RUST=1: the benchmark's child loader hides the driver's Rust extension."""
    return env("KB_BENCH_NO_RUST") == "1"


def _xdg(var: str, default: str) -> Path:
    value = env(var)
    return Path(value) if value else Path.home() / default


def xdg_data_home() -> Path:
    """XDG_DATA_HOME, default ~/.local/share."""
    return _xdg("XDG_DATA_HOME", ".local/share")


def xdg_cache_home() -> Path:
    """XDG_CACHE_HOME, default ~/.cache."""
    return _xdg("XDG_CACHE_HOME", ".cache")


def xdg_state_home() -> Path:
    """XDG_STATE_HOME, default ~/.local/state."""
    return _xdg("XDG_STATE_HOME", ".local/state")


def instance_name() -> str:
    return env("KB_INSTANCE") or DEFAULT_INSTANCE


def neo4j_version() -> str:
    return env("KB_NEO4J_VERSION") or DEFAULT_NEO4J_VERSION


def browser_version() -> str:
    return env("KB_NEO4J_BROWSER_VERSION") or DEFAULT_BROWSER_VERSION


def resolutions_file() -> str | None:
    """The user's own entity-resolution decisions (KB_RESOLUTIONS; see kb/decisions.py)."""
    return env("KB_RESOLUTIONS")


def review_folder() -> str | None:
    """Where `kb load` writes review files (KB_REVIEW_DIR; see kb/load/runner.py)."""
    return env("KB_REVIEW_DIR")


DEFAULT_STAGED_ABOVE = 50_000  # input lines above which a load is staged (committed batches)
DEFAULT_COMMIT_ROWS = 5_000  # rows a staged load commits at a time (fewer: less server work a row)
DEFAULT_STALE_SECONDS = 600.0  # a staging run of another host without a heartbeat is gone


def _number(name: str, default: float) -> float:
    value = env(name)
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{name} must be a number, not {value!r}") from None
    if number < 0:
        raise ValueError(f"{name} must be 0 or more, not {value!r}")
    return number


def load_staged_above() -> int:
    """KB_LOAD_STAGED_ABOVE: a load whose input files hold more lines than this is written in
    committed batches, hidden until published (docs/loading.md); a smaller one writes in one
    transaction. 0 stages every load."""
    return int(_number("KB_LOAD_STAGED_ABOVE", DEFAULT_STAGED_ABOVE))


def load_commit_rows() -> int:
    """KB_LOAD_COMMIT_ROWS: rows a staged load writes per committed transaction."""
    return max(1, int(_number("KB_LOAD_COMMIT_ROWS", DEFAULT_COMMIT_ROWS)))


def load_stale_seconds() -> float:
    """KB_LOAD_STALE_SECONDS: a run left staging by a loader on another host counts as dead
    (and is removed) once its heartbeat is this old."""
    return _number("KB_LOAD_STALE_SECONDS", DEFAULT_STALE_SECONDS)


def java_home() -> str | None:
    return env("JAVA_HOME")


def jvm_root() -> str:
    """Where JDKs are looked for after JAVA_HOME (Debian's layout by default)."""
    return env("KB_JVM_ROOT") or "/usr/lib/jvm"


def redact_uri(uri: str) -> str:
    """The address without any user or password written into it (``bolt://u:p@host``)."""
    try:
        parts = urlsplit(uri)
    except ValueError:
        return "(an address that does not parse)"
    if "@" not in parts.netloc:
        return uri
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=host))


def _credentials_in(uri: str) -> tuple[str | None, str | None]:
    try:
        parts = urlsplit(uri)
        return parts.username, parts.password
    except ValueError:
        return None, None


@dataclass(frozen=True)
class Connection:
    uri: str
    user: str
    password: str
    database: str | None
    origin: str  # where the settings came from, for messages

    def describe(self) -> str:
        db = f", database {self.database}" if self.database else ""
        return f"{redact_uri(self.uri)} as {self.user}{db} (from {self.origin})"


def resolve_connection(
    uri: str | None = None,
    user: str | None = None,
    password: str | None = None,
    database: str | None = None,
) -> Connection:
    """Pick the connection: flags, then the NEO4J_* variables, then the managed server."""
    from kb.errors import ConnectionFailed
    from kb.server.instance import Instance

    env_uri = neo4j_uri()
    if uri or env_uri:
        origin = "flags" if uri else "environment (NEO4J_URI)"
        given = uri or env_uri or ""
        # Credentials written into the address are taken out of it: the address is printed
        # and put into Browser links, the credentials never are.
        uri_user, uri_password = _credentials_in(given)
        chosen_password = password or env("NEO4J_PASSWORD") or uri_password
        if chosen_password is None:
            raise ConnectionFailed(
                f"No password for {redact_uri(given)}: set NEO4J_PASSWORD or pass --password."
            )
        return Connection(
            uri=redact_uri(given),
            user=user or env("NEO4J_USERNAME") or uri_user or "neo4j",
            password=chosen_password,
            database=database or env("NEO4J_DATABASE"),
            origin=origin,
        )
    instance = Instance(instance_name())
    if not instance.is_installed():
        raise ConnectionFailed(
            "No database configured: set NEO4J_URI (and NEO4J_USERNAME, NEO4J_PASSWORD), "
            "or install and start the managed server with `kb server install && kb server start`."
        )
    config = instance.config()
    return Connection(
        uri=f"bolt://127.0.0.1:{config.bolt_port}",
        user=user or "neo4j",
        password=password or instance.password(),
        database=database or env("NEO4J_DATABASE"),
        origin=f"managed server '{instance.name}'",
    )
