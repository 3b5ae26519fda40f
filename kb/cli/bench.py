"""`kb bench`: generate data at scale, and measure loading and query speed (BENCHMARKS.md)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from kb import db
from kb.cli.options import connection_options
from kb.settings import resolve_connection

SCALES = "10000,100000,1000000"


@click.group(short_help="Benchmarks: loader and query speed at 10^4..10^6 facts.")
def bench() -> None:
    """Benchmarks: loader and query speed at 10^4..10^6 relationships.

    They empty the database: run them on a server instance of their own.

    Example: KB_INSTANCE=bench kb bench run --scales 10000,100000 --wipe
    """


@bench.command(short_help="Write a realistic-shaped graph as CSV files.")
@click.option("--scale", default=10_000, show_default=True, help="Relationships to make.")
@click.option("--seed", default=1, show_default=True, help="Random seed (same seed, same files).")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Folder to write.")
def generate(scale: int, seed: int, out: Path) -> None:
    """Write a realistic-shaped graph as CSV files named after their kinds (`kb load` input).

    Example: kb bench generate --scale 100000 --seed 1 --out /tmp/bench-100k
    """
    from kb.bench.generate import generate as make
    from kb.progress import reporter

    progress = reporter()
    try:
        rows = make(out, scale, seed, progress)
    finally:
        progress.finish()
    facts = sum(v for k, v in rows.items() if k not in _node_kinds())
    click.echo(
        f"Wrote {len(rows)} files to {out}: {sum(rows.values()) - facts:,} nodes, "
        f"{facts:,} relationships."
    )


def _node_kinds() -> set[str]:
    from kb.schema import NODE_BY_KIND

    return set(NODE_BY_KIND)


def _run(
    scales: str,
    seed: int,
    wipe: bool,
    out: Path,
    load: bool,
    query: bool,
    uri: str | None,
    user: str | None,
    password: str | None,
    database: str | None,
) -> None:
    from kb.bench.run import bench as run_bench

    sizes = [int(s.replace("_", "")) for s in scales.split(",") if s.strip()]
    connection = resolve_connection(uri, user, password, database)
    with db.connected(connection) as driver:
        run_bench(
            driver,
            connection.database,
            sizes,
            seed,
            load=load,
            query=query,
            wipe=wipe,
            out=out,
            echo=click.echo,
        )
    click.echo(f"Wrote {out}.")


F = Callable[..., Any]


def _options(func: F) -> F:
    for option in reversed(
        [
            click.option(
                "--scales",
                default=SCALES,
                show_default=True,
                help="Sizes, in relationships, comma-separated.",
            ),
            click.option("--seed", default=1, show_default=True, help="Random seed of the data."),
            click.option("--wipe", is_flag=True, help="Empty a database that holds data."),
            click.option(
                "--out",
                type=click.Path(path_type=Path),
                default=Path("BENCHMARKS.md"),
                show_default=True,
                help="The Markdown file whose tables are rewritten.",
            ),
        ]
    ):
        func = option(func)
    return connection_options(func)


@bench.command(short_help="Measure load rates against LOAD CSV and row-by-row.")
@_options
def load(**kwargs: object) -> None:
    """Load rates: ours vs LOAD CSV in transactions vs one transaction a row; RSS; re-load.

    Example: KB_INSTANCE=bench kb bench load --scales 10000 --wipe
    """
    _run(load=True, query=False, **kwargs)  # type: ignore[arg-type]


@bench.command(short_help="Measure every library query's latency (p50, p95).")
@_options
def query(**kwargs: object) -> None:
    """Query latency (p50, p95 of 30 warm runs) of every library query, plans checked.

    Example: KB_INSTANCE=bench kb bench query --scales 10000 --wipe
    """
    _run(load=False, query=True, **kwargs)  # type: ignore[arg-type]


@bench.command(short_help="Run both benchmarks, size by size (make bench).")
@_options
def run(**kwargs: object) -> None:
    """Both, size by size (what `make bench` runs).

    Example: KB_INSTANCE=bench kb bench run --wipe
    """
    _run(load=True, query=True, **kwargs)  # type: ignore[arg-type]
