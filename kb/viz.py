"""Pictures of any answer of the query library, drawn without Browser.

Library rows carry ids, names and quotes, not graph objects. :func:`answer_refs` collects what
the rows point at: ids (``*_id`` columns and the query's entity parameters), the facts they cite
(``"CATL -SUPPLIES-> Lithium-ion batteries"`` with its quote and source, ``"China -> United
States"`` flows, subject/relation/object rows) and quotes given without their fact.
:func:`fetch_subgraph` turns those references into nodes and relationships with one fixed,
parameterised statement (``cypher/viz/subgraph.cypher``).

:func:`render_html` draws them with Neo4j's own ``neo4j-viz``: its NVL renderer is inlined in
the page, so the file works offline; colours and sizes come from the shipped Browser style
sheet, and a click on a node or fact shows its properties (evidence, source, confidence) in the
details panel. :func:`render_png` takes a still picture of that page with headless Chromium,
driven over its DevTools pipe so that the shot waits for the layout to settle.
"""

from __future__ import annotations

import base64
import contextlib
import html
import json
import os
import re
import select
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import neo4j
from neo4j import RoutingControl

from kb import library
from kb.browser import GraphStyle, shipped_style
from kb.errors import KBError
from kb.schema import normalise_name
from kb.statements import statement

# Flags for a headless Chromium that stays off the network and leaves nothing behind (a fresh
# --user-data-dir is added per run). The tests start Chromium with the same flags.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
)
CHROMIUM_PATHS = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")
HIDDEN_PROPERTIES = frozenset({"norm_name", "norm_names"})
HEADER_HEIGHT = 58  # px of the title bar above the picture

_FACT = re.compile(r"^(?P<start>.+?) -(?P<type>[A-Z][A-Z0-9_]*)-> (?P<end>.+)$")
_FLOW = re.compile(r"^(?P<start>.+?) -> (?P<end>.+)$")
_TYPE = re.compile(r"^[A-Z][A-Z0-9_]*$")


def subgraph_statement() -> str:
    """The text of ``cypher/viz/subgraph.cypher``."""
    return statement("viz/subgraph")


# --------------------------------------------------------------------------- references


@dataclass
class Refs:
    """What an answer's rows point at, as parameters of the subgraph statement."""

    ids: list[str] = field(default_factory=list)
    facts: list[dict[str, Any]] = field(default_factory=list)
    quotes: list[dict[str, Any]] = field(default_factory=list)

    def params(self) -> dict[str, Any]:
        """``$ids``, ``$facts`` and ``$quotes`` of ``cypher/viz/subgraph.cypher``."""
        return {"ids": self.ids, "facts": self.facts, "quotes": self.quotes}


def ids_in(value: Any) -> Iterable[str]:
    """Every non-empty string under a key ending in ``_id``, at any depth of a row."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key.endswith("_id") and isinstance(item, str) and item:
                yield item
            else:
                yield from ids_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from ids_in(item)


def _fact(start: str, end: str, rel_type: str | None, item: Mapping[str, Any]) -> dict[str, Any]:
    quote, source = item.get("quote"), item.get("source")
    return {
        "start": start,
        "start_norm": normalise_name(start),
        "type": rel_type,
        "end": end,
        "end_norm": normalise_name(end),
        "quote": quote if isinstance(quote, str) else None,
        "source": source if isinstance(source, str) else None,
    }


def _collect(
    value: Any, near: set[str], refs: Refs, quotes: dict[tuple[Any, ...], set[str]]
) -> None:
    """Walk one row: a dict citing a fact adds it to ``refs.facts``; a dict with only a quote
    adds the quote, with the row's ids (``near``) it should touch, to ``quotes``."""
    if isinstance(value, list):
        for item in value:
            _collect(item, near, refs, quotes)
        return
    if not isinstance(value, dict):
        return
    fact, flow = value.get("fact"), value.get("flow")
    subject, relation, obj = value.get("subject"), value.get("relation"), value.get("object")
    if isinstance(fact, str) and (m := _FACT.match(fact)):
        refs.facts.append(_fact(m["start"], m["end"], m["type"], value))
    elif isinstance(flow, str) and (m := _FLOW.match(flow)):
        refs.facts.append(_fact(m["start"], m["end"], None, value))
    elif isinstance(subject, str) and isinstance(obj, str) and isinstance(relation, str):
        rel_type = relation if _TYPE.match(relation) else None
        refs.facts.append(_fact(subject, obj, rel_type, value))
    elif isinstance(value.get("quote"), str):
        source = value.get("source")
        key = (value["quote"], source if isinstance(source, str) else None)
        quotes.setdefault(key, set()).update(near)
    for item in value.values():
        if isinstance(item, list | dict):
            _collect(item, near, refs, quotes)


