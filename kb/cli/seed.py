"""`kb seed check`: the curated seed validates and quotes the article verbatim."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kb.api import KnowledgeBase


@click.group(short_help="Work with the curated seed data.")
def seed() -> None:
    """Work with the curated seed data (the seed/ folder).

    Example: kb seed check
    """


@seed.command(short_help="Check the seed and find each of its quotes in the article.")
@click.option(
    "--article",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The source article (default: KB_ARTICLE, else the copy shipped in the package).",
)
@click.option(
    "--seed",
    "seed_path",
    type=click.Path(exists=True, path_type=Path),
    help="A seed folder other than the packaged one.",
)
def check(article: Path | None, seed_path: Path | None) -> None:
    """Validate the seed, resolve its references, find every quote in the article, and check
    that every item of every list of the article is the evidence of a fact or an entity.

    Example: kb seed check --article sources/ai-infrastructure-race.txt
    """
    result = KnowledgeBase.seed_check(seed_path, article)
    for problem in result.problems:
        click.secho(f"  - {problem}", fg="red", err=True)
    confidence = ", ".join(f"{k} {v}" for k, v in sorted(result.by_confidence.items()))
    click.echo(
        f"{result.records} records, {result.facts} facts ({confidence}); "
        f"{result.quotes_checked} quotes checked against the article; "
        f"{result.list_items} list items, {len(result.uncovered)} without a fact or entity; "
        f"{len(result.problems)} problem(s)."
    )
    sys.exit(1 if result.problems else 0)
