"""Neo4j Browser, out of the box: the shipped style sheet, the address to open, and the guide.

- **Style.** ``kb/assets/style.grass`` gives every label a colour, a size and the name as its
  caption, and every relationship type a colour, a width and its type as caption. It is read
  here with the same rules as Browser's own GraSS parser (``parseGrassCSS`` in
  neo4j-browser's ``grassUtils.ts``), and :class:`GraphStyle` cascades it the way Browser's
  ``GraphStyleModel`` does, so ``kb viz`` draws with exactly the colours Browser shows.
- **Address.** Browser 5.24 reads ``dbms`` (the connection URL, user included) and ``db`` from
  its address, and ``cmd=edit&arg=LINE&arg=LINE...`` fills the editor (``cmd=guide&arg=URL``
  opens a guide at once). It decodes the whole address before it splits the ``arg`` values at
  ``&`` and ``#``, so :func:`editor_args` writes those two characters in other ways.
- **Answers.** No value ever enters Cypher text, comments included (Neo4j decodes ``\\uXXXX``
  escapes even inside ``//`` comments, so a stored value could end a comment and run). An
  answer reaches Browser as a one-page guide served on ``localhost`` (:func:`answer_guide`): a
  link runs ``:params {...}`` (JSON, read in the page, sent with the query as parameters), and
  the statement, which names them (``$ids``), goes to the editor with a click. The address
  only points at the guide (``cmd=guide``), so it stays short; and Browser, opened on a guide,
  skips its implicit commands at login (``:play start``, ``browser.post_connect_cmd``). A
  plain login to the managed server clears both and plays the kb guide (:mod:`kb.server.guide`).
- **Guide.** ``kb/assets/guide.html`` is a Browser guide (``<slide>`` sections, ``pre.runnable``
  code, ``exec-topic`` links). The Neo4j server only serves the Browser jar's own files, so
  :class:`AssetServer` serves the guide and the style on ``localhost``, which Browser's default
  ``browser.remote_content_hostname_allowlist`` admits, with the CORS headers its fetch needs.
"""

from __future__ import annotations

import functools
import html
import http.server
import json
import re
import threading
import urllib.parse
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, ClassVar

from kb.errors import KBError

ASSETS = Path(__file__).resolve().parent / "assets"
STYLE_FILE = "style.grass"
GUIDE_FILE = "guide.html"
ANSWER_FILE = "answer.html"
DEFAULT_ASSET_PORT = 7480
_BASE_PLACEHOLDER = "{{assets}}"


def asset(name: str) -> Path:
    """A file shipped in ``kb/assets`` (the style sheet, the guide)."""
    return ASSETS / name


# --------------------------------------------------------------------------- the style sheet


def parse_grass(text: str) -> dict[str, dict[str, str]]:
    """Selector -> properties, as Browser 5 reads a ``.grass`` file (JSON, else its CSS form).

    The CSS form follows Browser's state machine: braces open and close a rule, a quote (single
    or double) toggles a string in which braces count as text, quotes are dropped, and a
    property is kept only when it splits on ``:`` into exactly two parts.
    """
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        return {
            str(k): {str(p): str(v) for p, v in dict(props).items()} for k, props in data.items()
        }
    rules: dict[str, str] = {}
    in_string = in_props = in_binding = False
    keyword = props = ""
    for char in text:
        if char == "{" and not in_string:
            in_binding, in_props = (True, True) if in_props else (False, True)
            continue
        if char == "}" and not in_string:
            if in_binding:
                in_binding = False
            else:
                in_props = False
                rules[keyword] = props
                keyword = props = ""
            continue
        if char in "'\"":
            in_string = not in_string
            continue
        if in_props:
            props += char
        elif not char.isspace():
            keyword += char
    parsed: dict[str, dict[str, str]] = {}
    for selector, body in rules.items():
        parsed[selector] = {}
        for item in body.split(";"):
            parts = item.split(":")
            if len(parts) == 2:
                parsed[selector][parts[0].strip()] = parts[1].strip()
    return parsed


