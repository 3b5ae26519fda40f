"""Pictures of any answer of the query library, drawn without Browser.

Library rows carry ids, names and quotes, not graph objects. :func:`answer_refs` collects what
the rows point at: ids (``*_id`` columns and the query's entity parameters), the facts they cite
(``"CATL -SUPPLIES-> Lithium-ion batteries"`` with its quote and source, ``"China -> United
States"`` flows, subject/relation/object rows) and quotes given without their fact.
:func:`fetch_subgraph` turns those references into nodes and relationships with one fixed,
parameterised statement (``cypher/viz/subgraph.cypher``).

:func:`render_html` embeds the SVG that :mod:`kb.picture` lays out and draws (colours and
sizes from the shipped Browser style sheet, captions wrapped at word boundaries, implied facts
dashed, a legend) with a few lines of script for pan, zoom and the details of what is hovered
or clicked (evidence, source, confidence); nothing is fetched, so the file works offline.
:func:`render_png` takes a still picture of that page with headless Chromium, driven over its
DevTools pipe.
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

from kb import library, picture
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


def render_svg(graph: Subgraph, style: GraphStyle | None = None) -> str:
    """The picture alone: a standalone SVG (:mod:`kb.picture`)."""
    return picture.render_svg(graph.nodes, graph.relationships, style or shipped_style()).svg


def render_html(
    graph: Subgraph,
    *,
    title: str,
    subtitle: str = "",
    style: GraphStyle | None = None,
    still: bool = False,
) -> str:
    """A self-contained HTML page drawing the subgraph (no network access at view time).

    The page holds the SVG of :mod:`kb.picture`, scaled to the window, and a few lines of
    script: the wheel zooms, a drag pans, and hovering or clicking a node or a line shows its
    properties (evidence, source, confidence) in a panel. A ``still`` page (for the PNG) has
    no script, no panel and no hint.
    """
    drawn = picture.render_svg(graph.nodes, graph.relationships, style or shipped_style())
    nodes, facts = drawn.nodes, drawn.facts
    counts = f"{nodes} node{'s' * (nodes != 1)}, {facts} fact{'s' * (facts != 1)}"
    if drawn.lines != facts:
        counts += f" in {drawn.lines} line{'s' * (drawn.lines != 1)} (same facts merged)"
    hint = "" if still else " · wheel: zoom, drag: pan, hover or click: evidence"
    about = " · ".join(x for x in (html.escape(subtitle), counts) if x)
    panel = "" if still else '<aside id="kb-details" hidden></aside>'
    script = "" if still else f"<script>{PAGE_JS}</script>"
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{PAGE_CSS}</style></head><body>"
        f'<header id="kb-viz-header" data-nodes="{nodes}" data-relationships="{facts}">'
        f'<div class="title">{html.escape(title)}</div><div class="about">{about}{hint}</div>'
        f'</header><main id="kb-viz">{drawn.svg}</main>{panel}{script}</body></html>'
    )


PAGE_CSS = (
    "html,body{margin:0;height:100%;background:#fff;font-family:system-ui,sans-serif}"
    f"header{{height:{HEADER_HEIGHT}px;box-sizing:border-box;padding:8px 16px;"
    "border-bottom:1px solid #ddd}.title{font-weight:600;font-size:16px}"
    ".about{font-size:12px;color:#555}"
    f"main{{height:calc(100vh - {HEADER_HEIGHT}px)}}main svg{{width:100%;height:100%;"
    "display:block;touch-action:none}"
    "aside{position:fixed;right:12px;bottom:12px;width:380px;max-height:45vh;overflow:auto;"
    "background:#fff;border:1px solid #ccc;border-radius:6px;padding:8px 12px;font-size:12px;"
    "box-shadow:0 2px 8px #0002}aside dt{font-weight:600;margin-top:4px}"
    "aside dd{margin:0 0 0 12px;white-space:pre-wrap;word-break:break-word}"
)

# Pan, zoom and details, without any library. Values reach the page as text (textContent),
# never as markup.
PAGE_JS = """
const svg = document.getElementById('kb-picture'), view = document.getElementById('viewport');
const panel = document.getElementById('kb-details');
let scale = 1, tx = 0, ty = 0, drag = null, pinned = null;
const apply = () => view.setAttribute('transform', `translate(${tx} ${ty}) scale(${scale})`);
const at = e => new DOMPoint(e.clientX, e.clientY).matrixTransform(svg.getScreenCTM().inverse());
svg.addEventListener('wheel', e => {
  e.preventDefault();
  const p = at(e), f = Math.exp(-e.deltaY * 0.0015);
  tx = p.x - (p.x - tx) * f; ty = p.y - (p.y - ty) * f; scale *= f; apply();
}, {passive: false});
svg.addEventListener('pointerdown', e => { drag = {p: at(e), tx, ty, moved: false}; });
svg.addEventListener('pointermove', e => {
  if (!drag) return;
  const p = at(e);
  tx = drag.tx + p.x - drag.p.x; ty = drag.ty + p.y - drag.p.y;
  drag.moved = drag.moved || Math.abs(p.x - drag.p.x) + Math.abs(p.y - drag.p.y) > 3;
  apply();
});
addEventListener('pointerup', () => { setTimeout(() => { drag = null; }); });
function show(item) {
  const data = JSON.parse(item.dataset.details), list = document.createElement('dl');
  const add = (key, value) => {
    const dt = document.createElement('dt'), dd = document.createElement('dd');
    dt.textContent = key;
    const plain = Array.isArray(value) && value.every(v => typeof v !== 'object');
    dd.textContent = typeof value === 'string' ? value
      : plain ? value.join(', ') : JSON.stringify(value, null, 1);
    list.append(dt, dd);
  };
  for (const [key, value] of Object.entries(data)) {
    if (key !== 'facts') { add(key, value); continue; }
    value.forEach((fact, n) => {
      add(`fact ${n + 1} of ${value.length}`, '');
      for (const [k, v] of Object.entries(fact)) if (v !== null) add(k, v);
    });
  }
  panel.replaceChildren(list); panel.hidden = false;
}
svg.addEventListener('pointerover', e => {
  const item = e.target.closest('[data-details]');
  if (item && !pinned) show(item);
});
svg.addEventListener('click', e => {
  if (drag && drag.moved) return;
  const item = e.target.closest('[data-details]');
  if (pinned) pinned.classList.remove('selected');
  pinned = item;
  if (item) { item.classList.add('selected'); show(item); } else panel.hidden = true;
});
"""


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
