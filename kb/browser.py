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
- **Parameters.** Browser's address cannot carry query parameters, and ``:param`` lines in front
  of a query turn the editor into a script whose frame shows no graph or table. So the values
  are inlined as Cypher literals (:func:`inline_params`): entity values are the ids the
  resolver found, others are coerced to their declared type first, and every string is written
  as an escaped literal.
- **Guide.** ``kb/assets/guide.html`` is a Browser guide (``<slide>`` sections, ``pre.runnable``
  code, ``exec-topic`` links). The Neo4j server only serves the Browser jar's own files, so
  :class:`AssetServer` serves the guide and the style on ``localhost``, which Browser's default
  ``browser.remote_content_hostname_allowlist`` admits, with the CORS headers its fetch needs.
"""

from __future__ import annotations

import functools
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


# --------------------------------------------------------------------------- Cypher literals


def cypher_literal(value: Any) -> str:
    """A Cypher literal for a parameter value (string, number, boolean, null, list, map)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace("'", "\\'")
        escaped = "".join(ch if ch >= " " or ch == "\t" else f"\\u{ord(ch):04x}" for ch in escaped)
        return f"'{escaped}'"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(cypher_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        items = []
        for key, item in value.items():
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", str(key)):
                raise KBError(f"Cannot write the map key {key!r} as Cypher.")
            items.append(f"{key}: {cypher_literal(item)}")
        return "{" + ", ".join(items) + "}"
    raise KBError(f"Cannot write {type(value).__name__} value {value!r} as Cypher.")


_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def inline_params(body: str, params: Mapping[str, Any]) -> str:
    """``body`` with each ``$name`` outside strings and comments replaced by its literal."""
    from kb.library import code_only  # (the library is not needed to import this module)

    code = code_only(body)
    out, last = [], 0
    for match in _PARAM.finditer(code):
        name = match.group(1)
        if name not in params:
            raise KBError(f"No value for ${name}.")
        out += [body[last : match.start()], cypher_literal(params[name])]
        last = match.end()
    return "".join([*out, body[last:]])


def browser_text(title: str, body: str, params: Mapping[str, Any]) -> str:
    """A statement ready for Browser's editor: a comment naming it and its parameter values,
    then the body with the values inlined."""
    header = [f"// {' '.join(title.split())}"]  # one line, whatever the title holds
    if params:
        shown = ", ".join(f"{k} = {cypher_literal(v)}" for k, v in params.items())
        header.append(f"// parameters inlined (Browser's address cannot carry them): {shown}")
    return "\n".join(header) + "\n" + inline_params(body.strip(), params)


def query_editor_text(
    driver: Any, database: str | None, name: str, given: Mapping[str, Any], *, graph: bool = False
) -> str:
    """What ``kb browser --query`` puts in Browser's editor: the library query with its
    parameters resolved and inlined, or (``graph``) the statement that draws its answer's nodes
    and facts, with the answer's references inlined."""
    from kb import library, viz

    query = library.load_library().get(name)
    if not graph:
        values = library.resolved_params(driver, database, query, given)
        return browser_text(f"{name}: {query.title}", query.body, values)
    answer = viz.answer(driver, database, name, given)
    shown = "".join(f" -p {k}={v}" for k, v in given.items())
    title = f"the nodes and facts behind: kb query run {name}{shown}"
    return browser_text(title, viz.subgraph_statement(), answer.refs.params())


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

    def __init__(self, port: int = DEFAULT_ASSET_PORT) -> None:
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
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def guide_url(self) -> str:
        """What ``:guide`` takes to open the kb guide."""
        return self.base + GUIDE_FILE

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
