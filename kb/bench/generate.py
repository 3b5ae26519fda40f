"""A deterministic generator of realistic-shaped input in the loaders' own CSV format.

``generate(folder, scale=10_000, seed=1)`` writes one CSV file per kind (``companies.csv``,
``relies_on.csv``, ...) holding about ``scale`` relationships: companies in 60 countries with
their headquarters, products and their makers, a category tree, regions and sites, builders and
operators, subsidiaries, partners and competitors, restrictions and what they target, rerouted
supply, and the bulk of the facts, reliance and supply, each with its source, evidence,
confidence and date. Popularity is skewed (a few hubs, a long tail), as in trade data.

The same scale and seed give the same bytes. Every relationship names its ends by id, so the
same files load through ``kb load`` and through Neo4j's ``LOAD CSV``.
"""

from __future__ import annotations

import csv
import hashlib
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

from kb.progress import Phases
from kb.schema import DependencyKind

COUNTRIES = (
    ("US", "United States"),
    ("CN", "China"),
    ("TW", "Taiwan"),
    ("KR", "South Korea"),
    ("JP", "Japan"),
    ("DE", "Germany"),
    ("VN", "Vietnam"),
    ("TH", "Thailand"),
    ("IN", "India"),
    ("MY", "Malaysia"),
    ("SG", "Singapore"),
    ("MX", "Mexico"),
    ("NL", "Netherlands"),
    ("FR", "France"),
    ("GB", "United Kingdom"),
    ("IE", "Ireland"),
    ("CA", "Canada"),
    ("BR", "Brazil"),
    ("AU", "Australia"),
    ("ID", "Indonesia"),
    ("PH", "Philippines"),
    ("SA", "Saudi Arabia"),
    ("AE", "United Arab Emirates"),
    ("IL", "Israel"),
    ("SE", "Sweden"),
    ("FI", "Finland"),
    ("NO", "Norway"),
    ("DK", "Denmark"),
    ("ES", "Spain"),
    ("IT", "Italy"),
    ("PL", "Poland"),
    ("CZ", "Czechia"),
    ("HU", "Hungary"),
    ("TR", "Turkey"),
    ("EG", "Egypt"),
    ("ZA", "South Africa"),
    ("NG", "Nigeria"),
    ("KE", "Kenya"),
    ("CL", "Chile"),
    ("AR", "Argentina"),
    ("CO", "Colombia"),
    ("PE", "Peru"),
    ("NZ", "New Zealand"),
    ("PK", "Pakistan"),
    ("BD", "Bangladesh"),
    ("LK", "Sri Lanka"),
    ("KZ", "Kazakhstan"),
    ("UZ", "Uzbekistan"),
    ("QA", "Qatar"),
    ("KW", "Kuwait"),
    ("OM", "Oman"),
    ("MA", "Morocco"),
    ("PT", "Portugal"),
    ("AT", "Austria"),
    ("CH", "Switzerland"),
    ("BE", "Belgium"),
    ("RO", "Romania"),
    ("GR", "Greece"),
    ("UA", "Ukraine"),
    ("HK", "Hong Kong"),
)
WORDS = (
    "Aurora",
    "Cobalt",
    "Delta",
    "Ember",
    "Falcon",
    "Granite",
    "Harbor",
    "Indigo",
    "Juniper",
    "Keystone",
    "Lumen",
    "Meridian",
    "Nimbus",
    "Orion",
    "Pioneer",
    "Quartz",
    "Redwood",
    "Summit",
    "Titan",
    "Vertex",
)
TRADES = (
    "Power",
    "Grid",
    "Semiconductor",
    "Cloud",
    "Battery",
    "Cooling",
    "Networks",
    "Systems",
    "Electric",
    "Compute",
    "Storage",
    "Energy",
)
PLACES = ("Valley", "Corridor", "Province", "State")
MODELS = ("X", "Pro", "Max", "One")
SUFFIX = ("Co., Ltd.", "Inc.", "Group", "Holdings", "Corp.", "GmbH", "S.A.", "plc")
CATEGORY_WORDS = (
    "lithium-ion batteries",
    "transformers",
    "switchgear",
    "inverters",
    "GPUs",
    "CPUs",
    "memory",
    "optical modules",
    "cooling units",
    "UPS systems",
    "servers",
    "network switches",
    "cables",
    "generators",
    "racks",
    "storage arrays",
)
PRODUCT_KINDS = (
    "gpu",
    "cpu",
    "accelerator",
    "memory",
    "framework",
    "platform",
    "cloud_service",
    "software",
    "network_equipment",
    "power_equipment",
    "component",
    "os",
)
DEPENDENCY_KINDS = get_args(DependencyKind)
CONFIDENCE = ("stated", "stated", "stated", "implied", "external")
# Headquarters are skewed to the two big economies, as in the seed.
COUNTRY_WEIGHTS = [30.0, 30.0] + [40.0 / (len(COUNTRIES) - 2)] * (len(COUNTRIES) - 2)

