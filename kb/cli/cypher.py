"""`kb cypher`: ad-hoc Cypher, read-only unless --write."""

from __future__ import annotations

import click

from kb.api import KnowledgeBase
from kb.cli.options import format_option, param_option, parse_params, pass_kb
from kb.output import render


@click.command()
@click.argument("statement")
@param_option("A query parameter (repeatable); JSON values keep their type.")
@click.option("--write", is_flag=True, help="Allow a statement that writes.")
@format_option
@pass_kb
def cypher(
    statement: str, params: tuple[str, ...], write: bool, fmt: str, kb: KnowledgeBase
) -> None:
    """Run a Cypher statement; parameters go to the driver, never into the text.

    Without --write the statement's plan is checked first and a write is refused.

    Example: kb cypher "MATCH (c:Company {id: $id}) RETURN c.name AS name" -p id=catl --format json
    """
    click.echo(render(kb.cypher(statement, parse_params(params), write=write), fmt))
