"""Neo4j's offline importer (`neo4j-admin database import full`) on a managed instance.

The importer's jars (``neo4j-import-tool``, ``neo4j-command-line``) are part of the managed
install (kb/server/pom.xml). It runs as a Java process of its own, with a bounded heap and
bounded off-heap memory (those of the stopped server: it runs while the server is stopped),
and writes a new store into a staging folder beside the instance's data. Only a complete
import is swapped in (:class:`Swap`); the store it replaces is kept until the caller says the
new one is good, and put back otherwise, so a failed import leaves the database as it was.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from kb import settings
from kb.errors import ServerError
from kb.server.instance import Instance
from kb.server.java import find_java
from kb.server.manager import ADMIN_TOOL, PRIVATE_UMASK, make_private
from kb.server.memory import to_bytes

# The importer's JVM: the quick compiler only (the C2 compiler's work costs more CPU than it
# saves on an import of a few million rows: 18.6 s of CPU against 22.8 s at 10^6, 4.8-5.6 s
# against 11.4-11.8 s at 10^5, two cores), and a class-data archive of its classes made by the
# first import and reused (a third of the JVM's start). See BENCHMARKS.md (bulk import).
JVM_FLAGS = ("-XX:TieredStopAtLevel=1", "-XX:+UseG1GC", "-Xshare:auto")
DATABASE = "neo4j"  # the one database of Neo4j Community (beside `system`)
LOG_LINES = 25  # lines of the importer's output that a failure shows


class ImportFailed(ServerError):
    """The importer refused the files or stopped; nothing was swapped in."""


@dataclass(frozen=True)
class ImportResult:
    seconds: float
    output: str  # the importer's own summary (nodes, relationships, properties, memory)


def work_folder(instance: Instance) -> Path:
    """Where a bulk load keeps its files, staging store and the store it replaces: inside the
    instance's home, on the data's file system, so that the swaps are renames."""
    return instance.home / "bulk"


def _store_folders(data: Path) -> tuple[Path, Path]:
    return data / "databases" / DATABASE, data / "transactions" / DATABASE


def _conf(folder: Path, data: Path) -> Path:
    """A configuration of the importer's own: the staging data folder, its own logs."""
    conf = folder / "conf"
    conf.mkdir(parents=True, exist_ok=True)
    (conf / "neo4j.conf").write_text(
        "# Written by `kb load --bulk` for one import.\n"
        f"server.directories.data={data}\n"
        f"server.directories.logs={folder / 'logs'}\n"
        "dbms.usage_report.enabled=false\n",
        encoding="utf-8",
    )
    return conf


def run_import(
    instance: Instance,
    arguments: list[str],
    folder: Path,
    *,
    heap: str | None = None,
    off_heap: str | None = None,
) -> ImportResult:
    """Import into ``folder/staging`` (made empty first); raises :class:`ImportFailed` with
    the end of the importer's output. The instance's own store is not touched."""
    config = instance.config()
    heap = heap or config.heap
    off_heap = off_heap or config.pagecache
    to_bytes(heap), to_bytes(off_heap)  # both are sizes (a ValueError says which is not)
    java = find_java(config.version, settings.java_home(), settings.jvm_root())
    staging = folder / "staging"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    conf = _conf(folder, staging)
    log_file = folder / "import.log"
    archive, archive_flag = _class_archive(java.executable, config.version)
    cmd = [
        str(java.executable),
        f"-Xmx{heap}",
        *JVM_FLAGS,
        archive_flag,
        "-Dfile.encoding=UTF-8",
        "-cp",
        str(Instance.lib_dir(config.version) / "*"),
        ADMIN_TOOL,
        "database",
        "import",
        "full",
        *arguments,
        f"--max-off-heap-memory={off_heap}",
        f"--report-file={folder / 'import.report'}",
        DATABASE,
    ]
    env = {**os.environ, "NEO4J_HOME": str(instance.home), "NEO4J_CONF": str(conf)}
    started = time.monotonic()
    with log_file.open("wb") as out:
        code = subprocess.run(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=folder,
            umask=PRIVATE_UMASK,
        ).returncode
    seconds = time.monotonic() - started
    output = log_file.read_text(encoding="utf-8", errors="replace")
    _keep_archive(archive, code == 0)
    if code != 0 or "IMPORT DONE" not in output:
        shutil.rmtree(staging, ignore_errors=True)
        raise ImportFailed(
            f"Neo4j's importer failed (exit code {code}); the database is as it was. "
            f"The end of its output:\n{_tail(output)}"
        )
    return ImportResult(seconds, _summary(output))


def _class_archive(java: Path, version: str) -> tuple[Path, str]:
    """The importer's class-data archive (one per Java and set of jars, beside the jars)
    and the flag that uses it, or that makes it (into a private name, kept if the import
    succeeds). A stale archive is ignored by the JVM (-Xshare:auto)."""
    lib = Instance.lib_dir(version)
    jars = sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in lib.glob("*.jar"))
    key = hashlib.sha256(f"{java.resolve()}|{version}|{jars}".encode()).hexdigest()[:12]
    archive = lib.parent / f"importer-{key}.jsa"
    if archive.is_file():
        return archive, f"-XX:SharedArchiveFile={archive}"
    fresh = archive.with_name(f"{archive.stem}.{os.getpid()}.tmp")
    return fresh, f"-XX:ArchiveClassesAtExit={fresh}"


def _keep_archive(archive: Path, succeeded: bool) -> None:
    if archive.suffix != ".tmp":
        return
    if succeeded and archive.is_file():
        os.replace(archive, archive.with_name(archive.name.split(".")[0] + ".jsa"))
    else:
        archive.unlink(missing_ok=True)


def _tail(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip() and not _progress(line)]
    return "\n".join(lines[-LOG_LINES:])


def _progress(line: str) -> bool:
    """The importer's progress dots ('.......... ....  5% ...')."""
    return line.lstrip("-").startswith("..........")


def _summary(output: str) -> str:
    done = output.rfind("IMPORT DONE")
    return " ".join(output[done:].split()) if done >= 0 else ""


class Swap:
    """Put the staged store in place of the instance's (server stopped), keeping the old one
    aside: :meth:`commit` drops it, :meth:`restore` puts it back."""

    def __init__(self, instance: Instance, folder: Path) -> None:
        self.instance = instance
        self.live = _store_folders(instance.data_dir)
        self.staged = _store_folders(folder / "staging")
        self.kept = _store_folders(folder / "replaced")
        self.swapped = False

    def apply(self) -> None:
        for path in self.staged:
            if not path.is_dir():
                raise ImportFailed(f"the importer wrote no {path}; the database is as it was")
        for kept in self.kept:
            shutil.rmtree(kept, ignore_errors=True)
            kept.parent.mkdir(parents=True, exist_ok=True)
        for live, kept in zip(self.live, self.kept, strict=True):
            if live.exists():
                live.rename(kept)
        for staged, live in zip(self.staged, self.live, strict=True):
            live.parent.mkdir(parents=True, exist_ok=True)
            staged.rename(live)
        self.swapped = True
        make_private(self.instance)

    def restore(self) -> None:
        """Put the replaced store back (server stopped)."""
        if not self.swapped:
            return
        for live, kept in zip(self.live, self.kept, strict=True):
            shutil.rmtree(live, ignore_errors=True)
            if kept.exists():
                kept.rename(live)
        self.swapped = False

    def commit(self) -> None:
        for kept in self.kept:
            shutil.rmtree(kept, ignore_errors=True)
        self.swapped = False
