"""`kb demo`: the main job end to end, as `make demo` runs it."""

from __future__ import annotations

import shlex
from typing import Any

import click

from kb import settings
from kb.api import SEED, KnowledgeBase

# The two headline questions, answered with each query's own example parameters.
HEADLINE = {
    "firms-relying-on": "Which Chinese firms rely on CUDA?",
    "sites-relying-on-supplier": "Which U.S. sites, regions and builders rely on CATL batteries?",
}
# What to try after the demo, printed at its end.
NEXT = (
    "kb query list                                          # the questions the library answers",
    "kb query run firms-relying-on -p tech=CUDA -p inherited=true   # one, with its evidence",
    "kb viz sites-relying-on-supplier -p supplier=CATL -p inherited=true --out catl.html"
    "   # an answer as a picture",
)
SHOWN = (
    "firm",
    "technology",
    "site",
    "place",
    "who",
    "supplier",
    "category",
    "routes",
    "chain",
    "confidence",
    "evidence",
)


def _quotes(evidence: Any) -> list[str]:
    quotes: list[str] = []
    for item in evidence if isinstance(evidence, list) else [evidence]:
        text = item.get("quote") or item.get("evidence") if isinstance(item, dict) else item
        if text and str(text) not in quotes:
            quotes.append(str(text))
    return quotes


def _show(row: dict[str, Any]) -> None:
    head = "; ".join(
        f"{key}: {row[key]}"
        for key in SHOWN
        if key not in ("evidence", "routes", "chain") and row.get(key) not in (None, [], "")
    )
    click.echo(f"  - {head}")
    for key in ("routes", "chain"):
        value = row.get(key) or []
        for route in (value if isinstance(value, list) else [value])[:2]:
            click.echo(f"      via {str(route)[:160]}")
    for quote in _quotes(row.get("evidence"))[-2:]:
        click.echo(f'      "{quote[:150]}"')


@click.command(short_help="Start a server, load the seed, answer two questions.")
def demo() -> None:
    """Start the managed server (installing it if needed), load the seed, answer the
    headline questions with their evidence, and print the Browser address.

    With NEO4J_URI set, it uses that server instead of the managed one.

    Example: kb demo
    """
    browser = None
    if not settings.neo4j_uri():
        from kb.server import manager
        from kb.server.instance import Instance

        instance = Instance(settings.instance_name())
        manager.install(instance, echo=click.echo)
        manager.start(instance, echo=click.echo)
        browser = manager.status(instance).browser_url
    with KnowledgeBase.connect() as kb:
        click.echo("Loading the seed...")
        report = kb.load(SEED)
        click.echo(
            f"  {report.counts.created} created, {report.counts.changed} changed "
            f"({sum(report.plan.records.values())} seed records)."
        )
        library = kb.queries
        for name, question in HEADLINE.items():
            if name not in library:
                continue
            example = dict(library[name].example)
            click.echo(
                f"\n{question}   (kb query run {name} "
                + " ".join(f"-p {shlex.quote(f'{k}={v}')}" for k, v in example.items())
                + ")"
            )
            rows = kb.query(name, example)
            for row in rows:
                _show(row)
            if not rows:
                click.echo("  (no answer)")
    click.echo("")
    if browser:
        click.echo(
            f"Neo4j Browser: {browser}  (user neo4j; password: kb server status --show-password)"
        )
        click.echo(
            "  the CATL answer drawn there: "
            "kb browser --query sites-relying-on-supplier -p supplier=CATL -p inherited=true "
            "--graph --open"
        )
    else:
        click.echo(f"Database: {settings.redact_uri(settings.neo4j_uri() or '')}")
    click.echo("\nNext (with .venv/bin on your PATH: `source .venv/bin/activate`):")
    for line in NEXT:
        click.echo(f"  {line}")
