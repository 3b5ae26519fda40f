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

import csv
import io
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.load.spool import Part, Row, Spool
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


def _relation_header(columns: list[str]) -> list[str]:
    """A relationship file's header: its ends, the fact's identity, its values, its run."""
    return [
        f":START_ID({ENTITY})",
        f":END_ID({ENTITY})",
        "source:string",
        "key:string",
        *columns,
        "created_run:string",
    ]


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
            _write_header(header, _relation_header(columns.header(keys)))
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


# --------------------------------------------------------------------------- one pass


class DelimiterClash(Exception):
    """A text holds the array delimiter chosen before the rows were seen: the files must be
    written again by :func:`write_import_files`, which chooses one that no list item holds."""


_CSV_KIND = {bool: "boolean", int: "long", float: "double", str: "string", list: "string[]"}


class _Part:
    """One header and data file of a label or type: the columns of the rows seen so far.
    A row with a new property (or a value a column's type cannot take) starts a new part."""

    def __init__(self, keys: list[str], kinds: list[str], header: Path, data: Path, first: int):
        self.keys, self.kinds, self.header, self.data = keys, kinds, header, data
        self.first = first  # cells before the properties: the id, or start, end, source, key
        self.handle = data.open("w", encoding="utf-8", newline="")
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, lineterminator="\n")
        self.lists = [first + i for i, kind in enumerate(kinds) if kind == "string[]"]
        self.booleans = [first + i for i, kind in enumerate(kinds) if kind == "boolean"]
        self.rows = 0  # rows buffered since the last flush

    def takes(self, props: Row, ignored: tuple[str, ...]) -> bool:
        kinds = dict(zip(self.keys, self.kinds, strict=True))
        for key, value in props.items():
            if key in ignored:
                continue
            if key not in kinds:
                return False
            kind = _CSV_KIND.get(type(value)) if value is not None else None
            if kind is not None and kind != kinds[key] and (kind, kinds[key]) != ("long", "double"):
                return False
        return True


class _Table:
    """The parts of one label or relationship type, and the type of each property."""

    def __init__(self, name: str, folder: Path, node: bool) -> None:
        self.name, self.folder, self.node = name, folder, node
        self.kinds: dict[str, str] = {}  # property -> type ('' while only nulls were seen)
        self.parts: list[_Part] = []
        self.by_shape: dict[tuple[Any, ...], _Part] = {}

    def part(self, props: Row, shape: tuple[Any, ...]) -> _Part:
        part = self.by_shape.get(shape)
        if part is not None:
            return part
        self._learn(props)
        ignored = () if self.node else _FACT_KEYS
        last = self.parts[-1] if self.parts else None
        if last is None or not last.takes(props, ignored):
            keys = list(last.keys) if last is not None else []
            keys += [k for k in props if k not in keys and k not in ignored]
            last = self._new_part(keys)
        self.by_shape[shape] = last
        return last

    def _learn(self, props: Row) -> None:
        columns = Columns(self.kinds)
        for key, value in props.items():
            if value is None:
                self.kinds.setdefault(key, "")
            elif self.kinds.get(key) != _CSV_KIND.get(type(value)):
                columns._new_kind(key, value, self.name)

    def _new_part(self, keys: list[str]) -> _Part:
        n = len(self.parts)
        stem = f"{self.name}.{n}" if n else self.name
        header = self.folder / f"{stem}.header.csv"
        kinds = [self.kinds.get(k) or "string" for k in keys]
        columns = [f"{key}:{kind}" for key, kind in zip(keys, kinds, strict=True)]
        first = 1 if self.node else 4  # cells before the properties: id / start, end, source, key
        if self.node:
            _write_header(
                header, [f"id:ID({ENTITY})", *columns, "created_run:string", EMPTY_HEADER]
            )
        else:
            _write_header(header, _relation_header(columns))
        part = _Part(keys, kinds, header, self.folder / f"{stem}.csv", first)
        self.parts.append(part)
        return part


_FACT_KEYS = ("source", "key")


