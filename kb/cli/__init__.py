"""The `kb` command. Each command group lives in its own module; errors print, never trace.

Each command is a thin call on :class:`kb.api.KnowledgeBase` (``options.pass_kb`` builds it
from the connection options). The command modules import only click and light modules at
start-up; the driver, pydantic and yaml come in when a command needs them, so that
``kb --help`` and ``kb query list`` answer quickly (BENCHMARKS.md has the figures).
"""

from __future__ import annotations

import logging
import sys

import click

from kb.errors import KBError


def _driver_error(exc: Exception) -> str | None:
    """The message for an error of the Neo4j driver, or None for any other error. The
    driver is looked up, never imported: a command that did not load it raised none of its
    errors."""
    exceptions = sys.modules.get("neo4j.exceptions")
    if exceptions is None:
        return None
    if isinstance(exc, exceptions.ServiceUnavailable | exceptions.SessionExpired):
        # The server went away mid-command: its open transaction was rolled back.
        return (
            f"lost the connection to Neo4j ({exc}). Whatever this command was writing was "
            "rolled back; check the server (`kb server status`) and run it again."
        )
    if isinstance(exc, exceptions.Neo4jError):
        return f"Neo4j refused the request: {exc.code}: {exc.message}"
    if isinstance(exc, exceptions.DriverError):
        return f"Neo4j driver: {exc}"
    return None


class KBGroup(click.Group):
    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except KBError as exc:
            click.secho(f"Error: {exc}", fg="red", err=True)
            sys.exit(exc.exit_code)
        except Exception as exc:
            message = _driver_error(exc)
            if message is None:
                raise
            click.secho(f"Error: {message}", fg="red", err=True)
            sys.exit(1)


@click.group(cls=KBGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ai-infra-kb")
@click.option(
    "-v",
    "--verbose",
    count=True,
    help="Log what the library does to stderr (-v: info, -vv: debug; default: KB_LOG_LEVEL).",
)
def main(verbose: int) -> None:
    """A Neo4j knowledge base of AI-infrastructure dependencies, with evidence.

    Start with `kb demo` (a server of its own, loaded with the seed), then ask a question of
    the library (`kb query list`), e.g. which Chinese firms rely on CUDA:

    Example: kb query run firms-relying-on -p country=China -p tech=CUDA -p inherited=true
    """
    from kb import settings

    level = {0: settings.log_level(), 1: "INFO"}.get(verbose, "DEBUG")
    _log_to_stderr(getattr(logging, level, logging.WARNING))


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The CLI's log handler: the library's records, on this invocation's stderr."""


def _log_to_stderr(level: int) -> None:
    logger = logging.getLogger("kb")
    for old in [h for h in logger.handlers if isinstance(h, _StderrHandler)]:
        logger.removeHandler(old)
    handler = _StderrHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(level)


def _register() -> None:
    from kb.cli.bench import bench
    from kb.cli.browser import browser
    from kb.cli.cypher import cypher
    from kb.cli.demo import demo
    from kb.cli.load import export_command, load, reset, unload
    from kb.cli.query import query
    from kb.cli.resolve import resolve
    from kb.cli.seed import seed
    from kb.cli.server import server
    from kb.cli.viz import viz

    main.add_command(server)
    main.add_command(cypher)
    main.add_command(load)
    main.add_command(reset)
    main.add_command(export_command)
    main.add_command(seed)
    main.add_command(query)
    main.add_command(demo)
    main.add_command(bench)
    main.add_command(browser)
    main.add_command(viz)
    main.add_command(unload)
    main.add_command(resolve)


_register()
