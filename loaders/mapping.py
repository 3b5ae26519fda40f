"""Mappings: a YAML file that says how the rows of an outside file become our records.

Modelled on followthemoney's mapping files: a row gives several records (an entity, its
headquarters, a restriction fact), each field comes from a column, a constant or a template,
and goes through a few declared transforms (split, regex extraction, dates, countries ...)::

    header: [Name, Country, Listed]        # optional: the CSV's columns, checked
    static:                                # records given once, in our own format
      sources: [{id: my-list, title: My list}]
    defaults: {source: my-list, confidence: external, evidence: {row: true}}
    records:
      firm:
        kind: companies
        keys: [Name]                       # a generated id: prefix + slug of the keys
        prefix: my-list-
        join_by_name: true                 # join an existing entity of the same name
        fields:
          name: {column: Name}
      home:
        kind: headquartered_in
        fields:
          subject: {record: firm}
          object: {column: Country, country: name}

The mapping is validated (:func:`load_mapping`) before any row is read; its errors name the
mapping's line. A problem with a row names the data file's line, the column, the record and
field of the mapping, and the mapping's line. The records are the raw records every other
reader yields (:class:`~loaders.records.RawRecord`): the loader validates and resolves them.

``ids: generate`` (the default) gives every entity with ``keys`` a generated id; with
``ids: resolve`` such entities go without an id, carrying their ``identifiers``, for a loader
that resolves records by identifier and name.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections.abc import Iterator
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, Literal, get_origin

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from kb.schema import NODE_BY_KIND, RELATION_BY_KIND, RELATION_KEY_FIELDS
from loaders.files import _LineLoader, _lines, _strip_lines, _text
from loaders.records import ParseError, RawRecord

Row = dict[str, list[Any]]
LOADER_FLAGS = ("identifiers", "resolve_by_name")  # for the loader, not fields of a kind
FACT_IDENTITY = ("subject", "object", "source", *RELATION_KEY_FIELDS)
Part = Literal["nodes", "relations"]
# Columns of an FtM row besides the entity's properties.
FTM_META = ("id", "schema", "caption", "datasets", "first_seen", "last_seen", "referents")


class MappingError(Exception):
    """The mapping file itself is wrong: every problem, each with its line."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path, self.problems = path, problems
        super().__init__("\n".join(f"{path}:{p}" for p in problems))


