"""The `kb` command. Each command group lives in its own module; errors print, never trace."""

from __future__ import annotations

import sys

import click

from kb.errors import KBError


class KBGroup(click.Group):
    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except KBError as exc:
            click.secho(f"Error: {exc}", fg="red", err=True)
            sys.exit(exc.exit_code)


@click.group(cls=KBGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ai-infra-kb")
def main() -> None:
    """A Neo4j knowledge base of AI-infrastructure dependencies, with evidence.

    Example: kb server install && kb server start && kb cypher "RETURN 1 AS x"
    """


def _register() -> None:
    from kb.cli.cypher import cypher
    from kb.cli.demo import demo
    from kb.cli.load import export_command, load, reset
    from kb.cli.query import query
    from kb.cli.seed import seed
    from kb.cli.server import server

    main.add_command(server)
    main.add_command(cypher)
    main.add_command(load)
    main.add_command(reset)
    main.add_command(export_command)
    main.add_command(seed)
    main.add_command(query)
    main.add_command(demo)


_register()
