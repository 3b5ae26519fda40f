"""`kb cypher`: ad-hoc Cypher, read-only unless --write."""

from __future__ import annotations

import click

from kb import db
from kb.cli.options import connection_options, output_options, param_option, parse_params
from kb.output import emit
from kb.settings import resolve_connection


@click.command(short_help="Run a Cypher statement (read-only unless --write).")
@click.argument("statement")
@param_option("A query parameter (repeatable); JSON values keep their type.")
@click.option("--write", is_flag=True, help="Allow a statement that writes.")
@output_options
@connection_options
def cypher(
    statement: str,
    params: tuple[str, ...],
    write: bool,
    fmt: str,
    limit: int | None,
    columns: list[str] | None,
    uri: str | None,
    user: str | None,
    password: str | None,
    database: str | None,
) -> None:
    """Run a Cypher statement; parameters go to the driver, never into the text.

    Without --write the statement's plan is checked first and a write is refused.

    Example: kb cypher "MATCH (c:Company {id: $id}) RETURN c.name AS name" -p id=catl --format json
    """
    connection = resolve_connection(uri, user, password, database)
    with db.connected(connection) as driver:
        rows = db.run(driver, connection.database, statement, parse_params(params), write=write)
    emit(rows, fmt, columns=columns, limit=limit)
