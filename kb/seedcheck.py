"""Prove the seed: it validates, every reference resolves, every quote from the article is
a whole unit of it (white space collapsed): an ``evidence`` is a whole line or whole sentences,
a ``context`` (the heading of the list the evidence is an item of) a whole line; and every item
of every list of the article is data: the evidence of some fact or entity (see
:func:`uncovered_items`)."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kb import paths, settings
from kb.article import Article, Item, collapse
from kb.errors import KBError
from kb.load.plan import EntityIndex, build_plan
from kb.load.runner import read_records

log = logging.getLogger(__name__)
ARTICLE_SOURCE_ID = "lee-2026-ai-infrastructure-race"
ARTICLE_FILE = "ai-infrastructure-race.txt"


@dataclass
class SeedCheck:
    records: int = 0
    facts: int = 0
    by_confidence: Counter[str] = field(default_factory=Counter)
    quotes_checked: int = 0
    list_items: int = 0  # the article's list items
    uncovered: list[Item] = field(default_factory=list)  # those no record quotes
    problems: list[str] = field(default_factory=list)


def find_article() -> Path:
    """KB_ARTICLE, else the copy shipped in the package (``sources/`` of the repository)."""
    given = settings.article_path()
    candidate = given or paths.sources_dir() / ARTICLE_FILE
    if not candidate.is_file():
        origin = "KB_ARTICLE" if given else "the package"
        raise KBError(f"The source article was not found at {candidate} (from {origin}).")
    return candidate


def check_seed(seed: Path | None = None, article: Path | None = None) -> SeedCheck:
    article = article or find_article()
    log.info("checking the seed in %s against %s", seed or paths.seed_dir(), article)
    text = Article(article.read_text(encoding="utf-8"))
    _, raws, problems = read_records([seed or paths.seed_dir()])
    result = SeedCheck(records=len(raws), problems=list(problems))
    plan = build_plan(raws, EntityIndex())
    result.problems.extend(plan.problems)
    quotes: list[tuple[str, str | None]] = []
    for raw in raws:
        data = raw.data
        is_fact = "subject" in data or raw.kind == "statistics"
        if is_fact:
            result.facts += 1
            result.by_confidence[str(data.get("confidence", "stated"))] += 1
        if data.get("source") == ARTICLE_SOURCE_ID:
            result.problems.extend(_check_quotes(raw.origin, data, text))
            result.quotes_checked += sum(isinstance(data.get(f), str) for f in QUOTED)
            evidence, context = data.get("evidence"), data.get("context")
            if isinstance(evidence, str):
                quotes.append((evidence, context if isinstance(context, str) else None))
        elif data.get("context") is not None:
            result.problems.append(
                f"{raw.origin}: field 'context': only a quote from the article has a context"
            )
        if (
            is_fact
            and data.get("confidence") == "external"
            and data.get("source") in (None, ARTICLE_SOURCE_ID)
        ):
            result.problems.append(
                f"{raw.origin}: an external fact must name its own source, not the article"
            )
    result.list_items = len(text.items())
    result.uncovered = uncovered_items(text, quotes)
    result.problems.extend(
        f"line {item.number}: the list item {item.text!r} (of {item.heading!r}) is the evidence "
        "of no fact or entity"
        for item in result.uncovered
    )
    return result


def uncovered_items(article: Article, quotes: list[tuple[str, str | None]]) -> list[Item]:
    """The list items of the article that no quote (evidence, context) covers.

    An item is covered by an evidence that is its line with its list's heading as context, by
    an evidence that runs across its line (a sentence running on across a list's items), or,
    when the item heads a list of its own ("Others remain embedded indirectly through:"), by
    being the context of its own items' evidence. Items of the same words under the same
    heading ("Microsoft" under each "Major builders:") are covered together.
    """
    pairs = {
        (collapse(evidence), collapse(context) if context else None) for evidence, context in quotes
    }
    contexts = {context for _, context in pairs if context}
    spanned: set[int] = set()
    for evidence in {evidence for evidence, _ in pairs}:
        spanned |= article.lines_within(evidence)
    return [
        item
        for item in article.items()
        if (item.text, item.heading) not in pairs
        and item.number - 1 not in spanned
        and item.text not in contexts
    ]


QUOTED = ("evidence", "context")


def _check_quotes(origin: str, data: dict[str, object], article: Article) -> list[str]:
    problems: list[str] = []
    evidence, context = data.get("evidence"), data.get("context")
    if isinstance(evidence, str) and not article.is_whole(evidence):
        why = "not a whole line or sentence of" if article.occurs(evidence) else "not found in"
        problems.append(f"{origin}: field 'evidence': {why} the article: {evidence[:120]!r}")
    if isinstance(context, str) and not article.is_line(context):
        why = "not a whole line of" if article.occurs(context) else "not found in"
        problems.append(f"{origin}: field 'context': {why} the article: {context[:120]!r}")
    headings = article.item_headings.get(collapse(evidence)) if isinstance(evidence, str) else None
    if headings and context is None:
        problems.append(
            f"{origin}: field 'context': the evidence is an item of a list; give the list's "
            f"heading: {' or '.join(sorted(map(repr, headings)))}"
        )
    elif (
        headings
        and isinstance(context, str)
        and article.is_line(context)
        and (collapse(context) not in headings)
    ):
        problems.append(
            f"{origin}: field 'context': {context!r} is not the heading of the list holding "
            f"{evidence!r} (that is {' or '.join(sorted(map(repr, headings)))})"
        )
    return problems
