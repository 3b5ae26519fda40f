"""The Python API: everything the CLI does is a call here first.

from kb import KnowledgeBase
with KnowledgeBase.connect() as kb:
    rows = kb.cypher("MATCH (c:Company) RETURN c.name AS name LIMIT 5")
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import neo4j

from kb import db, library
from kb.settings import Connection, resolve_connection

if TYPE_CHECKING:
    from kb.decisions import Decision
    from kb.load.entities import OnAmbiguous
    from kb.load.runner import LoadReport
    from kb.merge import Merged
    from kb.unload import UnloadReport


class KnowledgeBase:
    def __init__(self, driver: neo4j.Driver, connection: Connection) -> None:
        self.driver = driver
        self.connection = connection

    @classmethod
    def connect(
        cls,
        uri: str | None = None,
        user: str | None = None,
        password: str | None = None,
        database: str | None = None,
    ) -> KnowledgeBase:
        """Connect with the same settings as the CLI (flags > NEO4J_* > managed server)."""
        connection = resolve_connection(uri, user, password, database)
        return cls(db.open_driver(connection), connection)

    @property
    def database(self) -> str | None:
        return self.connection.database

    def cypher(self, text: str, write: bool = False, **params: Any) -> list[dict[str, Any]]:
        """Run ad-hoc Cypher; read-only unless ``write=True`` (a write is refused, not run)."""
        return db.run(self.driver, self.database, text, params, write=write)

    @property
    def queries(self) -> list[str]:
        """The names of the query library (``kb query list``)."""
        return library.load_library().names

    def query(self, name: str, **params: Any) -> list[dict[str, Any]]:
        """Run a named library query read-only; entity parameters take names or aliases.

        ``kb.query("firms-relying-on", country="China", tech="CUDA")``
        """
        return library.run(self.driver, self.database, name, params)

    def load(
        self,
        *paths: str | Path,
        mapping: str | Path | None = None,
        dry_run: bool = False,
        on_ambiguous: OnAmbiguous = "review",
    ) -> LoadReport:
        """Load files, all or nothing; ``mapping`` (a file or a shipped mapping's name) says
        how the rows of outside files become records.

        ``kb.load("datasets/fcc-covered-list.csv", mapping="fcc-covered-list")``
        """
        from kb.load.runner import load, resolve_mapping

        mapping_file = resolve_mapping(mapping) if mapping is not None else None
        targets = [Path(p) for p in paths]
        return load(
            self.driver,
            self.database,
            targets,
            dry_run=dry_run,
            mapping=mapping_file,
            on_ambiguous=on_ambiguous,
        )

    def unload(self, source: str | None = None, run: str | None = None) -> UnloadReport:
        """Take a source (or one load, by run id) back out; see :mod:`kb.unload`."""
        from kb.unload import unload

        return unload(self.driver, self.database, source=source, run=run)

    def resolve_candidates(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Likely duplicates across the whole graph, best first (a cross-reference)."""
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

    def close(self) -> None:
        self.driver.close()

    def __enter__(self) -> KnowledgeBase:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
