"""`kb viz`: a picture of the nodes and facts behind a library query's answer."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from kb.api import KnowledgeBase
from kb.cli.options import param_option, parse_params, pass_kb


@click.command("viz", short_help="Draw an answer's nodes and facts as a picture.")
@click.argument("name")
@param_option("A query parameter (repeatable); entity parameters take a name, alias or id.")
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write (default: NAME.html, or NAME.png with --format png).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "png", "svg"]),
    help="html: interactive (zoom, pan, evidence on hover), self-contained, works offline; "
    "png: a still image for reports, taken by headless Chromium; svg: the picture alone. "
    "Default: from --out's suffix, else html.",
)
@click.option(
    "--width",
    type=click.IntRange(200, 8000),
    default=1600,
    show_default=True,
    help="Width of the png in pixels.",
)
@click.option(
    "--height",
    type=click.IntRange(200, 8000),
    default=1000,
    show_default=True,
    help="Height of the png in pixels.",
)
@click.option("--chromium", metavar="PATH", help="Chromium for png (default: /usr/bin/chromium).")
@pass_kb
def viz(
    name: str,
    params: tuple[str, ...],
    out: Path | None,
    fmt: str | None,
    width: int,
    height: int,
    chromium: str | None,
    kb: KnowledgeBase,
) -> None:
    """Draw the nodes and facts behind a query's answer: the ids its rows name and the facts
    their evidence cites, coloured like the Browser style (kb/assets/style.grass), implied
    facts dashed. In the html page, hover or click a node or a line to read its evidence.

    Example: kb viz sites-relying-on-supplier -p supplier=CATL -p inherited=true --out catl.html
    """
    fmt = fmt or (out.suffix.lstrip(".").lower() if out and out.suffix else "html")
    if fmt not in ("html", "png", "svg"):
        raise click.BadParameter(
            f"cannot tell the format of {out}; add --format", param_hint="--out"
        )
    out = out or Path(f"{name}.{fmt}")
    given = parse_params(params)
    kb.check_params(name, given)  # parameter errors before any connection is made
    title = kb.describe(name).title
    from kb import viz as kb_viz

    if fmt == "png":
        kb_viz.find_chromium(chromium)  # before the query runs
    answer = kb_viz.answer(kb.driver, kb.database, name, given)
    command = f"kb query run {name}" + "".join(f" -p {k}={v}" for k, v in given.items())
    page = kb_viz.render_html(answer.graph, title=title, subtitle=command, still=fmt != "html")
    if fmt == "svg":
        out.write_text(kb_viz.render_svg(answer.graph), encoding="utf-8")
    elif fmt == "html":
        out.write_text(page, encoding="utf-8")
    else:
        with tempfile.TemporaryDirectory(prefix="kb-viz-") as tmp:
            html_file = Path(tmp) / "picture.html"
            html_file.write_text(page, encoding="utf-8")
            kb_viz.render_png(html_file, out, width=width, height=height, chromium=chromium)
    graph = answer.graph
    click.echo(
        f"{out}: {len(graph.nodes)} nodes, {len(graph.relationships)} relationships "
        f"from {len(answer.rows)} row{'s' * (len(answer.rows) != 1)}."
    )
    if not answer.rows:
        click.secho(
            "The query has no answer for these parameters: the picture is empty.",
            fg="yellow",
            err=True,
        )
