"""The input files of Neo4j's offline importer, made from a load's validated rows.

The rows are those the loader's planner spools (:mod:`kb.load.spool`) for `kb load`: node rows
``{id, props, run}``, claim rows ``{id, entity, props, match, run}`` and fact rows
``{subject, object, source, key, props, run}``. Each label, relationship type and the claims
get a header file and a data file, written so that the importer makes the graph that the
loader's Cypher (``cypher/load/upsert_*.cypher``) makes in an empty database:

- every entity has the label ``Entity`` and its kind's label, its id in the ``Entity`` id space
  (``id:ID(Entity)``, kept as the property ``id``); claims have the label ``Claim`` and an id
  space of their own, and a ``CLAIMS`` relationship to their entity;
- facts carry ``source`` and ``key`` (an empty key is an empty text, as MERGE writes it);
- every element carries ``created_run``;
- property types follow the values (text, integer as ``long``, number as ``double``, boolean,
  lists of texts as ``string[]`` split on a delimiter that no item holds).

The importer cannot write an empty list (it reads one as no value): such properties are named
in ``EMPTY_LISTS`` on their node and set after the import (``cypher/load/bulk_empty_lists``).
The files are read twice from the spool: once to learn the columns and types, once to write.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.load.spool import Row, Spool
from kb.schema import NODE_BY_LABEL, RELATION_BY_TYPE

ENTITY = "Entity"
CLAIM = "Claim"
CLAIMS = "CLAIMS"
EMPTY_LISTS = "_empty_lists"  # the list properties of a node that are empty (set afterwards)
EMPTY_HEADER = f"{EMPTY_LISTS}:string[]"
# Array delimiters to choose from: control characters that text rarely holds.
ARRAY_DELIMITERS = tuple(chr(c) for c in (0x1F, 0x1E, 0x1D, 0x1C, 0x1A, 0x19, 0x18, 0x17))


class ImportFilesError(Exception):
    """Rows that the importer's CSV cannot carry (a bug of the planner, or a schema change)."""


_KINDS = {bool: "boolean", int: "long", float: "double", str: "string", list: "string[]"}
_NEWLINE = re.compile("[\r\n]")
_DELIMITER = re.compile("[" + "".join(ARRAY_DELIMITERS) + "]")


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "long"
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return "string[]"
    raise ImportFilesError(f"a value of type {type(value).__name__} has no importer type")


@dataclass
class Columns:
    """The property columns of one file, in order of first sight, with their types."""

    types: dict[str, str] = field(default_factory=dict)
    rows: int = 0

    def see(self, props: dict[str, Any], where: str) -> None:
        self.rows += 1
        types = self.types
        for key, value in props.items():
            if value is None:
                if key not in types:
                    types[key] = ""  # a column, type still unknown
                continue
            if types.get(key) != _KINDS.get(type(value)):
                self._new_kind(key, value, where)

    def _new_kind(self, key: str, value: Any, where: str) -> None:
        kind = _kind(value)
        known = self.types.get(key) or kind
        if known != kind:
            if {known, kind} != {"long", "double"}:
                raise ImportFilesError(f"{where}: property {key!r} is both {known} and {kind}")
            kind = "double"
        if self.types.get(key) != "double":
            self.types[key] = kind

    def header(self, keys: list[str]) -> list[str]:
        return [f"{key}:{self.types[key] or 'string'}" for key in keys]


@dataclass
class ImportFiles:
    """What the importer is given: its options and ``--nodes``/``--relationships`` arguments."""

    folder: Path
    nodes: list[tuple[str, Path, Path]] = field(default_factory=list)  # labels, header, data
    relationships: list[tuple[str, Path, Path]] = field(default_factory=list)
    array_delimiter: str = ARRAY_DELIMITERS[0]
    multiline: bool = False
    node_count: int = 0
    relationship_count: int = 0
    claims: int = 0  # of the nodes, claims (each with its CLAIMS relationship)
    empty_lists: int = 0  # nodes with an empty list property, fixed after the import

    def arguments(self) -> list[str]:
        args = [f"--nodes={labels}={header},{data}" for labels, header, data in self.nodes] + [
            f"--relationships={kind}={header},{data}" for kind, header, data in self.relationships
        ]
        return [
            *args,
            f"--array-delimiter=U+{ord(self.array_delimiter):04X}",
            "--id-type=string",
            "--bad-tolerance=0",
            f"--multiline-fields={'true' if self.multiline else 'false'}",
        ]