class MappedRowErrors(Exception):
    """Rows of a data file that the mapping could not turn into records."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class _Problem(Exception):
    """A value a transform cannot take (raised inside a row, reported with its place)."""


# --------------------------------------------------------------------------- the model


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    line: int = Field(0, alias="__line__")


class Spec(_Part):
    """Where a field's values come from, and the transforms they go through (in this order:
    split, regex, replace, strip, date, country, map, case, slug, join, prefix; then default)."""

    column: str | None = None
    columns: list[str] | None = None
    value: Any = None  # a constant
    template: str | None = None  # "{Name} ({Alias})": columns in braces
    record: str | None = None  # the id (or name) of another record of the same row
    row: bool = False  # the row itself, as text (evidence)
    split: str | None = None  # one cell holds a list: "a; b"
    regex: str | None = None  # keep every match (group 'value', else group 1, else all)
    replace: dict[str, str] | None = None  # regex -> replacement
    strip: str | None = None  # characters taken off both ends (whitespace always is)
    date: list[str] | None = None  # strptime formats, or "iso"; gives YYYY, YYYY-MM or ISO
    country: Literal["iso2", "iso3", "name", "any"] | None = None  # what the cells hold
    country_gives: Literal["iso2", "name"] = "iso2"  # ISO 3166 alpha-2 ("CN"), or "China"
    map: dict[str, Any] | None = None  # value -> value
    unmapped: Literal["keep", "drop"] = "keep"  # what becomes of values the map does not list
    case: Literal["lower", "upper", "title", "first"] | None = None  # "first": Capitalised
    slug: bool = False
    prefix: str | None = None
    pick: Literal["first", "last", "all"] | None = None  # several values for a single field
    join: str | None = None  # several values joined into one
    default: Any = None  # when no value is left

    @field_validator("replace", "map", "value", mode="before")
    @classmethod
    def _no_lines(cls, value: Any) -> Any:
        return _strip_lines(value)

    @model_validator(mode="after")
    def _one_origin(self) -> Spec:
        origins = [
            name
            for name in ("column", "columns", "value", "template", "record")
            if getattr(self, name) is not None
        ] + (["row"] if self.row else [])
        if len(origins) > 1:
            raise ValueError(
                f"give one of column, columns, value, template, record, row: {origins}"
            )
        if not origins and self.default is None:
            raise ValueError("give one of column, columns, value, template, record, row")
        for pattern in [self.regex or "", *(self.replace or {})]:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"bad regular expression {pattern!r}: {exc}") from None
        return self


def _as_spec(value: Any) -> Any:
    """A plain scalar (or list of scalars) in place of a spec is a constant."""
    if isinstance(value, dict):
        return value
    return {"value": value}


def _specs_of(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _as_spec(v) for k, v in value.items() if k != "__line__"}
    return value


class Filter(_Part):
    """A row passes when every condition given holds."""

    column: str | None = None
    equals: str | None = None
    in_: list[str] | None = Field(None, alias="in")
    matches: str | None = None  # a regex searched in the value
    not_matches: str | None = None
    present: bool | None = None  # the column has a value (or has none)
    schema_: list[str] | None = Field(None, alias="schema")  # FtM: the row's schema is one of
    not_schema: list[str] | None = None

    @model_validator(mode="after")
    def _complete(self) -> Filter:
        tests = (self.equals, self.in_, self.matches, self.not_matches, self.present)
        if any(t is not None for t in tests) and self.column is None:
            raise ValueError("a filter on values names its 'column'")
        if self.column is not None and all(t is None for t in tests):
            raise ValueError("give one of equals, in, matches, not_matches, present")
        return self


class RecordSpec(_Part):
    kind: str
    when: list[Filter] = []
    keys: list[str] | None = None  # columns whose values give the generated id
    prefix: str = ""
    id: Spec | None = None  # the file's own id, kept as the id
    identifiers: dict[str, Spec] = {}  # scheme -> value (wikidata, lei, opensanctions ...)
    join_by_name: bool = False  # join an existing entity of the same kind, name or alias
    fields: dict[str, Spec] = {}

    @field_validator("fields", "identifiers", mode="before")
    @classmethod
    def _specs(cls, value: Any) -> Any:
        return _specs_of(value)

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, kind: str) -> str:
        if kind not in NODE_BY_KIND and kind not in RELATION_BY_KIND:
            known = ", ".join([*NODE_BY_KIND, *RELATION_BY_KIND])
            raise ValueError(f"unknown kind {kind!r}; one of {known}")
        return kind


class Mapping(_Part):
    format: Literal["csv", "json", "jsonl", "ftm"] | None = None
    header: list[str] | None = None  # a CSV's columns, in order: checked, and found by
    delimiter: str = ","
    records_at: str | None = None  # JSON: the dotted path to the list of rows
    ids: Literal["generate", "resolve"] = "generate"
    filters: list[Filter] = []
    derive: dict[str, Spec] = {}  # new columns, computed in order, usable by later specs
    static: dict[str, list[dict[str, Any]]] = {}  # records given once, in our own format
    defaults: dict[str, Spec] = {}  # fields every record whose kind has them gets
    records: dict[str, RecordSpec]

    @field_validator("derive", "defaults", mode="before")
    @classmethod
    def _specs(cls, value: Any) -> Any:
        return _specs_of(value)

    @field_validator("records", "static", mode="before")
    @classmethod
    def _named(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: v for k, v in value.items() if k != "__line__"}
        return value


# --------------------------------------------------------------------------- reading it


def _line_of(document: Any, loc: tuple[Any, ...]) -> int:
    """The line of the deepest mapping on the path ``loc`` into the YAML document."""
    line = document.get("__line__", 1) if isinstance(document, dict) else 1
    node = document
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, dict) and f"{part}".rstrip("_") in node:
            node = node[f"{part}".rstrip("_")]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            break
        if isinstance(node, dict) and "__line__" in node:
            line = node["__line__"]
    return int(line)


def _model_fields(kind: str) -> dict[str, Any]:
    model = NODE_BY_KIND[kind].model if kind in NODE_BY_KIND else RELATION_BY_KIND[kind].model
    return dict(model.model_fields)


def _required(kind: str) -> set[str]:
    return {f for f, info in _model_fields(kind).items() if info.is_required()}


def _check(mapping: Mapping) -> list[str]:
    """What the pydantic model cannot see: fields of the kinds, references between records."""
    problems: list[str] = []
    names = list(mapping.records)
    columns = set(mapping.header or ())
    for name, spec in mapping.records.items():
        fields = _model_fields(spec.kind)
        is_node = spec.kind in NODE_BY_KIND
        for field, value in spec.fields.items():
            if field not in fields or field == "id":
                problems.append(
                    f"line {value.line or spec.line}: record '{name}': '{field}' is not a field "
                    f"of {spec.kind} records ({', '.join(f for f in fields if f != 'id')})"
                )
            if value.record is not None and value.record not in names:
                problems.append(
                    f"line {value.line}: record '{name}', field '{field}': no record "
                    f"'{value.record}' in this mapping ({', '.join(names)})"
                )
        given = set(spec.fields) | {f for f in mapping.defaults if f in fields}
        required = {f for f, info in fields.items() if info.is_required()}
        if is_node and (spec.keys or spec.id):
            given.add("id")
        missing = sorted(required - given - ({"id"} if mapping.ids == "resolve" else set()))
        if missing:
            problems.append(
                f"line {spec.line}: record '{name}' ({spec.kind}) does not say its "
                f"{', '.join(missing)}" + (" (give keys or id)" if "id" in missing else "")
            )
        if not is_node and (spec.keys or spec.id or spec.join_by_name or spec.identifiers):
            problems.append(
                f"line {spec.line}: record '{name}': keys, id, identifiers and join_by_name "
                "are for entities, not facts"
            )
        for key in spec.keys or ():
            if columns and key not in columns and key not in mapping.derive:
                problems.append(f"line {spec.line}: record '{name}': no column '{key}'")
        for field, value in spec.fields.items():
            for column in [value.column, *(value.columns or ())]:
                if column and columns and column not in columns and column not in mapping.derive:
                    problems.append(
                        f"line {value.line}: record '{name}', field '{field}': no column "
                        f"'{column}' in the header"
                    )
    for kind in mapping.static:
        if kind not in NODE_BY_KIND and kind not in RELATION_BY_KIND:
            problems.append(f"line {mapping.line}: static: unknown kind {kind!r}")
    if mapping.format == "ftm":
        problems.extend(_check_ftm(mapping))
    return problems


def _ftm_model() -> Any:
    try:
        from followthemoney import model
    except ImportError:  # pragma: no cover - the `ftm` extra is installed with `dev`
        raise _Problem(
            "format 'ftm' reads FollowTheMoney entities with the followthemoney package: "
            "pip install 'ai-infra-kb[ftm]'"
        ) from None
    return model


def _check_ftm(mapping: Mapping) -> list[str]:
    """Schemata and properties named in an FtM mapping exist in followthemoney's model."""
    try:
        model = _ftm_model()
    except _Problem as exc:
        return [f"line {mapping.line}: {exc}"]
    problems: list[str] = []
    for name, spec in mapping.records.items():
        schemata: list[Any] = []
        for condition in [*mapping.filters, *spec.when]:
            for schema_name in [*(condition.schema_ or ()), *(condition.not_schema or ())]:
                schema = model.get(schema_name)
                if schema is None:
                    problems.append(
                        f"line {condition.line}: record '{name}': no FtM schema {schema_name!r}"
                    )
                elif schema_name in (condition.schema_ or ()):
                    schemata.append(schema)
        if not schemata:
            continue
        for field, value in [*spec.fields.items(), *spec.identifiers.items()]:
            for column in [value.column, *(value.columns or ())]:
                if not column or column in FTM_META or column in mapping.derive:
                    continue
                if not any(s.get(column) is not None for s in schemata):
                    problems.append(
                        f"line {value.line}: record '{name}', field '{field}': no property "
                        f"{column!r} in FtM schema {' or '.join(s.name for s in schemata)}"
                    )
    return problems