class GraphStyle:
    """A parsed style sheet, cascaded as Browser does: every rule whose tag matches and whose
    classes (labels, or the relationship type) the item has applies, later rules win."""

    def __init__(self, rules: Mapping[str, Mapping[str, str]]) -> None:
        self.rules = {selector: dict(props) for selector, props in rules.items()}

    @classmethod
    def load(cls, path: Path | None = None) -> GraphStyle:
        """The shipped style sheet (or another ``.grass`` file)."""
        return cls(parse_grass((path or asset(STYLE_FILE)).read_text(encoding="utf-8")))

    def _cascade(self, tag: str, classes: Iterable[str]) -> dict[str, str]:
        have = set(classes)
        style: dict[str, str] = {}
        for selector, props in self.rules.items():
            rule_tag, *rule_classes = selector.split(".")
            if rule_tag == tag and all(c in have for c in rule_classes):
                style.update(props)
        if "caption" not in style and "defaultCaption" in style:
            style["caption"] = style["defaultCaption"]
        return style

    def node(self, labels: Iterable[str]) -> dict[str, str]:
        """The style of a node with these labels (``diameter``, ``color``, ``caption``, ...)."""
        return self._cascade("node", labels)

    def relationship(self, rel_type: str) -> dict[str, str]:
        """The style of a relationship of this type (``color``, ``shaft-width``, ``caption``)."""
        return self._cascade("relationship", [rel_type])


@functools.cache
def shipped_style() -> GraphStyle:
    """The style of ``kb/assets/style.grass``, read once."""
    return GraphStyle.load()


def style_command() -> str:
    """``style {...}``: the shipped style as one Browser command in GraSS's JSON form, which
    Browser tries before the CSS form. It holds no ``;`` (Browser splits the server setting
    ``browser.post_connect_cmd`` there) and no ``#`` (colours as ``\\u0023``), so a server can
    apply the style at every login: ``browser.post_connect_cmd=<this>``; typed with a leading
    ``:``, it applies the style by hand."""
    text = json.dumps(shipped_style().rules, separators=(",", ":"))
    return "style " + text.replace("#", "\\u0023")


# --------------------------------------------------------------------------- addresses


def browser_base(connection_uri: str, managed_url: str | None) -> str:
    """Where Browser lives for a connection: the managed server's own, else port 7474 of the
    Bolt host (``neo4j+s`` servers such as Aura use the hosted Browser)."""
    if managed_url:
        return managed_url
    parts = urllib.parse.urlsplit(connection_uri)
    if parts.scheme.endswith(("+s", "+ssc")):
        return "https://browser.neo4j.io/"
    return f"http://{parts.hostname or '127.0.0.1'}:7474/browser/"


def browser_url(
    base: str,
    connection_uri: str,
    *,
    user: str | None = None,
    database: str | None = None,
    editor: str | None = None,
    guide: str | None = None,
) -> str:
    """Browser's address with the connection (and optionally the editor or a guide) prefilled.

    The password is never put in the address; Browser asks for it.
    """
    parts = urllib.parse.urlsplit(connection_uri)
    login = urllib.parse.quote(user or "", safe="")
    netloc = f"{login}@{parts.netloc}" if login and "@" not in parts.netloc else parts.netloc
    query = [("dbms", urllib.parse.urlunsplit(parts._replace(netloc=netloc)))]
    if database:
        query.append(("db", database))
    if guide:
        query += [("cmd", "guide"), ("arg", guide)]
    elif editor is not None:
        query += [("cmd", "edit"), *(("arg", line) for line in editor_args(editor))]
    encoded = "&".join(f"{k}={urllib.parse.quote(v, safe='')}" for k, v in query)
    return base + ("&" if "?" in base else "?") + encoded