NODE_COLUMNS: dict[str, list[str]] = {
    "sources": ["id", "title", "publisher", "date", "url"],
    "countries": ["id", "name", "iso2", "aliases"],
    "regions": ["id", "name", "kind", "aliases"],
    "categories": ["id", "name", "aliases"],
    "companies": [
        "id",
        "name",
        "aliases",
        "kind",
        "sectors",
        "roles",
        "description",
        "source",
        "evidence",
        "confidence",
    ],
    "products": ["id", "name", "aliases", "kind"],
    "sites": ["id", "name", "kind"],
    "restrictions": ["id", "name", "kind", "authority", "program", "start"],
    "statistics": [
        "id",
        "name",
        "series",
        "metric",
        "value",
        "unit",
        "year",
        "source",
        "evidence",
        "confidence",
    ],
}
FACT_COLUMNS = ["subject", "object", "source", "evidence", "confidence", "as_of"]
EXTRA_COLUMNS: dict[str, list[str]] = {
    "relies_on": ["kind"],
    "supplies": ["category", "share", "value_usd", "year"],
    "builds_in": ["role"],
    "operates_in": ["role"],
    "restricts": ["start"],
    "partners_with": ["purpose"],
    "routed_via": ["category", "destination"],
}


@dataclass(frozen=True)
class Sizes:
    """Node counts for a scale (the number of relationships)."""

    scale: int

    @property
    def regions(self) -> int:
        return max(10, self.scale // 250)

    @property
    def categories(self) -> int:
        return min(500, max(20, self.scale // 1000))

    @property
    def companies(self) -> int:
        return max(30, self.scale // 10)

    @property
    def products(self) -> int:
        return max(20, self.scale // 20)

    @property
    def sites(self) -> int:
        return max(10, self.scale // 50)

    @property
    def sources(self) -> int:
        return max(3, self.scale // 5000)

    @property
    def restrictions(self) -> int:
        return max(2, self.scale // 20_000)

    @property
    def statistics(self) -> int:
        return 6 * max(2, min(50, self.scale // 10_000))


def company_id(i: int) -> str:
    return f"co-{i}"


class _Writer:
    """CSV files of one folder; counts rows; keeps fact identities unique (by a stable hash)."""

    def __init__(self, folder: Path, progress: Phases | None = None) -> None:
        self.folder = folder
        self.rows: dict[str, int] = {}
        self.seen: set[int] = set()
        self.progress = progress or Phases()

    def write(self, kind: str, columns: list[str], rows: Iterator[dict[str, Any]]) -> None:
        with (self.folder / f"{kind}.csv").open("w", encoding="utf-8", newline="") as handle:
            out = csv.DictWriter(handle, columns, lineterminator="\n")
            out.writeheader()
            count = 0
            for row in rows:
                out.writerow(row)
                count += 1
                if count % 1000 == 0:
                    self.progress.advance(1000)
            self.progress.advance(count % 1000)
            self.rows[kind] = count

    def fresh(self, kind: str, row: dict[str, Any], key: str) -> bool:
        text = "|".join((kind, row["subject"], row["object"], row["source"], key))
        digest = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")
        if digest in self.seen:
            return False
        self.seen.add(digest)
        return True


class Generator:
    def __init__(self, scale: int, seed: int) -> None:
        self.n = Sizes(scale)
        self.scale = scale
        self.rng = random.Random(seed)

    def skewed(self, count: int) -> int:
        """An index in [0, count): low indices are the hubs."""
        return int(count * self.rng.random() ** 2.2)

    def source(self) -> str:
        return f"src-{self.skewed(self.n.sources)}"

    def fact(self, subject: str, obj: str, evidence: str, **extra: Any) -> dict[str, Any]:
        year = self.rng.randint(2018, 2026)
        return {
            "subject": subject,
            "object": obj,
            "source": self.source(),
            "evidence": evidence,
            "confidence": self.rng.choice(CONFIDENCE),
            "as_of": str(year),
            **extra,
        }

    # ----------------------------------------------------------------------- nodes

    def nodes(self, out: _Writer) -> None:
        rng, n = self.rng, self.n
        out.write(
            "sources",
            NODE_COLUMNS["sources"],
            (
                {
                    "id": f"src-{i}",
                    "title": f"Trade and supplier register, part {i}",
                    "publisher": rng.choice(WORDS) + " Research",
                    "date": f"{rng.randint(2019, 2026)}",
                    "url": f"https://example.org/register/{i}",
                }
                for i in range(n.sources)
            ),
        )
        out.write(
            "countries",
            NODE_COLUMNS["countries"],
            (
                {"id": code, "name": name, "iso2": code, "aliases": f"{name} ({code})"}
                for code, name in COUNTRIES
            ),
        )
        out.write(
            "regions",
            NODE_COLUMNS["regions"],
            (
                {
                    "id": f"rg-{i}",
                    "name": f"{rng.choice(WORDS)} {rng.choice(PLACES)} {i}",
                    "kind": rng.choice(("state", "province", "corridor", "city")),
                    "aliases": f"R{i}",
                }
                for i in range(n.regions)
            ),
        )
        out.write(
            "categories",
            NODE_COLUMNS["categories"],
            (
                {
                    "id": f"cat-{i}",
                    "name": f"{CATEGORY_WORDS[i % len(CATEGORY_WORDS)]} class {i}",
                    "aliases": f"C{i}",
                }
                for i in range(n.categories)
            ),
        )
        out.write("companies", NODE_COLUMNS["companies"], self._companies())
        out.write(
            "products",
            NODE_COLUMNS["products"],
            (
                {
                    "id": f"pr-{i}",
                    "name": f"{rng.choice(WORDS)} {rng.choice(MODELS)} {i}",
                    "aliases": f"P{i}" if i % 4 == 0 else "",
                    "kind": rng.choice(PRODUCT_KINDS),
                }
                for i in range(n.products)
            ),
        )
        out.write(
            "sites",
            NODE_COLUMNS["sites"],
            (
                {
                    "id": f"st-{i}",
                    "name": f"{rng.choice(WORDS)} data center campus {i}",
                    "kind": rng.choice(("campus", "project", "facility")),
                }
                for i in range(n.sites)
            ),
        )
        out.write(
            "restrictions",
            NODE_COLUMNS["restrictions"],
            (
                {
                    "id": f"rx-{i}",
                    "name": f"Restriction list {i}",
                    "kind": rng.choice(("ban", "listing", "export_control", "procurement_ban")),
                    "authority": "Department of Commerce",
                    "program": f"Program {i % 7}",
                    "start": f"{rng.randint(2019, 2026)}-0{rng.randint(1, 9)}",
                }
                for i in range(n.restrictions)
            ),
        )
        out.write(
            "statistics",
            NODE_COLUMNS["statistics"],
            (
                {
                    "id": f"stat-{i}",
                    "name": f"Import share series {i // 6}, {2020 + i % 6}",
                    "series": f"series-{i // 6}",
                    "metric": "share of imports",
                    "value": f"{rng.uniform(1, 60):.1f}",
                    "unit": "percent",
                    "year": str(2020 + i % 6),
                    "source": self.source(),
                    "evidence": f"The share was reported for {2020 + i % 6}.",
                    "confidence": "stated",
                }
                for i in range(n.statistics)
            ),
        )

    def _companies(self) -> Iterator[dict[str, Any]]:
        rng = self.rng
        for i in range(self.n.companies):
            word, trade = rng.choice(WORDS), rng.choice(TRADES)
            described = i % 5 == 0
            yield {
                "id": company_id(i),
                "name": f"{word} {trade} {i} {rng.choice(SUFFIX)}",
                "aliases": f"{word[0]}{trade[0]}{i}" if i % 3 == 0 else "",
                "kind": "company",
                "sectors": f"{trade.lower()}; data centers",
                "roles": rng.choice(("supplier", "builder", "operator", "supplier; builder")),
                "description": f"A {trade.lower()} firm." if described else "",
                "source": self.source() if described else "",
                "evidence": f"{word} {trade} {i} is a {trade.lower()} firm." if described else "",
                "confidence": "stated" if described else "",
            }

    # ----------------------------------------------------------------------- facts

    def facts(self, out: _Writer) -> None:
        rng, n = self.rng, self.n
        countries = [code for code, _ in COUNTRIES]
        home = rng.choices(countries, COUNTRY_WEIGHTS, k=n.companies)
        plain = FACT_COLUMNS

        def write(
            kind: str,
            rows: Iterator[dict[str, Any]],
            key: Callable[[dict[str, Any]], str] = lambda row: "",
        ) -> None:
            columns = plain + EXTRA_COLUMNS.get(kind, [])
            out.write(kind, columns, (r for r in rows if out.fresh(kind, r, key(r))))

        write(
            "headquartered_in",
            (
                self.fact(company_id(i), home[i], f"Company {i} is headquartered in {home[i]}.")
                for i in range(n.companies)
            ),
        )
        write("located_in", self._located(countries))
        write(
            "part_of",
            (
                self.fact(
                    f"cat-{i}",
                    f"cat-{rng.randrange(0, i)}",
                    f"Category {i} is a kind of a broader category.",
                )
                for i in range(10, n.categories)
            ),
        )
        maker = [self.skewed(n.companies) for _ in range(n.products)]
        write(
            "makes",
            (
                self.fact(company_id(maker[i]), f"pr-{i}", f"Company {maker[i]} makes product {i}.")
                for i in range(n.products)
            ),
        )
        write(
            "in_category",
            (
                self.fact(
                    f"pr-{i}",
                    f"cat-{self.skewed(n.categories)}",
                    f"Product {i} belongs to the category.",
                )
                for i in range(n.products)
            ),
        )
        write(
            "builds_in",
            (
                self.fact(
                    company_id(self.skewed(n.companies)),
                    f"st-{i}",
                    f"A builder develops site {i}.",
                    role=rng.choice(("builder", "investor")),
                )
                for i in range(n.sites)
            ),
            lambda r: "",
        )
        write(
            "operates_in",
            (
                self.fact(
                    company_id(self.skewed(n.companies)),
                    f"rg-{self.skewed(n.regions)}",
                    "The firm operates data centers in the region.",
                    role="operator",
                )
                for _ in range(n.sites // 2)
            ),
        )
        write(
            "subsidiary_of",
            (self._pair("is a subsidiary of", parent_first=True) for _ in range(n.companies // 20)),
        )
        write(
            "partners_with",
            (
                self._pair("partners with", purpose="joint data-center build")
                for _ in range(n.companies // 20)
            ),
        )
        write("competes_with", (self._pair("competes with") for _ in range(n.companies // 20)))
        write(
            "issued_by",
            (
                self.fact(
                    f"rx-{i}",
                    "US" if i % 3 else rng.choice(countries),
                    f"Restriction {i} was issued by the authority.",
                )
                for i in range(n.restrictions)
            ),
        )
        write("restricts", self._restricts(), lambda r: f"start={r['start']}")
        write(
            "about",
            (
                self.fact(
                    f"stat-{i}", countries[(i // 6) % 8], f"Series {i // 6} is about the country."
                )
                for i in range(n.statistics)
            ),
        )
        write(
            "routed_via",
            self._routed(countries),
            lambda r: f"category={r['category']}|destination={r['destination']}",
        )
        fixed = sum(out.rows.values()) - sum(out.rows.get(k, 0) for k in NODE_COLUMNS)
        remaining = max(0, self.scale - fixed)
        reliance = remaining * 55 // 100
        write("relies_on", self._relies_on(reliance, countries), lambda r: f"kind={r['kind']}")
        write(
            "supplies",
            self._supplies(remaining - out.rows["relies_on"], countries),
            lambda r: "|".join(f"{k}={r[k]}" for k in ("category", "year") if r[k] != ""),
        )

    def _located(self, countries: list[str]) -> Iterator[dict[str, Any]]:
        for i in range(self.n.regions):
            country = countries[self.skewed(len(countries))]
            yield self.fact(f"rg-{i}", country, f"Region {i} lies in {country}.")
        for i in range(self.n.sites):
            region = self.skewed(self.n.regions)
            yield self.fact(f"st-{i}", f"rg-{region}", f"Site {i} lies in region {region}.")

    def _pair(self, verb: str, parent_first: bool = False, **extra: Any) -> dict[str, Any]:
        a, b = self.skewed(self.n.companies), self.skewed(self.n.companies)
        if a == b:
            b = (a + 1) % self.n.companies
        if parent_first and a < b:
            a, b = b, a  # a subsidiary has a higher number than its parent: no cycles
        return self.fact(company_id(a), company_id(b), f"Company {a} {verb} company {b}.", **extra)

    def _restricts(self) -> Iterator[dict[str, Any]]:
        for i in range(self.n.restrictions):
            for _ in range(5):
                target = (
                    company_id(self.skewed(self.n.companies))
                    if self.rng.random() < 0.8
                    else f"pr-{self.skewed(self.n.products)}"
                )
                start = f"{self.rng.randint(2019, 2026)}"
                yield self.fact(f"rx-{i}", target, f"Restriction {i} lists {target}.", start=start)

    def _routed(self, countries: list[str]) -> Iterator[dict[str, Any]]:
        for _ in range(min(200, max(5, self.scale // 1000))):
            via = self.rng.choice(countries[6:12])
            yield self.fact(
                "CN",
                via,
                f"Goods are rerouted through {via}.",
                category=f"cat-{self.skewed(self.n.categories)}",
                destination="US",
            )

    def _entity(self, weights: tuple[tuple[str, float], ...]) -> str:
        n, rng = self.n, self.rng
        what = rng.choices([w for w, _ in weights], [p for _, p in weights])[0]
        count = {
            "co": n.companies,
            "pr": n.products,
            "cat": n.categories,
            "rg": n.regions,
            "st": n.sites,
        }.get(what)
        if count is None:
            return COUNTRIES[self.skewed(len(COUNTRIES))][0]
        return f"{what}-{self.skewed(count)}"

    def _relies_on(self, count: int, countries: list[str]) -> Iterator[dict[str, Any]]:
        subjects = (("co", 0.8), ("country", 0.05), ("rg", 0.05), ("st", 0.05), ("pr", 0.05))
        objects = (("pr", 0.6), ("cat", 0.2), ("co", 0.2))
        made = 0
        while made < count:
            subject, obj = self._entity(subjects), self._entity(objects)
            if subject == obj:
                continue
            kind = self.rng.choice(DEPENDENCY_KINDS)
            made += 1
            yield self.fact(
                subject,
                obj,
                f"{subject} relies on {obj} for {kind.replace('_', ' ')} (register entry {made}).",
                kind=kind,
            )

    def _supplies(self, count: int, countries: list[str]) -> Iterator[dict[str, Any]]:
        subjects = (("co", 0.9), ("country", 0.1))
        objects = (("co", 0.4), ("st", 0.2), ("rg", 0.1), ("country", 0.2), ("cat", 0.1))
        rng, made = self.rng, 0
        while made < count:
            subject, obj = self._entity(subjects), self._entity(objects)
            if subject == obj:
                continue
            made += 1
            yield self.fact(
                subject,
                obj,
                f"{subject} supplies {obj} (customs record {made}).",
                category=f"cat-{self.skewed(self.n.categories)}",
                share=f"{rng.uniform(0.5, 60):.1f}" if rng.random() < 0.3 else "",
                value_usd=f"{rng.randint(1, 5000) * 100000}" if rng.random() < 0.3 else "",
                year=str(rng.randint(2018, 2026)),
            )


def generate(
    folder: Path, scale: int = 10_000, seed: int = 1, progress: Phases | None = None
) -> dict[str, int]:
    """Write the CSV files of one scale into ``folder``; returns the rows per kind.
    ``progress`` sees two phases: the nodes, then the relationships (``scale`` of them)."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.csv"):
        old.unlink()
    out = _Writer(folder, progress)
    generator = Generator(scale, seed)
    out.progress.phase("nodes", unit="rows")
    generator.nodes(out)
    out.progress.phase("relationships", total=scale, unit="rows")
    generator.facts(out)
    return dict(out.rows)
