"""The example notebook runs against the test server, and answers become DataFrames."""

from __future__ import annotations

from pathlib import Path

from kb import KnowledgeBase
from kb.frames import flatten

NOTEBOOK = Path(__file__).resolve().parent.parent / "examples" / "first-look.ipynb"


def test_an_answer_as_a_frame_has_one_line_per_piece_of_evidence(
    seeded_graph: KnowledgeBase,
) -> None:
    rows = seeded_graph.query("sites-relying-on-supplier", supplier="CATL")
    frame = seeded_graph.frame("sites-relying-on-supplier", supplier="CATL")
    assert len(frame) == sum(len(row["evidence"]) for row in rows)
    assert {"row", "place", "chain", "evidence_quote", "evidence_fact"} <= set(frame.columns)
    assert "evidence" not in frame.columns
    first = frame[frame["row"] == 0]
    assert list(first["evidence_quote"]) == [piece["quote"] for piece in rows[0]["evidence"]]
    # nested lists become text: every cell a scalar
    assert all(not isinstance(v, list | dict) for v in frame.to_dict("list")["flows"])


def test_a_row_without_evidence_keeps_its_line() -> None:
    flat = flatten([{"a": 1, "evidence": []}, {"a": 2, "tags": ["x", "y"]}])
    assert flat == [{"row": 0, "a": 1}, {"row": 1, "a": 2, "tags": "x | y"}]


def test_the_example_notebook_runs(seeded_graph: KnowledgeBase) -> None:
    import nbformat  # dev dependencies (pyproject's `dev` extra)
    from nbclient import NotebookClient

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(notebook, timeout=180, kernel_name="python3").execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html_tables = [o for o in outputs if "text/html" in o.get("data", {})]
    assert any("Lithium-ion batteries" in o["data"]["text/html"] for o in html_tables)
    pictures = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(pictures) == 1 and len(pictures[0]["data"]["image/png"]) > 10_000
