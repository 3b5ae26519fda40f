"""Render an answer's rows as a table, a list of blocks, JSON or CSV.

- ``table``: one line per row, cells wrapped (never clipped) to fit the width.
- ``list``: one block per row (the row's short values on its first lines, then each long value
  and each piece of evidence on lines of its own), wrapped to the width.
- ``auto``: the table when it fits the width, else the list.
- ``json``: a list of row objects, indented when ``pretty``.
- ``csv``: a header line (always, also for an empty answer) and one line per row.

In table and list output, control characters in values (escape sequences, carriage returns)
are shown escaped (``\\x1b``), never passed to the terminal. ``rich`` is imported only here,
when a table or a list is drawn, so that the CLI starts fast.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from kb.errors import KBError

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.text import Text

FORMATS = ("auto", "table", "list", "json", "csv")

# C0 and C1 controls (newline and tab aside), DEL, and the bidirectional overrides and isolates
# that reorder what a line shows.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# A value at most this long goes on the block's first lines in the list format.
_SHORT = 40


def _plain(value: Any) -> Any:
    """Driver values (dates, nodes, paths) as JSON-friendly Python values."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "iso_format"):
        return value.iso_format()
    return str(value)


def escape_controls(text: str) -> str:
    r"""``text`` with its control characters written as escapes (``\x1b``, ``\r``, ``\u202e``)."""

    def escaped(match: re.Match[str]) -> str:
        char = match.group()
        if char == "\r":
            return "\\r"
        code = ord(char)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _UNSAFE.sub(escaped, text)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < 1e15 else str(value)
    return escape_controls(str(value))


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _item_lines(item: Any) -> list[tuple[int, str]]:
    """One list item as (indent, text) lines: a piece of evidence as its quote, then its other
    fields indented under it."""
    if isinstance(item, dict):
        quote = item.get("quote")
        rest = "; ".join(
            f"{k}: {_flat(v)}" for k, v in item.items() if k != "quote" and not _empty(v)
        )
        if quote:
            lines = [(0, f"“{_scalar(quote)}”")]
            return [*lines, (2, f"({rest})")] if rest else lines
        return [(0, rest)]
    return [(0, _flat(item))]


