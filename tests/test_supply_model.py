"""One supply model (docs/supply.md): the same supply, loaded in each shape the schema allows,
gives the same answers to every supply-aware query."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from kb import KnowledgeBase
from kb.load.runner import load

SRC = "contract"
BASE: dict[str, list[dict[str, Any]]] = {
    "sources": [{"id": SRC, "title": "The supply contract"}],
    "countries": [
        {"id": "US", "name": "United States", "iso2": "US"},
        {"id": "CN", "name": "China", "iso2": "CN"},
    ],
    "regions": [
        {"id": "world", "name": "World", "kind": "supranational"},
        {"id": "us-tx", "name": "Texas", "kind": "state"},
    ],
    "companies": [{"id": "volt", "name": "Volt Cells"}],
    "categories": [
        {"id": "cells", "name": "Battery cells"},
        {"id": "batteries", "name": "Batteries"},
    ],
    "restrictions": [{"id": "volt-ban", "name": "Volt ban", "kind": "ban", "start": "2020"}],
    "headquartered_in": [{"subject": "volt", "object": "CN"}],
    "located_in": [{"subject": "us-tx", "object": "US"}],
    "part_of": [{"subject": "cells", "object": "batteries"}],
    "relies_on": [{"subject": "US", "object": "cells", "kind": "component_supply"}],
    "restricts": [{"subject": "volt-ban", "object": "volt"}],
    "issued_by": [{"subject": "volt-ban", "object": "US"}],
}
# The one supply, Volt's battery cells, in each shape.
SHAPES: dict[str, dict[str, list[dict[str, Any]]]] = {
    "to the category": {"supplies": [{"subject": "volt", "object": "cells"}]},
    "to a market, naming the category": {
        "supplies": [{"subject": "volt", "object": "world", "category": "cells", "share": 30}]
    },
    "to the country, naming the category": {
        "supplies": [{"subject": "volt", "object": "US", "category": "cells"}]
    },
    "as its maker": {"makes": [{"subject": "volt", "object": "cells"}]},
}


def _load(kb: KnowledgeBase, tmp_path: Path, shape: dict[str, list[dict[str, Any]]]) -> None:
    data: dict[str, list[dict[str, Any]]] = {}
    for kind, records in [*BASE.items(), *shape.items()]:
        data[kind] = [
            {**r, "source": SRC, "evidence": "e"} if "subject" in r or kind == "restrictions" else r
            for r in records
        ]
    path = tmp_path / "contract.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    load(kb.driver, kb.database, [path])


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_supply_aware_query_reads_every_shape(
    empty_graph: KnowledgeBase, tmp_path: Path, shape: str
) -> None:
    kb = empty_graph
    _load(kb, tmp_path, SHAPES[shape])

    affected = {
        r["affected_id"] for r in kb.query("blast-radius", supplier="Volt Cells", inherited=True)
    }
    assert {"cells", "US", "us-tx"} <= affected, affected

    exposure = {
        r["category_id"]: r for r in kb.query("exposure", country="US", supplier_country="CN")
    }
    assert exposure["cells"]["suppliers"] == ["Volt Cells"]

    suppliers = kb.query("suppliers-of-category", category="Battery cells")
    assert [r["supplier_id"] for r in suppliers] == ["volt"]
    broader = kb.query("suppliers-of-category", category="Batteries")
    assert [r["supplier_id"] for r in broader] == ["volt"]

    sites = {
        r["place_id"]
        for r in kb.query(
            "sites-relying-on-supplier", country="US", supplier="Volt Cells", inherited=True
        )
    }
    assert "us-tx" in sites

    reaching = kb.query("restricted-vendors-reaching", country="US", issuer="US")
    assert {r["vendor_id"] for r in reaching} == {"volt"}
    assert {r["route"] for r in reaching} & {"direct", "component"}