def load_mapping(path: Path) -> Mapping:
    """Read and validate a mapping file; raises :class:`MappingError` naming the lines."""
    try:
        document = yaml.load(_text(path), Loader=_LineLoader)
    except ParseError as exc:
        raise MappingError(path, [str(exc).removeprefix(f"{path}:")]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        raise MappingError(path, [f"{where}invalid YAML: {getattr(exc, 'problem', exc)}"]) from None
    if not isinstance(document, dict):
        raise MappingError(path, ["line 1: a mapping file is a YAML mapping with 'records'"])
    try:
        mapping = Mapping.model_validate(document)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            loc = tuple(p for p in item["loc"] if not str(p).startswith("function-"))
            shown = ".".join(str(p) for p in loc) or "(mapping)"
            message = item["msg"].removeprefix("Value error, ")
            if item["type"] == "extra_forbidden":
                message = "not a key of this part of a mapping"
            problems.append(f"line {_line_of(document, loc)}: {shown}: {message}")
        raise MappingError(path, problems) from None
    problems = _check(mapping)
    if problems:
        raise MappingError(path, problems)
    return mapping


# --------------------------------------------------------------------------- transforms


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.casefold()).strip("-")[:120]


def _date(text: str, formats: list[str]) -> str:
    for fmt in formats:
        if fmt == "iso":
            found = re.match(r"^(\d{4}(?:-\d{2}(?:-\d{2})?)?)(?:T.*)?$", text)
            if found:
                return found.group(1)
            continue
        try:
            parsed = datetime.strptime(text, fmt)
        except ValueError:
            continue
        if "%d" in fmt or "%j" in fmt:
            return parsed.strftime("%Y-%m-%d")
        if any(d in fmt for d in ("%m", "%b", "%B")):
            return parsed.strftime("%Y-%m")
        return parsed.strftime("%Y")
    raise _Problem(f"{text!r} is not a date in the format(s) {', '.join(formats)}")


