"""The `kb` command. Each command group lives in its own module; errors print, never trace."""

from __future__ import annotations

import sys

import click
from neo4j.exceptions import DriverError, Neo4jError, ServiceUnavailable, SessionExpired

from kb.errors import KBError


class KBGroup(click.Group):
    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except KBError as exc:
            click.secho(f"Error: {exc}", fg="red", err=True)
            sys.exit(exc.exit_code)
        except (ServiceUnavailable, SessionExpired) as exc:
            # The server went away mid-command: its open transaction was rolled back.
            click.secho(
                f"Error: lost the connection to Neo4j ({exc}). Whatever this command was "
                "writing was rolled back; check the server (`kb server status`) and run it again.",
                fg="red",
                err=True,
            )
            sys.exit(1)
        except Neo4jError as exc:
            click.secho(
                f"Error: Neo4j refused the request: {exc.code}: {exc.message}", fg="red", err=True
            )
            sys.exit(1)
        except DriverError as exc:
            click.secho(f"Error: Neo4j driver: {exc}", fg="red", err=True)
            sys.exit(1)


@click.group(cls=KBGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ai-infra-kb")
def main() -> None:
    """A Neo4j knowledge base of AI-infrastructure dependencies, with evidence.

    Example: kb server install && kb server start && kb cypher "RETURN 1 AS x"
    """


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
