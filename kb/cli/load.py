"""`kb load`, `kb reset` and `kb export`: put files into the graph, empty it, write it out."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from kb.api import EXPORT_FORMATS, KnowledgeBase
from kb.cli.options import pass_kb
from kb.output import render


class _Progress:
    """Rows written so far, on a terminal (the total is not known while the load is planned)."""

    def __init__(self) -> None:
        self.done, self.shown = 0, 0.0
        self.show = sys.stderr.isatty()

    def __call__(self, count: int) -> None:
        self.done += count
        now = time.monotonic()
        if self.show and self.done > 5000 and now - self.shown > 0.5:
            self.shown = now
            click.echo(f"\rWritten {self.done:,} rows", err=True, nl=False)

    def end(self) -> None:
        if self.shown:
            click.echo(err=True)


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--dry-run", is_flag=True, help="Validate and count changes; write nothing.")
@click.option("--batch-size", default=2000, show_default=True, help="Rows per UNWIND batch.")
@pass_kb
def load(paths: tuple[str, ...], dry_run: bool, batch_size: int, kb: KnowledgeBase) -> None:
    """Load files or folders (CSV, JSON, JSONL, YAML), or `seed` for the curated seed.

    A file is named after the kind of its records (companies.csv, relies_on.yaml) or, for
    YAML/JSON, maps kinds to records. An OpenSanctions ban-list CSV is recognised by its
    header. Any error names file, line and field, and nothing is written.

    Example: kb load seed && kb load my-suppliers.csv my-data/
    """
    progress = _Progress()
    try:
        report = kb.load(paths, dry_run=dry_run, batch_size=batch_size, progress=progress)
    finally:
        progress.end()
    click.echo(render(report.rows(), "table"))
    verb = "Would create" if dry_run else "Created"
    click.echo(
        f"{verb} {report.counts.created} and {'would change' if dry_run else 'changed'} "
        f"{report.counts.changed} nodes and relationships from {len(report.files)} file(s) "
        f"in {report.seconds:.1f} s." + ("" if dry_run else f" Run: {report.run_id}")
    )


@click.command()
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_kb
def reset(yes: bool, kb: KnowledgeBase) -> None:
    """Delete every node and relationship of the database (constraints stay).

    Example: kb reset --yes
    """
    if not yes:
        click.confirm(f"Delete everything in {kb.connection.describe()}?", abort=True)
    kb.reset()
    click.echo("The graph is empty.")


@click.command(name="export")
@click.argument("out", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    default="json",
    show_default=True,
    help="json: one file; csv: a folder, one file a kind.",
)
@pass_kb
def export_command(out: Path, fmt: str, kb: KnowledgeBase) -> None:
    """Export the graph; json and csv exports load back with `kb load` unchanged.

    Example: kb export --format json graph.json && kb reset --yes && kb load graph.json
    """
    count = kb.export(out, fmt)
    click.echo(f"Exported {count} records to {out}.")
