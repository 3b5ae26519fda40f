"""The query library: one ``.cypher`` file per named query in ``cypher/``.

Each file opens with a ``/* ... */`` block holding a YAML header, so cypher-shell and Browser
still run the file as is::

    /*
    name: firms-relying-on
    title: Firms of a country that rely on a technology
    description: ...
    mode: read
    params:
      - {name: country, type: entity, labels: [Country], default: CN, description: ...}
    returns: [firm, firm_id, ...]
    example: {country: CN, tech: CUDA}
    */
    MATCH (c:Country {id: $country}) ...

Loading checks every file: the header is complete, the parameters it declares are exactly the
``$params`` the body uses, every variable-length pattern has an upper bound no larger than
:data:`MAX_HOPS`, and the example binds. Running a query coerces its parameters, resolves
``entity`` parameters (a name, alias or id) to ids, and runs it read-only.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import hashlib
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from kb import statements
from kb.errors import QueryError
from kb.paths import cypher_dir
from kb.settings import DEFAULT_TIMEOUT

if TYPE_CHECKING:
    import neo4j

MAX_HOPS = 6  # the largest upper bound any variable-length pattern of the library may use
NAME_PATTERN = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
PARAM_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
# An optional entity parameter (default null) also takes one of these for "no filter".
ALL_VALUES = frozenset({"all", "any", "*", ""})
# A paged query (header `paged: true`) ends with `SKIP $skip LIMIT $limit` after an order that
# is total (ties broken by ids), so pages are stable; the runner binds both, and these are the
# values that mean "the whole answer".
PAGE_PARAMS = ("skip", "limit")
ALL_ROWS = 2**62
PAGE_SIZE = 100  # the rows of a page when a caller pages without saying how many
ROWS_OF = "$($query)"  # in a summary file: the body of the query it summarises

ParamType = Literal["string", "integer", "float", "boolean", "entity", "entities", "list"]
_MISSING: Any = object()


class ParamSpec(BaseModel):
    """One parameter of a query, as its header declares it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=PARAM_PATTERN)
    type: ParamType
    description: str = Field(min_length=1)
    default: Any = None
    labels: tuple[str, ...] = ()  # entity: the node labels the value may resolve to
    choices: tuple[str, ...] = ()  # string: the allowed values
    min: float | None = None  # integer / float bounds
    max: float | None = None

    @property
    def required(self) -> bool:
        return "default" not in self.model_fields_set

    @model_validator(mode="after")
    def _consistent(self) -> ParamSpec:
        if self.name == "name":
            raise ValueError("'name' is reserved (KnowledgeBase.query takes the query's name)")
        from kb.schema import NODE_BY_LABEL  # the fixed schema, imported when a label is checked

        unknown = [label for label in self.labels if label not in NODE_BY_LABEL]
        if unknown:
            raise ValueError(f"unknown label(s) {unknown}; the schema has {sorted(NODE_BY_LABEL)}")
        if self.labels and self.type not in ("entity", "entities"):
            raise ValueError("'labels' is only for entity parameters")
        if self.choices and self.type != "string":
            raise ValueError("'choices' is only for string parameters")
        if (self.min is not None or self.max is not None) and self.type not in (
            "integer",
            "float",
        ):
            raise ValueError("'min'/'max' are only for integer and float parameters")
        return self

    def describe_type(self) -> str:
        if self.type in ("entity", "entities"):
            return f"{self.type} ({' | '.join(self.labels)})" if self.labels else self.type
        if self.choices:
            return f"string ({' | '.join(self.choices)})"
        if self.min is not None or self.max is not None:
            low = "" if self.min is None else f"{self.min:g}"
            high = "" if self.max is None else f"{self.max:g}"
            return f"{self.type} ({low}..{high})"
        return self.type


