"""Export the graph in the loaders' own formats (so that an export loads back unchanged),
or as GraphML for other tools."""

from __future__ import annotations

import csv
import json
import logging
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import neo4j

from kb.schema import NODE_BY_LABEL, RELATION_BY_TYPE
from kb.statements import statement

log = logging.getLogger(__name__)
FORMATS = ("json", "csv", "graphml")


def collect(driver: neo4j.Driver, database: str | None) -> dict[str, list[dict[str, Any]]]:
    """Records by kind, with exactly the fields of the schema's models."""
    kinds: dict[str, list[dict[str, Any]]] = {}
    nodes, _, _ = driver.execute_query(
        statement("load/export_nodes"), database_=database, routing_=neo4j.RoutingControl.READ
    )
    for row in nodes:
        node_type = NODE_BY_LABEL[row["label"]]
        fields = node_type.model.model_fields
        record = {k: v for k, v in row["props"].items() if k in fields and v is not None}
        kinds.setdefault(node_type.kind, []).append(record)
    rels, _, _ = driver.execute_query(
        statement("load/export_relations"), database_=database, routing_=neo4j.RoutingControl.READ
    )
    for row in rels:
        rel_type = RELATION_BY_TYPE.get(row["type"])
        if rel_type is None:
            continue
        fields = rel_type.model.model_fields
        record = {"subject": row["subject"], "object": row["object"]}
        record.update({k: v for k, v in row["props"].items() if k in fields and v is not None})
        kinds.setdefault(rel_type.kind, []).append(record)
    return kinds


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def export(driver: neo4j.Driver, database: str | None, fmt: str, out: Path) -> int:
    """Write the export; returns the number of records. CSV writes a folder of files."""
    kinds = collect(driver, database)
    total = sum(map(len, kinds.values()))
    log.info("exporting %d records of %d kinds as %s to %s", total, len(kinds), fmt, out)
    if fmt == "json":
        out.write_text(
            json.dumps(kinds, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8"
        )
    elif fmt == "csv":
        out.mkdir(parents=True, exist_ok=True)
        for kind, records in kinds.items():
            columns: list[str] = []
            for record in records:
                columns.extend(c for c in record if c not in columns)
            with (out / f"{kind}.csv").open("w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(columns)
                for record in records:
                    writer.writerow([_cell(record[c]) if c in record else "" for c in columns])
    else:
        out.write_text(_graphml(kinds), encoding="utf-8")
    return total


def _graphml(kinds: dict[str, list[dict[str, Any]]]) -> str:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
        '<key id="label" for="node" attr.name="label" attr.type="string"/>',
        '<key id="name" for="node" attr.name="name" attr.type="string"/>',
        '<key id="type" for="edge" attr.name="type" attr.type="string"/>',
        '<key id="data" for="all" attr.name="data" attr.type="string"/>',
        '<graph id="kb" edgedefault="directed">',
    ]
    for kind, records in kinds.items():
        node_type = next((t for t in NODE_BY_LABEL.values() if t.kind == kind), None)
        for record in records:
            data = escape(json.dumps(record, ensure_ascii=False, default=str))
            if node_type is not None:
                name = escape(str(record.get("name") or record.get("title")))
                lines.append(
                    f'<node id={quoteattr(record["id"])}><data key="label">{node_type.label}'
                    f'</data><data key="name">{name}</data>'
                    f'<data key="data">{data}</data></node>'
                )
            else:
                rel = next(t for t in RELATION_BY_TYPE.values() if t.kind == kind)
                lines.append(
                    f"<edge source={quoteattr(record['subject'])} "
                    f'target={quoteattr(record["object"])}><data key="type">{rel.type}</data>'
                    f'<data key="data">{data}</data></edge>'
                )
    lines += ["</graph>", "</graphml>"]
    return "\n".join(lines) + "\n"
