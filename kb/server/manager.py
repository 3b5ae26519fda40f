"""Install, start, stop and inspect a Neo4j Community server assembled from its published jars."""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kb import paths, settings
from kb.errors import PortInUseError, ServerError
from kb.server import ports
from kb.server.conf import JVM_FLAGS, write_conf
from kb.server.instance import Instance, ServerConfig
from kb.server.java import Java, find_java

log = logging.getLogger(__name__)
Echo = Callable[[str], None]
ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_TOOL = "org.neo4j.cli.AdminTool"


def _log(message: str) -> None:
    """The default progress callback: the library's log (the CLI passes click.echo)."""
    log.info("%s", message.strip())


@dataclass(frozen=True)
class Status:
    name: str
    installed: bool
    running: bool
    pid: int | None
    version: str | None
    bolt_uri: str | None
    browser_url: str | None
    user: str = "neo4j"


# --------------------------------------------------------------------------- install


def _fetch_jars(config: ServerConfig, echo: Echo) -> Path:
    """Copy the server's jars from the Maven repository into the shared lib folder, once."""
    lib = Instance.lib_dir(config.version)
    marker = lib.parent / ".complete"
    if marker.is_file():
        return lib
    mvn = shutil.which("mvn")
    if mvn is None:
        raise ServerError("Maven (`mvn`) is needed to fetch the Neo4j jars: apt-get install maven.")
    echo(f"Fetching Neo4j {config.version} and Browser {config.browser_version} jars with Maven...")
    lib.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="lib-", dir=lib.parent))
    cmd = [
        mvn,
        "-B",
        "-q",
        "-f",
        str(paths.pom_file()),
        "dependency:copy-dependencies",
        f"-DoutputDirectory={staging}",
        "-DincludeScope=runtime",
        f"-Dneo4j.version={config.version}",
        f"-Dneo4j.browser.version={config.browser_version}",
    ]
    started = time.monotonic()
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-15:])
        raise ServerError(f"Maven could not fetch Neo4j {config.version}:\n{tail}")
    if lib.exists():
        shutil.rmtree(lib)
    staging.rename(lib)
    size = sum(f.stat().st_size for f in lib.iterdir()) / 1e6
    count = len(list(lib.iterdir()))
    echo(f"  {count} jars, {size:.0f} MB, in {time.monotonic() - started:.0f} s -> {lib}")
    marker.write_text(config.version + "\n")
    return lib


def _java_command(java: Java, instance: Instance, config: ServerConfig, main: str) -> list[str]:
    classpath = str(Instance.lib_dir(config.version) / "*")
    return [str(java.executable), "-cp", classpath, *JVM_FLAGS, main]


def _run_env(instance: Instance) -> dict[str, str]:
    env = dict(os.environ)
    env["NEO4J_HOME"] = str(instance.home)
    env["NEO4J_CONF"] = str(instance.conf_dir)
    return env


def _set_initial_password(java: Java, instance: Instance, config: ServerConfig) -> str:
    """Set a random password before the first start, so the default one never works.

    The password goes through a 0600 argument file (picocli's @file), not the command line,
    so it never shows in a process listing.
    """
    # A leading "-" would read as an option to the admin tool: start with a letter.
    password = "k" + secrets.token_urlsafe(24)
    fd, argfile = tempfile.mkstemp(prefix="kb-pw-", dir=instance.state)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(f"dbms\nset-initial-password\n{password}\n")
        cmd = [*_java_command(java, instance, config, ADMIN_TOOL), f"@{argfile}"]
        result = subprocess.run(cmd, capture_output=True, text=True, env=_run_env(instance))
    finally:
        os.unlink(argfile)
    if result.returncode != 0:
        raise ServerError(
            "Setting the initial password failed:\n" + (result.stdout + result.stderr)[-2000:]
        )
    instance.save_password(password)
    return password


