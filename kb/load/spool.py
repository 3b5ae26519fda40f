"""The validated, resolved rows of a load, kept in a temporary file until they are written.

Planning appends rows; a batch of one label (or relationship type) goes to disk as soon as it
is full, so memory holds at most one batch per label and type, whatever the input's size.
Every node batch comes before every relationship batch. Reading starts from the beginning
each time, so a retried write transaction reads the same batches again. A ``sink`` also gets
each batch as it is written (the streamed write transaction: it writes while planning goes on);
a staged load, which keeps its own batches until each commit, turns the file off (``keep``).
"""

from __future__ import annotations

import marshal
import tempfile
from collections.abc import Callable, Iterator
from typing import IO, Any, Literal

Part = Literal["node", "claim", "relation"]
Row = dict[str, Any]
Sink = Callable[[Part, str, list[Row]], None]


class Spool:
    def __init__(self, batch_size: int = 2000) -> None:
        self.batch_size = batch_size
        self.file: IO[bytes] = tempfile.TemporaryFile(prefix="kb-load-")  # noqa: SIM115 - closed by close()
        self.buffers: dict[tuple[Part, str], list[Row]] = {}
        self.sink: Sink | None = None
        self.rows = 0  # rows added so far
        # False: batches go to the sink only (a staged load writes each batch once, and never
        # reads the spool back); :meth:`batches` then has nothing to give
        self.keep = True

    def add(self, part: Part, name: str, row: Row) -> None:
        buffer = self.buffers.setdefault((part, name), [])
        buffer.append(row)
        self.rows += 1
        if len(buffer) >= self.batch_size:
            self._dump(part, name, buffer)
            self.buffers[(part, name)] = []

    def _dump(self, part: Part, name: str, rows: list[Row]) -> None:
        if self.keep:
            marshal.dump((part, name, rows), self.file)
        if self.sink is not None:
            self.sink(part, name, rows)

    def flush(self) -> None:
        """Write every partly filled batch (called after the nodes, and at the end)."""
        for (part, name), rows in self.buffers.items():
            if rows:
                self._dump(part, name, rows)
        self.buffers = {}
        self.file.flush()

    def batches(self) -> Iterator[tuple[Part, str, list[Row]]]:
        self.flush()
        self.file.seek(0)
        while True:
            try:
                yield marshal.load(self.file)
            except EOFError:
                return

    def close(self) -> None:
        self.file.close()

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
