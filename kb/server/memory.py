"""Memory for the managed server: sized to the machine at install, capped per transaction.

The sizes follow ``neo4j-admin server memory-recommendation``: a table of machine sizes with
the memory to leave to the operating system and the heap, interpolated linearly between its
rows; the page cache gets what is left (at least 8 MiB). The transaction caps keep a runaway
query from taking the whole heap: it fails with an error, and the server stays up.
"""

from __future__ import annotations

import itertools
import os
import re
from pathlib import Path

MIB = 2**20
GIB = 2**30

# (machine GiB, OS reserve GiB, heap GiB), as in Neo4j's MemoryRecommendation.
BRACKETS = (
    (0.01, 0.007, 0.002),
    (1.0, 0.65, 0.3),
    (2.0, 1, 0.5),
    (4.0, 1.5, 2),
    (6.0, 2, 3),
    (8.0, 2.5, 3.5),
    (10.0, 3, 4),
    (12.0, 3.5, 4.5),
    (16.0, 4, 5),
    (24.0, 6, 8),
    (32.0, 8, 12),
    (64.0, 12, 24),
    (128.0, 16, 31),
    (256.0, 20, 31),
    (512.0, 24, 31),
    (1024.0, 30, 31),
)

TRANSACTION_SHARE = 0.6  # of the heap, for one transaction
ALL_TRANSACTIONS_SHARE = 0.7  # of the heap, for all transactions together (Neo4j's default)


def _interpolate(total_gib: float, column: int) -> int:
    for lower, upper in itertools.pairwise(BRACKETS):
        if total_gib < upper[0]:
            factor = (total_gib - lower[0]) / (upper[0] - lower[0])
            value = lower[column] + (upper[column] - lower[column]) * factor
            break
    else:
        value = BRACKETS[-1][column]
    return int(value * 1024) * MIB


def recommend(total_bytes: int) -> tuple[int, int]:
    """Heap and page cache bytes for a machine of ``total_bytes``."""
    total_gib = total_bytes / GIB
    os_reserve = _interpolate(total_gib, 1)
    heap = _interpolate(total_gib, 2)
    pagecache = min(max(8 * MIB, total_bytes - os_reserve - heap), 16 * 2**40)
    return heap, pagecache


def machine_memory() -> int:
    """The memory this process may use: the machine's, or its container's limit if lower."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    for limit_file in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(limit_file).read_text().strip()
        except OSError:
            continue
        if text.isdigit():
            total = min(total, int(text))
    return total


def to_setting(size: int) -> str:
    """Bytes as a Neo4j/JVM size (whole MiB): ``1536m``."""
    return f"{max(1, size // MIB)}m"


def to_bytes(setting: str) -> int:
    """A size such as ``768m`` or ``2g`` in bytes."""
    match = re.fullmatch(r"(\d+)([kmgKMG])", setting)
    if match is None:
        raise ValueError(f"not a memory size: {setting!r} (use e.g. 512m or 2g)")
    power: int = "kmg".index(match.group(2).lower()) + 1
    return int(match.group(1)) << (10 * power)


def transaction_caps(heap: str) -> tuple[str, str]:
    """The caps on one transaction's memory and on all transactions' memory, for a heap."""
    size = to_bytes(heap)
    return to_setting(int(size * TRANSACTION_SHARE)), to_setting(int(size * ALL_TRANSACTIONS_SHARE))