class QueryHeader(BaseModel):
    """The YAML header of a library file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=NAME_PATTERN)
    title: str = Field(min_length=1)
    description: str = Field(min_length=1)
    mode: Literal["read"]
    params: tuple[ParamSpec, ...] = ()
    returns: tuple[str, ...] = Field(min_length=1)
    example: dict[str, Any] = {}
    # The body ends with `SKIP $skip LIMIT $limit`, which the runner binds (see PAGE_PARAMS).
    paged: bool = False
    # Why an answer may be empty and which query would answer instead; `{param}` stands for
    # the value given (or the default) of a parameter.
    empty: str | None = None

    @model_validator(mode="after")
    def _empty_names_params(self) -> QueryHeader:
        if self.paged and (taken := [p.name for p in self.params if p.name in PAGE_PARAMS]):
            raise ValueError(f"a paged query binds {taken} itself: rename the parameter")
        if self.empty:
            named = set(re.findall(r"\{(\w+)\}", self.empty))
            if unknown := sorted(named - {p.name for p in self.params}):
                raise ValueError(f"'empty' names no parameter {unknown}")
        return self


class Answer(list[dict[str, Any]]):
    """A query's rows; ``note`` says, when there are none, why and what to ask instead.

    A page of a paged query also knows where it starts (``offset``), the cursor of the next
    page (``next_cursor``, None after the last) and, counted on the server when first asked,
    how many rows follow it (``remaining``; None when the count did not finish in time).
    """

    note: str | None = None
    offset: int = 0
    next_cursor: str | None = None
    _counter: Callable[[], int | None] | None = None
    _remaining: int | None = None
    _counted: bool = False

    @property
    def more(self) -> bool:
        """Rows follow this page (there is a next cursor)."""
        return self.next_cursor is not None

    @property
    def remaining(self) -> int | None:
        """How many rows follow this page: 0 after the last page or a whole answer; counted on
        the server on first use for a page with more (None if not counted within the timeout)."""
        if not self.more:
            return 0
        if not self._counted and self._counter is not None:
            self._remaining = self._counter()
            self._counted = True
        return self._remaining


@dataclass(frozen=True)
class Query:
    """A named, documented, read-only query of the library."""

    header: QueryHeader
    body: str  # the Cypher after the header, as sent to the server
    text: str  # the whole file
    path: Path
    summary: Query | None = None  # cypher/summary/NAME.cypher: counts per group, same params

    @property
    def name(self) -> str:
        return self.header.name

    @property
    def title(self) -> str:
        return self.header.title

    @property
    def params(self) -> tuple[ParamSpec, ...]:
        return self.header.params

    def bind(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """Defaults filled in and values coerced to their types; entity values stay names.

        A missing, unknown or mistyped parameter is a :class:`QueryError`, raised before
        anything reaches the database.
        """
        unknown = sorted(set(given) - {p.name for p in self.params})
        if unknown:
            takes = ", ".join(p.name for p in self.params) or "no parameters"
            hint = _suggest(unknown[0], [p.name for p in self.params])
            raise QueryError(
                f"Query '{self.name}' has no parameter {', '.join(map(repr, unknown))}{hint}; "
                f"it takes: {takes}."
            )
        bound: dict[str, Any] = {}
        for spec in self.params:
            if spec.name in given:
                bound[spec.name] = coerce(self.name, spec, given[spec.name])
            elif spec.required:
                raise QueryError(
                    f"Query '{self.name}' needs parameter '{spec.name}' "
                    f"({spec.describe_type()}: {spec.description}). "
                    f"Example: {self.example_command()}"
                )
            else:
                bound[spec.name] = coerce(self.name, spec, spec.default)
        return bound

    def empty_note(self, given: Mapping[str, Any]) -> str:
        """What an empty answer means: the header's ``empty`` text with the values given."""
        values = {
            spec.name: _note_value(given.get(spec.name, spec.default)) for spec in self.params
        }
        asked = ", ".join(f"{k}={v}" for k, v in values.items() if k in given) or "the defaults"
        why = (self.header.empty or "").format_map(values).strip()
        return " ".join(
            part
            for part in (
                f"No rows for {self.name} with {asked}.",
                why,
                f"`kb query show {self.name}` says what the query reads.",
            )
            if part
        )

    def example_command(self) -> str:
        args = " ".join(
            f"-p {_shell(f'{k}={_cli_value(v)}')}" for k, v in self.header.example.items()
        )
        return f"kb query run {self.name}" + (f" {args}" if args else "")


# --------------------------------------------------------------------------- coercion


def _type_error(query: str, spec: ParamSpec, value: Any, wanted: str) -> QueryError:
    return QueryError(f"Parameter '{spec.name}' of query '{query}' takes {wanted}, got {value!r}.")


