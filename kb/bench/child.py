"""One load in a process of its own, so that its peak RSS is the loader's alone.

``python -m kb.bench.child FOLDER`` loads the folder (settings as for the CLI) and prints the
report as JSON. With ``KB_BENCH_NO_RUST=1`` the driver's Rust extension is hidden first, so the
driver runs its pure-Python packstream, as without ``neo4j-rust-ext`` installed.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from kb import settings

# Run before anything imports the driver: hides the Rust extension.
BOOT = (
    "import sys, runpy; sys.modules['neo4j._rust'] = None; "
    "sys.argv = ['kb.bench.child', *sys.argv[1:]]; "
    "runpy.run_module('kb.bench.child', run_name='__main__')"
)


def main(folder: str) -> None:
    if settings.bench_without_rust():
        if "neo4j" in sys.modules and sys.modules.get("neo4j._rust") is not None:
            # too late here (the driver is imported): start again with the extension hidden
            os.execv(sys.executable, [sys.executable, "-c", BOOT, folder])
        sys.modules["neo4j._rust"] = None  # type: ignore[assignment]
    from neo4j._codec.packstream import v1

    from kb import KnowledgeBase
    from kb.load.runner import load

    with KnowledgeBase.connect() as kb:
        report = load(kb.driver, kb.database, [Path(folder)])
    counts = report.counts
    # stdout is this child's protocol: one JSON line, which kb.bench.loading reads
    print(
        json.dumps(
            {
                "seconds": report.seconds,
                "plan_seconds": report.plan_seconds,
                "write_seconds": counts.seconds,
                "node_seconds": counts.node_seconds,
                "relation_seconds": counts.relation_seconds,
                "commit_seconds": counts.commit_seconds,
                "nodes": sum(report.plan.nodes.values()),
                "relations": sum(report.plan.relations.values()),
                "created": counts.created,
                "changed": counts.changed,
                "rust": getattr(v1, "_rust_pack", None) is not None,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
