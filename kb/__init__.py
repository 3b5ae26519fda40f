"""A Neo4j knowledge base of AI-infrastructure dependencies, with evidence for every fact.

``from kb import KnowledgeBase`` loads the facade (and the driver) on first use only, so that
``kb --help`` and the server-free commands start quickly.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kb.api import KnowledgeBase
    from kb.errors import KBError

__all__ = ["KBError", "KnowledgeBase"]
__version__ = "0.1.0"

# The library logs to the "kb" logger and prints nothing; an application (or `kb -v`) decides
# where the records go.
logging.getLogger(__name__).addHandler(logging.NullHandler())


def __getattr__(name: str) -> Any:
    if name == "KnowledgeBase":
        from kb.api import KnowledgeBase

        return KnowledgeBase
    if name == "KBError":
        from kb.errors import KBError

        return KBError
    raise AttributeError(f"module 'kb' has no attribute {name!r}")
