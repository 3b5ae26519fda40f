"""Pictures of answers without Browser: `kb viz`, drawn by a real Chromium.

The references an answer's rows hold (ids, cited facts, quotes) become a subgraph through one
parameterised statement; kb.picture lays it out and draws it as SVG (captions wrapped at word
boundaries, implied facts dashed, one colour per relationship type, a legend); the page works
offline and stays small; Debian's Chromium (headless, no network at all) draws the expected
nodes and facts and shows a node's evidence on hover; `--format png` gives the same picture as
a still image. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import base64
import json
import math
import re
import shutil
import struct
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import ARTIFACTS, headless_chromium

from kb import KnowledgeBase, library, picture, viz
from kb.browser import shipped_style
from kb.cli import main
from kb.schema import RELATION_TYPES

CATL = ("sites-relying-on-supplier", {"supplier": "CATL", "inherited": "true"})
COMPANY = shipped_style().node(["Company"])["color"]
SVG = "{http://www.w3.org/2000/svg}"
HTML_BOUND = 1_500_000  # bytes: the bound for a picture's page


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


# --------------------------------------------------------------------------- the SVG


def _svg(graph: viz.Subgraph) -> ET.Element:
    return ET.fromstring(viz.render_svg(graph))


def _lines_of(group: ET.Element) -> list[str]:
    return [t.text or "" for t in group.iter(f"{SVG}tspan")]


def assert_wrapped_at_word_boundaries(name: str, lines: list[str]) -> None:
    """The lines give back the name, each break at a space or right after a hyphen."""
    pos = 0
    for n, line in enumerate(lines):
        assert line and line == line.strip(), lines
        assert name.startswith(line, pos), (name, lines)
        pos += len(line)
        if n < len(lines) - 1:
            if name[pos : pos + 1] == " ":
                pos += 1
            else:
                assert line.endswith("-"), (name, lines)  # a break inside a word
    assert pos == len(name), (name, lines)


def test_wrap_words_breaks_at_spaces_and_hyphens_only() -> None:
    assert picture.wrap_words("Lithium-ion batteries") == ["Lithium-ion", "batteries"]
    assert picture.wrap_words("CoreWeave") == ["CoreWeave"]
    assert picture.wrap_words("Georgia (U.S. state)") == ["Georgia (U.S.", "state)"]
    long = "Supercalifragilisticexpialidocious Inc"
    assert picture.wrap_words(long, 10) == ["Supercalifragilisticexpialidocious", "Inc"]
    hyphens = "Georgia-Pacific-Holdings-International"
    assert picture.wrap_words(hyphens, 16) == ["Georgia-Pacific-", "Holdings-", "International"]
    for text in (long, hyphens, "Amazon Web Services", "Data Center Alley"):
        assert_wrapped_at_word_boundaries(text, picture.wrap_words(text, 10))


def test_catl_captions_wrap_only_at_spaces_and_hyphens(seeded_graph: KnowledgeBase) -> None:
    graph = viz.answer(seeded_graph.driver, None, *CATL).graph
    svg = _svg(graph)
    names = {str(n.properties["id"]): str(n.properties["name"]) for n in graph.nodes}
    drawn = svg.findall(f".//{SVG}g[@class='node']")
    assert len(drawn) == len(graph.nodes)
    captions = {g.get("data-id"): _lines_of(g) for g in drawn}
    for node_id, lines in captions.items():
        assert_wrapped_at_word_boundaries(names[str(node_id)], lines)
    assert captions["catl"] == ["CATL"]
    assert ["Lithium-ion", "batteries"] in captions.values()
    assert any(lines == ["CoreWeave"] for lines in captions.values())


def test_implied_facts_are_dashed_and_each_type_has_its_colour(
    seeded_graph: KnowledgeBase,
) -> None:
    graph = viz.answer(seeded_graph.driver, None, *CATL).graph
    style = shipped_style()
    facts = _svg(graph).findall(f".//{SVG}g[@class='fact']")
    assert sum(int(str(g.get("data-count"))) for g in facts) == len(graph.relationships) == 23
    implied = [r for r in graph.relationships if r.properties.get("confidence") == "implied"]
    assert implied
    dashed = 0
    for group in facts:
        shaft = group.find(f"{SVG}path[@class='shaft']")
        assert shaft is not None
        assert shaft.get("stroke") == style.relationship(str(group.get("data-type")))["color"]
        if group.get("data-implied") == "true":
            assert shaft.get("stroke-dasharray"), ET.tostring(group)
            dashed += int(str(group.get("data-count")))
        else:
            assert shaft.get("stroke-dasharray") is None, ET.tostring(group)
    assert dashed == len(implied)
    colours = {t.type: style.relationship(t.type)["color"] for t in RELATION_TYPES}
    assert len(set(colours.values())) == len(colours), colours


def test_parallel_supplies_facts_are_merged_and_name_their_categories(
    seeded_graph: KnowledgeBase,
) -> None:
    graph = viz.answer(seeded_graph.driver, None, *CATL).graph
    svg = _svg(graph)
    flows = [
        r for r in graph.relationships if r.type == "SUPPLIES" and r.properties.get("category")
    ]
    assert len(flows) == 2  # China -> United States: lithium-ion batteries, transformers
    labels = [" ".join(_lines_of(t)) for t in svg.iter(f"{SVG}text") if t.get("class") == "label"]
    assert labels == ["SUPPLIES ×2: lithium ion batteries, transformers"]
    merged = [g for g in svg.iter(f"{SVG}g") if g.get("data-count") == "2"]
    assert len(merged) == 1
    details = json.loads(str(merged[0].get("data-details")))
    assert {f["category"] for f in details["facts"]} == {"lithium-ion-batteries", "transformers"}
    assert all(f["evidence"] for f in details["facts"])
    legend = svg.find(f".//{SVG}g[@id='legend']")
    assert legend is not None
    words = {t.text for t in legend.iter(f"{SVG}text")}
    assert {"SUPPLIES", "RELIES_ON", "LOCATED_IN", "Company", "stated", "implied"} <= words


def test_many_facts_between_two_nodes_stay_apart(seeded_graph: KnowledgeBase) -> None:
    example = library.load_library().get("evidence-between").header.example
    graph = viz.answer(seeded_graph.driver, None, "evidence-between", example).graph
    svg = _svg(graph)
    facts = svg.findall(f".//{SVG}g[@class='fact']")
    assert sum(int(str(g.get("data-count"))) for g in facts) == len(graph.relationships)
    shapes = [str(g.find(f"{SVG}path[@class='shaft']").get("d")) for g in facts]  # type: ignore[union-attr]
    assert len(set(shapes)) == len(shapes) == len(facts) > 2  # one curve each, none on another
    labels = [" ".join(_lines_of(t)) for t in svg.iter(f"{SVG}text") if t.get("class") == "label"]
    assert any("more (hover for all)" in label for label in labels), labels


def _hundred() -> viz.Subgraph:
    """100 nodes: a hub with 60 spokes and a tree of 39, long names, stated and implied."""
    kinds = ["Company", "Region", "Site", "Country", "Category"]
    nodes = tuple(
        viz.GraphNode(
            f"n{i}",
            (kinds[i % 5], "Entity"),
            {"id": f"e{i}", "name": f"Entity {i} of a graph-with-long-names"},
        )
        for i in range(100)
    )
    ends = [(i, 0) for i in range(1, 61)] + [(i, 61 + (i - 62) // 2) for i in range(62, 100)]
    ends.append((61, 7))
    rels = tuple(
        viz.GraphRel(
            f"r{i}",
            ("SUPPLIES", "LOCATED_IN", "RELIES_ON")[i % 3],
            f"n{a}",
            f"n{b}",
            {"confidence": "implied" if i % 4 == 0 else "stated"},
        )
        for i, (a, b) in enumerate(ends)
    )
    return viz.Subgraph(nodes, rels)


def test_a_100_node_picture_is_small_and_its_nodes_do_not_overlap() -> None:
    graph = _hundred()
    page = viz.render_html(graph, title="100 nodes")
    assert len(page.encode()) < HTML_BOUND / 5
    svg = _svg(graph)
    circles = [
        (float(str(c.get("cx"))), float(str(c.get("cy"))), float(str(c.get("r"))))
        for c in svg.iter(f"{SVG}circle")
        if c.get("stroke-width") == "2"
    ]
    assert len(circles) == 100
    for n, (x1, y1, r1) in enumerate(circles):
        for x2, y2, r2 in circles[n + 1 :]:
            assert math.dist((x1, y1), (x2, y2)) > r1 + r2 + 10
    for group in svg.findall(f".//{SVG}g[@class='node']"):
        name = f"Entity {str(group.get('data-id'))[1:]} of a graph-with-long-names"
        assert_wrapped_at_word_boundaries(name, _lines_of(group))
    assert viz.render_svg(graph) == viz.render_svg(graph)  # the same input, the same picture


# --------------------------------------------------------------------------- the command


@pytest.fixture(scope="module")
def catl_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("viz") / "catl.html"


def test_kb_viz_writes_a_small_page_that_needs_no_network(
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
    assert len(catl_page.read_bytes()) < HTML_BOUND
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" id="kb-picture"') == 1
    assert "kb query run sites-relying-on-supplier -p supplier=CATL" in page
    svg_file = catl_page.with_suffix(".svg")
    result = CliRunner().invoke(main, [*args[:-1], str(svg_file)])
    assert result.exit_code == 0, result.output
    assert ET.parse(svg_file).getroot().get("data-relationships") == "23"


# --------------------------------------------------------------------------- in a real browser


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Headless Debian Chromium with a fresh profile, every request refused but file:, data:
    and blob: (the page must work offline)."""
    with headless_chromium(("file:", "data:", "blob:"), width=1600) as context:
        yield context