@cache
def _country(text: str, mode: str, gives: str = "iso2") -> str:
    from rigour.territories import get_territory, lookup_territory

    letters = text.strip()
    if mode == "iso2" and not re.fullmatch(r"[A-Za-z]{2}", letters):
        raise _Problem(f"{text!r} is not an ISO 3166 alpha-2 code")
    if mode == "iso3" and not re.fullmatch(r"[A-Za-z]{3}", letters):
        raise _Problem(f"{text!r} is not an ISO 3166 alpha-3 code")
    territory = get_territory(letters.lower()) if mode == "iso2" else lookup_territory(letters)
    if (
        territory is None
        or not re.fullmatch(r"[a-z]{2}", territory.code)
        or (mode == "iso3" and (territory.alpha3 or "").lower() != letters.lower())
    ):
        raise _Problem(f"{text!r} is not a known country ({mode})")
    return str(territory.name) if gives == "name" else str(territory.code).upper()


_CASES: dict[str, Any] = {
    "lower": str.lower,
    "upper": str.upper,
    "title": str.title,
    "first": lambda text: text[:1].upper() + text[1:],
}


def _cell(row: Row, column: str) -> list[Any]:
    return row.get(column, [])


def _render(template: str, row: Row) -> str:
    def one(match: re.Match[str]) -> str:
        values = _cell(row, match.group(1))
        return str(values[0]) if values else ""

    return re.sub(r"\{([^{}]+)\}", one, template)


def _extract(pattern: str, text: str) -> list[str]:
    compiled = re.compile(pattern)
    out = []
    for match in compiled.finditer(text):
        if "value" in compiled.groupindex:
            out.append(match.group("value"))
        elif compiled.groups:
            out.append(match.group(1))
        else:
            out.append(match.group(0))
    return [v for v in out if v]


class _Context:
    """What specs of one row can see: its columns and the records already made from it."""

    def __init__(self, row: Row, text: str) -> None:
        self.row, self.text = row, text
        self.refs: dict[str, str] = {}


