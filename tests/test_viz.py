"""Pictures of answers without Browser: `kb viz`, drawn by a real Chromium.

The references an answer's rows hold (ids, cited facts, quotes) become a subgraph through one
parameterised statement; the page neo4j-viz writes works offline; Debian's Chromium (headless,
no network at all) draws the expected nodes and relationships, in the style sheet's colours,
and shows a node's evidence on click; `--format png` gives the same picture as a still image.
Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import base64
import re
import shutil
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import ARTIFACTS, headless_chromium

from kb import KnowledgeBase, library, viz
from kb.browser import shipped_style
from kb.cli import main
from kb.schema import RELATION_TYPES

CATL = ("sites-relying-on-supplier", {"supplier": "CATL", "inherited": "true"})
COMPANY = shipped_style().node(["Company"])["color"]


# --------------------------------------------------------------------------- references


def test_refs_collect_ids_cited_facts_and_loose_quotes() -> None:
    rows = [
        {
            "place_id": "us-texas",
            "evidence": [
                {
                    "fact": "Texas -LOCATED_IN-> United States",
                    "quote": "Primary regions:",
                    "source": "lee",
                },
                {
                    "fact": "Texas -LOCATED_IN-> United States",
                    "quote": "Primary regions:",
                    "source": "lee",
                },
            ],
            "flows": [{"flow": "China -> United States", "quote": "59%", "source": "lee"}],
        },
        {
            "subject": "China",
            "relation": "RELIES_ON",
            "object": "United States",
            "quote": "tooling",
            "source": "lee",
        },
        {"other_id": "nvidia", "relation": "(entity)", "quote": "CUDA maker", "source": None},
    ]
    refs = viz.answer_refs(rows, ["catl"])
    assert refs.ids == ["catl", "us-texas", "nvidia"]
    assert [(f["start"], f["type"], f["end"]) for f in refs.facts] == [
        ("Texas", "LOCATED_IN", "United States"),
        ("China", None, "United States"),
        ("China", "RELIES_ON", "United States"),
    ]
    assert refs.facts[0]["start_norm"] == "texas"
    assert refs.quotes == [{"quote": "CUDA maker", "source": None, "near": ["catl", "nvidia"]}]


def test_the_picture_statement_takes_everything_as_parameters() -> None:
    text = viz.subgraph_statement()
    assert library.used_params(text) == {"ids", "facts", "quotes"}
    assert "{0}" not in text and "%s" not in text


# --------------------------------------------------------------------------- subgraphs


def _key(graph: viz.Subgraph) -> set[tuple[str, str, str]]:
    names = {n.element_id: n.properties["name"] for n in graph.nodes}
    return {(names[r.start], r.type, names[r.end]) for r in graph.relationships}


def test_the_catl_answer_draws_its_chains(seeded_graph: KnowledgeBase) -> None:
    answer = viz.answer(seeded_graph.driver, None, *CATL)
    ids = {n.properties["id"] for n in answer.graph.nodes}
    assert {row["place_id"] for row in answer.rows} <= ids
    assert {"catl", "CN", "US", "lithium-ion-batteries"} <= ids
    facts = _key(answer.graph)
    for row in answer.rows:
        for item in row["evidence"]:
            start, rel_type, end = re.match(r"(.+?) -([A-Z_]+)-> (.+)", item["fact"]).groups()
            assert (start, rel_type, end) in facts, item
    assert ("CATL", "SUPPLIES", "Lithium-ion batteries") in facts
    assert ("China", "SUPPLIES", "United States") in facts  # the 59% flow


@pytest.mark.parametrize(
    "name",
    # one of each shape of row: quotes beside ids, subject/relation/object, no ids at all,
    # flows and statistics, restrictions nested in the row
    ["entity-profile", "evidence-between", "statistic-trend", "exposure", "blast-radius"],
)
def test_an_example_answer_has_a_picture(seeded_graph: KnowledgeBase, name: str) -> None:
    example = library.load_library().get(name).header.example
    answer = viz.answer(seeded_graph.driver, None, name, example)
    assert answer.rows and answer.graph.relationships, name
    ids = {n.properties["id"] for n in answer.graph.nodes}
    assert set(viz.ids_in(answer.rows)) <= ids, name


# --------------------------------------------------------------------------- the command


@pytest.fixture(scope="module")
def catl_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("viz") / "catl.html"


def test_kb_viz_writes_a_page_that_needs_no_network(
    seeded_graph: KnowledgeBase, catl_page: Path
) -> None:
    name, params = CATL
    args = ["viz", name, *(f"-p{k}={v}" for k, v in params.items()), "--out", str(catl_page)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert re.search(r": \d+ nodes, \d+ relationships from 18 rows\.", result.stdout)
    page = catl_page.read_text(encoding="utf-8")
    external = re.findall(
        r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|url\(\s*["']?(?:https?:)?//|"""
        r"""import\s*\(?\s*["'](?:https?:)?//""",
        page,
    )
    assert external == []
    assert page.count('<script type="application/json" id="neo4j-viz-data">') == 1
    assert "kb query run sites-relying-on-supplier -p supplier=CATL" in page