class _Survey:
    """The first pass: columns and types per file, and what the delimiters must avoid."""

    def __init__(self) -> None:
        self.nodes: dict[str, Columns] = {}
        self.relations: dict[str, Columns] = {}
        self.claims = Columns()
        self.items: set[str] = set()  # characters seen in list items (of delimiter candidates)
        self.multiline = False
        self.merged: dict[str, dict[str, Any]] = {}  # claims by id

    def text(self, props: dict[str, Any]) -> None:
        for value in props.values():
            if type(value) is str:
                if not self.multiline and _NEWLINE.search(value):
                    self.multiline = True
            elif type(value) is list:
                if not all(type(item) is str for item in value):
                    raise ImportFilesError("a list holds a value that is not a text")
                joined = "\x00".join(value)  # (no newline, no delimiter between items)
                if not self.multiline and _NEWLINE.search(joined):
                    self.multiline = True
                self.items.update(_DELIMITER.findall(joined))

    def claim(self, row: Row) -> None:
        """Claim rows merged by id as the upsert merges them: the first row's match, then
        each row's properties over it (a null removes a value)."""
        claim = self.merged.setdefault(
            row["id"], {"entity": row["entity"], "run": row["run"], "props": dict(row["match"])}
        )
        claim["props"].update(row["props"])

    def node(self, label: str, row: Row) -> None:
        if label not in NODE_BY_LABEL:
            raise ImportFilesError(f"{label!r} is not a label of the schema")
        self.nodes.setdefault(label, Columns()).see(row["props"], label)
        self.text(row["props"])

    def relation(self, rel_type: str, row: Row) -> None:
        if rel_type not in RELATION_BY_TYPE:
            raise ImportFilesError(f"{rel_type!r} is not a relationship type of the schema")
        if any(value == [] for value in row["props"].values()):
            raise ImportFilesError(f"{rel_type}: a fact with an empty list cannot be imported")
        self.relations.setdefault(rel_type, Columns()).see(row["props"], rel_type)
        self.text(row["props"])
        if "\n" in row["key"] or "\r" in row["key"]:
            self.multiline = True


def _cell(value: Any, delimiter: str) -> str | None:
    """A value as the importer reads it; None for no value (an unquoted empty field)."""
    if value is None or value == []:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list):
        return delimiter.join(value)
    return str(value)


class _Writer:
    """A data file: every value quoted (an empty text stays a text), no value left empty."""

    def __init__(self, path: Path) -> None:
        self.handle = path.open("w", encoding="utf-8", newline="")

    def row(self, cells: list[str | None]) -> None:
        self.handle.write(",".join(_quoted(c) for c in cells) + "\n")

    def close(self) -> None:
        self.handle.close()


def _quoted(cell: str | None) -> str:
    if cell is None:
        return ""
    return '"' + cell.replace('"', '""') + '"'


def _write_header(path: Path, columns: list[str]) -> None:
    path.write_text(",".join(columns) + "\n", encoding="utf-8")


