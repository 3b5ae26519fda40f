"""Read the knowledge base's own input files into raw records.

A file holds records of the kind named by its stem (``companies.csv``, ``relies_on.yaml``), or,
for YAML and JSON, a mapping from kinds to records. YAML/JSON records may be wrapped as
``{defaults: {...}, records: [...]}``; the defaults fill fields a record leaves out.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from loaders.records import ParseError, RawRecord

SUFFIXES = {".csv", ".json", ".jsonl", ".yaml", ".yml"}


def find_files(paths: list[Path]) -> list[Path]:
    """The input files among ``paths``: files as given, folders searched (sorted)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(p for p in sorted(path.rglob("*")) if p.suffix.lower() in SUFFIXES)
        elif path.is_file():
            found.append(path)
        else:
            raise ParseError(path, "", "no such file or folder")
    return found


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise ParseError(path, f"line {line}", f"not UTF-8 text ({exc.reason})") from None


class _LineLoader(yaml.SafeLoader):
    """A YAML loader that remembers the line of every mapping, as ``__line__``."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = {str(k): v for k, v in loader.construct_mapping(node, deep=True).items()}
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _strip_lines(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k != "__line__"}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    return value


def _records_of(
    path: Path, kind: str, value: Any, where: str, kinds: set[str]
) -> Iterator[RawRecord]:
    defaults: dict[str, Any] = {}
    if isinstance(value, dict) and "records" in value:
        extra = set(value) - {"records", "defaults", "__line__"}
        if extra:
            raise ParseError(path, where, f"unexpected keys {sorted(extra)} beside 'records'")
        defaults = _strip_lines(value.get("defaults") or {})
        value = value["records"] or []
    if not isinstance(value, list):
        raise ParseError(path, where, f"'{kind}' must hold a list of records")
    for index, item in enumerate(value, start=1):
        if not isinstance(item, dict):
            raise ParseError(path, f"record {index}", f"a record must be a mapping, got {item!r}")
        line = item.get("__line__")
        data = {**defaults, **_strip_lines(item)}
        yield RawRecord(kind, data, path, f"line {line}" if line else f"record {index}")


def _structured(path: Path, document: Any, kinds: set[str]) -> Iterator[RawRecord]:
    stem = path.stem
    if document is None:
        return
    if isinstance(document, dict) and stem not in kinds:
        keys = [k for k in document if k != "__line__"]
        unknown = [k for k in keys if k not in kinds]
        if unknown:
            raise ParseError(
                path,
                "",
                f"unknown kind(s) {unknown}; a file is named after its kind, or "
                f"holds a mapping of kinds: {', '.join(sorted(kinds))}",
            )
        for key in keys:
            yield from _records_of(path, key, document[key], "", kinds)
        return
    if stem not in kinds:
        raise ParseError(
            path,
            "",
            f"cannot tell the kind of records: name the file after one of "
            f"{', '.join(sorted(kinds))}",
        )
    yield from _records_of(path, stem, document, "", kinds)


def read_yaml(path: Path, kinds: set[str]) -> Iterator[RawRecord]:
    try:
        document = yaml.load(_text(path), Loader=_LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else ""
        raise ParseError(path, where, f"invalid YAML: {getattr(exc, 'problem', exc)}") from None
    yield from _structured(path, document, kinds)


def read_json(path: Path, kinds: set[str]) -> Iterator[RawRecord]:
    try:
        document = json.loads(_text(path))
    except json.JSONDecodeError as exc:
        raise ParseError(path, f"line {exc.lineno}", f"invalid JSON: {exc.msg}") from None
    yield from _structured(path, document, kinds)


def _lines(path: Path) -> Iterator[str]:
    """The file's lines, decoded one at a time (a file is never held whole in memory)."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                raise ParseError(path, f"line {number}", f"not UTF-8 text ({exc.reason})") from None


def read_jsonl(path: Path, kinds: set[str]) -> Iterator[RawRecord]:
    if path.stem not in kinds:
        raise ParseError(path, "", f"name a JSONL file after its kind: {', '.join(sorted(kinds))}")
    for number, line in enumerate(_lines(path), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ParseError(path, f"line {number}", f"invalid JSON: {exc.msg}") from None
        if not isinstance(item, dict):
            raise ParseError(path, f"line {number}", "each line must be a JSON object")
        yield RawRecord(path.stem, item, path, f"line {number}")


def read_csv(path: Path, kinds: set[str]) -> Iterator[RawRecord]:
    """CSV with a header row; empty cells are left out; lists are written ``a; b; c``."""
    if path.stem not in kinds:
        raise ParseError(path, "", f"name a CSV file after its kind: {', '.join(sorted(kinds))}")
    kind = path.stem
    reader = csv.reader(_lines(path))
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise ParseError(path, "line 1", f"invalid CSV: {exc}") from None
    header = [h.strip() for h in header]
    if len(set(header)) != len(header) or not all(header):
        raise ParseError(path, "line 1", f"the header has empty or repeated columns: {header}")
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise ParseError(
                    path, f"line {line}", f"{len(row)} cells, but the header has {len(header)}"
                )
            data = {h: c for h, c in zip(header, row, strict=True) if c.strip() != ""}
            yield RawRecord(kind, data, path, f"line {line}")
    except csv.Error as exc:
        raise ParseError(path, f"line {reader.line_num}", f"invalid CSV: {exc}") from None


def read_file(path: Path, kinds: set[str]) -> Iterator[RawRecord]:
    suffix = path.suffix.lower()
    if suffix in {".yaml", ".yml"}:
        return read_yaml(path, kinds)
    if suffix == ".json":
        return read_json(path, kinds)
    if suffix == ".jsonl":
        return read_jsonl(path, kinds)
    if suffix == ".csv":
        return read_csv(path, kinds)
    raise ParseError(path, "", f"unsupported file type '{suffix}' (use .csv, .json, .jsonl, .yaml)")
