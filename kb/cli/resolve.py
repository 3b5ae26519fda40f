"""`kb resolve`: likely duplicates, and the decisions (same, different, undo) that settle them.

Decisions are written to the user's resolutions file (KB_RESOLUTIONS, default
~/.local/state/ai-infra-kb/resolutions.yaml) and honoured by every later load.
"""

from __future__ import annotations

import click

from kb.api import KnowledgeBase
from kb.cli.options import pass_kb
from kb.output import render


@click.group(short_help="Entity resolution: candidates, merges and decisions.")
def resolve() -> None:
    """Entity resolution: likely duplicates, and decisions that settle them.

    Example: kb resolve candidates && kb resolve same nvidia nvidia-corp --why "one company"
    """


@resolve.command(short_help="Likely duplicates across the graph, with scores.")
@click.option("--limit", type=int, default=None, help="At most this many pairs.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
@pass_kb
def candidates(
    limit: int | None,
    fmt: str,
    kb: KnowledgeBase,
) -> None:
    """Pairs of entities that may be one (a cross-reference of the whole graph), best first.

    Example: kb resolve candidates --limit 20
    """
    rows = kb.resolve_candidates(limit)
    click.echo(render(rows, fmt))


@resolve.command(short_help="Decide that two entities are one, and merge them.")
@click.argument("kept")
@click.argument("other")
@click.option("--why", default="", help="Why they are one (kept with the decision).")
@pass_kb
def same(
    kept: str,
    other: str,
    why: str,
    kb: KnowledgeBase,
) -> None:
    """KEPT and OTHER are one entity: OTHER is merged into KEPT (every fact kept).

    Example: kb resolve same anduril anduril-industries --why "same company"
    """
    result = kb.resolve_same(kept, other, why)
    if result.merged:
        click.echo(
            f"Decided: {other} is {kept} ({result.decision.id}); merged. "
            "`kb resolve undo` takes it back."
        )
    else:
        click.echo(
            f"Decided: {other} is {kept} ({result.decision.id}); not both in the graph, so "
            "nothing to merge now: every later load will honour it."
        )


@resolve.command(short_help="Decide that two entities are not one.")
@click.argument("a")
@click.argument("b")
@click.option("--why", default="", help="Why they are two (kept with the decision).")
@pass_kb
def different(
    a: str,
    b: str,
    why: str,
    kb: KnowledgeBase,
) -> None:
    """A and B are two entities: no load will join them.

    Example: kb resolve different huawei hysol-huawei
    """
    decision = kb.resolve_different(a, b, why)
    click.echo(f"Decided: {a} and {b} are different ({decision.id}).")


@resolve.command(short_help="Take back the last decision (a merge is undone).")
@pass_kb
def undo(kb: KnowledgeBase) -> None:
    """Take back the last decision (a merge gives the two entities back).

    Example: kb resolve undo
    """
    decision = kb.resolve_undo()
    a, b = decision.entities
    click.echo(f"Took back: {decision.decision} {a} {b} ({decision.id}).")