def write_import_files(spool: Spool, folder: Path) -> ImportFiles:
    """Write the importer's files for the spooled rows into ``folder``; returns their list."""
    folder.mkdir(parents=True, exist_ok=True)
    survey = _Survey()
    for part, name, rows in spool.batches():
        see = survey.node if part == "node" else survey.relation if part == "relation" else None
        for row in rows:
            if see is None:
                survey.claim(row)
            else:
                see(name, row)
    claims = survey.merged
    for claim in claims.values():
        claim["props"] = {k: v for k, v in claim["props"].items() if v is not None}
        survey.claims.see(claim["props"], CLAIM)
        survey.text(claim["props"])
    free = [c for c in ARRAY_DELIMITERS if c not in survey.items]
    if not free:
        raise ImportFilesError("list items hold every array delimiter the importer could use")
    files = ImportFiles(folder, array_delimiter=free[0], multiline=survey.multiline)
    writers: dict[tuple[str, str], tuple[_Writer, list[str]]] = {}
    try:
        for label, columns in survey.nodes.items():
            header, data = folder / f"{label}.header.csv", folder / f"{label}.csv"
            keys = list(columns.types)
            _write_header(
                header,
                [f"id:ID({ENTITY})", *columns.header(keys), "created_run:string", EMPTY_HEADER],
            )
            writers[("node", label)] = (_Writer(data), keys)
            files.nodes.append((f"{ENTITY}:{label}", header, data))
        for rel_type, columns in survey.relations.items():
            header, data = folder / f"{rel_type}.header.csv", folder / f"{rel_type}.csv"
            keys = [k for k in columns.types if k not in ("source", "key")]
            _write_header(
                header,
                [
                    f":START_ID({ENTITY})",
                    f":END_ID({ENTITY})",
                    "source:string",
                    "key:string",
                    *columns.header(keys),
                    "created_run:string",
                ],
            )
            writers[("relation", rel_type)] = (_Writer(data), keys)
            files.relationships.append((rel_type, header, data))
        delimiter = files.array_delimiter
        for part, name, rows in spool.batches():
            if part == "claim":
                continue
            out, keys = writers[(part, name)]
            for row in rows:
                props = row["props"]
                if part == "node":
                    empty = [k for k in keys if props.get(k) == []]
                    files.node_count += 1
                    files.empty_lists += bool(empty)
                    out.row(
                        [
                            row["id"],
                            *(_cell(props.get(k), delimiter) for k in keys),
                            row["run"],
                            delimiter.join(empty) or None,
                        ]
                    )
                else:
                    files.relationship_count += 1
                    out.row(
                        [
                            row["subject"],
                            row["object"],
                            row["source"],
                            row["key"],
                            *(_cell(props.get(k), delimiter) for k in keys),
                            row["run"],
                        ]
                    )
        if claims:
            _write_claims(files, folder, claims, survey.claims)
    finally:
        for out, _keys in writers.values():
            out.close()
    return files


def _write_claims(
    files: ImportFiles, folder: Path, claims: dict[str, dict[str, Any]], columns: Columns
) -> None:
    keys = [k for k in columns.types if k not in ("id", "created_run", EMPTY_LISTS)]
    header, data = folder / "Claim.header.csv", folder / "Claim.csv"
    _write_header(
        header, [f"id:ID({CLAIM})", *columns.header(keys), "created_run:string", EMPTY_HEADER]
    )
    rel_header, rel_data = folder / "CLAIMS.header.csv", folder / "CLAIMS.csv"
    _write_header(rel_header, [f":START_ID({CLAIM})", f":END_ID({ENTITY})"])
    nodes, links = _Writer(data), _Writer(rel_data)
    try:
        for id_, claim in claims.items():
            props = claim["props"]
            empty = [k for k in keys if props.get(k) == []]
            files.empty_lists += bool(empty)
            delimiter = files.array_delimiter
            cells = [_cell(props.get(k), delimiter) for k in keys]
            nodes.row([id_, *cells, claim["run"], delimiter.join(empty) or None])
            links.row([id_, claim["entity"]])
    finally:
        nodes.close()
        links.close()
    files.nodes.append((CLAIM, header, data))
    files.relationships.append((CLAIMS, rel_header, rel_data))
    files.claims = len(claims)
    files.node_count += len(claims)
    files.relationship_count += len(claims)


def rows_of(files: ImportFiles) -> Iterator[Path]:
    """The data files (for sizes and clean-up)."""
    for _what, _header, data in files.nodes + files.relationships:
        yield data
