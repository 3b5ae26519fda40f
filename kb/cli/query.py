"""`kb query`: list, show and run the named queries of the library (``cypher/*.cypher``)."""

from __future__ import annotations

import click
import yaml

from kb import db, library
from kb.cli.options import connection_options, format_option, param_option, parse_params
from kb.output import render
from kb.settings import resolve_connection


@click.group()
def query() -> None:
    """The query library: named, documented, read-only questions to the graph.

    Example: kb query run firms-relying-on -p country=China -p tech=CUDA
    """


@query.command("list")
@format_option
def list_queries(fmt: str) -> None:
    """List the queries of the library with their titles.

    Example: kb query list --format json
    """
    lib = library.load_library()
    rows = [{"name": q.name, "title": q.title} for q in (lib.get(n) for n in lib.names)]
    click.echo(render(rows, fmt, max_width=100))


@query.command()
@click.argument("name")
def show(name: str) -> None:
    """Show a query: what it answers, its parameters, an example and its Cypher.

    Example: kb query show sites-relying-on-supplier
    """
    q = library.load_library().get(name)
    h = q.header
    click.secho(f"{h.name}: {h.title}", bold=True)
    click.echo("")
    click.echo(click.wrap_text(" ".join(h.description.split()), width=100))
    click.echo("")
    click.echo("Parameters:")
    if not h.params:
        click.echo("  (none)")
    for p in h.params:
        default = "required" if p.required else f"default {_plain(p.default)}"
        click.echo(f"  {p.name}  {p.describe_type()}, {default}")
        click.echo(
            click.wrap_text(
                p.description, width=100, initial_indent="      ", subsequent_indent="      "
            )
        )
    click.echo("")
    click.echo(f"Returns: {', '.join(h.returns)}")
    if h.empty:
        click.echo(f"If empty: {' '.join(h.empty.split())}")
    click.echo(f"Example: {q.example_command()}")
    click.echo(f"File:    {q.path}")
    click.echo("")
    click.echo(q.text.rstrip())


@query.command()
@click.argument("name")
@param_option("A query parameter (repeatable); entity parameters take a name, alias or id.")
@format_option
@connection_options
def run(
    name: str,
    params: tuple[str, ...],
    fmt: str,
    uri: str | None,
    user: str | None,
    password: str | None,
    database: str | None,
) -> None:
    """Run a named query read-only; `kb query show NAME` lists its parameters.

    Parameters are checked (and entity names resolved to ids) before the query runs.

    Example: kb query run sites-relying-on-supplier -p country=US -p supplier=CATL --format json
    """
    lib = library.load_library()
    given = parse_params(params)
    lib.get(name).bind(given)  # parameter errors before any connection is made
    connection = resolve_connection(uri, user, password, database)
    with db.connected(connection) as driver:
        rows = library.run(driver, connection.database, name, given, library=lib)
    click.echo(render(rows, fmt))
    if rows.note:
        click.echo(rows.note, err=True)  # stdout stays a valid table, JSON or CSV


def _plain(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return value
    return yaml.safe_dump(value, default_flow_style=True).strip()