def values(spec: Spec, ctx: _Context) -> list[Any]:
    """The values of a spec for one row, after its transforms."""
    if spec.value is not None:
        out = list(spec.value) if isinstance(spec.value, list) else [spec.value]
        return out
    raw: list[Any]
    if spec.column is not None:
        raw = list(_cell(ctx.row, spec.column))
    elif spec.columns is not None:
        raw = [v for c in spec.columns for v in _cell(ctx.row, c)]
    elif spec.template is not None:
        raw = [_render(spec.template, ctx.row)]
    elif spec.record is not None:
        raw = [ctx.refs[spec.record]] if spec.record in ctx.refs else []
    elif spec.row:
        raw = [ctx.text]
    else:
        raw = []
    out = [str(v) for v in raw if v is not None]
    if spec.split is not None:
        out = [part for v in out for part in v.split(spec.split)]
    if spec.regex is not None:
        out = [found for v in out for found in _extract(spec.regex, v)]
    for pattern, replacement in (spec.replace or {}).items():
        out = [re.sub(pattern, replacement, v) for v in out]
    out = [v.strip().strip(spec.strip or "").strip() for v in out]
    out = [v for v in out if v]
    if spec.date is not None:
        out = [_date(v, spec.date) for v in out]
    if spec.country is not None:
        out = [_country(v, spec.country, spec.country_gives) for v in out]
    if spec.map is not None:
        table = spec.map
        out = [table.get(v, v if spec.unmapped == "keep" else None) for v in out]
    out = [v for v in out if v is not None and v != ""]
    if spec.case is not None:
        out = [_CASES[spec.case](str(v)) for v in out]
    if spec.slug:
        out = [slugify(v) for v in out]
    out = list(dict.fromkeys(out))  # each value once, in order
    if spec.join is not None and out:
        out = [spec.join.join(map(str, out))]
    if spec.prefix is not None:
        out = [f"{spec.prefix}{v}" for v in out]
    if not out and spec.default is not None:
        out = [spec.default]
    return out


def _passes(filters: list[Filter], ctx: _Context, schema: Any = None) -> bool:
    for condition in filters:
        if condition.schema_ is not None and not (
            schema is not None and any(schema.is_a(s) for s in condition.schema_)
        ):
            return False
        if condition.not_schema is not None and (
            schema is not None and any(schema.is_a(s) for s in condition.not_schema)
        ):
            return False
        if condition.column is None:
            continue
        cells = [str(v).strip() for v in _cell(ctx.row, condition.column) if str(v).strip()]
        if condition.present is not None and bool(cells) != condition.present:
            return False
        if condition.equals is not None and condition.equals not in cells:
            return False
        if condition.in_ is not None and not set(cells) & set(condition.in_):
            return False
        if condition.matches is not None and not any(
            re.search(condition.matches, c) for c in cells
        ):
            return False
        if condition.not_matches is not None and any(
            re.search(condition.not_matches, c) for c in cells
        ):
            return False
    return True


# --------------------------------------------------------------------------- rows