def _flat(value: Any) -> str:
    """A value on one logical line: lists joined by commas, maps as ``k: v``."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flat(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return ", ".join(_flat(v) for v in value)
    if value is None:
        return ""
    return _scalar(value)


def _is_long(value: Any) -> bool:
    if isinstance(value, list):
        return any(isinstance(v, dict | list) for v in value) or len(_flat(value)) > _SHORT
    return isinstance(value, dict) or len(_flat(value)) > _SHORT


def _cell(value: Any) -> str:
    """A table cell: scalars as text, lists of records one record a line."""
    if isinstance(value, list) and any(isinstance(v, dict) for v in value):
        return "\n".join(" " * i + line for item in value for i, line in _item_lines(item))
    return _flat(value)


def columns_of(rows: Sequence[Mapping[str, Any]], declared: Sequence[str] = ()) -> list[str]:
    columns = list(declared)
    for row in rows:
        columns.extend(c for c in row if c not in columns)
    return columns


def select(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str] | None = None,
    limit: int | None = None,
    declared: Sequence[str] = (),
) -> tuple[list[dict[str, Any]], list[str]]:
    """The rows cut to ``limit`` and to ``columns`` (in that order), with the columns shown."""
    available = columns_of(rows, declared)
    if columns:
        unknown = [c for c in columns if c not in available]
        if unknown and (rows or declared):
            raise KBError(
                f"No column {', '.join(map(repr, unknown))} in this answer; "
                f"its columns: {', '.join(available)}."
            )
        available = list(columns)
    kept = rows if limit is None else rows[: max(limit, 0)]
    return [{c: _plain(row.get(c)) for c in available} for row in kept], available


def render(
    rows: Sequence[Mapping[str, Any]],
    fmt: str = "auto",
    *,
    width: int | None = None,
    pretty: bool = False,
    color: bool = False,
    declared: Sequence[str] = (),
    total: int | None = None,
) -> str:
    """The rows in format ``fmt``. ``width`` is the terminal's (``None``: not a terminal, so
    tables keep their natural width and ``auto`` means a table); ``declared`` are the columns
    an empty answer still has (a library query's ``returns``); ``total`` counts the rows before a
    ``--limit`` cut."""
    rows = [{k: _plain(v) for k, v in row.items()} for row in rows]
    columns = columns_of(rows, declared)
    if fmt == "json":
        text = json.dumps(rows, ensure_ascii=False, indent=2 if pretty else None)
        # JSON escapes C0 controls itself; DEL and C1 controls are escaped here too.
        return re.sub("[\x7f-\x9f]", lambda m: f"\\u{ord(m.group()):04x}", text)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_csv_cell(row.get(c)) for c in columns])
        return buffer.getvalue().rstrip("\n")
    if fmt not in FORMATS:
        raise KBError(f"Unknown output format {fmt!r}; use one of {', '.join(FORMATS)}.")
    footer = _footer(len(rows), total)
    if not rows:
        return footer
    if fmt == "auto":
        fmt = "table" if width is None or _table_width(rows, columns) <= width else "list"
    if fmt == "table":
        table = _table(rows, columns, color)
        drawn = _draw(table, width or _table_width(rows, columns), color)
    else:
        drawn = _draw(_blocks(rows, columns, color), width or 100, color)
    return f"{drawn}\n{footer}"


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _footer(shown: int, total: int | None) -> str:
    plural = "s" if (total if total is not None else shown) != 1 else ""
    if total is not None and total > shown:
        return f"({shown} of {total} row{plural}; --limit to see more)"
    return f"({shown} row{plural})"


# --------------------------------------------------------------------------- drawing (rich)


def _console(width: int, color: bool, file: io.StringIO) -> Console:
    from rich.console import Console

    return Console(
        file=file,
        width=width,
        force_terminal=color,
        no_color=None if color else True,  # None: rich honours NO_COLOR itself
        color_system="standard" if color else None,
        markup=False,
        emoji=False,
        highlight=False,
        legacy_windows=False,
        soft_wrap=False,
    )


def _draw(renderable: RenderableType, width: int, color: bool) -> str:
    buffer = io.StringIO()
    _console(width, color, buffer).print(renderable)
    return "\n".join(line.rstrip() for line in buffer.getvalue().rstrip("\n").split("\n"))


def _table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], color: bool) -> Any:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        header_style="bold" if color else "",
        expand=False,
    )
    for column in columns:
        table.add_column(Text(column), overflow="fold")
    for row in rows:
        table.add_row(*(Text(_cell(row.get(c))) for c in columns))
    return table


def _table_width(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> int:
    """The width of the table with no line wrapped inside a cell."""
    from rich.console import Console
    from rich.measure import Measurement

    console = Console(file=io.StringIO(), width=100_000, legacy_windows=False)
    measured = Measurement.get(console, console.options, _table(rows, columns, False))
    return measured.maximum


def _blocks(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], color: bool) -> Any:
    """The list format: per row, its short values joined on the first lines (``key: value``),
    then each long value, one list item a line, indented under its key."""
    from rich.console import Group
    from rich.padding import Padding
    from rich.text import Text

    key_style = "bold" if color else ""
    parts: list[Any] = []
    number_width = len(str(len(rows)))
    for n, row in enumerate(rows, start=1):
        short = [c for c in columns if not _empty(row.get(c)) and not _is_long(row.get(c))]
        long = [c for c in columns if not _empty(row.get(c)) and _is_long(row.get(c))]
        head = Text(f"{n:>{number_width}}. ")
        for i, column in enumerate(short):
            if i:
                head.append(" · ")
            head.append(f"{column}: ", style=key_style)
            head.append(_flat(row[column]))
        parts.append(_hanging(head, number_width + 2))
        for column in long:
            parts.append(Padding(_long_value(column, row[column], key_style), (0, 0, 0, 4)))
        if n < len(rows):
            parts.append(Text(""))
    return Group(*parts)


def _hanging(text: Text, indent: int) -> Any:
    """``text`` wrapped with its later lines indented by ``indent``."""
    from rich.table import Table

    grid = Table.grid()
    prefix_len = indent
    grid.add_column(width=prefix_len, no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row(text[:prefix_len], text[prefix_len:])
    return grid


def _long_value(column: str, value: Any, key_style: str) -> Any:
    from rich.console import Group
    from rich.padding import Padding
    from rich.text import Text

    label = Text(f"{column}:", style=key_style)
    if isinstance(value, list) and any(isinstance(v, dict | list) for v in value):
        items = [
            Padding(Text(line, overflow="fold"), (0, 0, 0, indent))
            for item in value
            for indent, line in _item_lines(item)
        ]
        return Group(label, Padding(Group(*items), (0, 0, 0, 2)))
    if isinstance(value, list) and len(value) > 1:
        return Group(label, Padding(Group(*(Text(_flat(v)) for v in value)), (0, 0, 0, 2)))
    return _hanging(Text.assemble((f"{column}: ", key_style), _flat(value)), len(column) + 2)


def output_width(terminal: bool) -> int | None:
    """The width to draw at: on a terminal, ``COLUMNS`` if set, else the terminal's own; piped,
    ``COLUMNS`` if set (a positive whole number), else ``None`` (no width: natural tables)."""
    import shutil

    from kb import settings

    if terminal:
        return shutil.get_terminal_size().columns
    return settings.columns()


def emit(
    rows: Sequence[Mapping[str, Any]],
    fmt: str = "auto",
    *,
    columns: Sequence[str] | None = None,
    limit: int | None = None,
    declared: Sequence[str] = (),
) -> None:
    """Print the rows to standard output: on a terminal at its width (``auto`` picks the list
    when a table would not fit), pretty JSON and some bold; piped, compact JSON and tables at
    their natural width, unless ``COLUMNS`` sets one (:func:`output_width`)."""
    import sys

    import click

    terminal = sys.stdout.isatty()
    width = output_width(terminal)
    shown, shown_columns = select(rows, columns, limit, declared)
    text = render(
        shown,
        fmt,
        width=width,
        pretty=terminal,
        color=terminal,
        declared=shown_columns,
        total=len(rows),
    )
    click.echo(text)
