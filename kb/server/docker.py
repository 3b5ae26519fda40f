"""`kb server start --docker`: the pinned neo4j image through testcontainers."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable

from kb import settings
from kb.errors import ServerError


def docker_reachable() -> bool:
    try:
        import docker  # type: ignore[import-untyped]

        docker.from_env().ping()
        return True
    except Exception:
        return False


def start_docker(echo: Callable[[str], None]) -> None:
    """Run neo4j:<version>-community and print the NEO4J_* settings to use it.

    The container lives as long as this command: it blocks until Ctrl-C.
    """
    try:
        from testcontainers.neo4j import Neo4jContainer
    except ImportError:
        raise ServerError(
            "Docker mode needs the docker extra: pip install 'ai-infra-kb[docker]'."
        ) from None
    if not docker_reachable():
        raise ServerError(
            "No Docker engine is reachable (DOCKER_HOST / /var/run/docker.sock). "
            "Use the managed server instead: kb server start."
        )
    password = secrets.token_urlsafe(24)
    image = f"neo4j:{settings.neo4j_version()}-community"
    with Neo4jContainer(image, password=password) as container:
        uri = container.get_connection_url()
        echo(f"Neo4j ({image}) is up. In another shell:")
        echo(f"  export NEO4J_URI={uri} NEO4J_USERNAME=neo4j NEO4J_PASSWORD=<printed below>")
        echo(f"  password: {password}" if os.isatty(1) else "  password: (hidden, not a TTY)")
        echo("Press Ctrl-C to stop it.")
        try:
            import time

            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            echo("Stopping the container.")