class ImportWriter:
    """The importer's files written while the rows are planned: a :class:`~kb.load.spool.Spool`
    sink (``spool.sink = writer.sink``), one pass, no second read of the spool.

    Values are written as the CSV module writes them (quoted only when they must be), an
    absent value as an empty field; a row with an empty text is written with every value
    quoted (the importer reads an unquoted empty field as no value). The array delimiter is
    chosen up front; a text that holds it raises :class:`DelimiterClash` at :meth:`finish`
    (rare: a control character), and the caller writes the files again from the spool."""

    def __init__(self, folder: Path, delimiter: str = ARRAY_DELIMITERS[0]) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.delimiter = delimiter
        self.tables: dict[tuple[str, str], _Table] = {}
        self.claims: dict[str, dict[str, Any]] = {}
        self.multiline = False
        self.clash = False
        self.nodes = 0
        self.relationships = 0
        self.empty_lists = 0
        self.seconds = 0.0  # time spent writing (inside the planning)
        self._expected = 0  # array delimiters the lists of the current batch put in

    def sink(self, part: Part, name: str, rows: list[Row]) -> None:
        started = time.monotonic()
        if part == "claim":
            for row in rows:
                claim = self.claims.setdefault(
                    row["id"],
                    {"entity": row["entity"], "run": row["run"], "props": dict(row["match"])},
                )
                claim["props"].update(row["props"])
        else:
            table = self.tables.get((part, name))
            if table is None:
                table = self._table(part, name)
            self._expected = 0
            touched = self._nodes(table, rows) if part == "node" else self._facts(table, rows)
            if sum(self._flush(target) for target in touched) != self._expected:
                self.clash = True
        self.seconds += time.monotonic() - started

    def _table(self, part: Part, name: str) -> _Table:
        if part == "node" and name not in NODE_BY_LABEL:
            raise ImportFilesError(f"{name!r} is not a label of the schema")
        if part == "relation" and name not in RELATION_BY_TYPE:
            raise ImportFilesError(f"{name!r} is not a relationship type of the schema")
        table = self.tables[(part, name)] = _Table(name, self.folder, part == "node")
        return table

    def _lists(self, target: _Part, cells: list[Any]) -> list[str]:
        """Lists joined on the delimiter (in place); the keys of the empty ones."""
        empty: list[str] = []
        delimiter = self.delimiter
        for i in target.lists:
            value = cells[i]
            if value is None:
                continue
            if not value:
                cells[i] = None
                empty.append(target.keys[i - target.first])
                continue
            try:
                cells[i] = delimiter.join(value)
            except TypeError:
                raise ImportFilesError("a list holds a value that is not a text") from None
            self._expected += len(value) - 1
        return empty

    def _nodes(self, table: _Table, rows: list[Row]) -> set[_Part]:
        touched: set[_Part] = set()
        for row in rows:
            props = row["props"]
            target = table.part(props, (tuple(props), tuple(map(type, props.values()))))
            cells = [row["id"], *map(props.get, target.keys), row["run"], None]
            if target.lists:
                empty = self._lists(target, cells)
                if empty:
                    cells[-1] = self.delimiter.join(empty)
                    self._expected += len(empty) - 1
                    self.empty_lists += 1
            for i in target.booleans:
                if cells[i] is not None:
                    cells[i] = "true" if cells[i] else "false"
            self._row(target, cells)
            touched.add(target)
        self.nodes += len(rows)
        return touched

    def _facts(self, table: _Table, rows: list[Row]) -> set[_Part]:
        touched: set[_Part] = set()
        for row in rows:
            props = row["props"]
            target = table.part(props, (tuple(props), tuple(map(type, props.values()))))
            cells = [row["subject"], row["object"], row["source"], row["key"]]
            cells += map(props.get, target.keys)
            cells.append(row["run"])
            if target.lists:
                if [] in cells:
                    raise ImportFilesError(
                        f"{table.name}: a fact with an empty list cannot be imported"
                    )
                self._lists(target, cells)
            for i in target.booleans:
                if cells[i] is not None:
                    cells[i] = "true" if cells[i] else "false"
            self._row(target, cells)
            touched.add(target)
        self.relationships += len(rows)
        return touched

    @staticmethod
    def _row(target: _Part, cells: list[Any]) -> None:
        target.rows += 1
        if "" in cells:  # an empty text: quote every value so that it stays a text
            target.buffer.write(",".join(_quoted(_cell(c, "")) for c in cells) + "\n")
        else:
            target.writer.writerow(cells)

    def _flush(self, target: _Part) -> int:
        """Write the buffered rows; the array delimiters they hold."""
        text = target.buffer.getvalue()
        if not self.multiline and (text.count("\n") != target.rows or "\r" in text):
            self.multiline = True
        target.handle.write(text)
        target.buffer.seek(0)
        target.buffer.truncate()
        target.rows = 0
        return text.count(self.delimiter)

    def close(self) -> None:
        for table in self.tables.values():
            for part in table.parts:
                part.handle.close()

    def finish(self) -> ImportFiles:
        """Close the files, write the claims; the importer's arguments."""
        self.close()
        if self.clash:
            raise DelimiterClash(f"a text holds the array delimiter U+{ord(self.delimiter):04X}")
        files = ImportFiles(self.folder, array_delimiter=self.delimiter, multiline=self.multiline)
        for (part, _name), table in self.tables.items():
            for piece in table.parts:
                if part == "node":
                    files.nodes.append((f"{ENTITY}:{table.name}", piece.header, piece.data))
                else:
                    files.relationships.append((table.name, piece.header, piece.data))
        files.node_count, files.relationship_count = self.nodes, self.relationships
        files.empty_lists = self.empty_lists
        if self.claims:
            survey = _Survey()
            for claim in self.claims.values():
                claim["props"] = {k: v for k, v in claim["props"].items() if v is not None}
                survey.claims.see(claim["props"], CLAIM)
                survey.text(claim["props"])
            if self.delimiter in survey.items:
                raise DelimiterClash(
                    f"a claim holds the array delimiter U+{ord(self.delimiter):04X}"
                )
            files.multiline = files.multiline or survey.multiline
            _write_claims(files, self.folder, self.claims, survey.claims)
        return files
