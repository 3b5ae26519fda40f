"""Every error the user can meet derives from :class:`KBError` and says what to do."""

from __future__ import annotations


class KBError(Exception):
    """Base of all knowledge-base errors; the CLI prints the message, never a traceback."""

    exit_code = 1


class ServerError(KBError):
    """The managed Neo4j server could not be installed, started or stopped."""


class JavaError(ServerError):
    """No suitable Java runtime was found."""


class PortInUseError(ServerError):
    """A port the server needs is taken."""


class ConnectionFailed(KBError):
    """The database at the configured address does not answer or refuses the login."""


class WriteRefused(KBError):
    """A statement would write but the caller did not allow writes."""


class QueryStopped(KBError):
    """The server stopped a read that ran too long or needed too much memory."""


class QueryError(KBError):
    """A named query is unknown, broken, or was called with bad parameters."""


SHOWN_PROBLEMS = 50  # problems a message lists; the count says how many more there are
PROBLEM_CHARS = 1000  # characters of one problem shown or recorded


def cut(text: str, limit: int = PROBLEM_CHARS) -> str:
    """``text``, cut to ``limit`` characters with a note of how many were left out."""
    return (
        text if len(text) <= limit else f"{text[:limit]}... ({len(text) - limit} more characters)"
    )


class LoadError(KBError):
    """Input files failed validation; nothing was written.

    The message lists the first :data:`SHOWN_PROBLEMS` problems, each cut to
    :data:`PROBLEM_CHARS`, and counts the rest: hostile input cannot flood the terminal.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        count = len(problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the input; nothing was written:"
        lines = [head, *(f"  - {cut(p)}" for p in problems[:SHOWN_PROBLEMS])]
        if count > SHOWN_PROBLEMS:
            lines.append(f"  ... and {count - SHOWN_PROBLEMS} more (fix these first)")
        super().__init__("\n".join(lines))
