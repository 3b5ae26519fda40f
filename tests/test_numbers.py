"""Numbers a script can use: value, unit and a normalised value computed at load; ranges as
low/high, bounds as a bound."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from kb.schema import StatisticRecord

BASE: dict[str, Any] = {
    "id": "x",
    "name": "x",
    "series": "x",
    "metric": "x",
    "source": "s",
    "evidence": "e",
}


def stat(**fields: Any) -> StatisticRecord:
    return StatisticRecord.model_validate({**BASE, **fields})


def test_percentages_become_fractions_and_amounts_dollars() -> None:
    share = stat(value=59, unit="percent")
    assert (share.value_normalised, share.unit_normalised) == (0.59, "fraction")
    imports = stat(value=77.1, unit="usd_billion")
    assert (imports.value_normalised, imports.unit_normalised) == (77_100_000_000.0, "usd")
    assert stat(value=7, unit="usd_trillion").value_normalised == 7e12
    assert stat(value=2, unit="rank").unit_normalised == "rank"


def test_a_range_is_low_and_high_never_a_midpoint() -> None:
    capacity = stat(low=70, high=80, unit="percent")
    dumped = capacity.model_dump()
    assert dumped["value"] is None
    assert (dumped["low_normalised"], dumped["high_normalised"]) == (0.7, 0.8)


def test_a_bound_is_a_bound() -> None:
    growth = stat(value=500, bound="above", unit="percent")
    assert growth.model_dump()["bound"] == "above"
    assert growth.value_normalised == 5.0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"unit": "percent"}, "give 'value', or 'low' and 'high'"),
        ({"value": 1, "low": 1, "high": 2, "unit": "percent"}, "not both"),
        ({"low": 80, "high": 70, "unit": "percent"}, "low <= high"),
        ({"low": 80, "unit": "percent"}, "needs both"),
        ({"low": 1, "high": 2, "bound": "above", "unit": "percent"}, "'bound' qualifies"),
        # normalised values are computed, never written by hand
        ({"value": 1, "unit": "percent", "value_normalised": 0.5}, "Extra inputs"),
    ],
)
def test_inconsistent_numbers_are_refused(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        stat(**fields)
