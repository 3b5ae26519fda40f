"""Prove the seed: it validates, every reference resolves, and every quote from the article
occurs in the article verbatim (white space collapsed)."""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kb import paths, settings
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
    problems: list[str] = field(default_factory=list)


def find_article() -> Path:
    """KB_ARTICLE, else the copy shipped in the package (``sources/`` of the repository)."""
    given = settings.article_path()
    candidate = given or paths.sources_dir() / ARTICLE_FILE
    if not candidate.is_file():
        origin = "KB_ARTICLE" if given else "the package"
        raise KBError(f"The source article was not found at {candidate} (from {origin}).")
    return candidate


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def check_seed(seed: Path | None = None, article: Path | None = None) -> SeedCheck:
    article = article or find_article()
    log.info("checking the seed in %s against %s", seed or paths.seed_dir(), article)
    article_text = _collapse(article.read_text(encoding="utf-8"))
    _, raws, problems = read_records([seed or paths.seed_dir()])
    result = SeedCheck(records=len(raws), problems=list(problems))
    plan = build_plan(raws, EntityIndex())
    result.problems.extend(plan.problems)
    for raw in raws:
        data = raw.data
        is_fact = "subject" in data or raw.kind == "statistics"
        if is_fact:
            result.facts += 1
            result.by_confidence[str(data.get("confidence", "stated"))] += 1
        evidence = data.get("evidence")
        if data.get("source") == ARTICLE_SOURCE_ID and isinstance(evidence, str):
            result.quotes_checked += 1
            if _collapse(evidence) not in article_text:
                result.problems.append(
                    f"{raw.origin}: field 'evidence': not found verbatim in the article: "
                    f"{evidence[:120]!r}"
                )
        if (
            is_fact
            and data.get("confidence") == "external"
            and data.get("source") in (None, ARTICLE_SOURCE_ID)
        ):
            result.problems.append(
                f"{raw.origin}: an external fact must name its own source, not the article"
            )
    return result