def _colour_pixels(chromium: Any, png: bytes, hex_colour: str) -> int:
    """How many pixels of a PNG have the colour, counted in a canvas Chromium draws it on."""
    width, height = _png_size(png)
    page = chromium.new_page()
    page.set_content(f'<canvas width="{width}" height="{height}"></canvas>')
    count = int(
        page.evaluate(
            """async ([data, hex]) => {
                const img = new Image();
                img.src = 'data:image/png;base64,' + data;
                await img.decode();
                const canvas = document.querySelector('canvas'), ctx = canvas.getContext('2d');
                ctx.drawImage(img, 0, 0);
                const want = [1, 3, 5].map(i => parseInt(hex.slice(i, i + 2), 16));
                const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
                let count = 0;
                for (let i = 0; i < px.length; i += 4)
                    if (want.every((v, k) => Math.abs(px[i + k] - v) < 6)) count++;
                return count;
            }""",
            [base64.b64encode(png).decode(), hex_colour],
        )
    )
    page.close()
    return count


def test_chromium_draws_the_catl_page(
    seeded_graph: KnowledgeBase, catl_page: Path, chromium: Any
) -> None:
    expected = viz.answer(seeded_graph.driver, None, *CATL).graph
    page = chromium.new_page()
    page.goto(catl_page.as_uri())
    assert page.locator("#kb-picture g.node").count() == len(expected.nodes)
    counts = page.eval_on_selector_all(
        "#kb-picture g.fact", "gs => gs.map(g => Number(g.dataset.count))"
    )
    assert sum(counts) == len(expected.relationships)
    box = page.locator("#kb-picture").bounding_box()
    assert box["width"] > 1000 and box["height"] > 600  # scaled to the window
    shot = page.screenshot(path=str(ARTIFACTS / "viz-catl.png"))
    assert _colour_pixels(chromium, shot, COMPANY) > 500
    # hovering CATL shows its evidence in the details panel
    assert page.locator("#kb-details").is_hidden()
    page.hover("#kb-picture g.node[data-id=catl] circle")
    page.get_by_text("dominant lithium-ion battery supplier", exact=False).first.wait_for(
        timeout=5_000
    )
    page.screenshot(path=str(ARTIFACTS / "viz-catl-details.png"))
    # the wheel zooms
    before = page.locator("#viewport").get_attribute("transform")
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -300)
    page.wait_for_function(
        "b => document.getElementById('viewport').getAttribute('transform') !== b", arg=before
    )
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
    # not a blank page: company-coloured pixels
    assert _colour_pixels(chromium, out.read_bytes(), COMPANY) > 500


