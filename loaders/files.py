"""Read the knowledge base's own input files into raw records.

A file holds records of the kind named by its stem (``companies.csv``, ``relies_on.yaml``), or,
for YAML and JSON, a mapping from kinds to records. YAML/JSON records may be wrapped as
``{defaults: {...}, records: [...]}``; the defaults fill fields a record leaves out.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import json
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from loaders.records import MAX_DEPTH, ParseError, RawRecord, brief, depth

SUFFIXES = {".csv", ".json", ".jsonl", ".yaml", ".yml"}
# Python's csv refuses fields over 128 KiB by default; a description may be longer (and an
# export writes it so): the cap is the input's business, not the CSV reader's.
csv.field_size_limit(2**31 - 1)


def _regular_file(path: Path) -> bool:
    """True for a regular file (through symlinks); a symlink loop or a dangling link is an
    error naming the file, any other kind of file (folder, fifo, device) is skipped."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ParseError(path, "", "a symbolic link loop; remove or fix the link") from None
        if os.path.islink(path):
            raise ParseError(path, "", "a symbolic link to nothing; remove or fix it") from None
        raise ParseError(path, "", f"cannot read: {exc.strerror}") from None
    return stat.S_ISREG(mode)


def find_files(paths: list[Path]) -> list[Path]:
    """The input files among ``paths``: files as given, folders searched (sorted).

    Folders are walked without following links to folders (so a link loop cannot make the
    walk endless); a link to a file is read, a link loop is an error naming it.
    """
    found: list[Path] = []
    for path in paths:
        if os.path.islink(path) or path.exists():
            if not os.path.isdir(path):
                if not _regular_file(path):
                    raise ParseError(path, "", "not a regular file")
                found.append(path)
                continue
        else:
            raise ParseError(path, "", "no such file or folder")
        candidates = (p for p in sorted(path.rglob("*")) if p.suffix.lower() in SUFFIXES)
        found.extend(p for p in candidates if _regular_file(p))
    return found


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise ParseError(path, f"line {line}", f"not UTF-8 text ({exc.reason})") from None


class _LineLoader(yaml.SafeLoader):
    """A safe YAML loader that remembers the line of every mapping, as ``__line__``.

    It refuses anchors and aliases (``&a`` / ``*a``): an alias repeats a subtree without
    copying it, so a few hundred bytes of nested aliases expand to gigabytes (the "billion
    laughs"); input files never need them. It also refuses nesting deeper than
    :data:`MAX_DEPTH` and a key given twice in one mapping.
    """

    nesting = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event: Any = self.peek_event()  # type: ignore[no-untyped-call]
        mark: Any = event.start_mark
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise yaml.composer.ComposerError(
                None, None, "anchors and aliases (& and *) are not allowed", mark
            )
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            if self.nesting >= MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"nested more than {MAX_DEPTH} levels deep", mark
                )
            self.nesting += 1
            try:
                return super().compose_node(parent, index)
            finally:
                self.nesting -= 1
        return super().compose_node(parent, index)


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    seen: dict[str, int] = {}
    for key_node, _ in node.value:
        key = str(loader.construct_object(key_node, deep=True))
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"key {brief(key)} given twice in one mapping (first at line {seen[key]})",
                key_node.start_mark,
            )
        seen[key] = key_node.start_mark.line + 1
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
            raise ParseError(
                path, f"record {index}", f"a record must be a mapping, got {brief(item)}"
            )
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


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    mapping = dict(pairs)
    if len(mapping) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return mapping


