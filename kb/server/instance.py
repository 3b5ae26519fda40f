"""A managed server instance: its settings, its folders and its secret.

Jars:     $XDG_DATA_HOME/ai-infra-kb/neo4j-<version>/lib   (shared by all instances)
Home:     $XDG_DATA_HOME/ai-infra-kb/instances/<name>/      (conf, data, logs, run)
State:    $XDG_STATE_HOME/ai-infra-kb/instances/<name>/     (server.json, password 0600, pid)
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from kb import paths
from kb.errors import ServerError

MEMORY = r"^\d+[kmgKMG]$"


class ServerConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: str
    browser_version: str
    bolt_port: int = Field(7687, ge=1, le=65535)
    http_port: int = Field(7474, ge=1, le=65535)
    heap: str = Field("1g", pattern=MEMORY)
    pagecache: str = Field("1g", pattern=MEMORY)


class Instance:
    def __init__(self, name: str) -> None:
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", name):
            raise ServerError(f"Bad instance name {name!r}: use letters, digits, - and _.")
        self.name = name
        self.home = paths.data_home() / "instances" / name
        self.state = paths.state_home() / "instances" / name

    # -- files
    @property
    def config_file(self) -> Path:
        return self.state / "server.json"

    @property
    def password_file(self) -> Path:
        return self.state / "password"

    @property
    def pid_file(self) -> Path:
        return self.state / "neo4j.pid"

    @property
    def conf_dir(self) -> Path:
        return self.home / "conf"

    @property
    def logs_dir(self) -> Path:
        return self.home / "logs"

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @staticmethod
    def lib_dir(version: str) -> Path:
        return paths.data_home() / f"neo4j-{version}" / "lib"

    # -- state
    def is_installed(self) -> bool:
        return self.config_file.is_file() and self.password_file.is_file()

    def config(self) -> ServerConfig:
        try:
            return ServerConfig.model_validate_json(self.config_file.read_text())
        except FileNotFoundError:
            raise ServerError(
                f"The managed server '{self.name}' is not installed: run `kb server install`."
            ) from None

    def save_config(self, config: ServerConfig) -> None:
        self.state.mkdir(parents=True, exist_ok=True)
        tmp = self.config_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(config.model_dump(), indent=2) + "\n")
        tmp.replace(self.config_file)

    def password(self) -> str:
        return self.password_file.read_text().strip()

    def save_password(self, password: str) -> None:
        self.state.mkdir(parents=True, exist_ok=True)
        os.chmod(self.state, 0o700)
        fd = os.open(self.password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(password + "\n")
        os.chmod(self.password_file, 0o600)

    def pid(self) -> int | None:
        try:
            return int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
