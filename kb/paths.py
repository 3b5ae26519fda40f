"""Where things live: the packaged query library and seed, and the per-user directories."""

from __future__ import annotations

from pathlib import Path

from kb import settings

_PACKAGE = Path(__file__).resolve().parent


def _packaged(name: str) -> Path:
    # Installed wheels carry the folders under kb/_data/; a source checkout has them at the top.
    installed = _PACKAGE / "_data" / name
    return installed if installed.is_dir() else _PACKAGE.parent / name


def packaged_file(name: str) -> Path:
    """A file shipped at the repository's top (``resolutions.yaml``)."""
    installed = _PACKAGE / "_data" / name
    return installed if installed.is_file() else _PACKAGE.parent / name


def cypher_dir() -> Path:
    return _packaged("cypher")


def seed_dir() -> Path:
    return _packaged("seed")


def sources_dir() -> Path:
    """The source texts the seed quotes (the article), shipped with the package."""
    return _packaged("sources")


def datasets_dir() -> Path:
    """The public lists the repository ships (with their licences), shipped with the package."""
    return _packaged("datasets")


def mappings_dir() -> Path:
    """The mappings the repository ships (``kb load FILE --mapping NAME``)."""
    return _packaged("mappings")


def pom_file() -> Path:
    return _PACKAGE / "server" / "pom.xml"


def data_home() -> Path:
    """Neo4j jars and server homes: ``$XDG_DATA_HOME/ai-infra-kb``."""
    return settings.xdg_data_home() / "ai-infra-kb"


def cache_home() -> Path:
    """What can be made again (the library's descriptions): ``$XDG_CACHE_HOME/ai-infra-kb``."""
    return settings.xdg_cache_home() / "ai-infra-kb"


def state_home() -> Path:
    """Passwords and server settings: ``$XDG_STATE_HOME/ai-infra-kb``."""
    return settings.xdg_state_home() / "ai-infra-kb"
