"""The Python API: one object that does everything the `kb` command does.

Each `kb` command is one call on :class:`KnowledgeBase`; docs/python.md shows each method::

    from kb import KnowledgeBase

    with KnowledgeBase() as kb:                 # the CLI's settings; connects on first use
        rows = kb.query("firms-relying-on", {"country": "China", "tech": "CUDA"})
        rows = kb.cypher("MATCH (c:Company {id: $id}) RETURN c.name AS name", {"id": "catl"})

The methods that need no server (:attr:`~KnowledgeBase.queries`,
:meth:`~KnowledgeBase.describe`, :meth:`~KnowledgeBase.seed_check`) never connect. The driver
and the heavy modules are imported when a method first needs them, so that importing this
module (and ``kb --help``) stays quick.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from kb.settings import DEFAULT_TIMEOUT, Connection, resolve_connection

if TYPE_CHECKING:
    import neo4j

    from kb.decisions import Decision
    from kb.library import Answer, Query
    from kb.load.bulk import BulkReport
    from kb.load.entities import OnAmbiguous
    from kb.load.runner import LoadReport
    from kb.load.writer import Progress
    from kb.merge import Merged
    from kb.progress import Phases
    from kb.resolve import Entity
    from kb.seedcheck import SeedCheck
    from kb.unload import UnloadReport

log = logging.getLogger(__name__)

SEED = "seed"  # as a path of load(): the curated seed shipped with the package
EXPORT_FORMATS = ("json", "csv", "graphml")


@dataclass(frozen=True)
class QueryParam:
    """One parameter of a library query, as its header declares it."""

    name: str
    type: str  # string, integer, float, boolean, entity or list
    description: str
    required: bool
    default: Any = None  # the value used when the parameter is not given (when not required)
    labels: tuple[str, ...] = ()  # entity: the labels the name may resolve to
    choices: tuple[str, ...] = ()  # string: the allowed values
    min: float | None = None
    max: float | None = None
    type_text: str = ""  # the type as `kb query show` prints it: "entity (Company | Product)"

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "type": self.type, "required": self.required}
        if not self.required:
            out["default"] = self.default
        for key in ("labels", "choices"):
            if getattr(self, key):
                out[key] = list(getattr(self, key))
        for key in ("min", "max"):
            bound = getattr(self, key)
            if bound is not None:
                out[key] = int(bound) if self.type == "integer" else bound
        out["description"] = self.description
        return out


@dataclass(frozen=True)
class QueryInfo:
    """A named query of the library: what it answers, its parameters, an example, its Cypher."""

    name: str
    title: str
    description: str
    params: tuple[QueryParam, ...]
    returns: tuple[str, ...]
    example: Mapping[str, Any]
    example_command: str  # the example as a `kb query run` command line
    cypher: str  # the whole file, header included: runnable as it is in Browser
    path: Path
    empty: str | None = None  # why an answer may be empty, and which query would answer
    paged: bool = False  # the server pages it (--limit N, --cursor TOKEN)
    summary: str | None = None  # the summary's title (--summary), when the query has one
    summary_returns: tuple[str, ...] = ()  # the summary's columns
    summary_path: Path | None = None

    def as_dict(self, *, cypher: bool = True) -> dict[str, Any]:
        """Plain values, for JSON or YAML (``cypher=False`` leaves out the statement)."""
        out: dict[str, Any] = {
            "name": self.name,
            "title": self.title,
            "description": " ".join(self.description.split()),
            "params": [p.as_dict() for p in self.params],
            "returns": list(self.returns),
            "example": dict(self.example),
            "example_command": self.example_command,
            "empty": " ".join(self.empty.split()) if self.empty else None,
            "paged": self.paged,
            "summary": self.summary,
            "summary_returns": list(self.summary_returns),
        }
        if cypher:
            out["file"] = str(self.path)
            out["cypher"] = self.cypher
        return out

    @classmethod
    def of(cls, query: Query) -> QueryInfo:
        header = query.header
        params = tuple(
            QueryParam(
                name=p.name,
                type=p.type,
                description=p.description,
                required=p.required,
                default=None if p.required else p.default,
                labels=p.labels,
                choices=p.choices,
                min=p.min,
                max=p.max,
                type_text=p.describe_type(),
            )
            for p in header.params
        )
        return cls(
            name=header.name,
            title=header.title,
            description=header.description,
            params=params,
            returns=header.returns,
            example=dict(header.example),
            example_command=query.example_command(),
            cypher=query.text,
            path=query.path,
            empty=header.empty,
            paged=header.paged,
            summary=query.summary.title if query.summary else None,
            summary_returns=query.summary.header.returns if query.summary else (),
            summary_path=query.summary.path if query.summary else None,
        )


class KnowledgeBase:
    """The knowledge base on one Neo4j database.

    ``KnowledgeBase(uri, user, password, database)`` takes the CLI's settings (each ``None``
    falls back to ``NEO4J_*``, then to the managed server) and connects when a method first
    needs the database; :meth:`connect` connects (and checks the login) at once. Close it, or
    use it as a context manager.
    """

    def __init__(
        self,
        uri: str | None = None,
        user: str | None = None,
        password: str | None = None,
        database: str | None = None,
    ) -> None:
        self._given = (uri, user, password, database)
        self._connection: Connection | None = None
        self._driver: neo4j.Driver | None = None

    @classmethod
    def connect(
        cls,
        uri: str | None = None,
        user: str | None = None,
        password: str | None = None,
        database: str | None = None,
    ) -> KnowledgeBase:
        """Connect now with the CLI's settings (flags > NEO4J_* > managed server)."""
        kb = cls(uri, user, password, database)
        kb.driver  # noqa: B018 (opens and verifies the connection)
        return kb

    # ------------------------------------------------------------------ the connection

    @property
    def connection(self) -> Connection:
        """The settings in use (resolved on first use, without connecting)."""
        if self._connection is None:
            self._connection = resolve_connection(*self._given)
        return self._connection

    @property
    def driver(self) -> neo4j.Driver:
        """The official driver, verified on first use (a clear error when the server is away)."""
        if self._driver is None:
            from kb import db

            connection = self.connection
            log.info("connecting to %s", connection.describe())
            self._driver = db.open_driver(connection)
        return self._driver

    @property
    def database(self) -> str | None:
        return self.connection.database

    def address(self) -> Connection:
        """Where the database is, for an address: no password is asked for (a placeholder
        stands in when none is configured). Never connects."""
        if self._connection is not None:
            return self._connection
        uri, user, password, database = self._given
        return resolve_connection(uri, user, password or "-", database)

    def frame(self, name: str, params: Mapping[str, Any] | None = None, /, **more: Any) -> Any:
        """:meth:`query` as a pandas DataFrame, its evidence flattened (one line per piece of
        evidence; see :mod:`kb.frames`). Needs pandas (the ``notebook`` extra).

        ``kb.frame("sites-relying-on-supplier", supplier="CATL")``
        """
        from kb.frames import to_frame

        return to_frame(self.query(name, **{**(params or {}), **more}))

    def close(self) -> None:
        if self._driver is not None:
            self._driver.close()
            self._driver = None

    def __enter__(self) -> KnowledgeBase:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ------------------------------------------------------------------ reading

    def cypher(
        self,
        text: str,
        params: Mapping[str, Any] | None = None,
        *,
        write: bool = False,
        timeout: float | None = DEFAULT_TIMEOUT,
    ) -> list[dict[str, Any]]:
        """Run ad-hoc Cypher and return its rows (``kb cypher``); a read stops after
        ``timeout`` seconds (None: no limit) with a message saying how to narrow it.

        Parameters go in their own mapping, never into the text. Read-only unless
        ``write=True``: the server's plan is checked first and a write is refused before it
        runs. ``write`` is keyword-only and must be a real ``bool``, so that no parameter
        dict (``kb.cypher(text, user_params)``, or ``**user_params``) can switch writing on.
        """
        if not isinstance(write, bool):
            raise TypeError(f"write must be True or False, not {write!r}")
        if params is not None and not isinstance(params, Mapping):
            raise TypeError(f"params must be a mapping, not {type(params).__name__}")
        from kb import db

        return db.run(self.driver, self.database, text, params or {}, write=write, timeout=timeout)

    def query(
        self,
        name: str,
        params: Mapping[str, Any] | None = None,
        /,
        *,
        limit: int | None = None,
        cursor: str | None = None,
        summary: bool = False,
        timeout: float | None = DEFAULT_TIMEOUT,
        **more: Any,
    ) -> Answer:
        """Run a named library query read-only (``kb query run``); entity parameters take a
        name, alias or id. Parameters come as a mapping, as keywords, or both (keywords win):

        ``kb.query("firms-relying-on", {"country": "China"}, tech="NVIDIA")``

        The answer is a list of rows; when it is empty, its ``note`` says why and which query
        would answer.

        A paged query (``kb query show`` says so) answers in pages when given ``limit`` or a
        ``cursor``: at most ``limit`` rows (default 100 with a cursor), the server stopping
        after them. The page's ``next_cursor`` asks for the next one and ``remaining`` counts
        the rows after it (on the server, when first read; None if not within ``timeout``)::

            page = kb.query("blast-radius", supplier="CATL", limit=20)
            while page.next_cursor:
                page = kb.query("blast-radius", supplier="CATL", limit=20,
                                cursor=page.next_cursor)

        A query that does not page answers in full; ``limit`` then keeps its first rows.
        ``summary=True`` runs the query's summary instead (counts per group).

        A library query has no write switch for a parameter to reach: it always runs read-only.
        It stops after ``timeout`` seconds (None: no limit).
        """
        from kb import library

        given = {**(params or {}), **more}
        lib = library.load_library()
        query = lib.get(name)
        query.bind(given)  # parameter errors before any connection is made
        if summary:
            if limit is not None or cursor is not None:
                from kb.errors import QueryError

                raise QueryError("A summary answers in one piece: no limit or cursor with it.")
            return library.run_summary(
                self.driver, self.database, name, given, library=lib, timeout=timeout
            )
        if query.header.paged and (limit is not None or cursor is not None):
            return library.run_page(
                self.driver,
                self.database,
                name,
                given,
                limit=library.PAGE_SIZE if limit is None else limit,
                cursor=cursor,
                library=lib,
                timeout=timeout,
            )
        if cursor is not None:
            library.paged_query(lib, name)  # says the query does not page
        answer = library.run(self.driver, self.database, name, given, library=lib, timeout=timeout)
        if limit is not None and len(answer) > limit:
            cut = library.Answer(answer[:limit])
            cut.note = answer.note
            return cut
        return answer

    def pages(
        self,
        name: str,
        params: Mapping[str, Any] | None = None,
        /,
        *,
        size: int = 100,
        timeout: float | None = DEFAULT_TIMEOUT,
        **more: Any,
    ) -> Iterator[Answer]:
        """The pages of a paged query, each read from the server when the loop reaches it::

        for page in kb.pages("sites-relying-on-supplier", supplier="CATL", size=50):
            print(page.offset, len(page))
        """
        from kb import library

        given = {**(params or {}), **more}
        lib = library.load_library()
        lib.get(name).bind(given)
        return library.iter_pages(
            self.driver, self.database, name, given, size=size, library=lib, timeout=timeout
        )

    def iter_rows(
        self,
        name: str,
        params: Mapping[str, Any] | None = None,
        /,
        *,
        size: int = 100,
        timeout: float | None = DEFAULT_TIMEOUT,
        **more: Any,
    ) -> Iterator[dict[str, Any]]:
        """The rows of a paged query one by one, read page by page (``size`` rows a read):
        stop early and the rest is never computed."""
        for page in self.pages(name, params, size=size, timeout=timeout, **more):
            yield from page

    def resolve(self, value: str, labels: Sequence[str] = ()) -> Entity:
        """The one entity a name, alias or id names (of one of ``labels`` when given); an
        unknown or ambiguous name is a :class:`~kb.errors.QueryError` with suggestions."""
        from kb import resolve

        return resolve.resolve(self.driver, self.database, value, labels)

    # ------------------------------------------------------------------ the query library

    @property
    def queries(self) -> dict[str, QueryInfo]:
        """The query library by name (``kb query list``); needs no server."""
        from kb.catalog import query_infos

        return query_infos()

    def describe(self, name: str) -> QueryInfo:
        """One query of the library with its parameters (``kb query show``); needs no server.
        An unknown name is a :class:`~kb.errors.QueryError` that suggests close names."""
        from kb.catalog import query_infos

        infos = query_infos()
        if name not in infos:
            from kb import library

            library.load_library().get(name)  # the error, with its suggestions
        return infos[name]

    def check_params(self, name: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """The query's parameters with defaults filled in and values coerced (entity values
        stay names); a missing, unknown or mistyped one is a QueryError. Needs no server."""
        from kb import library

        return library.load_library().get(name).bind(params)

    # ------------------------------------------------------------------ writing

    def load(
        self,
        paths: str | Path | Sequence[str | Path],
        *,
        dry_run: bool = False,
        batch_size: int = 2000,
        progress: Progress | None = None,
        mapping: str | Path | None = None,
        on_ambiguous: OnAmbiguous = "review",
    ) -> LoadReport:
        """Load files or folders (CSV, JSON, JSONL, YAML), or ``"seed"`` for the curated seed
        (``kb load``). All or nothing: a bad input raises :class:`~kb.errors.LoadError` with
        every problem, and nothing is written. ``progress`` is called with each batch's row
        count. ``mapping`` (a file or a shipped mapping's name) says how the rows of outside
        files become records: ``kb.load("datasets/fcc-covered-list.csv",
        mapping="fcc-covered-list")``. Entity records without an id are resolved; those that
        may be several entities are handled by ``on_ambiguous`` (fail, new, review)."""
        from kb.load.runner import load, resolve_mapping

        items = [paths] if isinstance(paths, str | Path) else list(paths)
        targets = [self.seed_dir() if p == SEED else Path(p) for p in items]
        log.info("loading %s", ", ".join(map(str, targets)))
        return load(
            self.driver,
            self.database,
            targets,
            dry_run=dry_run,
            batch_size=batch_size,
            progress=progress,
            mapping=resolve_mapping(mapping) if mapping is not None else None,
            on_ambiguous=on_ambiguous,
        )

    def load_bulk(
        self,
        paths: str | Path | Sequence[str | Path],
        *,
        dry_run: bool = False,
        mapping: str | Path | None = None,
        on_ambiguous: OnAmbiguous = "review",
        progress: Phases | None = None,
        echo: Callable[[str], None] | None = None,
    ) -> BulkReport:
        """Load files into the EMPTY database of the managed server with Neo4j's offline
        importer (``kb load --bulk``): the same files and checks as :meth:`load`, the same
        graph, far faster for a large new graph. The server is stopped for the import and
        runs afterwards (this object reconnects). Refused for a database that holds data and
        for a server of the user's own; any failure leaves the database as it was."""
        from kb.load.bulk import bulk_load, managed_instance
        from kb.load.runner import resolve_mapping
        from kb.settings import instance_name

        items = [paths] if isinstance(paths, str | Path) else list(paths)
        targets = [self.seed_dir() if p == SEED else Path(p) for p in items]
        instance = managed_instance(self.connection, instance_name())
        self.close()  # the server restarts: the next call opens a fresh driver
        return bulk_load(
            instance,
            self.connection,
            targets,
            dry_run=dry_run,
            mapping=resolve_mapping(mapping) if mapping is not None else None,
            on_ambiguous=on_ambiguous,
            progress=progress,
            echo=echo,
        )

    def cleanup_loads(self) -> list[str]:
        """Remove the load runs that loaders (or servers) which died left staging, once their
        process is gone (``kb load --cleanup``; every load does it first); their ids."""
        from kb.load.staging import cleanup

        return cleanup(self.driver, self.database)

    def unload(self, source: str | None = None, run: str | None = None) -> UnloadReport:
        """Take a source (or one load, by run id) back out (``kb unload``; :mod:`kb.unload`)."""
        from kb.unload import unload

        return unload(self.driver, self.database, source=source, run=run)

    def resolve_candidates(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Likely duplicates across the whole graph, best first (``kb resolve candidates``)."""
        from kb import merge

        return merge.candidates(self.driver, self.database, limit)

    def resolve_same(self, kept: str, other: str, why: str = "") -> Merged:
        """Decide two entities are one: recorded in the user's resolutions file, and merged
        now when both are in the graph (``.merged``)."""
        from kb import merge

        return merge.same(self.driver, self.database, kept, other, why)

    def resolve_different(self, a: str, b: str, why: str = "") -> Decision:
        """Decide two entities are not one: no load will join them."""
        from kb import merge

        return merge.different(self.driver, self.database, a, b, why)

    def resolve_undo(self) -> Decision:
        """Take the last decision back (a merge is undone: the two entities come back)."""
        from kb import merge

        return merge.undo(self.driver, self.database)

    def reset(self) -> None:
        """Delete every node and relationship of the database; constraints stay (``kb reset``)."""
        from kb import db
        from kb.statements import statement

        log.info("emptying %s", self.connection.describe())
        db.run(self.driver, self.database, statement("load/reset"), write=True, name="reset")

    def export(self, out: str | Path, fmt: str = "json", progress: Phases | None = None) -> int:
        """Write the graph to ``out`` (``kb export``): json (one file) and csv (a folder, one
        file a kind) load back with :meth:`load` unchanged; graphml is for other tools.
        Returns the number of records written."""
        from kb.export import export

        if fmt not in EXPORT_FORMATS:
            raise ValueError(f"fmt must be one of {', '.join(EXPORT_FORMATS)}, not {fmt!r}")
        return export(self.driver, self.database, fmt, Path(out), progress)

    # ------------------------------------------------------------------ no server needed

    @staticmethod
    def seed_check(seed: str | Path | None = None, article: str | Path | None = None) -> SeedCheck:
        """Prove the seed (``kb seed check``): it validates, its references resolve, and each
        quote occurs in the article verbatim. Needs no server."""
        from kb.seedcheck import check_seed

        return check_seed(
            Path(seed) if seed is not None else None,
            Path(article) if article is not None else None,
        )

    @staticmethod
    def seed_dir() -> Path:
        """The curated seed shipped with the package."""
        from kb.paths import seed_dir

        return seed_dir()
