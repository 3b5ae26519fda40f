"""`kb server ...`: the managed local Neo4j server (kb.server.manager is imported by each
command as it runs: it pulls in pydantic, which `kb --help` does without)."""

from __future__ import annotations

import json
import sys
import time
from typing import TYPE_CHECKING

import click

from kb import settings
from kb.progress import reporter

if TYPE_CHECKING:
    from kb.server.instance import Instance


def _instance(name: str | None) -> Instance:
    from kb.server.instance import Instance

    return Instance(name or settings.instance_name())


instance_option = click.option(
    "--instance",
    "instance_name",
    metavar="NAME",
    help="Server instance (default: KB_INSTANCE, else 'default').",
)


@click.group(short_help="Install, start, stop and inspect the managed Neo4j server.")
def server() -> None:
    """Install, start, stop and inspect the managed Neo4j Community server.

    Example: kb server install && kb server start && kb server status
    """


@server.command(short_help="Fetch Neo4j, write its configuration, set a random password.")
@instance_option
@click.option(
    "--version", "version", help=f"Neo4j version (default {settings.DEFAULT_NEO4J_VERSION})."
)
@click.option("--bolt-port", type=int, help="Bolt port on 127.0.0.1 (default 7687).")
@click.option("--http-port", type=int, help="HTTP/Browser port on 127.0.0.1 (default 7474).")
@click.option("--heap", help="JVM heap, e.g. 1g (default 1g).")
@click.option("--pagecache", help="Page cache, e.g. 1g (default 1g).")
def install(
    instance_name: str | None,
    version: str | None,
    bolt_port: int | None,
    http_port: int | None,
    heap: str | None,
    pagecache: str | None,
) -> None:
    """Fetch the Neo4j jars, write the configuration and set a random password.

    A second install is a no-op.

    Example: kb server install --heap 2g --pagecache 2g
    """
    from kb.server import manager

    manager.install(
        _instance(instance_name),
        version=version,
        bolt_port=bolt_port,
        http_port=http_port,
        heap=heap,
        pagecache=pagecache,
        echo=click.echo,
        progress=reporter(),
    )


@server.command(short_help="Start the server and wait until it answers.")
@instance_option
@click.option("--bolt-port", type=int, help="Use this Bolt port (kept for later starts).")
@click.option("--http-port", type=int, help="Use this HTTP port (kept for later starts).")
@click.option("--port", "port_mode", type=click.Choice(["auto"]), help="auto: pick free ports.")
@click.option("--heap", help="JVM heap, e.g. 2g.")
@click.option("--pagecache", help="Page cache, e.g. 2g.")
@click.option("--timeout", default=120.0, show_default=True, help="Seconds to wait for Bolt.")
@click.option("--docker", is_flag=True, help="Run the pinned neo4j image through testcontainers.")
def start(
    instance_name: str | None,
    bolt_port: int | None,
    http_port: int | None,
    port_mode: str | None,
    heap: str | None,
    pagecache: str | None,
    timeout: float,
    docker: bool,
) -> None:
    """Start the server and wait until it answers (a no-op when it runs already).

    Example: kb server start --port auto
    """
    from kb.server import manager

    if docker:
        from kb.server.docker import start_docker

        start_docker(echo=click.echo)
        return
    instance = _instance(instance_name)
    if not instance.is_installed():
        manager.install(
            instance,
            bolt_port=bolt_port,
            http_port=http_port,
            heap=heap,
            pagecache=pagecache,
            echo=click.echo,
        )
    manager.start(
        instance,
        bolt_port=bolt_port,
        http_port=http_port,
        auto_ports=port_mode == "auto",
        heap=heap,
        pagecache=pagecache,
        timeout=timeout,
        echo=click.echo,
    )
    from kb.load.staging import cleanup_managed

    removed = cleanup_managed(instance)
    if removed:
        click.echo(
            f"Removed {len(removed)} load run(s) that a loader or a server which died left "
            f"staging: {', '.join(removed)}"
        )


@server.command(short_help="Stop the server cleanly.")
@instance_option
@click.option("--timeout", default=60.0, show_default=True, help="Seconds before a kill.")
def stop(instance_name: str | None, timeout: float) -> None:
    """Stop the server cleanly (killed after --timeout seconds).

    Example: kb server stop
    """
    from kb.server import manager

    manager.stop(_instance(instance_name), timeout=timeout, echo=click.echo)


@server.command(short_help="Show whether the server runs, its address and user.")
@instance_option
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@click.option("--show-password", is_flag=True, help="Also print the password.")
def status(instance_name: str | None, as_json: bool, show_password: bool) -> None:
    """Show whether the server runs, its URI, user and Browser address; exit 1 when down.

    Example: kb server status --json
    """
    from kb.server import manager

    instance = _instance(instance_name)
    state = manager.status(instance)
    info: dict[str, object] = {
        "instance": state.name,
        "installed": state.installed,
        "running": state.running,
        "pid": state.pid,
        "version": state.version,
        "uri": state.bolt_uri,
        "user": state.user,
        "browser": state.browser_url,
        "password_file": str(instance.password_file) if state.installed else None,
    }
    if state.ended:
        info["ended"] = state.ended
    if show_password and state.installed:
        info["password"] = instance.password()
    if as_json:
        click.echo(json.dumps(info, indent=2))
    else:
        for key, value in info.items():
            click.echo(f"{key:14} {'' if value is None else value}")
    sys.exit(0 if state.running else 1)


@server.command(short_help="Print the end of the server's log.")
@instance_option
@click.option("-n", "--lines", default=50, show_default=True, help="How many lines.")
@click.option("-f", "--follow", is_flag=True, help="Keep printing new lines.")
def logs(instance_name: str | None, lines: int, follow: bool) -> None:
    """Print the end of the server's neo4j.log, and why it ended if it died.

    Example: kb server logs -n 100
    """
    from kb.server import manager

    instance = _instance(instance_name)
    ended = manager.why_ended(instance) if manager.running_pid(instance) is None else None
    if ended:
        click.echo(ended)
        click.echo("--- end of neo4j.log")
    path = instance.logs_dir / "neo4j.log"
    if not path.is_file():
        click.echo(f"No log yet at {path}.")
        return
    with path.open(errors="replace") as handle:
        for line in handle.readlines()[-lines:]:
            click.echo(line.rstrip("\n"))
        while follow:
            line = handle.readline()
            if line:
                click.echo(line.rstrip("\n"))
            else:
                time.sleep(0.5)


@server.command(short_help="Delete the server's home, data and password.")
@instance_option
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def uninstall(instance_name: str | None, yes: bool) -> None:
    """Stop the server and delete its home, data and password (the shared jars stay).

    Example: kb server uninstall --instance scratch --yes
    """
    from kb.server import manager

    instance = _instance(instance_name)
    if not yes:
        click.confirm(f"Delete instance '{instance.name}' and all its data?", abort=True)
    manager.uninstall(instance)
    click.echo(f"Removed instance '{instance.name}'.")