def test_the_still_page_has_no_script_panel_or_hint(seeded_graph: KnowledgeBase) -> None:
    graph = viz.answer(seeded_graph.driver, None, *CATL).graph
    page = viz.render_html(graph, title="t")
    still = viz.render_html(graph, title="t", still=True)
    assert "<script>" in page and 'id="kb-details"' in page and "hover or click" in page
    assert "<script>" not in still and "kb-details" not in still and "hover" not in still
    assert "<button" not in page and "<button" not in still


def test_a_hostile_value_stays_text_in_the_picture() -> None:
    hostile = '</tspan><script>alert(1)</script>" onload="alert(2)'
    nodes = (
        viz.GraphNode("a", ("Company", "Entity"), {"id": "a", "name": hostile}),
        viz.GraphNode("b", ("Country", "Entity"), {"id": "b", "name": "B", "note": hostile}),
    )
    rels = (viz.GraphRel("r", "HEADQUARTERED_IN", "a", "b", {"evidence": hostile}),)
    graph = viz.Subgraph(nodes, rels)
    page = viz.render_html(graph, title=hostile, subtitle=hostile)
    assert "<script>alert" not in page and 'onload="alert' not in page
    svg = _svg(graph)  # well-formed: the value did not end an element
    caption = svg.find(f".//{SVG}g[@data-id='a']")
    assert caption is not None and " ".join(_lines_of(caption)) == hostile
    details = [
        json.loads(str(g.get("data-details"))) for g in svg.findall(f".//{SVG}g[@data-details]")
    ]
    assert any(d.get("note") == hostile for d in details)
