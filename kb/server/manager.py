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
from kb.progress import Phases
from kb.server import guide, ports
from kb.server.conf import JVM_FLAGS, write_conf
from kb.server.instance import Instance, ServerConfig
from kb.server.java import Java, find_java
from kb.server.memory import machine_memory, recommend, to_setting

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
    ended: str | None = None  # why a server that was started is no longer running


# --------------------------------------------------------------------------- install


def _fetch_jars(config: ServerConfig, echo: Echo, progress: Phases | None = None) -> Path:
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
        "-f",
        str(paths.pom_file()),
        "dependency:copy-dependencies",
        f"-DoutputDirectory={staging}",
        "-DincludeScope=runtime",
        f"-Dneo4j.version={config.version}",
        f"-Dneo4j.browser.version={config.browser_version}",
    ]
    started = time.monotonic()
    # Maven's own log, summarised: one step per file it downloads (none when cached).
    progress = progress or Phases()
    progress.phase("fetching jars", unit="files")
    log: list[str] = []
    with subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as maven:
        assert maven.stdout is not None
        for line in maven.stdout:
            log.append(line.rstrip())
            if line.startswith("Downloaded from"):
                progress.advance(1)
    progress.finish()
    if maven.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        tail = "\n".join(log[-15:])
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
        result = subprocess.run(
            cmd, capture_output=True, text=True, env=_run_env(instance), umask=PRIVATE_UMASK
        )
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
    progress: Phases | None = None,
) -> bool:
    """Install the server; returns False (and does nothing) when it is already installed.
    ``progress`` sees the download of the jars (the first install of a version only)."""
    if instance.is_installed():
        echo(f"Neo4j {instance.config().version} is already installed ('{instance.name}').")
        return False
    recommended_heap, recommended_pagecache = recommend(machine_memory())
    config = ServerConfig(
        version=version or settings.neo4j_version(),
        browser_version=settings.browser_version(),
        bolt_port=bolt_port or 7687,
        http_port=http_port or 7474,
        heap=heap or to_setting(recommended_heap),
        pagecache=pagecache or to_setting(recommended_pagecache),
    )
    echo(
        f"Memory: heap {config.heap}, page cache {config.pagecache}"
        + ("" if heap and pagecache else " (sized to this machine; --heap/--pagecache override)")
    )
    started = time.monotonic()
    java = find_java(config.version, settings.java_home(), settings.jvm_root())
    echo(f"Using Java {java.major} at {java.executable}")
    _fetch_jars(config, echo, progress)
    for sub in ("data", "logs", "run", "plugins", "import"):
        (instance.home / sub).mkdir(parents=True, exist_ok=True, mode=0o700)
    instance.state.mkdir(parents=True, exist_ok=True)
    write_conf(instance, config)
    make_private(instance)
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


PRIVATE_UMASK = 0o077  # files the server writes (store, auth.ini, logs) are its user's only


def make_private(instance: Instance) -> None:
    """Take group and other access off everything under the instance's home and state (the
    store, ``data/dbms/auth.ini``, logs, conf): folders 0700, files 0600 at most."""
    for top in (instance.home, instance.state):
        if not top.exists():
            continue
        for folder, _dirs, files in os.walk(top):
            for path in [folder, *(os.path.join(folder, name) for name in files)]:
                with contextlib.suppress(OSError):
                    mode = os.lstat(path).st_mode
                    if mode & 0o077 and not os.path.islink(path):
                        os.chmod(path, mode & 0o700)


def _exit_file(instance: Instance) -> Path:
    return instance.state / "exit-code"


# The server runs under a small shell that records the JVM's pid and, when it ends, its exit
# code: a server that dies while no `kb` command watches leaves the reason behind.
_WRAPPER = '"$@" & pid=$!; echo "$pid" > "$KB_PID_FILE"; wait "$pid"; echo $? > "$KB_EXIT_FILE"'


def why_ended(instance: Instance) -> str | None:
    """Why a server that was started (and not stopped with `kb server stop`) ended: its exit
    code, out of memory or killed, and the end of its logs. None if it was not started so."""
    try:
        code = int(_exit_file(instance).read_text().strip())
    except (OSError, ValueError):
        return None
    logs = ""
    for name in ("console.log", "debug.log", "neo4j.log"):
        path = instance.logs_dir / name
        if path.is_file():
            logs += _tail_text(path, 400_000)
    if "OutOfMemoryError" in logs:
        cause = "it ran out of memory (java.lang.OutOfMemoryError; see the log below)"
    elif code in (137, -9):
        cause = (
            "it was killed (SIGKILL), perhaps by the system's out-of-memory killer "
            "(see `dmesg`); give it less heap or the machine more memory"
        )
    elif code in (143, -15, 0):
        cause = "it was stopped (SIGTERM) from outside `kb server stop`"
    else:
        cause = "see the end of debug.log below"
    tail = _last_lines(instance.logs_dir / "debug.log", 15)
    return f"Neo4j ended with exit code {code}: {cause}." + (
        f"\n--- end of debug.log\n{tail}" if tail else ""
    )


def _tail_text(path: Path, size: int) -> str:
    with path.open("rb") as handle:
        handle.seek(max(0, path.stat().st_size - size))
        return handle.read().decode(errors="replace")


def _last_lines(path: Path, lines: int) -> str:
    if not path.is_file():
        return ""
    return "\n".join(_tail_text(path, 200_000).splitlines()[-lines:])


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
    _kill(instance.pid() or process.pid)
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
    guide_port = ports.free_port()
    write_conf(instance, config, guide_port)
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
    make_private(instance)
    _exit_file(instance).unlink(missing_ok=True)
    console = os.fdopen(
        os.open(instance.logs_dir / "console.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600),
        "ab",
    )
    started = time.monotonic()
    env = {
        **_run_env(instance),
        "KB_PID_FILE": str(instance.pid_file),
        "KB_EXIT_FILE": str(_exit_file(instance)),
    }
    try:
        process = subprocess.Popen(
            ["/bin/sh", "-c", _WRAPPER, "kb-neo4j", *cmd],
            stdin=subprocess.DEVNULL,
            stdout=console,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=instance.home,
            start_new_session=True,
            umask=PRIVATE_UMASK,
        )
    finally:
        console.close()
    deadline = time.monotonic() + 10
    while instance.pid() is None and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    echo(f"Starting Neo4j {config.version} '{instance.name}' (pid {instance.pid()})...")
    guide.start(instance, guide_port)
    try:
        _wait_for_bolt(instance, config, process, timeout)
    except ServerError:
        instance.pid_file.unlink(missing_ok=True)
        guide.stop(instance)
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
    guide.stop(instance)
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
    _forget_exit(instance)
    echo("Stopped.")
    return True


def _forget_exit(instance: Instance) -> None:
    """A server stopped on purpose has no cause of death to report (the wrapper may still be
    writing its exit code: wait for it briefly)."""
    deadline = time.monotonic() + 2
    while not _exit_file(instance).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    _exit_file(instance).unlink(missing_ok=True)


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
        ended=None if running else why_ended(instance),
    )
