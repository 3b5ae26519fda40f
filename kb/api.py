"""The Python API: everything the CLI does is a call here first.

from kb import KnowledgeBase
with KnowledgeBase.connect() as kb:
    rows = kb.cypher("MATCH (c:Company) RETURN c.name AS name LIMIT 5")
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

import neo4j

from kb import db, library
from kb.settings import Connection, resolve_connection


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

    def query(self, name: str, **params: Any) -> library.Answer:
        """Run a named library query read-only; entity parameters take names or aliases.

        ``kb.query("firms-relying-on", country="China", tech="NVIDIA")``: a list of rows; when
        it is empty, its ``note`` says why and which query would answer.
        """
        return library.run(self.driver, self.database, name, params)

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
