"""The kb guide beside the managed server, so that a plain Browser login opens it.

Browser runs its own initial command (``:play start``, the Movies intro) at every login and
then the server's ``browser.post_connect_cmd``. The server cannot serve a guide: its
``/browser/`` serves the Browser jar's files only (a second jar, a plugin or a classpath folder
with ``browser/...`` files is not looked at). So ``kb server start`` runs the guide server of
:class:`kb.browser.AssetServer` as a process of its own on a free loopback port, and the
server's post-connect command applies the style, clears the stream (the Movies intro and the
``:style`` frame go) and plays the guide from that port. ``kb server stop`` stops it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

from kb.server.instance import Instance

MODULE = "kb.server.guide"


def pid_file(instance: Instance) -> Path:
    return instance.home / "run" / "guide.pid"


def guide_url(port: int) -> str:
    """Where the guide server of an instance serves the guide."""
    from kb.browser import GUIDE_FILE

    return f"http://localhost:{port}/{GUIDE_FILE}"


def post_connect_command(port: int | None) -> str:
    """``browser.post_connect_cmd``: the style, then (with a guide port) clear and play the
    guide. Browser splits the setting at ``;`` and runs each command with its ``:``."""
    from kb.browser import style_command

    if port is None:
        return style_command()
    return f"{style_command()}; clear; play {guide_url(port)}"


def _ours(pid: int) -> bool:
    """Whether the process is a guide server (and not a pid reused by something else)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return MODULE.encode() in cmdline


def running_pid(instance: Instance) -> int | None:
    try:
        pid = int(pid_file(instance).read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if _ours(pid) else None


def start(instance: Instance, port: int) -> int:
    """Start the guide server of an instance (stopping one left running); its pid."""
    stop(instance)
    for folder in (pid_file(instance).parent, instance.logs_dir):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    private = os.O_WRONLY | os.O_CREAT  # 0600, like every file of an instance
    log_fd = os.open(instance.logs_dir / "guide.log", private | os.O_APPEND, 0o600)
    with os.fdopen(log_fd, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", MODULE, str(port)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    with os.fdopen(os.open(pid_file(instance), private | os.O_TRUNC, 0o600), "w") as out:
        out.write(f"{process.pid}\n")
    for path in (pid_file(instance), instance.logs_dir / "guide.log"):
        os.chmod(path, 0o600)
    return process.pid


def stop(instance: Instance) -> bool:
    """Stop the guide server of an instance; False if none was running."""
    pid = running_pid(instance)
    pid_file(instance).unlink(missing_ok=True)
    if pid is None:
        return False
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)  # reaped here when this process started it
    return True


def serve(port: int) -> None:
    """Serve the guide and the style on ``port`` until terminated."""
    from kb.browser import AssetServer

    server = AssetServer(port)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.httpd.serve_forever()
    finally:
        server.httpd.server_close()


if __name__ == "__main__":
    serve(int(sys.argv[1]))
