"""Loopback port checks: is a port free, and who holds it if not."""

from __future__ import annotations

import os
import socket
from pathlib import Path

LOOPBACK = "127.0.0.1"


def is_free(port: int, host: str = LOOPBACK) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def answers(port: int, host: str = LOOPBACK, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _socket_links(fd_dir: Path) -> list[str]:
    try:
        names = os.listdir(fd_dir)
    except OSError:
        return []
    links = []
    for name in names:
        try:
            links.append(os.readlink(fd_dir / name))
        except OSError:  # closed meanwhile (the listing's own descriptor, for one)
            continue
    return links


def holder(port: int) -> str:
    """A best-effort description of the process listening on ``port`` (Linux /proc)."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                inodes.add(inode)
    if not inodes:
        return "another process"
    for pid in filter(str.isdigit, os.listdir("/proc")):
        links = _socket_links(Path("/proc", pid, "fd"))
        if any(link.startswith("socket:[") and link[8:-1] in inodes for link in links):
            try:
                cmd = Path("/proc", pid, "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                cmd = "?"
            return f"pid {pid} ({cmd.strip()[:120]})"
    return "another process"
