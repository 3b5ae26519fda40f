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
    from kb.load.runner import LoadReport


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
    ) -> LoadReport:
        """Load files, all or nothing; ``mapping`` (a file or a shipped mapping's name) says
        how the rows of outside files become records.

        ``kb.load("datasets/fcc-covered-list.csv", mapping="fcc-covered-list")``
        """
        from kb.load.runner import load, resolve_mapping

        mapping_file = resolve_mapping(mapping) if mapping is not None else None
        targets = [Path(p) for p in paths]
        return load(self.driver, self.database, targets, dry_run=dry_run, mapping=mapping_file)

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
