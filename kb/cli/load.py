"""`kb load`, `kb unload`, `kb reset` and `kb export`: put files into the graph, take a source
back out, empty it, write it out."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import click

from kb.api import EXPORT_FORMATS, KnowledgeBase
from kb.cli.options import pass_kb
from kb.output import render
from kb.progress import reporter


@click.command(short_help="Load files or folders (CSV, JSON, JSONL, YAML) or the seed.")
@click.argument("paths", nargs=-1)
@click.option(
    "--cleanup",
    is_flag=True,
    help="Only remove the load runs that loaders (or servers) which died left staging, "
    "and say which.",
)
@click.option("--dry-run", is_flag=True, help="Validate and count changes; write nothing.")
@click.option(
    "--bulk",
    is_flag=True,
    help="A new graph, into an empty database of the managed server, through Neo4j's offline "
    "importer (the server is stopped meanwhile): same checks, same graph, much faster.",
)
@click.option("--batch-size", default=2000, show_default=True, help="Rows per UNWIND batch.")
@click.option(
    "--mapping",
    "mapping",
    default=None,
    help="A mapping (YAML) that turns the files' rows into records, or a shipped one's name.",
)
@click.option(
    "--on-ambiguous",
    type=click.Choice(["fail", "new", "review"]),
    default="review",
    show_default=True,
    help="An entity record without an id that may be one of several entities (or weakly one): "
    "fail the load, create a new entity, or create it flagged and list its candidates in a "
    "review file.",
)
@pass_kb
def load(
    paths: tuple[str, ...],
    cleanup: bool,
    dry_run: bool,
    bulk: bool,
    batch_size: int,
    mapping: str | None,
    on_ambiguous: Literal["fail", "new", "review"],
    kb: KnowledgeBase,
) -> None:
    """Load files or folders (CSV, JSON, JSONL, YAML), or `seed` for the curated seed.

    A file is named after the kind of its records (companies.csv, relies_on.yaml) or, for
    YAML/JSON, maps kinds to records. Any other CSV, JSON or JSONL file loads through a
    mapping (--mapping; a CSV with the header of a shipped mapping finds it by itself). Any
    error names file, line and field (and the mapping's line), and nothing is written.

    With --bulk, a new graph goes into an EMPTY database of the managed server through
    `neo4j-admin database import full` (docs/loading.md).

    Example: kb load seed && kb load my-suppliers.csv my-data/ &&
    kb load datasets/fcc-covered-list.csv --mapping fcc-covered-list

    A large load is staged: written in committed batches that no query sees until the load
    publishes them (docs/loading.md). `kb load --cleanup` removes what a killed loader left.
    """
    if cleanup:
        removed = kb.cleanup_loads()
        click.echo(
            f"Removed {len(removed)} load run(s) left staging: {', '.join(removed)}"
            if removed
            else "No load run was left staging by a loader that died."
        )
        return
    if not paths:
        raise click.UsageError("Name the files or folders to load (or `seed`), or --cleanup.")
    if bulk:
        _bulk(paths, dry_run, mapping, on_ambiguous, kb)
        return
    progress = reporter()
    try:
        report = kb.load(
            paths,
            dry_run=dry_run,
            batch_size=batch_size,
            progress=progress,
            mapping=mapping,
            on_ambiguous=on_ambiguous,
        )
    finally:
        progress.finish()
    click.echo(render(report.rows(), "table"))
    for line in report.plan.joins:
        click.echo(f"Joined: {line}")
    for line in report.plan.kept:
        click.secho(f"Not overwritten: {line}", fg="yellow", err=True)
    if report.plan.review:
        count = len(report.plan.review)
        click.echo(
            f"{count} new entit{'y' if count == 1 else 'ies'} may be others (not joined by guess)"
            + (f"; candidates in {report.review_file}" if report.review_file else "")
        )
    verb = "Would create" if dry_run else "Created"
    click.echo(
        f"{verb} {report.counts.created} and {'would change' if dry_run else 'changed'} "
        f"{report.counts.changed} nodes and relationships from {len(report.files)} file(s) "
        f"in {report.seconds:.1f} s." + ("" if dry_run else f" Run: {report.run_id}")
    )


def _bulk(
    paths: tuple[str, ...],
    dry_run: bool,
    mapping: str | None,
    on_ambiguous: Literal["fail", "new", "review"],
    kb: KnowledgeBase,
) -> None:
    progress = reporter()
    try:
        report = kb.load_bulk(
            paths,
            dry_run=dry_run,
            mapping=mapping,
            on_ambiguous=on_ambiguous,
            progress=progress,
            echo=click.echo,
        )
    finally:
        progress.finish()
    rows = [{"what": what, "rows": count} for what, count in report.plan.nodes.items()]
    rows += [{"what": what, "rows": count} for what, count in report.plan.relations.items()]
    click.echo(render(rows, "table"))
    if report.review_file:
        click.echo(f"New entities that may be others: candidates in {report.review_file}")
    if dry_run:
        click.echo(
            f"Valid: {report.plan.size:,} nodes and relationships from {len(report.files)} "
            f"file(s), checked in {report.seconds:.1f} s. Nothing written."
        )
        return
    steps = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in report.phases.items())
    click.echo(
        f"Imported {report.nodes:,} nodes and {report.relationships:,} relationships from "
        f"{len(report.files)} file(s) in {report.seconds:.1f} s ({steps}). Run: {report.run_id}"
    )


@click.command(short_help="Delete every node and relationship (constraints stay).")
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


@click.command(name="export", short_help="Export the graph (json, csv, graphml).")
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
    progress = reporter()
    try:
        count = kb.export(out, fmt, progress=progress)
    finally:
        progress.finish()
    click.echo(f"Exported {count} records to {out}.")


@click.command(short_help="Take a source or one load back out of the graph.")
@click.option("--source", "source", default=None, help="A source id: every fact it gave.")
@click.option("--run", "run", default=None, help="A load's run id (printed by `kb load`).")
@pass_kb
def unload(source: str | None, run: str | None, kb: KnowledgeBase) -> None:
    """Take a source (or one load) back out, in one transaction.

    Removes the facts it contributed, the values it kept beside other sources' entities, and
    the entities it introduced that nothing else uses.

    Example: kb unload --source my-suppliers
    """
    report = kb.unload(source=source, run=run)
    click.echo(
        f"Unloaded {report.what}: {report.facts} facts, {report.claims} claims, "
        f"{report.entities} entities in {report.seconds:.1f} s. Run: {report.run_id}"
    )
    if report.kept:
        click.echo(
            f"Kept {len(report.kept)} entities that other sources still use: "
            + ", ".join(report.kept[:20])
        )