def _spans(text: str) -> list[tuple[str, int, int]]:
    """The text cut into ("code" | "string" | "comment", start, end) spans, as Cypher reads it
    (the same scan as :func:`kb.library.code_only`)."""
    spans: list[tuple[str, int, int]] = []
    i, n, code_start = 0, len(text), 0
    while i < n:
        two = text[i : i + 2]
        if two == "//":
            end, kind = text.find("\n", i), "comment"
            end = n if end < 0 else end
        elif two == "/*":
            end, kind = text.find("*/", i + 2), "comment"
            end = n if end < 0 else end + 2
        elif text[i] in "'\"`":
            quote, end, kind = text[i], i + 1, "string"
            while end < n and text[end] != quote:
                end += 2 if text[end] == "\\" else 1
            end = min(end + 1, n)
        else:
            i += 1
            continue
        spans += [("code", code_start, i), (kind, i, end)]
        i = code_start = end
    spans.append(("code", code_start, n))
    return [s for s in spans if s[1] < s[2]]


_IN_STRING = str.maketrans({"&": "\\u0026", "#": "\\u0023"})
_IN_COMMENT = str.maketrans({"&": "\uff06", "#": "\uff03"})


def editor_args(text: str) -> list[str]:
    """The lines of a Cypher text, rewritten so that Browser's address parser keeps them whole.

    Browser decodes the address first and then cuts each ``arg`` at ``&`` or ``#``. In string
    literals those become the Cypher escapes ``\\u0026`` and ``\\u0023`` (the same value); in
    comments the look-alikes U+FF06 and U+FF03. Outside both they cannot occur in valid Cypher,
    and are refused.
    """
    out: list[str] = []
    for kind, start, end in _spans(text):
        part = text[start:end]
        if (kind == "code" or part.startswith("`")) and ("&" in part or "#" in part):
            raise KBError(
                "Cannot put this Cypher in a Browser address: '&' or '#' outside a string."
            )
        table = _IN_STRING if kind == "string" else _IN_COMMENT
        out.append(part.translate(table) if kind != "code" else part)
    return "".join(out).split("\n")


# --------------------------------------------------------------------------- an answer's guide


def params_command(params: Mapping[str, Any]) -> str:
    """``params {...}``: Browser's command that sets the query parameters, the values in JSON.

    Browser reads the braces with its JSON parser in the page and sends the values with the
    query as parameters: they never become Cypher text. The JSON is ASCII (a newline is
    ``\\n``, so the command is one line) and ``;`` is written ``\\u003b`` (Browser would split
    a command at it).
    """
    text = json.dumps(dict(params), ensure_ascii=True, separators=(",", ":"), default=str)
    return "params " + text.replace(";", "\\u003b")


def _shown(value: Any) -> str:
    """A parameter's value in a sentence: lists counted, not spelled out."""
    if isinstance(value, list):
        return f"{len(value)} item{'s' if len(value) != 1 else ''}"
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value