def answer_refs(rows: Iterable[Mapping[str, Any]], entity_ids: Iterable[str] = ()) -> Refs:
    """The ids, cited facts and loose quotes of an answer (duplicates dropped, order kept)."""
    refs = Refs()
    quotes: dict[tuple[Any, ...], set[str]] = {}
    given = [i for i in entity_ids if i]
    ids: dict[str, None] = dict.fromkeys(given)
    for row in rows:
        near = {*ids_in(dict(row)), *given}
        ids.update(dict.fromkeys(sorted(near)))
        _collect(dict(row), near, refs, quotes)
    refs.ids = list(ids)
    seen: set[tuple[Any, ...]] = set()
    unique = []
    for fact in refs.facts:
        key = tuple(fact.values())
        if key not in seen:
            seen.add(key)
            unique.append(fact)
    refs.facts = unique
    refs.quotes = [{"quote": q, "source": s, "near": sorted(n)} for (q, s), n in quotes.items()]
    return refs


# --------------------------------------------------------------------------- the subgraph


@dataclass(frozen=True)
class GraphNode:
    """A node of the picture: Neo4j's element id, its labels, its properties as plain values."""

    element_id: str
    labels: tuple[str, ...]
    properties: dict[str, Any]

    @property
    def label(self) -> str:
        """The node's kind (its label other than ``Entity``)."""
        return next((x for x in self.labels if x != "Entity"), "Entity")


@dataclass(frozen=True)
class GraphRel:
    """A fact of the picture: its type, the element ids of its ends, its properties (evidence,
    source, confidence, ...)."""

    element_id: str
    type: str
    start: str
    end: str
    properties: dict[str, Any]


@dataclass(frozen=True)
class Subgraph:
    """The nodes and facts behind an answer, each once."""

    nodes: tuple[GraphNode, ...]
    relationships: tuple[GraphRel, ...]


def _plain(value: Any) -> Any:
    """A property value the page can hold as JSON (temporal values as ISO text)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value.iso_format() if hasattr(value, "iso_format") else str(value)


def fetch_subgraph(driver: neo4j.Driver, database: str | None, refs: Refs) -> Subgraph:
    """The nodes and relationships the references name, read in one read transaction."""
    query = neo4j.Query(
        subgraph_statement(), metadata={"app": "ai-infra-kb", "query": "viz:subgraph"}
    )
    records, _, _ = driver.execute_query(
        query, refs.params(), database_=database, routing_=RoutingControl.READ
    )
    record = records[0]
    nodes = tuple(
        GraphNode(n.element_id, tuple(sorted(n.labels)), {k: _plain(v) for k, v in n.items()})
        for n in record["nodes"]
    )
    rels = tuple(
        GraphRel(
            r.element_id,
            r.type,
            r.start_node.element_id,
            r.end_node.element_id,
            {k: _plain(v) for k, v in r.items()},
        )
        for r in record["relationships"]
    )
    return Subgraph(nodes, rels)


@dataclass(frozen=True)
class Answer:
    """A library query's answer and the picture of it."""

    query: library.Query
    given: dict[str, Any]
    params: dict[str, Any]  # bound, entity values resolved to ids
    rows: list[dict[str, Any]]
    refs: Refs
    graph: Subgraph


def answer(
    driver: neo4j.Driver, database: str | None, name: str, given: Mapping[str, Any]
) -> Answer:
    """Run a library query and fetch the subgraph behind its rows."""
    query = library.load_library().get(name)
    params = library.resolved_params(driver, database, query, given)
    rows = library.run_resolved(driver, database, query, params)
    entity_ids = [params[p.name] for p in query.params if p.type == "entity" and params[p.name]]
    refs = answer_refs(rows, entity_ids)
    return Answer(query, dict(given), params, rows, refs, fetch_subgraph(driver, database, refs))


