"""`kb bench`: generate data at scale, and measure loading and query speed (BENCHMARKS.md)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from kb.api import KnowledgeBase
from kb.cli.options import pass_kb

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


@bench.command(short_help="Time kb --help and kb query list (no server).")
@click.option("--runs", default=20, show_default=True, help="Runs of each command.")
def startup(runs: int) -> None:
    """How long `kb --help` and `kb query list` take to answer (fresh interpreters; no server).

    Example: kb bench startup --runs 20
    """
    from kb.bench.startup import load_average
    from kb.bench.startup import startup as measure

    click.echo(f"{runs} runs each; load average {load_average():.2f}")
    for row in measure(runs):
        click.echo(
            f"{row.command:15} wall min {row.wall_min:.3f} s, median {row.wall_median:.3f} s; "
            f"CPU median {row.cpu_median:.3f} s"
        )


@bench.command(short_help="Time the loader's planning: records/s, peak RSS (no server).")
@click.argument("folders", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--idless", default=0, help="Also plan N company names without ids.")
@click.option("--seed", default=1, show_default=True, help="Random seed of the names.")
def plan(folders: tuple[Path, ...], idless: int, seed: int) -> None:
    """Planning speed of `kb load` (records/s, peak RSS), against an empty graph: no server.

    Example: kb bench generate --scale 100000 --out /tmp/b && kb bench plan /tmp/b --idless 100000
    """
    import tempfile

    from kb.bench.plan import line, measure, write_idless

    for folder in folders:
        click.echo(line(str(folder), measure(folder)))
    if idless:
        with tempfile.TemporaryDirectory(prefix="kb-bench-idless-") as temp:
            write_idless(Path(temp), idless, seed)
            click.echo(line(f"{idless:,} names without ids", measure(Path(temp))))


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
    kb: KnowledgeBase,
) -> None:
    from kb.bench.run import bench as run_bench

    sizes = [int(s.replace("_", "")) for s in scales.split(",") if s.strip()]
    run_bench(
        kb.driver,
        kb.database,
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
    return pass_kb(func)


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


@bench.command(short_help="Bulk import vs LOAD CSV, and the guard (runaway reads).")
@click.option(
    "--scales",
    default="100000,1000000",
    show_default=True,
    help="Sizes, in relationships, comma-separated.",
)
@click.option("--seed", default=1, show_default=True, help="Random seed of the data.")
@click.option("--wipe", is_flag=True, help="Empty a database that holds data.")
@click.option("--guard/--no-guard", default=True, show_default=True, help="Time runaway reads.")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("BENCHMARKS.md"),
    show_default=True,
    help="The Markdown file whose tables are rewritten.",
)
@pass_kb
def bulk(scales: str, seed: int, wipe: bool, guard: bool, out: Path, kb: KnowledgeBase) -> None:
    """`kb load --bulk` against LOAD CSV into an empty graph, size by size; then a runaway
    read and a slow one under a 5 s timeout. Needs a managed instance of its own (it empties
    and restarts it).

    Example: KB_INSTANCE=bench-bulk kb bench bulk --scales 100000 --wipe
    """
    import json

    from kb.bench import bulk as measure
    from kb.bench import report
    from kb.bench.run import check_empty, work_dir
    from kb.load.bulk import managed_instance
    from kb.settings import instance_name

    managed_instance(kb.connection, instance_name())  # refused early for a server not managed
    check_empty(kb.driver, kb.database, wipe)
    results_file = work_dir() / "results.json"
    results: dict[str, Any] = json.loads(results_file.read_text()) if results_file.is_file() else {}
    sizes = [int(s.replace("_", "")) for s in scales.split(",") if s.strip()]
    for scale in sizes:
        click.echo(f"{scale:,} relationships (seed {seed}):")
        entry = results.setdefault(str(scale), {})
        entry["bulk"] = measure.bench_scale(kb, scale, seed, click.echo)
        results_file.write_text(json.dumps(results, indent=1))
    if guard and sizes:
        click.echo("the guard: runaway reads under a 5 s timeout...")
        results[str(sizes[-1])]["guard"] = measure.guard(kb)
        results_file.write_text(json.dumps(results, indent=1))
    report.write(out, results, report.environment(kb.driver, kb.database))
    for line in report.bulk_table(results) + report.guard_lines(results):
        click.echo(line)


@bench.command(short_help="A staged load into a server of its own with a small heap.")
@click.option("--scale", default=1_000_000, show_default=True, help="Relationships to load.")
@click.option("--seed", default=1, show_default=True, help="Random seed of the data.")
@click.option("--heap", default="1g", show_default=True, help="The server's heap.")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("BENCHMARKS.md"),
    show_default=True,
    help="The Markdown file whose tables are rewritten.",
)
@pass_kb
def staged(scale: int, seed: int, heap: str, out: Path, kb: KnowledgeBase) -> None:
    """Load SCALE relationships, staged (docs/loading.md), into an empty server instance of
    its own (`bench-staged`) with a small heap: rows/s and the loader's peak RSS.

    Example: KB_INSTANCE=bench kb bench staged --scale 1000000 --heap 1g
    """
    from kb.bench.run import bench_staged

    bench_staged(kb.driver, kb.database, scale, seed, heap, out, click.echo)
    click.echo(f"Wrote {out}.")