def _ftm_rows(path: Path) -> Iterator[tuple[int, Row, str, Any]]:
    model = _ftm_model()
    for number, line in enumerate(_lines(path), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            proxy = model.get_proxy(data)
        except (json.JSONDecodeError, TypeError, ValueError, KeyError) as exc:
            raise ParseError(path, f"line {number}", f"not an FtM entity: {exc}") from None
        row: Row = {name: proxy.get(name) for name in proxy.properties}
        row.update(id=[proxy.id], schema=[proxy.schema.name], caption=[proxy.caption])
        for meta in ("datasets", "first_seen", "last_seen", "referents"):
            value = data.get(meta)
            row[meta] = value if isinstance(value, list) else [value] if value else []
        yield number, row, line.strip(), proxy.schema


def _csv_rows(path: Path, mapping: Mapping) -> Iterator[tuple[int, Row, str, Any]]:
    reader = csv.reader(_lines(path), delimiter=mapping.delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        return
    if mapping.header is not None and header != mapping.header:
        raise ParseError(
            path, "line 1", f"the columns {header} are not the mapping's header {mapping.header}"
        )
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                raise ParseError(
                    path,
                    f"line {reader.line_num}",
                    f"{len(cells)} cells, but the header has {len(header)}",
                )
            text = "; ".join(f"{h}: {c.strip()}" for h, c in zip(header, cells, strict=True) if c)
            row: Row = {h: [c] if c.strip() else [] for h, c in zip(header, cells, strict=True)}
            yield reader.line_num, row, text, None
    except csv.Error as exc:
        raise ParseError(path, f"line {reader.line_num}", f"invalid CSV: {exc}") from None


def _as_row(item: dict[str, Any]) -> Row:
    row: Row = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list):
            row[prefix] = [v for v in value if v is not None and not isinstance(v, dict)]
        else:
            row[prefix] = [] if value is None else [value]

    walk("", item)
    return row


def _json_rows(path: Path, mapping: Mapping) -> Iterator[tuple[int, Row, str, Any]]:
    if mapping.format == "jsonl" or (mapping.format is None and path.suffix == ".jsonl"):
        for number, line in enumerate(_lines(path), start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ParseError(path, f"line {number}", f"invalid JSON: {exc.msg}") from None
            if not isinstance(item, dict):
                raise ParseError(path, f"line {number}", "each line must be a JSON object")
            yield number, _as_row(item), line.strip(), None
        return
    try:
        document = json.loads(_text(path))
    except json.JSONDecodeError as exc:
        raise ParseError(path, f"line {exc.lineno}", f"invalid JSON: {exc.msg}") from None
    for key in (mapping.records_at or "").split(".") if mapping.records_at else ():
        document = document.get(key) if isinstance(document, dict) else None
    if not isinstance(document, list):
        raise ParseError(path, "", f"no list of rows at '{mapping.records_at or '(top)'}'")
    for index, item in enumerate(document, start=1):
        if not isinstance(item, dict):
            raise ParseError(path, f"record {index}", "each row must be a JSON object")
        yield index, _as_row(item), json.dumps(item, ensure_ascii=False), None


def _rows(path: Path, mapping: Mapping) -> Iterator[tuple[int, Row, str, Any]]:
    fmt = mapping.format or path.suffix.lower().lstrip(".")
    if fmt == "ftm":
        return _ftm_rows(path)
    if fmt == "csv":
        return _csv_rows(path, mapping)
    if fmt in {"json", "jsonl"}:
        return _json_rows(path, mapping)
    raise ParseError(path, "", f"the mapping reads csv, json, jsonl or ftm, not '{fmt}'")


# --------------------------------------------------------------------------- records


def _validate(kind: str, data: dict[str, Any], ids: str) -> list[tuple[str, str]]:
    """The fields of a record that its kind's model refuses: (field, message)."""
    model = NODE_BY_KIND[kind].model if kind in NODE_BY_KIND else RELATION_BY_KIND[kind].model
    try:
        model.model_validate({k: v for k, v in data.items() if k not in LOADER_FLAGS})
    except ValidationError as error:
        out = []
        for item in error.errors():
            field = str(item["loc"][0]) if item["loc"] else "(record)"
            if ids == "resolve" and field == "id" and item["type"] == "missing":
                continue
            out.append((field, f"value {item.get('input')!r}: {item['msg']}"))
        return out
    return []


class MappedFile:
    """The records one mapping makes of one data file, pass by pass."""

    def __init__(self, mapping: Mapping, mapping_path: Path, path: Path) -> None:
        self.mapping, self.mapping_path, self.path = mapping, mapping_path, path
        self.list_fields = {
            name: {
                f for f, i in _model_fields(spec.kind).items() if get_origin(i.annotation) is list
            }
            for name, spec in mapping.records.items()
        }

    def _where(self, number: int, name: str, field: str, spec: Spec | None) -> str:
        record = self.mapping.records[name]
        columns = (
            [spec.column] if spec and spec.column else list(spec.columns or []) if spec else []
        )
        column = f"column {', '.join(repr(c) for c in columns)} " if columns else ""
        line = spec.line if spec and spec.line else record.line
        return (
            f"{self.path}:line {number}: {column}(record '{name}', field '{field}', "
            f"mapping {self.mapping_path.name}:line {line})"
        )

    def _record(
        self, number: int, name: str, spec: RecordSpec, ctx: _Context, problems: list[str]
    ) -> dict[str, Any] | None:
        fields = _model_fields(spec.kind)
        specs = {f: s for f, s in self.mapping.defaults.items() if f in fields}
        specs.update(spec.fields)
        data: dict[str, Any] = {}
        bad = False
        for field, field_spec in specs.items():
            try:
                found = values(field_spec, ctx)
            except _Problem as exc:
                problems.append(f"{self._where(number, name, field, field_spec)}: {exc}")
                bad = True
                continue
            if not found:
                continue
            if field in self.list_fields[name] or field_spec.pick == "all":
                data[field] = found
            elif len(found) == 1 or field_spec.pick == "first":
                data[field] = found[0]
            elif field_spec.pick == "last":
                data[field] = found[-1]
            else:
                problems.append(
                    f"{self._where(number, name, field, field_spec)}: {len(found)} values "
                    f"{found[:4]} for a single field; say pick: first or last, or join"
                )
                bad = True
        if bad:
            return None
        if spec.kind in RELATION_BY_KIND:
            if not data.get("subject") or not data.get("object"):
                return None  # the row names no party (e.g. no subsidiary): no fact
        else:
            key = [str(values_or_empty(ctx, k)) for k in spec.keys or ()]
            if spec.keys is not None and not any(key):
                return None  # no key, no entity (as in followthemoney)
            if not data.get("name") and "name" in _required(spec.kind):
                return None
            if "aliases" in data:
                data["aliases"] = [a for a in data["aliases"] if a != data["name"]]
            identifiers = {}
            for scheme, id_spec in spec.identifiers.items():
                found = values(id_spec, ctx)
                if found:
                    identifiers[scheme] = str(found[0])
            if spec.id is not None:
                own = values(spec.id, ctx)
                if own:
                    data["id"] = str(own[0])
            elif spec.keys is not None and self.mapping.ids == "generate":
                data["id"] = spec.prefix + slugify("-".join(k for k in key if k))
            if identifiers and self.mapping.ids == "resolve":
                data["identifiers"] = identifiers
            if spec.join_by_name:
                data["resolve_by_name"] = True
        for field, message in _validate(spec.kind, data, self.mapping.ids):
            failing = specs.get(field)
            problems.append(f"{self._where(number, name, field, failing)}: {message}")
            bad = True
        return None if bad else data

    def records(self, part: Part | None = None) -> Iterator[RawRecord]:
        mapping = self.mapping
        for kind, items in mapping.static.items():
            for index, item in enumerate(items, start=1):
                if part is None or (kind in NODE_BY_KIND) == (part == "nodes"):
                    where = f"line {item.get('__line__', index)}"
                    yield RawRecord(kind, _strip_lines(item), self.mapping_path, where)
        nodes: dict[tuple[str, str], tuple[RawRecord, dict[str, Any]]] = {}
        facts: set[tuple[Any, ...]] = set()
        problems: list[str] = []
        for number, row, text, schema in _rows(self.path, mapping):
            ctx = _Context(row, text)
            try:
                for column, derived in mapping.derive.items():
                    row[column] = values(derived, ctx)
            except _Problem as exc:
                problems.append(
                    f"{self.path}:line {number}: derived column '{column}' "
                    f"(mapping {self.mapping_path.name}:line {derived.line}): {exc}"
                )
                continue
            if not _passes(mapping.filters, ctx, schema):
                continue
            for name, spec in mapping.records.items():
                if not _passes(spec.when, ctx, schema):
                    continue
                data = self._record(number, name, spec, ctx, problems)
                if data is None:
                    continue
                is_node = spec.kind in NODE_BY_KIND
                ctx.refs[name] = str(data.get("id") or data.get("name"))
                if part is not None and is_node != (part == "nodes"):
                    continue
                where = f"line {number} (mapping {self.mapping_path.name}, record '{name}')"
                raw = RawRecord(spec.kind, data, self.path, where)
                if is_node:
                    identity = (spec.kind, ctx.refs[name])
                    if identity in nodes:
                        _merge(nodes[identity][1], data)
                    else:
                        nodes[identity] = (raw, data)
                    continue
                fact = (spec.kind, *(str(data.get(f)) for f in FACT_IDENTITY))
                if fact not in facts:
                    facts.add(fact)
                    yield raw
            if len(problems) > 200:
                break
        if problems:
            raise MappedRowErrors(problems)
        for raw, _ in nodes.values():
            yield raw


def values_or_empty(ctx: _Context, column: str) -> str:
    found = _cell(ctx.row, column)
    return str(found[0]).strip() if found else ""


def _merge(first: dict[str, Any], later: dict[str, Any]) -> None:
    """Records of one entity from several rows: lists united, the first row's scalars kept."""
    for field, value in later.items():
        if isinstance(value, list):
            known = first.setdefault(field, [])
            known.extend(v for v in value if v not in known and v != first.get("name"))
        else:
            first.setdefault(field, value)


# --------------------------------------------------------------------------- finding one


def mapping_for(path: Path, folder: Path) -> Path | None:
    """The shipped mapping whose ``header`` is this CSV's header, if there is one."""
    if path.suffix.lower() != ".csv" or not folder.is_dir():
        return None
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = [h.strip() for h in next(csv.reader(handle), [])]
    except (OSError, UnicodeDecodeError, csv.Error):
        return None
    for candidate in sorted(folder.glob("*.yaml")):
        try:
            document = yaml.safe_load(candidate.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            continue
        if isinstance(document, dict) and document.get("header") == header:
            return candidate
    return None