def install(
    instance: Instance,
    *,
    version: str | None = None,
    bolt_port: int | None = None,
    http_port: int | None = None,
    heap: str | None = None,
    pagecache: str | None = None,
    echo: Echo = _log,
) -> bool:
    """Install the server; returns False (and does nothing) when it is already installed."""
    if instance.is_installed():
        echo(f"Neo4j {instance.config().version} is already installed ('{instance.name}').")
        return False
    config = ServerConfig(
        version=version or settings.neo4j_version(),
        browser_version=settings.browser_version(),
        bolt_port=bolt_port or 7687,
        http_port=http_port or 7474,
        heap=heap or "1g",
        pagecache=pagecache or "1g",
    )
    started = time.monotonic()
    java = find_java(config.version, settings.java_home(), settings.jvm_root())
    echo(f"Using Java {java.major} at {java.executable}")
    _fetch_jars(config, echo)
    for sub in ("data", "logs", "run", "plugins", "import"):
        (instance.home / sub).mkdir(parents=True, exist_ok=True)
    instance.state.mkdir(parents=True, exist_ok=True)
    os.chmod(instance.state, 0o700)
    write_conf(instance, config)
    echo("Setting a random initial password...")
    _set_initial_password(java, instance, config)
    instance.save_config(config)
    echo(
        f"Installed Neo4j {config.version} as '{instance.name}' in {instance.home} "
        f"({time.monotonic() - started:.0f} s). Password file: {instance.password_file} (0600)."
    )
    return True


def uninstall(instance: Instance) -> None:
    """Remove an instance's home and state (its data too). The shared jars stay."""
    stop(instance)
    shutil.rmtree(instance.home, ignore_errors=True)
    shutil.rmtree(instance.state, ignore_errors=True)


# --------------------------------------------------------------------------- running


