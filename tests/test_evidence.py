"""Evidence that shows the fact: `kb seed check` proves each quote is a whole line or whole
sentences of the article, and each list item carries its list's heading as `context`."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kb.article import Article
from kb.paths import seed_dir
from kb.seedcheck import check_seed, find_article

ARTICLE = Article(find_article().read_text(encoding="utf-8"))
SOURCE = "lee-2026-ai-infrastructure-race"
HEADER = {"defaults": {"source": SOURCE, "confidence": "stated"}}


def test_the_seed_proves_every_quote_and_context() -> None:
    result = check_seed()
    assert result.problems == []
    assert result.quotes_checked > result.facts  # evidence and contexts


@pytest.mark.parametrize(
    "quote",
    [
        "Texas",  # a list item
        "Virginia (“Data Center Alley”)",
        "Primary regions:",  # a heading is a line too
        # a sentence running on across the items of a list
        "China remains deeply dependent on U.S. semiconductor tooling, AI frameworks, and "
        "enterprise software ecosystems, even while attempting long-term decoupling.",
        # the second sentence of a paragraph
        "But that hides the bigger problem.",
    ],
)
def test_whole_lines_and_sentences_are_whole(quote: str) -> None:
    assert ARTICLE.is_whole(quote)


@pytest.mark.parametrize(
    "quote",
    [
        "Texas alone is seeing",  # the start of a sentence
        "semiconductor tooling, AI frameworks,",  # the middle of a sentence, across lines
        "deeply dependent on U.S. semiconductor",  # the middle of a line
        "semiconductor tooling,",  # the end of a list line
        "S. semiconductor tooling,",  # cut after an abbreviation's full stop
        "AI and quantum IP, software frameworks, and development environments will continue "
        "being shared globally, including with Chinese developers and manufacturers.",
    ],
)
def test_cut_fragments_are_not_whole(quote: str) -> None:
    assert ARTICLE.occurs(quote)
    assert not ARTICLE.is_whole(quote)


def test_a_list_item_knows_its_heading() -> None:
    assert ARTICLE.item_headings["Arizona"] == {"Primary regions:"}
    assert "Major builders:" in ARTICLE.item_headings["Microsoft"]
    assert ARTICLE.item_headings["component suppliers,"] == {
        "Others remain embedded indirectly through:"
    }


def _check(tmp_path: Path, records: list[dict[str, object]]) -> list[str]:
    """Check the seed plus some located_in facts (new ones: no duplicate is reported)."""
    seed = tmp_path / "seed"
    seed.mkdir()
    for path in seed_dir().glob("*.yaml"):
        (seed / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    extra = seed / "located_in.yaml"
    data = yaml.safe_load(extra.read_text(encoding="utf-8"))
    data["records"].extend(records)
    extra.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return check_seed(seed).problems


def test_the_check_refuses_fragments_missing_and_wrong_contexts(tmp_path: Path) -> None:
    problems = _check(
        tmp_path,
        [
            # a cut sentence
            {"subject": "us-texas", "object": "us-ohio", "evidence": "Texas alone is seeing"},
            # a list item without its heading
            {"subject": "us-ohio", "object": "us-texas", "evidence": "Ohio"},
            # a heading that is not the item's
            {
                "subject": "us-utah",
                "object": "us-texas",
                "evidence": "Utah",
                "context": "Major builders:",
            },
            # a context that is not a whole line
            {
                "subject": "us-nevada",
                "object": "us-texas",
                "evidence": "Nevada",
                "context": "Primary regions",
            },
        ],
    )
    text = "\n".join(problems)
    assert "field 'evidence': not a whole line or sentence of the article: 'Texas alone" in text
    assert "field 'context': the evidence is an item of a list; give the list's heading: " in text
    assert "'Major builders:' is not the heading of the list holding 'Utah'" in text
    assert "field 'context': not a whole line of the article: 'Primary regions'" in text
    assert len(problems) == 4
