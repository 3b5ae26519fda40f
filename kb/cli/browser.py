"""`kb browser`: the Neo4j Browser address of the configured server, ready to use."""

from __future__ import annotations

import time
import webbrowser

import click

from kb import browser as kb_browser
from kb import settings
from kb.api import KnowledgeBase
from kb.cli.options import param_option, parse_params, pass_kb
from kb.settings import Connection


@click.command("browser", short_help="Print (or open) a Neo4j Browser address for an answer.")
@click.option("--open", "open_", is_flag=True, help="Also open the address in a web browser.")
@click.option(
    "--query",
    "query_name",
    metavar="NAME",
    help="Open Browser on a guide for this library query's answer (served on localhost until "
    "Ctrl-C): one click sets its parameters, one puts the statement in the editor.",
)
@param_option("A parameter of --query (repeatable); entity parameters take a name, alias or id.")
@click.option(
    "--graph",
    is_flag=True,
    help="With --query: the statement that draws the answer's nodes and facts instead.",
)
@click.option(
    "--style",
    "style",
    is_flag=True,
    help="Put `:style {...}` (the shipped style) in the editor: run it once, Browser keeps it.",
)
@click.option(
    "--guide",
    is_flag=True,
    help="Serve the kb guide and style on localhost and open Browser on the guide; "
    "runs until Ctrl-C.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=kb_browser.DEFAULT_ASSET_PORT,
    show_default=True,
    help="Port of the guide server (--guide, --query) on localhost (0: any free port).",
)
@pass_kb
def browser(
    open_: bool,
    query_name: str | None,
    params: tuple[str, ...],
    graph: bool,
    style: bool,
    guide: bool,
    port: int,
    kb: KnowledgeBase,
) -> None:
    """Print the Neo4j Browser address of the configured server, with the connection filled in.

    Browser asks for the password (`kb server status --show-password` shows the managed one).
    With --query (or --guide) a guide is served on localhost until Ctrl-C and Browser opens on
    it: for an answer, a link sets the query's parameters (`:params`, values as data, never
    Cypher text) and a click puts the statement in the editor. The style: --style puts the
    command that applies it in the editor (run it once; Browser keeps it), or drop
    kb/assets/style.grass on the frame of `:style`, or use the guide's link.

    Example: kb browser --query sites-relying-on-supplier -p supplier=CATL -p inherited=true --graph
    """
    if (params or graph) and not query_name:
        raise click.UsageError("-p and --graph go with --query NAME.")
    if sum([bool(query_name), style, guide]) > 1:
        raise click.UsageError("--query, --style and --guide each fill Browser's editor; pick one.")
    given = parse_params(params)
    editor: str | None = None
    pages: dict[str, str] = {}
    if query_name:
        kb.check_params(query_name, given)  # parameter errors first
        connection = kb.connection
        pages[kb_browser.ANSWER_FILE] = kb_browser.query_guide(
            kb.driver, kb.database, query_name, given, graph=graph
        )
    else:
        connection = kb.address()  # the address needs no password
        if style:
            editor = ":" + kb_browser.style_command()
    base = kb_browser.browser_base(connection.uri, _managed_browser(connection))
    if not (guide or pages):
        url = kb_browser.browser_url(
            base, connection.uri, user=connection.user, database=connection.database, editor=editor
        )
        click.echo(url)
        _hints(connection)
        if open_:
            webbrowser.open(url)
        return
    # Ctrl-C may come at any moment once the address is out (the hints may still be printing).
    try:
        with kb_browser.AssetServer(port, pages) as assets:
            url = kb_browser.browser_url(
                base,
                connection.uri,
                user=connection.user,
                database=connection.database,
                guide=assets.url(kb_browser.ANSWER_FILE) if pages else assets.guide_url,
            )
            click.echo(url)
            served = assets.url(kb_browser.ANSWER_FILE) if pages else assets.guide_url
            click.echo(f"Serving :guide {served} and :style {assets.style_url}", err=True)
            click.echo("Press Ctrl-C to stop.", err=True)
            _hints(connection)
            if open_:
                webbrowser.open(url)
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        click.echo("Stopped.", err=True)


def _managed_browser(connection: Connection) -> str | None:
    """The managed server's Browser address, or None for a server of the user's own."""
    if not connection.origin.startswith("managed"):
        return None
    from kb.server import manager
    from kb.server.instance import Instance

    status = manager.status(Instance(settings.instance_name()))
    if not status.running:
        click.secho("Note: the managed server is not running; `kb server start`.", err=True)
    return status.browser_url


def _hints(connection: Connection) -> None:
    """How to log in, and how to get the style, on stderr (stdout holds only the address)."""
    who = f"user {connection.user}"
    if connection.origin.startswith("managed"):
        who += "; password: kb server status --show-password"
    click.echo(f"Log in as {who}. The kb style: `kb browser --style`.", err=True)