def _alive(pid: int, instance: Instance) -> bool:
    """True if ``pid`` is this instance's server (not a recycled pid of another process)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    if stat.rsplit(")", 1)[-1].split()[0] == "Z":  # a zombie has exited
        return False
    return ENTRY_POINT in cmdline and f"--home-dir={instance.home}" in cmdline


def running_pid(instance: Instance) -> int | None:
    pid = instance.pid()
    if pid is not None and _alive(pid, instance):
        return pid
    return None


def _check_ports(config: ServerConfig) -> None:
    for what, port in (("Bolt", config.bolt_port), ("HTTP", config.http_port)):
        if not ports.is_free(port):
            raise PortInUseError(
                f"{what} port {port} on 127.0.0.1 is taken by {ports.holder(port)}. "
                f"Stop it, or choose other ports: kb server start --bolt-port N --http-port M "
                f"(or --port auto)."
            )


def log_tail(instance: Instance, lines: int = 30) -> str:
    chunks: list[str] = []
    for name in ("neo4j.log", "console.log"):
        path = instance.logs_dir / name
        if path.is_file():
            text = path.read_text(errors="replace").splitlines()[-lines:]
            if text:
                chunks.append(f"--- {path} (last {len(text)} lines)\n" + "\n".join(text))
    return "\n".join(chunks) or "(no log written)"


def _wait_for_bolt(
    instance: Instance, config: ServerConfig, process: subprocess.Popen[bytes], timeout: float
) -> None:
    from kb.db import ping

    deadline = time.monotonic() + timeout
    uri = f"bolt://127.0.0.1:{config.bolt_port}"
    while time.monotonic() < deadline:
        code = process.poll()
        if code is not None:
            raise ServerError(
                f"Neo4j exited during start-up (exit code {code}).\n{log_tail(instance)}"
            )
        if (
            ports.answers(config.bolt_port)
            and ports.answers(config.http_port)
            and ping(uri, "neo4j", instance.password())
        ):
            return
        time.sleep(0.5)
    _kill(process.pid)
    raise ServerError(
        f"Neo4j did not answer on {uri} within {timeout:.0f} s; it was stopped.\n"
        f"{log_tail(instance)}"
    )


def start(
    instance: Instance,
    *,
    bolt_port: int | None = None,
    http_port: int | None = None,
    auto_ports: bool = False,
    heap: str | None = None,
    pagecache: str | None = None,
    timeout: float = 120.0,
    echo: Echo = _log,
) -> bool:
    """Start the server and wait until Bolt answers; False if it was already running."""
    config = instance.config()
    pid = running_pid(instance)
    if pid is not None:
        echo(f"Neo4j '{instance.name}' is already running (pid {pid}).")
        return False
    if instance.pid_file.exists():
        instance.pid_file.unlink()  # stale: left by a crash or a kill
    changes: dict[str, object] = {}
    if auto_ports:
        changes.update(bolt_port=ports.free_port(), http_port=ports.free_port())
    if bolt_port:
        changes["bolt_port"] = bolt_port
    if http_port:
        changes["http_port"] = http_port
    if heap:
        changes["heap"] = heap
    if pagecache:
        changes["pagecache"] = pagecache
    if changes:
        config = ServerConfig.model_validate({**config.model_dump(), **changes})
    _check_ports(config)
    instance.save_config(config)
    write_conf(instance, config)
    java = find_java(config.version, settings.java_home(), settings.jvm_root())
    cmd = [
        *_java_command(java, instance, config, ENTRY_POINT)[:1],
        f"-Xms{config.heap}",
        f"-Xmx{config.heap}",
        *_java_command(java, instance, config, ENTRY_POINT)[1:],
        f"--home-dir={instance.home}",
        f"--config-dir={instance.conf_dir}",
    ]
    instance.logs_dir.mkdir(parents=True, exist_ok=True)
    console = open(instance.logs_dir / "console.log", "ab")  # noqa: SIM115 - handed to the child
    started = time.monotonic()
    try:
        process = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=console,
            stderr=subprocess.STDOUT,
            env=_run_env(instance),
            cwd=instance.home,
            start_new_session=True,
        )
    finally:
        console.close()
    instance.pid_file.write_text(f"{process.pid}\n")
    echo(f"Starting Neo4j {config.version} '{instance.name}' (pid {process.pid})...")
    try:
        _wait_for_bolt(instance, config, process, timeout)
    except ServerError:
        instance.pid_file.unlink(missing_ok=True)
        raise
    echo(
        f"Neo4j is up in {time.monotonic() - started:.1f} s: bolt://127.0.0.1:{config.bolt_port}, "
        f"Browser http://127.0.0.1:{config.http_port}/browser/"
    )
    return True


def _kill(pid: int, sig: int = signal.SIGKILL) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def stop(instance: Instance, *, timeout: float = 60.0, echo: Echo = _log) -> bool:
    """Stop cleanly (SIGTERM), killing after ``timeout``; False if it was not running."""
    pid = running_pid(instance)
    if pid is None:
        instance.pid_file.unlink(missing_ok=True)
        echo(f"Neo4j '{instance.name}' is not running.")
        return False
    echo(f"Stopping Neo4j '{instance.name}' (pid {pid})...")
    _kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _alive(pid, instance):
        time.sleep(0.2)
    if _alive(pid, instance):
        echo(f"  no clean exit within {timeout:.0f} s: killing it.")
        _kill(pid)
        while _alive(pid, instance):
            time.sleep(0.1)
    instance.pid_file.unlink(missing_ok=True)
    echo("Stopped.")
    return True


def status(instance: Instance) -> Status:
    if not instance.is_installed():
        return Status(instance.name, False, False, None, None, None, None)
    config = instance.config()
    pid = running_pid(instance)
    running = pid is not None and ports.answers(config.bolt_port)
    return Status(
        name=instance.name,
        installed=True,
        running=running,
        pid=pid,
        version=config.version,
        bolt_uri=f"bolt://127.0.0.1:{config.bolt_port}",
        browser_url=f"http://127.0.0.1:{config.http_port}/browser/",
    )