# --------------------------------------------------------------------------- drawing


def _px(value: str | None, default: float) -> float:
    """The number of a GraSS length ("65px" -> 65.0)."""
    match = re.match(r"\s*([0-9.]+)", value or "")
    return float(match.group(1)) if match else default


def _caption(template: str, node: GraphNode) -> str:
    """A GraSS caption ("{name}", "<id>", "<type>") filled in for a node, as Browser does."""
    text = re.sub(
        r"\{([^{}]*)\}", lambda m: str(node.properties.get(m.group(1)) or ""), template or ""
    )
    text = text.replace("<id>", str(node.properties.get("id", ""))).replace("<type>", node.label)
    return text or str(node.properties.get("name") or node.properties.get("id") or node.label)


def render_html(
    graph: Subgraph, *, title: str, subtitle: str = "", style: GraphStyle | None = None
) -> str:
    """A self-contained HTML page drawing the subgraph (no network access at view time).

    NVL lays the graph out (force-directed) and fits it to the window; its layout button
    switches to a hierarchical layout, and its details panel shows what is clicked.
    """
    from neo4j_viz import Node, Relationship, VisualizationGraph
    from neo4j_viz.options import Layout

    style = style or shipped_style()
    nodes = []
    legend_nodes: dict[Any, Any] = {}
    legend_rels: dict[Any, Any] = {}
    for node in graph.nodes:
        look = style.node(node.labels)
        legend_nodes[node.label] = look.get("color", "#A5ABB6")
        shown = {k: v for k, v in node.properties.items() if k not in HIDDEN_PROPERTIES}
        nodes.append(
            Node(
                id=node.element_id,
                caption=_caption(look.get("caption", "{name}"), node),
                color=legend_nodes[node.label],
                size=_px(look.get("diameter"), 50) / 2,
                properties={"label": node.label, **shown},
            )
        )
    rels = []
    for rel in graph.relationships:
        look = style.relationship(rel.type)
        legend_rels[rel.type] = look.get("color", "#A5ABB6")
        rels.append(
            Relationship(
                id=rel.element_id,
                source=rel.start,
                target=rel.end,
                caption=rel.type,
                color=legend_rels[rel.type],
                width=_px(look.get("shaft-width"), 1),
                properties={"type": rel.type, **rel.properties},
            )
        )
    picture = VisualizationGraph(nodes, rels)
    picture.set_legend(nodes=legend_nodes, relationships=legend_rels)
    page = picture.render(
        layout=Layout.FORCE_DIRECTED,
        height=f"calc(100vh - {HEADER_HEIGHT}px)",
        theme="light",
        on_dangling="error",
    ).data
    return _with_header(str(page), title, subtitle, len(nodes), len(rels))


def _with_header(page: str, title: str, subtitle: str, nodes: int, rels: int) -> str:
    counts = f"{nodes} node{'s' * (nodes != 1)}, {rels} relationship{'s' * (rels != 1)}"
    hint = "click a node or a relationship, then Details (top right) for its evidence"
    header = (
        f'<header id="kb-viz-header" data-nodes="{nodes}" data-relationships="{rels}" '
        f'style="height:{HEADER_HEIGHT}px;box-sizing:border-box;padding:8px 16px;'
        'font-family:system-ui,sans-serif;border-bottom:1px solid #ddd;background:#fff">'
        f'<div style="font-weight:600;font-size:16px">{html.escape(title)}</div>'
        f'<div style="font-size:12px;color:#555">{html.escape(subtitle)} · {counts} · {hint}'
        "</div></header>"
    )
    page = page.replace("<title>neo4j-viz</title>", f"<title>{html.escape(title)}</title>", 1)
    if "<body>" not in page:
        return page
    return page.replace("<body>", "<body>" + header, 1)