def _duplicate_line(text: str, key: str) -> int:
    """The line of the second ``"key":`` in the first object that repeats it (0: not found).

    A slower, positional parse (the pure-Python scanner) that runs only once a duplicate is
    known to exist."""
    found: list[int] = []
    pattern = re.compile(re.escape(json.dumps(key)) + r"\s*:")

    def parse_object(state: tuple[str, int], strict: bool, scan: Any, *_: Any) -> Any:
        text_, start = state
        pairs, end = json.decoder.JSONObject(state, strict, scan, None, list)  # type: ignore[attr-defined]
        if not found and [k for k, _ in pairs].count(key) > 1:
            matches = list(pattern.finditer(text_, start, end))
            if len(matches) > 1:
                found.append(text_.count("\n", 0, matches[1].start()) + 1)
        return dict(pairs), end

    decoder = json.JSONDecoder()
    decoder.parse_object = parse_object  # type: ignore[attr-defined]
    decoder.scan_once = json.scanner.py_make_scanner(decoder)  # type: ignore[attr-defined]
    with contextlib.suppress(ValueError, RecursionError):
        decoder.decode(text)
    return found[0] if found else 0


def read_json(path: Path, kinds: set[str]) -> Iterator[RawRecord]:
    text = _text(path)
    try:
        document = json.loads(text, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        raise ParseError(path, f"line {exc.lineno}", f"invalid JSON: {exc.msg}") from None
    except _DuplicateKey as exc:
        line = _duplicate_line(text, exc.key)
        where = f"line {line}" if line else ""
        raise ParseError(path, where, f"key {brief(exc.key)} given twice in one object") from None
    except RecursionError:
        raise ParseError(path, "", f"nested more than {MAX_DEPTH} levels deep") from None
    if depth(document) > MAX_DEPTH:
        raise ParseError(path, "", f"nested more than {MAX_DEPTH} levels deep")
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
            item = json.loads(line, object_pairs_hook=_no_duplicates)
        except json.JSONDecodeError as exc:
            raise ParseError(path, f"line {number}", f"invalid JSON: {exc.msg}") from None
        except _DuplicateKey as exc:
            raise ParseError(
                path, f"line {number}", f"key {brief(exc.key)} given twice in one object"
            ) from None
        except RecursionError:
            raise ParseError(
                path, f"line {number}", f"nested more than {MAX_DEPTH} levels deep"
            ) from None
        if depth(item) > MAX_DEPTH:
            raise ParseError(path, f"line {number}", f"nested more than {MAX_DEPTH} levels deep")
        if not isinstance(item, dict):
            raise ParseError(path, f"line {number}", "each line must be a JSON object")
        yield RawRecord(path.stem, item, path, f"line {number}")


def read_csv(path: Path, kinds: set[str]) -> Iterator[RawRecord]:
    """CSV with a header row; empty cells are left out; lists are written ``a; b; c``."""
    if path.stem not in kinds:
        raise ParseError(path, "", f"name a CSV file after its kind: {', '.join(sorted(kinds))}")
    kind = path.stem
    # Decoded by the text layer (fast); should the file not be UTF-8, it is read again line by
    # line to name the line.
    with path.open(encoding="utf-8-sig", newline="\n") as handle:  # (lines end at \n only)
        reader = csv.reader(handle)
        try:
            try:
                header = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise ParseError(path, "line 1", f"invalid CSV: {exc}") from None
            header = [h.strip() for h in header]
            if len(set(header)) != len(header) or not all(header):
                raise ParseError(
                    path, "line 1", f"the header has empty or repeated columns: {header}"
                )
            width = len(header)
            try:
                for row in reader:
                    line = reader.line_num
                    data = {
                        h: c for h, c in zip(header, row, strict=False) if c and not c.isspace()
                    }
                    if len(row) != width and any(c and not c.isspace() for c in row):
                        raise ParseError(
                            path, f"line {line}", f"{len(row)} cells, but the header has {width}"
                        )
                    if data:  # (a blank row, or one of blank cells, is no record)
                        yield RawRecord(kind, data, path, f"line {line}")
            except csv.Error as exc:
                raise ParseError(path, f"line {reader.line_num}", f"invalid CSV: {exc}") from None
            return
        except UnicodeDecodeError:
            pass
    for _ in _lines(path):  # raises the ParseError naming the first line that is not UTF-8
        pass
    raise ParseError(path, "", "not UTF-8 text")  # (not reached: the text layer agreed)


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
