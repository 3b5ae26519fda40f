"""Option bundles shared by commands: the knowledge base to use, and the output format."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click

from kb.output import FORMATS

F = Callable[..., Any]


def connection_options(func: F) -> F:
    """--uri/--user/--password/--database; each falls back to NEO4J_* then the managed server."""
    for option in reversed(
        [
            click.option(
                "--uri", help="Bolt/Neo4j URI (default: NEO4J_URI, else the managed server)."
            ),
            click.option("--user", help="User name (default: NEO4J_USERNAME, else neo4j)."),
            click.option(
                "--password", help="Password (default: NEO4J_PASSWORD, else the managed server's)."
            ),
            click.option(
                "--database",
                help="Database name (default: NEO4J_DATABASE, else the server's default).",
            ),
        ]
    ):
        func = option(func)
    return func


def pass_kb(func: F) -> F:
    """The one way a command reaches the database: adds the connection options and calls the
    command with ``kb``, a :class:`~kb.api.KnowledgeBase` on those settings. It connects when
    the command first needs the database and closes when the command ends."""

    @functools.wraps(func)
    def command(
        *args: Any,
        uri: str | None,
        user: str | None,
        password: str | None,
        database: str | None,
        **kwargs: Any,
    ) -> Any:
        from kb.api import KnowledgeBase

        with KnowledgeBase(uri, user, password, database) as kb:
            return func(*args, kb=kb, **kwargs)

    return connection_options(command)


def format_option(func: F) -> F:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="table",
        show_default=True,
        help="Output format; json is a list of row objects.",
    )(func)


def param_option(help_text: str) -> Callable[[F], F]:
    """``-p/--param NAME=VALUE``, repeatable; read the values with :func:`parse_params`."""
    return click.option(
        "-p", "--param", "params", multiple=True, metavar="NAME=VALUE", help=help_text
    )


def parse_params(values: tuple[str, ...]) -> dict[str, Any]:
    """-p name=value pairs. Values that parse as JSON (numbers, lists, true) keep their type."""
    import json

    params: dict[str, Any] = {}
    for item in values:
        name, sep, raw = item.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"expected name=value, got {item!r}", param_hint="-p")
        try:
            value: Any = json.loads(raw)
        except ValueError:
            value = raw
        params[name.strip()] = value
    return params
