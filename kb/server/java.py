"""Find a Java runtime new enough for the pinned Neo4j: JAVA_HOME, /usr/lib/jvm, then PATH."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from kb.errors import JavaError


@dataclass(frozen=True)
class Java:
    executable: Path
    major: int


def required_major(neo4j_version: str) -> int:
    """5.x runs on Java 17; the calendar versions (2025.01 on) need Java 21."""
    return 17 if neo4j_version.startswith("5.") else 21


def java_major(executable: Path) -> int | None:
    try:
        out = subprocess.run(
            [str(executable), "-version"], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def _candidates(java_home: str | None, jvm_root: Path) -> list[tuple[str, Path]]:
    found: list[tuple[str, Path]] = []
    if java_home:
        found.append(("JAVA_HOME", Path(java_home) / "bin" / "java"))
    if jvm_root.is_dir():
        for home in sorted(jvm_root.iterdir()):
            exe = home / "bin" / "java"
            if exe.is_file() and not home.is_symlink():
                found.append((str(home), exe))
    on_path = shutil.which("java")
    if on_path:
        found.append(("PATH", Path(on_path)))
    return found


def find_java(neo4j_version: str, java_home: str | None, jvm_root: str = "/usr/lib/jvm") -> Java:
    """The first Java that is new enough, in the order JAVA_HOME, /usr/lib/jvm, PATH.

    A JAVA_HOME that is set but too old is an error rather than silently skipped.
    """
    need = required_major(neo4j_version)
    seen: list[str] = []
    for origin, exe in _candidates(java_home, Path(jvm_root)):
        major = java_major(exe)
        if major is None:
            seen.append(f"{exe} ({origin}): does not run")
            continue
        if major >= need:
            return Java(exe, major)
        seen.append(f"{exe} ({origin}): Java {major}")
        if origin == "JAVA_HOME":
            raise JavaError(
                f"JAVA_HOME points to Java {major} ({exe}), but Neo4j {neo4j_version} needs "
                f"Java {need} or newer. Set JAVA_HOME to a JDK {need}+ or unset it "
                f"(e.g. apt-get install openjdk-{need}-jre-headless)."
            )
    detail = "; ".join(seen) if seen else "no java found"
    raise JavaError(
        f"Neo4j {neo4j_version} needs Java {need} or newer, and none was found ({detail}). "
        f"Install one (e.g. apt-get install openjdk-{need}-jre-headless) or set JAVA_HOME."
    )
