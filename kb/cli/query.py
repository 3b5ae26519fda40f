"""`kb query`: list, show and run the named queries of the library (``cypher/*.cypher``)."""

from __future__ import annotations

import json
import shlex
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from kb.library import Answer


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
    if info.paged:
        click.echo(
            "Pages:   yes: --limit N stops on the server after N rows; --cursor TOKEN asks for "
            "the next page"
        )
    if info.summary:
        click.echo(f"Summary: --summary: {info.summary} ({', '.join(info.summary_returns)})")
        click.echo(f"         {info.summary_path}")
    click.echo(f"File:    {info.path}")
    click.echo("")
    click.echo(info.cypher.rstrip())


@query.command(cls=ListsQueries, short_help="Answer a named question of the library.")
@click.argument("name")
@param_option("A query parameter (repeatable); entity parameters take a name, alias or id.")
@output_options
@click.option(
    "--cursor",
    metavar="TOKEN",
    help="The next page of a paged query: the token the previous page printed (same "
    "parameters; --limit sets the page's size, default 100).",
)
@click.option(
    "--summary",
    is_flag=True,
    help="Counts per group instead of every row (queries with a summary; kb query show says).",
)
@timeout_option
@pass_kb
def run(
    name: str,
    params: tuple[str, ...],
    fmt: str,
    limit: int | None,
    columns: list[str] | None,
    cursor: str | None,
    summary: bool,
    timeout: float,
    kb: KnowledgeBase,
) -> None:
    """Run a named query read-only; `kb query show NAME` lists its parameters.

    Parameters are checked (and entity names resolved to ids) before the query runs. A paged
    query with --limit N stops on the server after N rows; stderr then says how many remain
    and the command for the next page (--cursor). --summary counts per group instead.

    Example: kb query run sites-relying-on-supplier -p country=US -p supplier=CATL --limit 20
    """
    given = parse_params(params)
    info = kb.describe(name)
    if summary:
        if cursor is not None or limit is not None:
            raise click.UsageError("--summary answers in one piece: drop --limit and --cursor.")
        rows = kb.query(name, given, summary=True, timeout=timeout)
        emit(rows, fmt, columns=columns, declared=info.summary_returns)
    elif info.paged and (limit is not None or cursor is not None):
        from kb.library import PAGE_SIZE

        size = PAGE_SIZE if limit is None else limit
        rows = kb.query(name, given, limit=size, cursor=cursor, timeout=timeout)
        emit(rows, fmt, columns=columns, declared=info.returns)
        _say_what_follows(name, params, rows, size, timeout)
    else:
        if cursor is not None:
            raise click.UsageError(f"Query '{name}' does not page: run it without --cursor.")
        rows = kb.query(name, given, timeout=timeout)
        emit(rows, fmt, columns=columns, limit=limit, declared=info.returns)
    if rows.note:
        click.echo(rows.note, err=True)  # stdout stays a valid table, JSON or CSV


def _say_what_follows(
    name: str, params: tuple[str, ...], page: Answer, size: int, timeout: float
) -> None:
    """After a page (already printed), on stderr: where it stands, how many rows follow
    (counted now, within the timeout) and the command for the next page."""
    first, last = page.offset + 1, page.offset + len(page)
    where = f"Rows {first}-{last}" if page else f"No rows from {first} on"
    if not page.more:
        click.echo(f"{where}; no more rows.", err=True)
        return
    remaining = page.remaining
    more = (
        f"more rows (not counted within {timeout:g} s)"
        if remaining is None
        else f"{remaining} more row{'s' if remaining != 1 else ''}"
    )
    args = " ".join(f"-p {shlex.quote(p)}" for p in params)
    command = " ".join(part for part in ("kb query run", name, args, f"--limit {size}") if part)
    click.echo(f"{where}; {more}. Next page:", err=True)
    click.echo(f"  {command} --cursor {page.next_cursor}", err=True)


def _plain(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return value
    # JSON's spelling of numbers, booleans and lists is YAML's too, without YAML's `...`.
    return json.dumps(value, ensure_ascii=False)
