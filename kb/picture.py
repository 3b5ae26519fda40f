"""A picture of a subgraph as a static SVG, laid out and drawn here, in Python.

- **Layout.** Nodes start on rings by their distance (in hops) from the best-connected node,
  then a force-directed pass (Fruchterman-Reingold: every pair repels, every drawn fact pulls
  its ends together, the step cools) spreads them out. Nodes are taken in a fixed order and
  nothing is random, so the same subgraph always gives the same picture.
- **Facts.** Facts between the same two nodes, of the same type, direction and confidence are
  merged into one line with a count; a merged SUPPLIES line names its categories. Lines between
  the same two nodes bend apart. One colour per relationship type (the Browser style sheet's);
  an implied fact is dashed (``stroke-dasharray``), a stated one solid.
- **Captions** sit under their node, wrapped at spaces and after hyphens only (one ``<tspan>``
  a line), never inside a word.
- **Legend.** The kinds of node and fact drawn, and what a dashed line means, beside the graph.

Every node and line carries its properties as JSON in ``data-details``, which the HTML page
(:mod:`kb.viz`) shows on hover or click.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from kb.browser import GraphStyle

CAPTION_CHARS = 16  # the longest line of a node caption, unless one word is longer
LABEL_CHARS = 34  # the longest line of a fact's label
LABEL_LINES = 3  # lines of categories before "+N more"
EDGE_LENGTH = 120.0  # the layout's ideal distance between two linked nodes, in px
BEND = 34.0  # px between two lines joining the same nodes
DASH = "7 5"
MIN_WIDTH, MIN_HEIGHT = 1000.0, 620.0
GREY = "#A5ABB6"
HIDDEN_PROPERTIES = frozenset({"norm_name", "norm_names"})


class NodeLike(Protocol):
    """A node to draw (:class:`kb.viz.GraphNode`)."""

    @property
    def labels(self) -> tuple[str, ...]: ...
    @property
    def element_id(self) -> str: ...
    @property
    def properties(self) -> dict[str, Any]: ...
    @property
    def label(self) -> str: ...


class RelLike(Protocol):
    """A fact to draw (:class:`kb.viz.GraphRel`)."""

    @property
    def type(self) -> str: ...
    @property
    def start(self) -> str: ...
    @property
    def end(self) -> str: ...
    @property
    def properties(self) -> dict[str, Any]: ...


# --------------------------------------------------------------------------- text


def wrap_words(text: str, width: int = CAPTION_CHARS) -> list[str]:
    """Lines of at most ``width`` characters, broken at spaces or after a hyphen only; a word
    longer than the width keeps a line of its own, whole."""
    pieces: list[tuple[str, str]] = []  # (joiner before the piece, piece)
    for word in text.split():
        parts = re.findall(r"[^-]+-+|[^-]+$|-+", word) if len(word) > width else [word]
        pieces += [(" " if i == 0 else "", part) for i, part in enumerate(parts)]
    lines: list[str] = []
    for joiner, piece in pieces:
        if lines and len(lines[-1]) + len(joiner) + len(piece) <= width:
            lines[-1] += joiner + piece
        else:
            lines.append(piece)
    return lines or [""]


def _tspans(lines: Sequence[str], x: float, first_dy: float, line_height: float) -> str:
    return "".join(
        f'<tspan x="{x:.1f}" dy="{first_dy if i == 0 else line_height:.1f}">'
        f"{html.escape(line)}</tspan>"
        for i, line in enumerate(lines)
    )


def _details(head: dict[str, str], properties: dict[str, Any]) -> str:
    """What the page shows for a node or a line: ``head`` first, then the properties."""
    shown = {k: v for k, v in sorted(properties.items()) if k not in {*HIDDEN_PROPERTIES, *head}}
    return html.escape(json.dumps({**head, **shown}, ensure_ascii=False, default=str))


# --------------------------------------------------------------------------- facts, merged


@dataclass(frozen=True)
class Line:
    """One drawn line: the facts of one type, direction and confidence between two nodes."""

    start: str
    end: str
    type: str
    implied: bool
    facts: tuple[RelLike, ...]

    @property
    def categories(self) -> list[str]:
        found = [str(f.properties.get("category") or "") for f in self.facts]
        return sorted({c.replace("-", " ") for c in found if c})

    def label(self) -> list[str]:
        """The lines of the label: a count when facts are merged, and the categories."""
        count = len(self.facts)
        head = f"{self.type} ×{count}" if count > 1 else ""
        categories = self.categories
        if not categories:
            return [head] if head else []
        text = ", ".join(categories)
        lines = wrap_words(f"{head}: {text}" if head else text, LABEL_CHARS)
        if len(lines) > LABEL_LINES:
            shown = " ".join(lines[:LABEL_LINES])
            left = sum(1 for c in categories if c not in shown)
            lines = [*lines[:LABEL_LINES], f"+{left} more (hover for all)"]
        return lines


def merge_facts(rels: Sequence[RelLike]) -> list[Line]:
    """The drawn lines, in a fixed order."""
    groups: dict[tuple[str, str, str, bool], list[RelLike]] = {}
    for rel in rels:
        implied = rel.properties.get("confidence") == "implied"
        groups.setdefault((rel.start, rel.end, rel.type, implied), []).append(rel)
    return [
        Line(s, e, t, i, tuple(sorted(facts, key=lambda r: str(r.properties.get("category")))))
        for (s, e, t, i), facts in sorted(groups.items())
    ]


# --------------------------------------------------------------------------- layout


def _order(nodes: Sequence[NodeLike]) -> list[NodeLike]:
    return sorted(
        nodes,
        key=lambda n: (n.label, str(n.properties.get("name") or ""), str(n.properties.get("id"))),
    )


def layout(
    nodes: Sequence[NodeLike],
    lines: Sequence[Line],
    boxes: dict[str, tuple[float, float, float]] | None = None,
) -> dict[str, tuple[float, float]]:
    """Positions (px) of the nodes: rings by hops from the best-connected node, then a
    deterministic force-directed pass, then nodes whose boxes (half width, height above and
    below the centre: circle and caption) overlap are pushed apart."""
    order = _order(nodes)
    index = {n.element_id: i for i, n in enumerate(order)}
    count = len(order)
    if count == 0:
        return {}
    drawn: dict[tuple[int, int], int] = {}  # lines between two nodes
    for line in lines:
        if line.start != line.end:
            pair = (
                min(index[line.start], index[line.end]),
                max(index[line.start], index[line.end]),
            )
            drawn[pair] = drawn.get(pair, 0) + 1
    links = sorted(drawn)
    neighbours: list[list[int]] = [[] for _ in range(count)]
    for a, b in links:
        neighbours[a].append(b)
        neighbours[b].append(a)
    # rings: breadth-first from the best-connected node of each part, parts one after another
    hops = [-1] * count
    angle = [0.0] * count
    ring_of: dict[int, list[int]] = {}
    base = 0
    for root in sorted(range(count), key=lambda i: (-len(neighbours[i]), i)):
        if hops[root] >= 0 or not neighbours[root]:
            continue
        hops[root], frontier = base, [root]
        ring_of.setdefault(base, []).append(root)
        while frontier:
            following = []
            for i in frontier:
                for j in sorted(neighbours[i], key=lambda j: (angle[i], j)):
                    if hops[j] < 0:
                        hops[j] = hops[i] + 1
                        angle[j] = angle[i]
                        ring_of.setdefault(hops[j], []).append(j)
                        following.append(j)
            frontier = following
        base = max(hops) + 1
    linked = [i for i in range(count) if hops[i] >= 0]
    x = [0.0] * count
    y = [0.0] * count
    for ring, members in ring_of.items():
        for m, i in enumerate(members):
            angle[i] = 2 * math.pi * (m + 0.5 * (ring % 2)) / len(members)
            radius = ring * EDGE_LENGTH
            x[i], y[i] = radius * math.cos(angle[i]), radius * math.sin(angle[i])
    # force-directed (Fruchterman-Reingold), cooling linearly
    k = EDGE_LENGTH
    rounds = max(60, min(300, 3_000_000 // max(count * count, 1)))
    heat = EDGE_LENGTH * max(1.0, math.sqrt(count) / 2)
    for step in range(rounds if linked else 0):
        dx = [0.0] * count
        dy = [0.0] * count
        for n, i in enumerate(linked):
            xi, yi = x[i], y[i]
            for j in linked[n + 1 :]:
                ex, ey = xi - x[j], yi - y[j]
                d2 = ex * ex + ey * ey
                if d2 < 1e-4:
                    ex, ey, d2 = 0.01 * (i - j), 0.01, 1e-4 + 1e-4 * (i - j) ** 2
                push = k * k / d2
                dx[i] += ex * push
                dy[i] += ey * push
                dx[j] -= ex * push
                dy[j] -= ey * push
        for a, b in links:
            ex, ey = x[a] - x[b], y[a] - y[b]
            d = math.sqrt(ex * ex + ey * ey) or 0.01
            pull = d / (k * (1 + 1.5 * (drawn[a, b] - 1)))  # several lines: further apart
            dx[a] -= ex * pull
            dy[a] -= ey * pull
            dx[b] += ex * pull
            dy[b] += ey * pull
        limit = heat * (1 - step / rounds) + 1.0
        for i in linked:
            dx[i] -= 0.1 * x[i]  # some gravity keeps separate parts close
            dy[i] -= 0.02 * y[i]
            d = math.sqrt(dx[i] * dx[i] + dy[i] * dy[i])
            if d > 0:
                step_len = min(d, limit)
                x[i] += dx[i] / d * step_len
                y[i] += dy[i] / d * step_len
    if linked:
        turned = _widest_across([x[i] for i in linked], [y[i] for i in linked])
        for n, i in enumerate(linked):
            x[i], y[i] = turned[0][n], turned[1][n]
    # nodes with no line: in rows under the rest
    alone = [i for i in range(count) if hops[i] < 0]
    across = max(1, math.ceil(math.sqrt(len(alone) * 3)))
    left = min((x[i] for i in linked), default=0.0)
    below = max((y[i] for i in linked), default=-EDGE_LENGTH) + EDGE_LENGTH
    for n, i in enumerate(alone):
        x[i] = left + (n % across) * EDGE_LENGTH
        y[i] = below + (n // across) * EDGE_LENGTH * 0.8
    if boxes:
        _spread([boxes[n.element_id] for n in order], x, y)
    return {n.element_id: (round(x[i], 1), round(y[i], 1)) for i, n in enumerate(order)}


def _spread(boxes: Sequence[tuple[float, float, float]], x: list[float], y: list[float]) -> None:
    """Push apart the nodes whose boxes overlap, along the shorter way out, a few rounds."""
    count = len(x)
    for _ in range(60):
        moved = False
        for i in range(count):
            wi = boxes[i][0]
            for j in range(i + 1, count):
                wj = boxes[j][0]
                over_x = wi + wj + 6 - abs(x[i] - x[j])
                if over_x <= 0:
                    continue
                above, below = (i, j) if y[i] <= y[j] else (j, i)
                over_y = boxes[above][2] + boxes[below][1] + 4 - (y[below] - y[above])
                if over_y <= 0:
                    continue
                moved = True
                if over_x < over_y:
                    shift = over_x / 2 + 0.5
                    sign = 1.0 if x[i] > x[j] or (x[i] == x[j] and i < j) else -1.0
                    x[i] += sign * shift
                    x[j] -= sign * shift
                else:
                    shift = over_y / 2 + 0.5
                    y[above] -= shift
                    y[below] += shift
        if not moved:
            return


def _widest_across(x: list[float], y: list[float]) -> tuple[list[float], list[float]]:
    """The layout turned so that its longest extent runs across (screens are wide)."""
    mx, my = sum(x) / len(x), sum(y) / len(y)
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    turn = -0.5 * math.atan2(2 * sxy, sxx - syy)
    c, s = math.cos(turn), math.sin(turn)
    return (
        [(a - mx) * c - (b - my) * s for a, b in zip(x, y, strict=True)],
        [(a - mx) * s + (b - my) * c for a, b in zip(x, y, strict=True)],
    )


# --------------------------------------------------------------------------- drawing


def _px(value: str | None, default: float) -> float:
    match = re.match(r"\s*([0-9.]+)", value or "")
    return float(match.group(1)) if match else default


def node_caption(node: NodeLike, style: GraphStyle) -> str:
    """A GraSS caption ("{name}", "<id>", "<type>") filled in for a node, as Browser does."""
    template = style.node(node.labels).get("caption", "{name}")
    text = re.sub(r"\{([^{}]*)\}", lambda m: str(node.properties.get(m.group(1)) or ""), template)
    text = text.replace("<id>", str(node.properties.get("id", ""))).replace("<type>", node.label)
    return text or str(node.properties.get("name") or node.properties.get("id") or node.label)


def _radius(node: NodeLike, style: GraphStyle) -> float:
    return _px(style.node(node.labels).get("diameter"), 50) * 0.32


def _colour(style: GraphStyle, rel_type: str) -> str:
    return style.relationship(rel_type).get("color", GREY)


@dataclass(frozen=True)
class Picture:
    """The SVG and what it holds."""

    svg: str
    nodes: int
    facts: int
    lines: int


def render_svg(
    nodes: Sequence[NodeLike], rels: Sequence[RelLike], style: GraphStyle, *, legend: bool = True
) -> Picture:
    """The subgraph as a standalone SVG document (no script, no external reference)."""
    lines = merge_facts(rels)
    order = _order(nodes)
    names = {n.element_id: str(n.properties.get("name") or n.element_id) for n in order}
    radius = {n.element_id: _radius(n, style) for n in order}
    captions = {n.element_id: wrap_words(node_caption(n, style)) for n in order}
    fonts = {n.element_id: _px(style.node(n.labels).get("font-size"), 10) + 2 for n in order}
    boxes = {
        i: (
            max(radius[i], 0.3 * fonts[i] * max(len(t) for t in captions[i])),
            radius[i],
            radius[i] + 4 + 1.2 * fonts[i] * len(captions[i]),
        )
        for i in radius
    }
    at = layout(nodes, lines, boxes)
    colours = sorted({_colour(style, x.type) for x in lines})
    marker = {c: f"arrow{i}" for i, c in enumerate(colours)}
    out: list[str] = []
    # lines joining the same two nodes bend apart, on either side of the straight one
    pairs: dict[tuple[str, str], list[Line]] = {}
    for x in lines:
        pairs.setdefault((min(x.start, x.end), max(x.start, x.end)), []).append(x)
    labels: list[str] = []
    for (low, _high), group in pairs.items():
        spacing = max(BEND, 12.0 * max(len(x.label()) for x in group) + 10)
        for n, line in enumerate(group):
            bend = (n - (len(group) - 1) / 2) * spacing
            out.append(_line(line, at, radius, bend, marker, style, low, labels, names))
    bounds = [
        (
            at[i][0] - boxes[i][0],
            at[i][1] - boxes[i][1],
            at[i][0] + boxes[i][0],
            at[i][1] + boxes[i][2],
        )
        for i in at
    ]
    for node in order:
        cx, cy = at[node.element_id]
        look = style.node(node.labels)
        r = radius[node.element_id]
        font = fonts[node.element_id]
        text = _tspans(captions[node.element_id], cx, r + font + 2, font * 1.2)
        out.append(
            f'<g class="node" data-id="{html.escape(str(node.properties.get("id", "")))}" '
            f'data-details="{_details({"label": node.label}, node.properties)}">'
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{r:.1f}" '
            f'fill="{look.get("color", GREY)}" stroke="{look.get("border-color", "#9AA1AC")}" '
            f'stroke-width="2"/><text class="caption" x="{cx:.1f}" y="{cy:.1f}" '
            f'font-size="{font:.0f}" text-anchor="middle">{text}</text></g>'
        )
    left = min((b[0] for b in bounds), default=0.0)
    top = min((b[1] for b in bounds), default=0.0)
    right = max((b[2] for b in bounds), default=200.0)
    bottom = max((b[3] for b in bounds), default=200.0)
    key = _legend(order, lines, style, right + 30, top) if legend else ("", 0.0, 0.0)
    right += key[1]
    bottom = max(bottom, top + key[2])
    # a small graph is not blown up: the picture is at least MIN_WIDTH x MIN_HEIGHT
    grow_x, grow_y = max(0.0, MIN_WIDTH - (right - left)), max(0.0, MIN_HEIGHT - (bottom - top))
    left, right = left - grow_x / 2, right + grow_x / 2
    top, bottom = top - grow_y / 2, bottom + grow_y / 2
    width, height = right - left + 40, bottom - top + 40
    defs = "".join(
        f'<marker id="{marker[c]}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="11" '
        f'markerHeight="11" markerUnits="userSpaceOnUse" orient="auto">'
        f'<path d="M0,1 L10,5 L0,9 z" fill="{c}"/></marker>'
        for c in colours
    )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" id="kb-picture" '
        f'viewBox="{left - 20:.0f} {top - 20:.0f} {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" data-nodes="{len(order)}" '
        f'data-relationships="{len(rels)}" font-family="system-ui, Helvetica, Arial, sans-serif">'
        f"<style>{SVG_CSS}</style><defs>{defs}</defs>"
        f'<rect class="background" x="{left - 20:.0f}" y="{top - 20:.0f}" width="{width:.0f}" '
        f'height="{height:.0f}" fill="#ffffff"/>'
        f'<g id="viewport"><g id="facts">{"".join(out[: len(lines)])}</g>'
        f'<g id="labels">{"".join(labels)}</g>'
        f'<g id="nodes">{"".join(out[len(lines) :])}</g></g>{key[0]}</svg>'
    )
    return Picture(svg, len(order), len(rels), len(lines))


SVG_CSS = (
    ".caption,.label{paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round;"
    "fill:#2A2C34}.label{fill:#333;stroke-width:5px}.node,.fact{cursor:pointer}"
    ".fact .hit{stroke:transparent;stroke-width:12px;fill:none}"
    ".selected circle{stroke:#222;stroke-width:4}.selected .shaft{stroke-width:5}"
)


def _line(
    line: Line,
    at: dict[str, tuple[float, float]],
    radius: dict[str, float],
    bend: float,
    marker: dict[str, str],
    style: GraphStyle,
    low: str,
    labels: list[str],
    names: dict[str, str],
) -> str:
    (x1, y1), (x2, y2) = at[line.start], at[line.end]
    colour = _colour(style, line.type)
    width = max(_px(style.relationship(line.type).get("shaft-width"), 1), 1.5)
    width += min(len(line.facts) - 1, 4) * 0.75
    dash = f' stroke-dasharray="{DASH}"' if line.implied else ""
    if line.start == line.end:  # a fact from a node to itself: a loop above it
        r = radius[line.start]
        path = (
            f"M{x1 - r * 0.6:.1f},{y1 - r * 0.8:.1f} C{x1 - r * 1.8:.1f},{y1 - r * 3:.1f} "
            f"{x1 + r * 1.8:.1f},{y1 - r * 3:.1f} {x1 + r * 0.6:.1f},{y1 - r * 0.8:.1f}"
        )
        mid = (x1, y1 - r * 2.4)
    else:
        # the bend's side is taken from the pair's fixed order, so opposite lines differ
        sx, sy = (x1, y1) if line.start == low else (x2, y2)
        ex, ey = (x2, y2) if line.start == low else (x1, y1)
        length = math.hypot(ex - sx, ey - sy) or 1.0
        px, py = -(ey - sy) / length, (ex - sx) / length
        cx, cy = (x1 + x2) / 2 + px * bend * 2, (y1 + y2) / 2 + py * bend * 2
        a = _towards(x1, y1, cx, cy, radius[line.start] + 1)
        b = _towards(x2, y2, cx, cy, radius[line.end] + 2)
        path = f"M{a[0]:.1f},{a[1]:.1f} Q{cx:.1f},{cy:.1f} {b[0]:.1f},{b[1]:.1f}"
        mid = ((x1 + x2) / 2 + px * bend, (y1 + y2) / 2 + py * bend)
    details = _details(
        {"type": line.type},
        {
            "from": names[line.start],
            "to": names[line.end],
            "facts": [dict(sorted(f.properties.items())) for f in line.facts],
        },
    )
    text = line.label()
    if text:
        first = -(len(text) - 1) * 6 + 4
        labels.append(
            f'<text class="label" x="{mid[0]:.1f}" y="{mid[1]:.1f}" font-size="10" '
            f'text-anchor="middle">{_tspans(text, mid[0], first, 12)}</text>'
        )
    return (
        f'<g class="fact" data-type="{line.type}" data-count="{len(line.facts)}" '
        f'data-implied="{str(line.implied).lower()}" data-details="{details}">'
        f'<path class="hit" d="{path}"/>'
        f'<path class="shaft" d="{path}" fill="none" stroke="{colour}" '
        f'stroke-width="{width:.2f}"{dash} marker-end="url(#{marker[colour]})"/></g>'
    )


def _towards(x: float, y: float, tx: float, ty: float, by: float) -> tuple[float, float]:
    d = math.hypot(tx - x, ty - y) or 1.0
    return x + (tx - x) / d * by, y + (ty - y) / d * by


def _legend(
    order: Sequence[NodeLike], lines: Sequence[Line], style: GraphStyle, x: float, y: float
) -> tuple[str, float, float]:
    """The legend's SVG, its width and its height."""
    rows: list[str] = []
    at = y + 8
    kinds = sorted({n.label: n for n in order}.items())
    for kind, node in kinds:
        look = style.node(node.labels)
        rows.append(
            f'<circle cx="{x + 9:.1f}" cy="{at:.1f}" r="7" fill="{look.get("color", GREY)}" '
            f'stroke="{look.get("border-color", "#9AA1AC")}" stroke-width="1.5"/>'
            f'<text x="{x + 24:.1f}" y="{at + 4:.1f}" font-size="12">{html.escape(kind)}</text>'
        )
        at += 20
    at += 6
    for rel_type in sorted({x.type for x in lines}):
        rows.append(
            f'<line x1="{x:.1f}" y1="{at:.1f}" x2="{x + 18:.1f}" y2="{at:.1f}" '
            f'stroke="{_colour(style, rel_type)}" stroke-width="3"/>'
            f'<text x="{x + 24:.1f}" y="{at + 4:.1f}" font-size="12">{rel_type}</text>'
        )
        at += 20
    if any(x.implied for x in lines):
        at += 6
        for name, dash in (("stated", ""), ("implied", f' stroke-dasharray="{DASH}"')):
            rows.append(
                f'<line x1="{x:.1f}" y1="{at:.1f}" x2="{x + 18:.1f}" y2="{at:.1f}" '
                f'stroke="#555" stroke-width="2"{dash}/>'
                f'<text x="{x + 24:.1f}" y="{at + 4:.1f}" font-size="12">{name}</text>'
            )
            at += 20
    return f'<g id="legend">{"".join(rows)}</g>', 200.0, at - y
