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


# --------------------------------------------------------------------------- every list item


def test_every_list_item_of_the_article_is_data() -> None:
    result = check_seed()
    assert result.list_items == 331
    assert result.uncovered == []


def test_items_know_their_line_and_a_sentence_runs_across_them() -> None:
    items = {item.number: item for item in ARTICLE.items()}
    assert (items[278].text, items[278].heading) == (
        "cold climates,",
        "These regions are favored because of:",
    )
    # a nested list's heading is an item of the outer list
    assert items[138].heading == "The important distinction is:"
    assert items[139].heading == "Others remain embedded indirectly through:"
    sentence = (
        "China remains deeply dependent on U.S. semiconductor tooling, AI frameworks, and "
        "enterprise software ecosystems, even while attempting long-term decoupling."
    )
    assert {index + 1 for index in ARTICLE.lines_within(sentence)} == {818, 819, 820, 821}
    # a single line covers no other line of the same words
    assert ARTICLE.lines_within("fiber,") == frozenset()


def _without(tmp_path: Path, ids: set[str]) -> Path:
    """A copy of the seed without the records (and facts) of these ids."""
    seed = tmp_path / "seed"
    seed.mkdir()
    for path in seed_dir().glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        records = data["records"] if isinstance(data, dict) else data
        kept = [r for r in records if not ({r.get("id"), r.get("subject"), r.get("object")} & ids)]
        if isinstance(data, dict):
            data["records"] = kept
        else:
            data = kept
        (seed / path.name).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return seed


def test_the_check_names_a_list_item_that_is_no_data(tmp_path: Path) -> None:
    result = check_seed(_without(tmp_path, {"reason-nordic-cold-climates"}))
    assert [(item.number, item.text) for item in result.uncovered] == [(278, "cold climates,")]
    assert result.problems == [
        "line 278: the list item 'cold climates,' (of 'These regions are favored because of:') "
        "is the evidence of no fact or entity"
    ]


def test_an_item_quoted_under_another_heading_is_not_covered(tmp_path: Path) -> None:
    """'fiber,' is quoted under 'Outside the U.S., ...' too; that does not cover the 'fiber,'
    countries compete for."""
    result = check_seed(_without(tmp_path, {"goal-countries-compete-for-fiber"}))
    assert [(item.number, item.text) for item in result.uncovered] == [(157, "fiber,")]


def test_a_sub_lists_heading_is_covered_as_the_context_of_its_items(tmp_path: Path) -> None:
    seed = _without(
        tmp_path,
        {
            "claim-embedded-indirectly-through-batteries",
            "claim-embedded-indirectly-through-transformers",
        },
    )
    path = seed / "supplies.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["records"] = [
        r
        for r in data["records"]
        if r.get("context") != "Others remain embedded indirectly through:"
    ]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    uncovered = {item.number for item in check_seed(seed).uncovered}
    # the heading line itself with every item of its own list
    assert set(range(138, 148)) <= uncovered
