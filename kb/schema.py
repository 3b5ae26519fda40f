"""The fixed schema: node labels, relationship types and the records that carry them.

Everything that reaches Neo4j passes through one of these pydantic models. Labels and
relationship types come from the tables below, never from user input.

A file of records names its kind by its stem (``companies.yaml``, ``relies_on.csv``) or,
for YAML/JSON, by top-level keys (``{"companies": [...], "relies_on": [...]}``).
"""

from __future__ import annotations

import builtins
import json
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, field_validator, model_validator

Confidence = Literal["stated", "implied", "external"]
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$"

Id = Annotated[str, Field(pattern=ID_PATTERN, max_length=200)]
Text = Annotated[str, Field(min_length=1, max_length=20_000)]
Year = Annotated[int, Field(ge=1900, le=2100)]
# A date as the source gives it: "2025", "2025-06" or "2025-06-03".
DateText = Annotated[str, Field(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")]


class Record(BaseModel):
    """Base of every record: strict, immutable, no unknown fields."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, allow_inf_nan=False
    )

    @model_validator(mode="before")
    @classmethod
    def _blank_is_absent(cls, data: Any) -> Any:
        # An empty (or blank) text is no value, in every format alike: a CSV cell cannot tell
        # "" from a missing value, so an export must never hold one to load back.
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if not (isinstance(v, str) and not v.strip())}
        return data


def split_list(value: Any) -> Any:
    """A list given as one text (a CSV cell): ``a; b; c``, or a JSON array of texts, which
    can hold items with ``;`` in them (an export writes those so)."""
    if not isinstance(value, str):
        return value
    if value.lstrip().startswith("["):
        try:
            items = json.loads(value)
        except ValueError:
            items = None
        if isinstance(items, list) and all(isinstance(item, str) for item in items):
            return items
    return [part.strip() for part in value.split(";") if part.strip()]


def list_cell(items: list[Any]) -> str:
    """A list as one CSV cell that :func:`split_list` reads back as the same list."""
    texts = [str(item) for item in items]
    plain = "; ".join(texts)
    if any(";" in t or t != t.strip() or not t for t in texts) or plain.lstrip().startswith("["):
        return json.dumps(texts, ensure_ascii=False)
    return plain


# --------------------------------------------------------------------------- nodes


Scheme = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]


class NodeRecord(Record):
    """An entity. Without ``id`` (or with one of another system, kept in ``identifiers``) the
    loader resolves it against the graph and the rest of the load (docs/schema.md)."""

    id: Id
    name: Text
    aliases: list[Text] = []
    identifiers: dict[Scheme, Text] = {}  # {wikidata: Q182477, lei: ..., opensanctions: ...}
    description: str | None = None
    # Where the node's own description comes from (optional for plain entities).
    source: Id | None = None
    evidence: Text | None = None
    # The heading of the list the evidence is an item of ("Primary regions:" for "Texas").
    context: Text | None = None
    confidence: Confidence | None = None

    @field_validator("aliases", mode="before")
    @classmethod
    def _split_aliases(cls, value: Any) -> Any:
        # CSV cells hold lists as "a; b; c" (or a JSON array: see split_list).
        return split_list(value)

    @field_validator("identifiers", mode="before")
    @classmethod
    def _split_identifiers(cls, value: Any) -> Any:
        # CSV cells (and the graph) hold identifiers as "wikidata:Q182477; lei:...".
        if isinstance(value, str):
            value = [part.strip() for part in value.split(";") if part.strip()]
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            pairs = [v.split(":", 1) for v in value]
            if all(len(p) == 2 for p in pairs):
                return {k.strip(): v.strip() for k, v in pairs}
        return value


def identifier_list(identifiers: dict[str, str]) -> list[str]:
    """Identifiers as the graph stores them: sorted "scheme:value" strings."""
    return sorted(f"{k}:{v}" for k, v in identifiers.items())


class SourceRecord(Record):
    id: Id
    title: Text
    name: Text | None = None
    aliases: list[Text] = []
    author: str | None = None
    publisher: str | None = None
    date: DateText | None = None
    url: str | None = None
    description: str | None = None

    _split = field_validator("aliases", mode="before")(
        NodeRecord._split_aliases.__func__  # type: ignore[attr-defined]
    )


class CountryRecord(NodeRecord):
    iso2: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]


RegionKind = Literal[
    "state", "province", "city", "corridor", "subnational", "supranational", "other"
]


class RegionRecord(NodeRecord):
    kind: RegionKind = "other"


# Kinds of organisation: a firm, a state-owned enterprise, a government body, a military unit
# or enterprise, a research body or university, an alliance or association, a non-profit ...
CompanyKind = Literal[
    "company",
    "state_owned",
    "government",
    "military",
    "alliance",
    "association",
    "media",
    "research",
    "university",
    "nonprofit",
    "investor",
    "other",
]


class CompanyRecord(NodeRecord):
    kind: CompanyKind = "company"
    sectors: list[Text] = []
    roles: list[Text] = []

    _split = field_validator("sectors", "roles", mode="before")(
        NodeRecord._split_aliases.__func__  # type: ignore[attr-defined]
    )


class PersonRecord(NodeRecord):
    """A natural person: restrictions and sanctions target people too."""

    birth_date: DateText | None = None
    nationality: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] | None = None  # ISO 3166 alpha-2
    position: str | None = None


class SiteRecord(NodeRecord):
    kind: Literal["campus", "project", "facility", "aggregate"] = "campus"


ProductKind = Literal[
    "os",
    "chip_architecture",
    "gpu",
    "cpu",
    "accelerator",
    "memory",
    "framework",
    "platform",
    "cloud_service",
    "software",
    "developer_tool",
    "network_equipment",
    "power_equipment",
    "component",
    "app",
    "other",
]


class ProductRecord(NodeRecord):
    kind: ProductKind = "other"


# What a category is: a class of products or components, a material, a tool (a machine or
# software used to make something), a process, a design (IP, architecture), a service ...
CategoryKind = Literal[
    "product", "component", "material", "tool", "process", "design", "service", "infrastructure"
]


class CategoryRecord(NodeRecord):
    kind: CategoryKind | None = None


RestrictionKind = Literal[
    "ban",
    "listing",
    "export_control",
    "procurement_ban",
    "sanction",  # asset freeze, blocking, travel ban (OFAC SDN, EU, UN ...)
    "countermeasure",  # a state's answer to another's restriction (China's Unreliable Entity List)
    "covered_list",  # equipment or services deemed a security risk (the FCC Covered List)
    "other",
]


class RestrictionRecord(NodeRecord):
    kind: RestrictionKind = "other"
    authority: str | None = None
    program: str | None = None
    scope: str | None = None
    start: DateText | None = None
    end: DateText | None = None


# What a statement of the source is: a reason (why a claim holds: "These regions are favored
# because of: cold climates"), a goal (what someone aims at or competes for: Saudi Arabia's
# "Goal: regional compute independence"), or a claim (what the source asserts in words that
# are no relationship between two entities: "AI data centers are becoming: energy assets").
StatementKind = Literal["reason", "goal", "claim"]


class StatementRecord(NodeRecord):
    """What the source says in its own words when it is no relationship between entities: a
    reason, a goal or a claim, each from its own line (``evidence``) with the list's heading
    (``context``). It is linked by ABOUT to what it is about, and a reason by REASON_FOR to
    the claim it supports."""

    kind: StatementKind
    source: Id
    evidence: Text


StatisticUnit = Literal["percent", "usd", "usd_billion", "usd_trillion", "count", "ratio", "rank"]
# unit -> (normalised unit, factor): percentages as fractions, amounts in U.S. dollars.
NORMALISED_UNITS: dict[str, tuple[str, Decimal]] = {
    "percent": ("fraction", Decimal("0.01")),
    "usd": ("usd", Decimal(1)),
    "usd_billion": ("usd", Decimal("1e9")),
    "usd_trillion": ("usd", Decimal("1e12")),
    "count": ("count", Decimal(1)),
    "ratio": ("ratio", Decimal(1)),
    "rank": ("rank", Decimal(1)),
}


def normalise_amount(value: float | None, unit: str) -> float | None:
    """A value in its unit's normal form: 59 percent -> 0.59, 77.1 usd_billion -> 7.71e10."""
    if value is None:
        return None
    # in decimal, so that 77.1 billion is 77100000000.0 and 59 percent 0.59, exactly
    return float(Decimal(repr(value)) * NORMALISED_UNITS[unit][1])


class StatisticRecord(NodeRecord):
    """A number the source gives, with its unit and year: a fact in itself.

    A single figure is ``value``; a range ("70%-80%") is ``low`` and ``high`` (never a
    midpoint); a bound ("above 500%", "over 170 countries") is ``value`` with ``bound``.
    The normalised forms (``value_normalised``, ``low_normalised``, ``high_normalised`` in
    ``unit_normalised``: a fraction for percentages, U.S. dollars for amounts) are computed
    here, at load, never written by hand.
    """

    series: Id  # statistics of one series differ only by year (the trend query)
    metric: Text
    value: float | None = None
    low: float | None = None
    high: float | None = None
    bound: Literal["above", "below"] | None = None
    unit: StatisticUnit
    year: Year | None = None
    period: str | None = None  # e.g. "Q4 2025"
    source: Id
    evidence: Text
    confidence: Confidence = "stated"

    @model_validator(mode="after")
    def _value_or_range(self) -> StatisticRecord:
        is_range = self.low is not None or self.high is not None
        if self.value is None and not is_range:
            raise ValueError("give 'value', or 'low' and 'high' for a range")
        if self.value is not None and is_range:
            raise ValueError("give either 'value' or 'low' and 'high', not both")
        if is_range and (self.low is None or self.high is None or self.low > self.high):
            raise ValueError("a range needs both 'low' and 'high', with low <= high")
        if self.bound is not None and self.value is None:
            raise ValueError("'bound' qualifies a single 'value'")
        return self

    @computed_field  # type: ignore[prop-decorator]
    @property
    def unit_normalised(self) -> str:
        return NORMALISED_UNITS[self.unit][0]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def value_normalised(self) -> float | None:
        return normalise_amount(self.value, self.unit)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def low_normalised(self) -> float | None:
        return normalise_amount(self.low, self.unit)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def high_normalised(self) -> float | None:
        return normalise_amount(self.high, self.unit)


# --------------------------------------------------------------------------- relationships


class RelationRecord(Record):
    """A fact between two entities, with its provenance.

    ``subject`` and ``object`` take an id, a name or an alias. A fact is identified by
    subject, type, object, source and ``key`` (derived, see :func:`relation_key`).
    """

    subject: Text
    object: Text
    source: Id
    evidence: Text
    # The heading of the list the evidence is an item of: "Texas" rests on "Primary regions:".
    context: Text | None = None
    confidence: Confidence = "stated"
    as_of: DateText | None = None
    note: str | None = None

    @field_validator("as_of", mode="before")
    @classmethod
    def _year_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value


DependencyKind = Literal[
    "software_ecosystem",
    "os_platform",
    "chip_architecture",
    "hardware",
    "component_supply",
    "cloud",
    "financing",
    "ip",
    "manufacturing",
    "telecom",
]


class ReliesOnRecord(RelationRecord):
    kind: DependencyKind


SupplyChannel = Literal["direct", "component_supplier", "oem", "subcontractor", "transshipment"]


# What a supply share is a share of: world production (or capacity, exports, reserves), or
# the buyer's (the fact's object's) imports, market or consumption.
ShareOf = Literal[
    "world_production",
    "world_capacity",
    "world_exports",
    "world_reserves",
    "buyer_imports",
    "buyer_market",
    "buyer_consumption",
]


class SuppliesRecord(RelationRecord):
    category: Id | None = None
    # How the supply arrives when not directly: through component suppliers, OEM
    # manufacturing, subcontractors or transshipment through third countries.
    channel: SupplyChannel | None = None
    share: Annotated[float, Field(ge=0, le=100)] | None = None  # percent
    share_of: ShareOf | None = None
    value_usd: Annotated[float, Field(ge=0)] | None = None
    year: Year | None = None


class BuildsInRecord(RelationRecord):
    role: Literal["builder", "operator", "investor"] = "builder"


class PartnersWithRecord(RelationRecord):
    purpose: Text | None = None


class RoutedViaRecord(RelationRecord):
    category: Id | None = None
    destination: Id | None = None


class RestrictsRecord(RelationRecord):
    scope: str | None = None
    start: DateText | None = None  # when the listing or ban took effect
    end: DateText | None = None  # when it was lifted, if it was


class OwnsRecord(RelationRecord):
    share: Annotated[float, Field(ge=0, le=100)] | None = None  # percent of the shares
    role: str | None = None  # "shareholder", "beneficial owner" ...
    start: DateText | None = None
    end: DateText | None = None


class OfficerOfRecord(RelationRecord):
    role: str | None = None  # "director", "chairman", "secretary" ...
    start: DateText | None = None
    end: DateText | None = None


class PlainRelationRecord(RelationRecord):
    pass


# --------------------------------------------------------------------------- the tables


@dataclass(frozen=True)
class NodeType:
    label: str
    kind: str  # the file stem / top-level key: "companies"
    model: type[NodeRecord] | type[SourceRecord]


@dataclass(frozen=True)
class RelationType:
    type: str
    kind: str  # the file stem / top-level key: "relies_on"
    model: builtins.type[RelationRecord]
    subjects: frozenset[str]
    objects: frozenset[str]
    description: str


NODE_TYPES: tuple[NodeType, ...] = (
    NodeType("Source", "sources", SourceRecord),
    NodeType("Country", "countries", CountryRecord),
    NodeType("Region", "regions", RegionRecord),
    NodeType("Company", "companies", CompanyRecord),
    NodeType("Person", "people", PersonRecord),
    NodeType("Site", "sites", SiteRecord),
    NodeType("Product", "products", ProductRecord),
    NodeType("Category", "categories", CategoryRecord),
    NodeType("Restriction", "restrictions", RestrictionRecord),
    NodeType("Statistic", "statistics", StatisticRecord),
    NodeType("Statement", "statements", StatementRecord),
)

_ENTITY = frozenset({"Company", "Country", "Region", "Site", "Product", "Category"})
_PLACE = frozenset({"Country", "Region", "Site"})


def _rel(
    type_: str,
    model: type[RelationRecord],
    subjects: set[str],
    objects: set[str],
    description: str,
) -> RelationType:
    return RelationType(
        type_, type_.lower(), model, frozenset(subjects), frozenset(objects), description
    )


RELATION_TYPES: tuple[RelationType, ...] = (
    _rel(
        "HEADQUARTERED_IN",
        PlainRelationRecord,
        {"Company"},
        {"Country", "Region"},
        "a company's home country (or region)",
    ),
    _rel(
        "LOCATED_IN",
        PlainRelationRecord,
        {"Site", "Region", "Country"},
        {"Region", "Country"},
        "a site, region or country lies in a region or country",
    ),
    _rel(
        "MAKES",
        PlainRelationRecord,
        {"Company"},
        {"Product", "Category"},
        "a company makes or develops a product, or products of a category",
    ),
    _rel(
        "SUBSIDIARY_OF",
        PlainRelationRecord,
        {"Company"},
        {"Company"},
        "a company is a subsidiary, division or unit of another",
    ),
    _rel(
        "PART_OF",
        PlainRelationRecord,
        {"Product", "Category", "Region", "Country"},
        {"Product", "Category", "Region"},
        "a product, category, region or country is part of a larger one",
    ),
    _rel(
        "IN_CATEGORY",
        PlainRelationRecord,
        {"Product"},
        {"Category"},
        "a product belongs to a component or technology class",
    ),
    _rel(
        "RELIES_ON",
        ReliesOnRecord,
        set(_ENTITY),
        set(_ENTITY),
        "a dependency, with its kind (software ecosystem, OS platform, chip architecture, ...)",
    ),
    _rel(
        "SUPPLIES",
        SuppliesRecord,
        {"Company", "Country", "Region"},
        {"Company", "Country", "Region", "Site", "Category"},
        "a supplier (company, country or region) delivers to a buyer or market, with category,"
        " share (and what it is a share of), value and year",
    ),
    _rel(
        "BUILDS_IN",
        BuildsInRecord,
        {"Company"},
        set(_PLACE),
        "a company builds data centers in a country, region or site",
    ),
    _rel(
        "OPERATES_IN",
        BuildsInRecord,
        {"Company"},
        set(_PLACE),
        "a company operates (cloud, data centers, business) in a place",
    ),
    _rel(
        "RESTRICTS",
        RestrictsRecord,
        {"Restriction"},
        {"Company", "Person", "Product", "Category", "Country", "Region"},
        "a ban, listing, sanction or export control targets a company, person, product,"
        " category or place",
    ),
    _rel(
        "ISSUED_BY",
        PlainRelationRecord,
        {"Restriction"},
        {"Country", "Company"},
        "the authority (country or agency) behind a restriction",
    ),
    _rel(
        "PARTNERS_WITH",
        PartnersWithRecord,
        {"Company"},
        {"Company"},
        "a partnership, with its purpose",
    ),
    _rel(
        "ROUTED_VIA",
        RoutedViaRecord,
        {"Country", "Company"},
        {"Country"},
        "supply rerouted (transshipped) through a third country",
    ),
    _rel("COMPETES_WITH", PlainRelationRecord, {"Company"}, {"Company"}, "two firms compete"),
    _rel(
        "PURSUES",
        PlainRelationRecord,
        {"Country", "Company"},
        {"Product", "Category"},
        "a country or firm pursues a technology of its own (China: RISC-V, domestic "
        "operating systems, indigenous AI accelerators, ...)",
    ),
    _rel(
        "INPUT_TO",
        PlainRelationRecord,
        {"Category", "Product"},
        {"Category", "Product"},
        "a material, tool, process or design is an input to making another category or product",
    ),
    _rel(
        "OWNS",
        OwnsRecord,
        {"Company", "Person", "Country"},
        {"Company"},
        "a shareholder (company, person or state) owns a share of a company",
    ),
    _rel(
        "OFFICER_OF",
        OfficerOfRecord,
        {"Person", "Company"},
        {"Company"},
        "a person (or a corporate director) is a director, officer or secretary of an organisation",
    ),
    _rel(
        "ABOUT",
        PlainRelationRecord,
        {"Statistic", "Statement"},
        set(_ENTITY),
        "a statistic measures something about an entity; a statement (reason, goal, claim) is"
        " about it",
    ),
    _rel(
        "REASON_FOR",
        PlainRelationRecord,
        {"Statement"},
        {"Statement"},
        "a reason (a statement) supports a claim (a statement): why it holds",
    ),
)

NODE_BY_KIND = {t.kind: t for t in NODE_TYPES}
NODE_BY_LABEL = {t.label: t for t in NODE_TYPES}
RELATION_BY_KIND = {t.kind: t for t in RELATION_TYPES}
RELATION_BY_TYPE = {t.type: t for t in RELATION_TYPES}
ALL_KINDS = tuple(NODE_BY_KIND) + tuple(RELATION_BY_KIND)


# The fields that tell two facts of one pair and source apart.
RELATION_KEY_FIELDS = ("kind", "category", "channel", "share_of", "year", "destination", "start")


def relation_key(record: RelationRecord) -> str:
    """The part of a fact's identity beyond subject, type, object and source.

    Two supply facts between the same parties from one source differ by category and
    year; two dependencies by their kind (China's share of U.S. imports: 41% in 2020, 11% in 2025).
    """
    parts: list[str] = []
    for field in RELATION_KEY_FIELDS:
        value = record.__dict__.get(field)  # (getattr is slow for absent fields)
        if value is not None:
            parts.append(f"{field}={value}")
    return "|".join(parts)


def normalise_name(name: str) -> str:
    """Case-, accent- and punctuation-insensitive form used to match names and aliases.

    Compatibility forms fold to their letters (full-width "ＣＡＴＬ" is "catl", "São" is
    "sao"), but letters of other scripts stay themselves: a Cyrillic "С" never matches a
    Latin "C", and Chinese names keep their characters.
    """
    if name.isascii():  # the same answer, without the per-character walk
        return _NOT_ASCII_ALNUM.sub("", name.lower())
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(
        ch for ch in decomposed.casefold() if ch.isalnum() and not unicodedata.combining(ch)
    )


_NOT_ASCII_ALNUM = re.compile("[^0-9a-z]+")
