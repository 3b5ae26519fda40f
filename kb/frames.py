"""Answers as pandas DataFrames, for notebooks (``pip install 'ai-infra-kb[notebook]'``).

A library answer nests its evidence: each row holds a list of pieces (quote, fact, source,
confidence ...). :func:`to_frame` flattens it: one line per piece of evidence, the row's own
columns repeated and the piece's fields as ``evidence_<field>`` columns; a row without
evidence keeps one line. Other lists are joined into text (lists of records as ``k: v`` text),
so every cell is a scalar.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from kb.errors import KBError

if TYPE_CHECKING:
    import pandas as pd


def _cell(value: Any) -> Any:
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_cell(v)}" for k, v in value.items() if v is not None)
    if isinstance(value, list | tuple):
        return " | ".join(str(_cell(v)) for v in value)
    return value


def flatten(rows: Sequence[Mapping[str, Any]], evidence: str = "evidence") -> list[dict[str, Any]]:
    """The rows with the ``evidence`` column spread out (see the module's note)."""
    flat: list[dict[str, Any]] = []
    for number, row in enumerate(rows):
        base = {"row": number, **{k: _cell(v) for k, v in row.items() if k != evidence}}
        pieces = row.get(evidence)
        if not isinstance(pieces, list) or not pieces:
            flat.append(base)
            continue
        for piece in pieces:
            fields = piece if isinstance(piece, dict) else {"quote": piece}
            flat.append({**base, **{f"{evidence}_{k}": _cell(v) for k, v in fields.items()}})
    return flat


def to_frame(rows: Sequence[Mapping[str, Any]], evidence: str = "evidence") -> pd.DataFrame:
    """A DataFrame of an answer, its evidence flattened (one line per piece)."""
    try:
        import pandas as pd
    except ImportError:
        raise KBError(
            "DataFrames need pandas: pip install 'ai-infra-kb[notebook]' (or pip install pandas)."
        ) from None
    return pd.DataFrame(flatten(rows, evidence))