# --------------------------------------------------------------------------- in a real browser


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Headless Debian Chromium with a fresh profile, every request refused but file:, data:
    and blob: (the page must work offline)."""
    with headless_chromium(("file:", "data:", "blob:"), width=1600) as context:
        yield context


_COLOUR_PIXELS = """([selector, hex]) => {
    const want = [1, 3, 5].map(i => parseInt(hex.slice(i, i + 2), 16));
    let count = 0;
    for (const canvas of document.querySelectorAll(selector)) {
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        for (let i = 0; i < data.length; i += 4)
            if (want.every((v, k) => Math.abs(data[i + k] - v) < 6) && data[i + 3] > 200) count++;
    }
    return count;
}"""


def test_chromium_draws_the_catl_page(
    seeded_graph: KnowledgeBase, catl_page: Path, chromium: Any
) -> None:
    expected = viz.answer(seeded_graph.driver, None, *CATL).graph
    page = chromium.new_page()
    page.goto(catl_page.as_uri())
    page.wait_for_function(
        "n => window.__Nvl_getNodesOnScreen && window.__Nvl_getNodesOnScreen().nodes.length === n",
        arg=len(expected.nodes),
        timeout=20_000,
    )  # every node laid out and inside the window
    page.wait_for_timeout(1_500)  # the force layout settles, then NVL fits the view
    assert page.evaluate("() => window.__Nvl_dumpNodes().length") == len(expected.nodes)
    assert page.evaluate("() => window.__Nvl_dumpRelationships().length") == len(
        expected.relationships
    )
    assert page.evaluate(_COLOUR_PIXELS, ["[data-testid=nvl-c2d-canvas]", COMPANY]) > 500
    page.screenshot(path=str(ARTIFACTS / "viz-catl.png"))
    # a click on CATL shows its evidence in the details panel
    page.get_by_label("Toggle graph details panel").click()
    page.wait_for_timeout(1_000)  # the panel narrows the canvas; NVL redraws
    box = page.locator("[data-testid=nvl-c2d-canvas]").bounding_box()
    catl = next(n for n in expected.nodes if n.properties["id"] == "catl")
    spot = page.evaluate(
        """id => {
            const n = window.__Nvl_getNodesOnScreen().nodes.find(n => n.id === id);
            return [n.x * window.__Nvl_getZoomLevel(), n.y * window.__Nvl_getZoomLevel()];
        }""",
        catl.element_id,
    )
    page.mouse.click(box["x"] + box["width"] / 2 + spot[0], box["y"] + box["height"] / 2 + spot[1])
    page.get_by_text("dominant lithium-ion battery supplier", exact=False).first.wait_for(
        timeout=5_000
    )
    page.screenshot(path=str(ARTIFACTS / "viz-catl-details.png"))
    page.close()


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_kb_viz_png_is_the_drawn_picture(
    seeded_graph: KnowledgeBase, chromium: Any, tmp_path: Path
) -> None:
    out = tmp_path / "catl.png"
    name, params = CATL
    args = ["viz", name, *(f"-p{k}={v}" for k, v in params.items()), "--out", str(out)]
    result = CliRunner().invoke(main, [*args, "--width", "1400", "--height", "900"])
    assert result.exit_code == 0, result.output
    assert _png_size(out.read_bytes()) == (1400, 900)
    shutil.copy(out, ARTIFACTS / "viz-catl-cli.png")
    # not a blank page: company-coloured pixels, counted in a canvas Chromium draws it on
    page = chromium.new_page()
    page.set_content('<canvas width="1400" height="900"></canvas>')
    page.evaluate(
        """async (data) => {
            const img = new Image();
            img.src = 'data:image/png;base64,' + data;
            await img.decode();
            document.querySelector('canvas').getContext('2d').drawImage(img, 0, 0);
        }""",
        base64.b64encode(out.read_bytes()).decode(),
    )
    assert page.evaluate(_COLOUR_PIXELS, ["canvas", COMPANY]) > 500
    page.close()


def test_the_picture_tells_facts_apart(seeded_graph: KnowledgeBase) -> None:
    """Parallel SUPPLIES edges carry their category, implied facts are paler and say so, every
    relationship type has a colour of its own, and the still (PNG) page has no buttons or
    hints."""
    answer = viz.answer(seeded_graph.driver, None, *CATL)
    page = viz.render_html(answer.graph, title="t")
    rels = answer.graph.relationships
    flows = [r for r in rels if r.type == "SUPPLIES" and r.properties.get("category")]
    assert flows, "the CATL answer holds the China -> United States flows"
    for rel in flows:
        caption = viz._fact_caption(rel)
        assert caption.startswith("SUPPLIES · ")
        assert str(rel.properties["category"]).replace("-", " ") in caption
    implied = [r for r in answer.graph.relationships if r.properties.get("confidence") == "implied"]
    assert implied and all(viz._fact_caption(r).endswith("(implied)") for r in implied)
    style = shipped_style()
    colours = {t.type: style.relationship(t.type)["color"] for t in RELATION_TYPES}
    assert len(set(colours.values())) == len(colours), colours
    assert viz.fact_colour(implied[0], style) == colours[implied[0].type] + "66"
    stated = next(r for r in rels if r.properties.get("confidence") == "stated")
    assert viz.fact_colour(stated, style) == colours[stated.type]
    assert "then Details" in page and viz.STILL_CSS not in page
    still = viz.render_html(answer.graph, title="t", still=True)
    assert "then Details" not in still and viz.STILL_CSS in still