def find_chromium(explicit: str | None = None) -> str:
    """The Chromium to run: the given path, else Debian's /usr/bin/chromium or one on PATH."""
    for candidate in (explicit,) if explicit else CHROMIUM_PATHS:
        found = shutil.which(candidate)
        if found:
            return found
    raise KBError(
        f"No Chromium found ({explicit or ', '.join(CHROMIUM_PATHS)}). Install Debian's "
        "package: apt-get install -y chromium (`make prereqs` does, as root)."
    )


def render_png(
    page: Path,
    out: Path,
    *,
    width: int = 1600,
    height: int = 1000,
    settle_s: float = 15.0,
    chromium: str | None = None,
) -> Path:
    """A screenshot of an HTML picture, by headless Chromium with a fresh profile.

    Chromium's own ``--screenshot`` fires as soon as the page has loaded, which races NVL's
    first frame (the shot is blank about one time in three). So Chromium runs with the same
    flags but ``--remote-debugging-pipe`` (a pipe, no port), and the picture is taken once two
    shots half a second apart are equal (the layout has settled), at most ``settle_s`` seconds
    after the page has loaded.
    """
    out = out.resolve()
    with HeadlessChromium(find_chromium(chromium), width=width, height=height) as browser:
        out.write_bytes(browser.settled_screenshot(page.resolve().as_uri(), settle_s=settle_s))
    return out


class HeadlessChromium:
    """Chromium (CHROMIUM_FLAGS, a fresh profile) driven over the DevTools protocol on the
    pipe of ``--remote-debugging-pipe``: commands on fd 3, answers on fd 4, JSON messages
    ended by NUL. No port is opened."""

    def __init__(self, exe: str, *, width: int, height: int, timeout_s: float = 60) -> None:
        self.exe, self.width, self.height, self.timeout_s = exe, width, height, timeout_s
        self._next_id = 0
        self._buffer = b""
        self._events: list[dict[str, Any]] = []

    def __enter__(self) -> HeadlessChromium:
        self._profile = tempfile.TemporaryDirectory(prefix="kb-chromium-")
        cmd_r, self._cmd_w = os.pipe()
        self._resp_r, resp_w = os.pipe()

        def to_fds_3_and_4() -> None:  # runs in the child, before exec
            a, b = os.dup(cmd_r), os.dup(resp_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self._proc = subprocess.Popen(
            [
                self.exe,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={self._profile.name}",
                "--remote-debugging-pipe",
                "--hide-scrollbars",
                f"--window-size={self.width},{self.height}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(3, 4),
            preexec_fn=to_fds_3_and_4,
        )
        os.close(cmd_r)
        os.close(resp_w)
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(KBError, OSError):
            self.call("Browser.close")
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        os.close(self._cmd_w)
        os.close(self._resp_r)
        self._profile.cleanup()

    def _read(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._resp_r], [], [], left)[0]:
                raise KBError(f"Chromium did not answer in {self.timeout_s:.0f} s.")
            chunk = os.read(self._resp_r, 1 << 20)
            if not chunk:
                raise KBError("Chromium closed the DevTools pipe (did it start?).")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return dict(json.loads(message))

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        """Send one DevTools command and return its result (events meanwhile are kept)."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._cmd_w, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout_s
        while True:
            answer = self._read(deadline)
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise KBError(f"Chromium: {method} failed: {answer['error'].get('message')}")
                return dict(answer.get("result", {}))
            self._events.append(answer)

    def _wait_event(self, method: str) -> None:
        deadline = time.monotonic() + self.timeout_s
        while not any(e.get("method") == method for e in self._events):
            self._events.append(self._read(deadline))

    def settled_screenshot(self, url: str, *, settle_s: float = 15.0) -> bytes:
        """Open ``url`` and return a PNG once the page stops changing (or after settle_s)."""
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.call(
            "Emulation.setDeviceMetricsOverride",
            session,
            width=self.width,
            height=self.height,
            deviceScaleFactor=1,
            mobile=False,
        )
        self.call("Page.enable", session)
        self.call("Page.navigate", session, url=url)
        self._wait_event("Page.loadEventFired")
        loaded, previous = time.monotonic(), b""
        while True:
            time.sleep(0.5)
            shot = base64.b64decode(self.call("Page.captureScreenshot", session)["data"])
            waited = time.monotonic() - loaded
            if (shot == previous and waited >= 1.5) or waited >= settle_s:
                return shot
            previous = shot