def coerce(query: str, spec: ParamSpec, value: Any) -> Any:
    """One parameter value as its declared type (``None`` stays ``None`` when optional)."""
    if value is None:
        if spec.required:
            raise QueryError(f"Parameter '{spec.name}' of query '{query}' may not be null.")
        return None
    if spec.type == "entity":
        return _coerce_entity(query, spec, value)
    if spec.type == "string":
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise _type_error(query, spec, value, "a string")
        text = str(value)
        if spec.choices and text not in spec.choices:
            hint = _suggest(text, list(spec.choices))
            raise QueryError(
                f"Parameter '{spec.name}' of query '{query}' takes one of "
                f"{', '.join(spec.choices)}; got {text!r}{hint}."
            )
        return text
    if spec.type == "boolean":
        return _coerce_boolean(query, spec, value)
    if spec.type in ("list", "entities"):
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, list | tuple):
            if spec.type == "entities":
                return [_coerce_entity(query, spec, item) for item in value]
            return list(value)
        raise _type_error(query, spec, value, "a list (JSON or comma-separated)")
    return _coerce_number(query, spec, value)


def _coerce_entity(query: str, spec: ParamSpec, value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _type_error(query, spec, value, "a name, alias or id")
    text = str(value).strip()
    if text.lower() in ALL_VALUES:
        if spec.required:
            raise QueryError(
                f"Parameter '{spec.name}' of query '{query}' needs one entity, not {text!r}."
            )
        return None
    return text


def _coerce_boolean(query: str, spec: ParamSpec, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    words = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
    key = str(value).strip().lower()
    if isinstance(value, str | int) and key in words:
        return words[key]
    raise _type_error(query, spec, value, "true or false")


def _coerce_number(query: str, spec: ParamSpec, value: Any) -> int | float:
    wanted = "an integer" if spec.type == "integer" else "a number"
    if isinstance(value, bool):
        raise _type_error(query, spec, value, wanted)
    number: int | float
    try:
        if spec.type == "integer":
            if isinstance(value, float) and not value.is_integer():
                raise ValueError
            number = int(value) if not isinstance(value, str) else int(value.strip())
        else:
            number = float(value)
    except (TypeError, ValueError):
        raise _type_error(query, spec, value, wanted) from None
    if (spec.min is not None and number < spec.min) or (spec.max is not None and number > spec.max):
        low = "-inf" if spec.min is None else f"{spec.min:g}"
        high = "inf" if spec.max is None else f"{spec.max:g}"
        raise QueryError(
            f"Parameter '{spec.name}' of query '{query}' must be between {low} and {high}; "
            f"got {number}."
        )
    return number


# --------------------------------------------------------------------------- parsing

# libyaml's safe loader when PyYAML has it (ten times faster), else the pure-Python one.
_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_HEADER = re.compile(r"\A\s*/\*(?P<yaml>.*?)\*/", re.DOTALL)
_PARAM_USE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_REL_PATTERN = re.compile(r"-\s*\[[^\[\]]*\]\s*-")
_VAR_LENGTH = re.compile(r"\*\s*(\d*)\s*(\.\.\s*(\d*))?")
_QUANTIFIER = re.compile(r"\)\s*\{\s*(\d*)\s*(,\s*(\d*))?\s*\}")
_UNBOUNDED_QPP = re.compile(r"\)\s*[+*]\s*\(")


@cache  # parse_file asks three times per body
def code_only(text: str) -> str:
    """The Cypher with comments and string literals blanked out (lengths kept)."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        two = text[i : i + 2]
        if two == "//":
            end = text.find("\n", i)
            end = n if end < 0 else end
        elif two == "/*":
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
        elif text[i] in "'\"`":
            quote, end = text[i], i + 1
            while end < n and text[end] != quote:
                end += 2 if text[end] == "\\" else 1
            end = min(end + 1, n)
        else:
            out.append(text[i])
            i += 1
            continue
        out.append("".join(c if c == "\n" else " " for c in text[i:end]))
        i = end
    return "".join(out)


def used_params(body: str) -> set[str]:
    return set(_PARAM_USE.findall(code_only(body)))


def unbounded_patterns(body: str) -> list[str]:
    """Variable-length patterns without an upper bound, or with one above MAX_HOPS."""
    code = code_only(body)
    problems: list[str] = []
    for match in _REL_PATTERN.finditer(code):
        star = _VAR_LENGTH.search(match.group())
        if not star:
            continue
        lower, dots, upper = star.group(1), star.group(2), star.group(3)
        bound = (upper or None) if dots else (lower or None)
        if bound is None or int(bound) > MAX_HOPS:
            problems.append(match.group())
    for match in _QUANTIFIER.finditer(code):
        lower, comma, upper = match.group(1), match.group(2), match.group(3)
        bound = (upper or None) if comma else (lower or None)
        if bound is None or int(bound) > MAX_HOPS:
            problems.append(match.group())
    problems.extend(m.group() for m in _UNBOUNDED_QPP.finditer(code))
    return problems


def parse_file(path: Path, rows_of: Query | None = None) -> Query:
    """One library file, checked; any problem is a :class:`QueryError` naming the file.

    A summary (``rows_of``: the query it summarises) may count the rows of that query itself:
    its ``$($query)`` line stands for the query's body, run whole (so the counts are those
    of the whole answer)."""
    text = statements.read(path)
    if rows_of is not None and ROWS_OF in text:
        text = text.replace(ROWS_OF, rows_of.body)
    where = f"{path.name}"
    match = _HEADER.match(text)
    if not match:
        raise QueryError(f"{where}: the file must open with a /* ... */ YAML header.")
    try:
        data = yaml.load(match.group("yaml"), Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" (line {mark.line + 1})" if mark is not None else ""
        raise QueryError(f"{where}: the header is not valid YAML{line}: {exc}") from None
    if not isinstance(data, dict):
        raise QueryError(f"{where}: the header must be a YAML mapping.")
    try:
        header = QueryHeader.model_validate(data)
    except ValidationError as exc:
        details = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'header'}: {err['msg']}"
            for err in exc.errors()
        )
        raise QueryError(f"{where}: bad header: {details}") from None
    body = text[match.end() :].strip()
    problems: list[str] = []
    if header.name != path.stem:
        problems.append(f"name '{header.name}' differs from the file name '{path.stem}'")
    if not code_only(body).strip():
        problems.append("the file has no Cypher after its header")
    declared = [p.name for p in header.params]
    if len(set(declared)) != len(declared):
        problems.append(f"a parameter is declared twice: {declared}")
    used = used_params(body)
    if rows_of is not None and rows_of.header.paged and ROWS_OF in statements.read(path):
        used -= set(PAGE_PARAMS)  # the summarised query's own paging, bound to the whole answer
    if header.paged:
        if absent := [name for name in PAGE_PARAMS if name not in used]:
            problems.append(f"a paged query ends with SKIP $skip LIMIT $limit; ${absent[0]} unused")
        used -= set(PAGE_PARAMS)
    if missing := sorted(used - set(declared)):
        problems.append(f"the body uses ${', $'.join(missing)} but the header does not declare it")
    if unused := sorted(set(declared) - used):
        problems.append(f"the header declares {', '.join(unused)} but the body never uses it")
    if bad := unbounded_patterns(body):
        problems.append(
            f"variable-length patterns need an upper bound of at most {MAX_HOPS}: {bad}"
        )
    if problems:
        raise QueryError(f"{where}: " + "; ".join(problems) + ".")
    query = Query(header=header, body=body, text=text, path=path)
    try:
        for spec in header.params:
            if not spec.required:
                coerce(header.name, spec, spec.default)
        query.bind(header.example)
    except QueryError as exc:
        raise QueryError(f"{where}: the default or example does not bind: {exc}") from None
    return query


# --------------------------------------------------------------------------- the library


@dataclass(frozen=True)
class Library:
    directory: Path
    queries: dict[str, Query]

    @property
    def names(self) -> list[str]:
        return sorted(self.queries)

    def get(self, name: str) -> Query:
        try:
            return self.queries[name]
        except KeyError:
            hint = _suggest(name, self.names)
            raise QueryError(
                f"Unknown query '{name}'{hint}. `kb query list` shows the {len(self.queries)} "
                "queries of the library."
            ) from None


@cache
def _load(directory: Path) -> Library:
    if not directory.is_dir():
        raise QueryError(f"The query library folder {directory} does not exist.")
    queries: dict[str, Query] = {}
    problems: list[str] = []
    for path in statements.library_paths(directory):
        try:
            queries[path.stem] = parse_file(path)
        except QueryError as exc:
            problems.append(str(exc))
    for path in statements.library_paths(directory / statements.SUMMARY_DIR):
        where = f"{statements.SUMMARY_DIR}/{path.name}"
        main = queries.get(path.stem)
        if main is None:
            problems.append(f"{where}: summarises no query of the library (no {path.name})")
            continue
        try:
            summary = parse_file(path, rows_of=main)
        except QueryError as exc:
            problems.append(f"{statements.SUMMARY_DIR}/{exc}")
            continue
        if summary.header.paged:
            problems.append(f"{where}: a summary answers in one piece: drop paged: true")
        elif summary.params != main.params:
            problems.append(f"{where}: a summary takes the parameters of {main.name}, as declared")
        else:
            queries[path.stem] = replace(main, summary=summary)
    if problems:
        raise QueryError(
            f"The query library in {directory} has {len(problems)} broken file(s):\n  - "
            + "\n  - ".join(problems)
        )
    return Library(directory, queries)


def load_library(directory: Path | None = None) -> Library:
    """Every query of ``directory`` (default: the packaged ``cypher/`` folder), checked."""
    return _load((directory or cypher_dir()).resolve())


def resolved_params(
    driver: neo4j.Driver, database: str | None, query: Query, given: Mapping[str, Any]
) -> dict[str, Any]:
    """The query's parameters bound and coerced, entity names resolved to ids; a paged query
    gets the whole answer (``skip`` 0, ``limit`` :data:`ALL_ROWS`) unless the caller pages."""
    from kb import resolve

    bound = query.bind(given)
    if query.header.paged:
        bound.update(skip=0, limit=ALL_ROWS)
    for spec in query.params:
        if spec.type == "entity" and bound[spec.name] is not None:
            bound[spec.name] = resolve.resolve(
                driver, database, bound[spec.name], spec.labels, param=spec.name, query=query.name
            ).id
        elif spec.type == "entities" and bound[spec.name] is not None:
            bound[spec.name] = [
                resolve.resolve(
                    driver, database, item, spec.labels, param=spec.name, query=query.name
                ).id
                for item in bound[spec.name]
                if item is not None
            ]
    return bound


def run_resolved(
    driver: neo4j.Driver,
    database: str | None,
    query: Query,
    bound: Mapping[str, Any],
    *,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> list[dict[str, Any]]:
    """Run a query whose parameters :func:`resolved_params` made, read-only, within ``timeout``
    seconds."""
    from kb import db

    return db.run(
        driver,
        database,
        query.body,
        bound,
        shipped=True,
        name=f"query:{query.name}",
        timeout=timeout,
    )


def run(
    driver: neo4j.Driver,
    database: str | None,
    name: str,
    params: Mapping[str, Any] | None = None,
    *,
    library: Library | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> Answer:
    """Run one named query read-only (stopped after ``timeout`` seconds): its rows, with a
    note when there are none."""
    query = (library or load_library()).get(name)
    rows = Answer(
        run_resolved(
            driver,
            database,
            query,
            resolved_params(driver, database, query, params or {}),
            timeout=timeout,
        )
    )
    if not rows:
        rows.note = query.empty_note(params or {})
    return rows


# --------------------------------------------------------------------------- pages


def _params_key(name: str, bound: Mapping[str, Any]) -> str:
    """A short hash of a query's bound parameters (the page's own skip/limit left out)."""
    values = {k: v for k, v in bound.items() if k not in PAGE_PARAMS}
    text = json.dumps([name, values], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def make_cursor(name: str, bound: Mapping[str, Any], offset: int) -> str:
    """An opaque token for the page of ``name`` that starts at ``offset``, valid only for the
    same parameters (as resolved: a name and its id give the same cursor)."""
    data = json.dumps({"q": name, "p": _params_key(name, bound), "o": offset}, sort_keys=True)
    return base64.urlsafe_b64encode(data.encode()).decode().rstrip("=")


def read_cursor(token: str, name: str, bound: Mapping[str, Any]) -> int:
    """The offset a cursor of :func:`make_cursor` holds, once it is checked to be a page of
    query ``name`` with these parameters."""
    try:
        raw = base64.urlsafe_b64decode(token.strip() + "=" * (-len(token.strip()) % 4))
        data = json.loads(raw)
        query, key, offset = data["q"], data["p"], data["o"]
        if not (isinstance(query, str) and isinstance(key, str) and isinstance(offset, int)):
            raise TypeError
        if offset < 0:
            raise ValueError
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError, KeyError):
        raise QueryError(
            f"{token[:40]!r} is not a page cursor: use the one the previous page printed."
        ) from None
    if query != name:
        raise QueryError(
            f"This cursor is a page of query '{query}', not of '{name}': "
            f"ask for '{query}' with it, or run '{name}' without --cursor for its first page."
        )
    if key != _params_key(name, bound):
        raise QueryError(
            f"This cursor is a page of '{name}' with other parameters: give the parameters of "
            "the page it came from, or run the query without --cursor for the first page."
        )
    return offset


def paged_query(lib: Library, name: str) -> Query:
    query = lib.get(name)
    if not query.header.paged:
        raise QueryError(
            f"Query '{name}' does not page (its answer does not grow with the graph): run it "
            "without a cursor."
        )
    return query


def count_rows(
    driver: neo4j.Driver,
    database: str | None,
    query: Query,
    bound: Mapping[str, Any],
    *,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> int | None:
    """How many rows a paged query gives from ``bound['skip']`` on, counted on the server
    (the library text wrapped in ``cypher/page/count.cypher``); None if the count takes more
    than ``timeout`` seconds."""
    from kb import db
    from kb.errors import QueryStopped

    text = statements.statement("page/count").replace(ROWS_OF, query.body)
    try:
        rows = db.run(
            driver,
            database,
            text,
            {**bound, "limit": ALL_ROWS},
            shipped=True,
            name=f"count:{query.name}",
            timeout=timeout,
        )
    except QueryStopped:
        return None
    return int(rows[0]["rows"])


def run_page(
    driver: neo4j.Driver,
    database: str | None,
    name: str,
    params: Mapping[str, Any] | None = None,
    *,
    limit: int = PAGE_SIZE,
    cursor: str | None = None,
    library: Library | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> Answer:
    """One page of a paged query: at most ``limit`` rows, from the start or from where
    ``cursor`` (a previous page's ``next_cursor``) says. The server stops after the page (and
    one row more, to know whether the answer goes on); ``remaining`` counts the rest when
    first asked, within ``timeout``."""
    if limit < 0:
        raise QueryError(f"A page holds 0 rows or more, not {limit}.")
    query = paged_query(library or load_library(), name)
    bound = resolved_params(driver, database, query, params or {})
    offset = read_cursor(cursor, name, bound) if cursor is not None else 0
    rows = run_resolved(
        driver, database, query, {**bound, "skip": offset, "limit": limit + 1}, timeout=timeout
    )
    answer = Answer(rows[:limit])
    answer.offset = offset
    if len(rows) > limit:
        answer.next_cursor = make_cursor(name, bound, offset + limit)
        rest = {**bound, "skip": offset + limit}
        answer._counter = lambda: count_rows(driver, database, query, rest, timeout=timeout)
    if not answer and offset == 0:
        answer.note = query.empty_note(params or {})
    return answer


def iter_pages(
    driver: neo4j.Driver,
    database: str | None,
    name: str,
    params: Mapping[str, Any] | None = None,
    *,
    size: int = PAGE_SIZE,
    library: Library | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> Iterator[Answer]:
    """The pages of a paged query, each fetched when the iteration reaches it (each read
    within ``timeout``); names are resolved once."""
    if size < 1:
        raise QueryError(f"A page holds 1 row or more, not {size}.")
    query = paged_query(library or load_library(), name)
    bound = resolved_params(driver, database, query, params or {})
    offset = 0
    while True:
        rows = run_resolved(
            driver, database, query, {**bound, "skip": offset, "limit": size + 1}, timeout=timeout
        )
        page = Answer(rows[:size])
        page.offset = offset
        if len(rows) > size:
            page.next_cursor = make_cursor(name, bound, offset + size)
        elif not page and offset == 0:
            page.note = query.empty_note(params or {})
        yield page
        if not page.more:
            return
        offset += size


def run_summary(
    driver: neo4j.Driver,
    database: str | None,
    name: str,
    params: Mapping[str, Any] | None = None,
    *,
    library: Library | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> Answer:
    """The summary of a query (``cypher/summary/NAME.cypher``): counts per group."""
    query = (library or load_library()).get(name)
    if query.summary is None:
        lib = library or load_library()
        have = [q for q in lib.names if lib.queries[q].summary is not None]
        raise QueryError(f"Query '{name}' has no summary; these do: {', '.join(have) or 'none'}.")
    summary = query.summary
    bound = resolved_params(driver, database, summary, params or {})
    if set(PAGE_PARAMS) <= used_params(summary.body):  # it counts the rows of the query itself
        bound.update(skip=0, limit=ALL_ROWS)
    rows = Answer(run_resolved(driver, database, summary, bound, timeout=timeout))
    if not rows:
        rows.note = query.empty_note(params or {})
    return rows


# --------------------------------------------------------------------------- helpers


def _suggest(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=3, cutoff=0.6)
    return f" (did you mean {', '.join(map(repr, close))}?)" if close else ""


def _note_value(value: Any) -> str:
    if value is None:
        return "(any)"
    return _cli_value(value)


def _cli_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


def _shell(arg: str) -> str:
    if re.fullmatch(r"[A-Za-z0-9_=.,:/@+-]+", arg):
        return arg
    return "'" + arg.replace("'", "'\\''") + "'"
