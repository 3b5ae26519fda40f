"""Progress of long work (a load, an export, the benchmark's generator, a download), in named
phases: a rich progress bar on a terminal, plain lines when the output is piped.

Work reports through a :class:`Phases` object: ``phase(name, total)`` starts a phase (``total``
None when unknown), ``advance(n)`` counts done units, ``finish()`` closes the last phase. The
object is also a callable ``progress(rows)``, the load's per-batch hook (called from its writer
thread while validation goes on): it counts rows written, and advances a ``writing`` phase.
:func:`reporter` picks the form for standard error; ``Phases()`` reports nothing.
"""

from __future__ import annotations

import sys
import time
from typing import IO, Any

# A piped phase prints a line at least this often (seconds), and always at its end.
PLAIN_EVERY = 10.0


class Phases:
    """Reports nothing: the base of the two forms, and what the Python API gets by default."""

    current: str | None = None
    written = 0

    def phase(
        self, name: str, total: int | None = None, unit: str = "records", done: int = 0
    ) -> None:
        """Start a phase (ending the one before), ``done`` of its units done already."""
        self.current = name

    def advance(self, count: int = 1) -> None:
        """``count`` more units of the current phase are done."""

    def finish(self, summary: str | None = None) -> None:
        """End the last phase; ``summary`` is a closing line (a total, a time)."""

    def __call__(self, count: int) -> None:
        self.written += count
        if self.current == "writing":
            self.advance(count)


def _rate(count: float, seconds: float) -> str:
    return f"{count / seconds:,.0f}/s" if seconds > 0 and count else ""


def _duration(seconds: float) -> str:
    seconds = max(0, int(seconds + 0.5))
    return f"{seconds // 60}:{seconds % 60:02d}" if seconds >= 60 else f"{seconds} s"


class PlainPhases(Phases):
    """One line when a phase starts, a line every :data:`PLAIN_EVERY` seconds with the count,
    rate and time left, and a line when it ends (for logs and pipes)."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.name: str | None = None
        self.total: int | None = None
        self.unit = ""
        self.done = self.base = 0
        self.started = self.shown = 0.0

    def _line(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()

    def _state(self) -> str:
        elapsed = time.monotonic() - self.started
        count = f"{self.done:,}" + (f" of {self.total:,}" if self.total is not None else "")
        ran = self.done - self.base
        extra = [_rate(ran, elapsed)]
        if self.total and ran and elapsed > 0 and self.done < self.total:
            extra.append(f"{_duration((self.total - self.done) * elapsed / ran)} left")
        extra = [e for e in extra if e]
        return f"{self.name}: {count} {self.unit}" + (f" ({', '.join(extra)})" if extra else "")

    def _end(self) -> None:
        if self.name is None:
            return
        elapsed = time.monotonic() - self.started
        counted = f"{self.done:,} {self.unit}, " if self.done else ""
        rate = _rate(self.done - self.base, elapsed)
        self._line(
            f"{self.name}: done, {counted}{_duration(elapsed)}" + (f" ({rate})" if rate else "")
        )
        self.name = None

    def phase(
        self, name: str, total: int | None = None, unit: str = "records", done: int = 0
    ) -> None:
        self._end()
        self.current = name
        self.name, self.total, self.unit, self.done, self.base = name, total, unit, done, done
        self.started = self.shown = time.monotonic()
        of = f" ({total:,} {unit})" if total is not None else ""
        self._line(f"{name}{of}...")

    def advance(self, count: int = 1) -> None:
        self.done += count
        now = time.monotonic()
        if self.name is not None and now - self.shown >= PLAIN_EVERY:
            self.shown = now
            self._line(self._state())

    def finish(self, summary: str | None = None) -> None:
        self._end()
        if summary:
            self._line(summary)


class BarPhases(Phases):
    """A rich progress bar per phase on a terminal: the phase's name, the bar, n of N, the rate,
    the time left and the time spent; each finished phase stays on screen as one line."""

    def __init__(self, stream: IO[str]) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.console = Console(file=stream, highlight=False, markup=False, emoji=False)
        self.bar = Progress(
            SpinnerColumn(finished_text="✓"),
            TextColumn("{task.description:<11}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[unit]}"),
            TextColumn("{task.fields[rate]:>9}"),
            TimeRemainingColumn(),
            TimeElapsedColumn(),
            console=self.console,
            transient=False,
            refresh_per_second=8,
        )
        self.task: Any = None
        self.started = 0.0
        self.done = self.base = 0
        self.running = False  # the bar starts with the first phase

    def _end(self) -> None:
        if self.task is None:
            return
        task = self.bar.tasks[-1]
        total = task.total if task.total is not None else self.done
        rate = _rate(self.done - self.base, time.monotonic() - self.started)
        self.bar.update(self.task, total=total or 1, completed=total or 1, rate=rate)
        self.task = None

    def phase(
        self, name: str, total: int | None = None, unit: str = "records", done: int = 0
    ) -> None:
        self._end()
        if not self.running:
            self.bar.start()
            self.running = True
        self.current = name
        self.started, self.done, self.base = time.monotonic(), done, done
        self.task = self.bar.add_task(
            name, total=total, completed=done, unit=unit if total else "", rate=""
        )

    def advance(self, count: int = 1) -> None:
        if self.task is None:
            return
        self.done += count
        rate = _rate(self.done - self.base, time.monotonic() - self.started)
        self.bar.update(self.task, advance=count, rate=rate)

    def finish(self, summary: str | None = None) -> None:
        self._end()
        if self.running:
            self.bar.stop()
            self.running = False
        if summary:
            self.console.print(summary)


def reporter(stream: IO[str] | None = None) -> Phases:
    """Bars on a terminal, plain lines otherwise; on standard error unless told."""
    stream = stream or sys.stderr
    return BarPhases(stream) if stream.isatty() else PlainPhases(stream)