def answer_guide(title: str, command: str, statement: str, params: Mapping[str, Any]) -> str:
    """A one-page Browser guide for an answer: a link that sets its parameters (``:params``),
    the statement to run (it names them, ``$name``), and how to draw only the answer's facts.
    Every value is HTML-escaped; none is written into the statement."""
    esc = html.escape
    values = ", ".join(f"{esc(k)} = {esc(_shown(v))}" for k, v in params.items()) or "none"
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{esc(title)}</title></head>
<body>
<slide>
<h3>{esc(title)}</h3>
<p>The answer of <code>{esc(command)}</code>, ready to draw.</p>
<p>1. <a exec-topic="{esc(params_command(params), quote=True)}">Set its parameters</a>
({values}). A <code>:params</code> frame shows them: Browser sends them with the statement,
as values, never as part of its text.</p>
<p>2. Click the statement to put it in the editor, then run it (Ctrl+Enter):</p>
<pre class="code runnable">{esc(statement.strip())}</pre>
<p>Browser's setting <em>Connect result nodes</em> (on by default) also draws every other
relationship between the answer's nodes: <a exec-topic="config autoComplete: false">turn it
off</a> to see the answer's facts only (Browser keeps the setting).
<a exec-topic="style {_BASE_PLACEHOLDER}{STYLE_FILE}">Apply the kb style</a> for its colours.</p>
</slide>
</body>
</html>
"""


BROWSER_ALL_ROWS = 2**53 - 1
_PAGE = re.compile(r"\bSKIP \$skip LIMIT \$limit\b")


def query_guide(
    driver: Any, database: str | None, name: str, given: Mapping[str, Any], *, graph: bool = False
) -> str:
    """The guide of ``kb browser --query``: the library query with its parameters resolved (entity
    names to ids), or (``graph``) the statement that draws its answer's nodes and facts, with
    the answer's references as parameters."""
    from kb import library, viz

    query = library.load_library().get(name)
    shown = "".join(f" -p {k}={v}" for k, v in given.items())
    command = f"kb query run {name}{shown}"
    if not graph:
        values = library.resolved_params(driver, database, query, given)
        statement = query.body
        if query.header.paged:
            # Browser sends a number of :params as a float, which SKIP and LIMIT refuse; the
            # whole answer's limit is the largest integer a float holds exactly.
            values.update(skip=0, limit=BROWSER_ALL_ROWS)
            statement = _PAGE.sub("SKIP toInteger($skip) LIMIT toInteger($limit)", statement)
        return answer_guide(query.title, command, statement, values)
    answer = viz.answer(driver, database, name, given)
    title = f"{query.title}: the nodes and facts behind the answer"
    return answer_guide(title, command, viz.subgraph_statement(), answer.refs.params())


# --------------------------------------------------------------------------- the guide server


class _AssetHandler(http.server.BaseHTTPRequestHandler):
    """GET/OPTIONS for the files of kb/assets, with the CORS headers Browser's fetch needs."""

    files: ClassVar[dict[str, tuple[bytes, str]]] = {}

    def _headers(self, status: int, length: int = 0, kind: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Headers", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, OPTIONS")
        self.send_header("Cache-Control", "no-store")
        if kind:
            self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(length))
        self.end_headers()

    def do_OPTIONS(self) -> None:
        self._headers(204)

    def do_GET(self) -> None:
        found = self.files.get(urllib.parse.urlsplit(self.path).path.lstrip("/"))
        if found is None:
            self._headers(404)
            return
        body, kind = found
        self._headers(200, len(body), kind)
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class AssetServer:
    """Serves ``guide.html`` and ``style.grass`` on ``http://localhost:PORT/`` in a thread.

    Only loopback is bound. The guide's ``{{assets}}`` placeholders become the server's own
    address, so its links (``:style http://localhost:PORT/style.grass``) work as served.
    """

    def __init__(
        self, port: int = DEFAULT_ASSET_PORT, pages: Mapping[str, str] | None = None
    ) -> None:
        class Handler(_AssetHandler):  # files of this server only
            pass

        try:
            self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        except OSError as exc:
            raise KBError(
                f"Cannot serve the Browser guide on port {port}: {exc.strerror}."
            ) from None
        self.port = self.httpd.server_address[1]
        self.base = f"http://localhost:{self.port}/"
        guide = asset(GUIDE_FILE).read_text(encoding="utf-8").replace(_BASE_PLACEHOLDER, self.base)
        Handler.files = {
            GUIDE_FILE: (guide.encode(), "text/html; charset=utf-8"),
            STYLE_FILE: (asset(STYLE_FILE).read_bytes(), "text/plain; charset=utf-8"),
        }
        for page, text in (pages or {}).items():
            body = text.replace(_BASE_PLACEHOLDER, self.base).encode()
            Handler.files[page] = (body, "text/html; charset=utf-8")
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def guide_url(self) -> str:
        """What ``:guide`` takes to open the kb guide."""
        return self.base + GUIDE_FILE

    def url(self, page: str) -> str:
        """The address of a served page (``pages`` of the constructor)."""
        return self.base + page

    @property
    def style_url(self) -> str:
        """What ``:style`` takes to load the kb style."""
        return self.base + STYLE_FILE

    def start(self) -> AssetServer:
        """Serve in a daemon thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the port."""
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> AssetServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
