"""A Neo4j knowledge base of AI-infrastructure dependencies, with evidence for every fact."""

from kb.api import KnowledgeBase
from kb.errors import KBError

__all__ = ["KBError", "KnowledgeBase"]
__version__ = "0.1.0"
