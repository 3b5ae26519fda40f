"""`kb query`: list, show and run the named queries of the library (``cypher/*.cypher``)."""

from __future__ import annotations

import json
from typing import Any

import click

from kb.api import KnowledgeBase, QueryInfo
from kb.cli.help import ListsQueries
from kb.cli.options import (
    format_option,
    output_options,
    param_option,
    parse_params,
    pass_kb,
    timeout_option,
)
from kb.output import emit


@click.group(short_help="The query library: named, read-only questions.")
def query() -> None:
    """The query library: named, documented, read-only questions to the graph.

    Example: kb query run firms-relying-on -p country=China -p tech=CUDA -p inherited=true
    """


@query.command("list", short_help="List the library's queries with their titles.")
@format_option
def list_queries(fmt: str) -> None:
    """List the queries of the library with their titles (json: with their parameters).

    Example: kb query list --format json
    """
    infos = KnowledgeBase().queries.values()
    if fmt == "json":
        click.echo(
            json.dumps([i.as_dict(cypher=False) for i in infos], ensure_ascii=False, default=str)
        )
        return
    emit([{"name": i.name, "title": i.title} for i in infos], fmt)


@query.command(short_help="Show a query's parameters, an example and its Cypher.")
@click.argument("name")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "yaml"]),
    default="text",
    show_default=True,
    help="json and yaml: the header's fields, the file and the Cypher, for programs.",
)
def show(name: str, fmt: str) -> None:
    """Show a query: what it answers, its parameters, an example and its Cypher.

    Example: kb query show sites-relying-on-supplier --format yaml
    """
    info = KnowledgeBase().describe(name)
    if fmt == "json":
        click.echo(json.dumps(info.as_dict(), ensure_ascii=False, indent=1, default=str))
    elif fmt == "yaml":
        import yaml

        click.echo(yaml.safe_dump(info.as_dict(), allow_unicode=True, sort_keys=False).rstrip())
    else:
        _show_text(info)


def _show_text(info: QueryInfo) -> None:
    click.secho(f"{info.name}: {info.title}", bold=True)
    click.echo("")
    click.echo(click.wrap_text(" ".join(info.description.split()), width=100))
    click.echo("")
    click.echo("Parameters:")
    if not info.params:
        click.echo("  (none)")
    for p in info.params:
        default = "required" if p.required else f"default {_plain(p.default)}"
        click.echo(f"  {p.name}  {p.type_text}, {default}")
        click.echo(
            click.wrap_text(
                p.description, width=100, initial_indent="      ", subsequent_indent="      "
            )
        )
    click.echo("")
    click.echo(f"Returns: {', '.join(info.returns)}")
    if info.empty:
        click.echo(f"If empty: {' '.join(info.empty.split())}")
    click.echo(f"Example: {info.example_command}")
    click.echo(f"File:    {info.path}")
    click.echo("")
    click.echo(info.cypher.rstrip())


@query.command(cls=ListsQueries, short_help="Answer a named question of the library.")
@click.argument("name")
@param_option("A query parameter (repeatable); entity parameters take a name, alias or id.")
@output_options
@timeout_option
@pass_kb
def run(
    name: str,
    params: tuple[str, ...],
    fmt: str,
    limit: int | None,
    columns: list[str] | None,
    timeout: float,
    kb: KnowledgeBase,
) -> None:
    """Run a named query read-only; `kb query show NAME` lists its parameters.

    Parameters are checked (and entity names resolved to ids) before the query runs.

    Example: kb query run sites-relying-on-supplier -p country=US -p supplier=CATL --format json
    """
    rows = kb.query(name, parse_params(params), timeout=timeout)
    emit(rows, fmt, columns=columns, limit=limit, declared=kb.describe(name).returns)
    if rows.note:
        click.echo(rows.note, err=True)  # stdout stays a valid table, JSON or CSV


def _plain(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return value
    # JSON's spelling of numbers, booleans and lists is YAML's too, without YAML's `...`.
    return json.dumps(value, ensure_ascii=False)
