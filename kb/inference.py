"""The inference rules of the query library, named once, with the confidence each gives.

A library answer rests on facts; a row that also rests on a rule names the rule (the route
names of ``firms-relying-on``), and is at best the rule's confidence. docs/inference.md
describes each rule; a test checks that every rule a query names is one of these, with the
same cap.
"""

from __future__ import annotations

from dataclasses import dataclass

from kb.schema import Confidence


@dataclass(frozen=True)
class Rule:
    name: str
    infers: str
    confidence: Confidence  # the best a row using the rule can be ("stated": as its facts)
    queries: tuple[str, ...]  # the library queries that apply it
    opt_in: bool  # shown only when asked (inherited=true), in every query that applies it


RULES: tuple[Rule, ...] = (
    Rule(
        "country -> firm",
        "a firm that builds or operates data centers in a country relies on what the country "
        "relies on",
        "implied",
        ("firms-relying-on",),
        True,
    ),
    Rule(
        "maker ecosystem",
        "a firm that relies on one product (or on the company) of a maker, in a country that "
        "relies on another product of that maker, relies on that product too",
        "implied",
        ("firms-relying-on",),
        True,
    ),
    Rule(
        "place -> inside",
        "a region, site or builder inherits what the country or region it lies or builds in "
        "depends on",
        "implied",
        ("blast-radius", "dependency-paths", "sites-relying-on-supplier"),
        True,
    ),
    Rule(
        "part -> whole",
        "a product stands for its category and a narrower category for a broader one "
        "(IN_CATEGORY, PART_OF): who relies on or supplies the part relies on or supplies "
        "the whole",
        "stated",
        ("blast-radius", "exposure", "suppliers-of-category", "firms-relying-on"),
        False,
    ),
    Rule(
        "maker -> product",
        "a company stands for what it makes: relying on a product relies on its maker, a "
        "restriction on a maker reaches its products",
        "stated",
        ("firms-relying-on", "restrictions-on-entity", "restricted-vendors-reaching"),
        False,
    ),
    Rule(
        "parent -> subsidiary",
        "a restriction on a parent company reaches its subsidiaries and divisions",
        "stated",
        ("restrictions-on-entity", "restricted-vendors-reaching"),
        False,
    ),
)

RULE_BY_NAME = {rule.name: rule for rule in RULES}
