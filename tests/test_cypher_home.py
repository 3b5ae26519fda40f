"""All of the package's Cypher lives in ``cypher/`` and is read by one loader, written once.

- every ``.cypher`` file is either a library query (``cypher/*.cypher``) or a package
  statement (``cypher/<folder>/*.cypher``, :func:`kb.statements.statement`), and every
  statement plans on the server;
- the package's Python holds no Cypher statement in a string;
- the fragments Cypher cannot share between files (it has no functions of its own nor
  includes, and each file must run as it is in Browser) are the same text in every file:
  the confidence ranks, their names by rank, the evidence of a fact and a fact's step label.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import get_args

import pytest

from kb import KnowledgeBase, statements
from kb.library import load_library
from kb.paths import cypher_dir
from kb.schema import RELATION_BY_TYPE, Confidence

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = load_library()
CYPHER_FILES = sorted(cypher_dir().rglob("*.cypher"))
STATEMENTS = statements.statement_names()

# --------------------------------------------------------------------------- one home, one loader


def test_every_cypher_file_is_a_library_query_or_a_package_statement() -> None:
    queries = {q.path.resolve() for q in LIBRARY.queries.values()}
    queries |= {q.summary.path.resolve() for q in LIBRARY.queries.values() if q.summary}
    statement_files = {statements.statement_path(name).resolve() for name in STATEMENTS}
    assert CYPHER_FILES, "no Cypher found"
    for path in CYPHER_FILES:
        assert path.resolve() in queries | statement_files, path
    assert len(queries) + len(statement_files) == len(CYPHER_FILES)
    assert {"load", "resolve", "viz", "bench"} <= {name.split("/")[0] for name in STATEMENTS}


@pytest.mark.parametrize("name", STATEMENTS)
def test_every_statement_loads_through_the_one_loader(name: str) -> None:
    text = statements.statement(name)
    assert statements.statement(name) is text  # read once
    body = re.sub(r"//[^\n]*", "", text).strip()
    assert body, f"{name} holds no Cypher"


def test_a_statement_name_is_folder_slash_file() -> None:
    for bad in ("reset", "../seed/x", "load/../x", "/load/reset", "load/reset.cypher"):
        with pytest.raises(ValueError, match="folder/file"):
            statements.statement(bad)
    with pytest.raises(FileNotFoundError):
        statements.statement("load/no_such_statement")


def test_no_cypher_file_lives_outside_the_cypher_folder() -> None:
    for folder in ("kb", "loaders"):
        strays = [p for p in (ROOT / folder).rglob("*.cypher") if "_data" not in p.parts]
        assert strays == [], strays


def test_every_statement_is_used_by_the_package() -> None:
    code = "\n".join(p.read_text(encoding="utf-8") for p in _package_python())
    unused = [name for name in STATEMENTS if f'"{name}"' not in code]
    assert unused == [], f"statements no module reads: {unused}"


# Statements that cannot be planned by EXPLAIN as they are (with the reason).
NOT_EXPLAINED = {
    "load/constraints": "schema commands, several a file (the loader runs them in every test)",
    "page/count": "a template: a library query's body stands in for its $($query) line "
    "(tests/test_paging.py counts with it)",
}


def _explain_params(name: str) -> dict[str, object]:
    params: dict[str, object] = {
        "rows": [],
        "ids": [],
        "norms": [],
        "facts": [],
        "quotes": [],
        "labels": [],
        "value": "x",
        "norm": "x",
        "company": "x",
        "run": {},
        "url": "file:///nothing.csv",
        "batch": 1000,
        "label": "Company",
        "type": "RELIES_ON",
        "seconds": 1,
    }
    text = statements.statement(name)
    return {k: v for k, v in params.items() if f"${k}" in text}


@pytest.mark.parametrize("name", [n for n in STATEMENTS if n not in NOT_EXPLAINED])
def test_every_statement_plans_on_the_server(kb: KnowledgeBase, name: str) -> None:
    text = statements.statement(name).replace("$($type)", next(iter(RELATION_BY_TYPE)))
    with kb.driver.session() as session:  # auto-commit: CALL ... IN TRANSACTIONS plans too
        summary = session.run(f"EXPLAIN {text}", _explain_params(name)).consume()
    assert summary.plan, name


# --------------------------------------------------------------------------- no Cypher in Python

# A string that holds a statement: a clause keyword followed by what a statement has after it.
CYPHER_IN_STRING = re.compile(
    r"\b(?:OPTIONAL MATCH|MATCH|MERGE|CREATE)\s*\(|\bUNWIND\s+\$?\w+\s+AS\b|\bRETURN\s+\S|"
    r"\bYIELD\s+\w|\bDETACH\s+DELETE\b|\bLOAD\s+CSV\s+(?:WITH\s+HEADERS\s+)?FROM\b"
)
# Strings allowed to hold Cypher, with why (docstrings never count: they are documentation).
ALLOWED = {
    (
        "kb/resolve.py",
        ' Names, aliases and ids are accepted; `kb cypher "MATCH (e:Entity) RETURN e.id, e.name"` '
        "lists them.",
    ): "a hint in an error message: a command for the user to type, never sent by the package",
}


def _package_python() -> list[Path]:
    return sorted(p for folder in ("kb", "loaders") for p in (ROOT / folder).rglob("*.py"))


def _docstrings(tree: ast.AST) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def cypher_strings(path: Path) -> list[str]:
    """The string literals of a module (docstrings aside) that hold a Cypher statement."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree) | {
        id(part)
        for node in ast.walk(tree)
        if isinstance(node, ast.JoinedStr)
        for part in node.values
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
        elif (
            isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
        ):
            text = node.value
        else:
            continue
        if CYPHER_IN_STRING.search(text):
            found.append(text)
    return found


def test_the_package_python_holds_no_cypher() -> None:
    found = []
    for path in _package_python():
        where = path.relative_to(ROOT).as_posix()
        found += [(where, text) for text in cypher_strings(path) if (where, text) not in ALLOWED]
    assert found == [], "Cypher belongs in cypher/<folder>/*.cypher, read by kb.statements"


def test_the_cypher_finder_finds_cypher(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        '"""MATCH (n) RETURN n: a docstring."""\n'
        'A = "MATCH (e:Entity {id: $id}) RETURN e"\n'
        'B = f"UNWIND $rows AS row {A}"\n'
        'C = "CALL dbms.components() YIELD name"\n'
        'D = "Rows per UNWIND batch."\n'
        'F = "ours >= 0.8x LOAD CSV"\n'
        'G = "LOAD CSV WITH HEADERS FROM $url AS row"\n'
        'E = "the MATCH of a string"\n',
        encoding="utf-8",
    )
    found = cypher_strings(module)
    assert found == [
        "MATCH (e:Entity {id: $id}) RETURN e",
        "UNWIND $rows AS row ",
        "CALL dbms.components() YIELD name",
        "LOAD CSV WITH HEADERS FROM $url AS row",
    ]
    for allowed_file, _text in ALLOWED:
        assert (ROOT / allowed_file).is_file()


# --------------------------------------------------------------------------- shared fragments

CONFIDENCES = list(get_args(Confidence))  # strongest first
RANK = "{stated: 3, implied: 2, external: 1}"
LEVELS = "['none', 'external', 'implied', 'stated']"
EVIDENCE = (
    "{fact: startNode(r).name + ' -' + type(r) + '-> ' + endNode(r).name, "
    "quote: r.evidence, context: r.context, source: r.source, as_of: r.as_of, "
    "confidence: r.confidence"
)
STEP = (
    "WHEN r.kind IS NOT NULL THEN '(' + r.kind + ')' "
    "WHEN r.category IS NOT NULL THEN '(' + r.category + coalesce(', ' + toString(r.share) "
    "+ '%', '') + coalesce(', ' + toString(r.year), '') + ')' ELSE '' END"
)
# Copies that differ on purpose, with why.
VARIANTS = {
    ("where-company-builds", "evidence"): (
        EVIDENCE + ", note: r.note}",
        "a site's evidence also carries the fact's note",
    ),
    ("mutual-dependence", "step"): (
        "WHEN r.kind IS NOT NULL THEN '(' + r.kind + ')' "
        "WHEN r.category IS NOT NULL THEN '(' + r.category + ')' ELSE '' END",
        "a pair's chains name the category only (a pair is about who, not how much)",
    ),
}


def _code(text: str) -> str:
    """Comments removed (string literals kept), whitespace made single, brackets tight."""
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.DOTALL)
    text = re.sub(r"//[^\n]*", " ", text)
    text = re.sub(r"\s+", " ", text)
    return re.sub(r"([\[{(]) | (?=[\]})])", r"\1", text)


def _braced(code: str, start: int) -> str:
    depth = 0
    for i in range(start, len(code)):
        depth += {"{": 1, "}": -1}.get(code[i], 0)
        if depth == 0:
            return code[start : i + 1]
    raise AssertionError(f"unbalanced braces from {code[start : start + 80]!r}")


def fragments(text: str) -> dict[str, list[str]]:
    """Every copy of each shared fragment in one file of Cypher."""
    code = _code(text)
    return {
        "rank": re.findall(r"\{[^{}]*\bstated:[^{}]*\}", code),
        "levels": [
            m for m in re.findall(r"\['[^'\]]*'(?:, '[^'\]]*')*\]", code) if "'stated'" in m
        ],
        "evidence": [_braced(code, m.start()) for m in re.finditer(r"\{fact:", code)],
        "step": re.findall(r"WHEN \w+\.kind IS NOT NULL.*? ELSE '' END", code),
    }


# by the file's path under cypher/ without its suffix: "blast-radius", "load/upsert_nodes"
FOUND = {
    path.relative_to(cypher_dir()).with_suffix("").as_posix(): fragments(
        path.read_text(encoding="utf-8")
    )
    for path in CYPHER_FILES
}
CANONICAL = {"rank": RANK, "levels": LEVELS, "evidence": EVIDENCE + "}", "step": STEP}


def test_the_confidence_ranks_follow_the_schema() -> None:
    ranks = dict(re.findall(r"(\w+): (\d)", RANK))
    assert sorted(ranks, key=lambda c: -int(ranks[c])) == CONFIDENCES
    assert ast.literal_eval(LEVELS) == ["none", *reversed(CONFIDENCES)]
    assert all(ast.literal_eval(LEVELS)[int(n)] == c for c, n in ranks.items())


@pytest.mark.parametrize("fragment", sorted(CANONICAL))
def test_every_copy_of_a_shared_fragment_is_the_same(fragment: str) -> None:
    different = []
    for name, found in FOUND.items():
        wanted = VARIANTS.get((name, fragment), (CANONICAL[fragment], ""))[0]
        different += [(name, copy) for copy in found[fragment] if copy != wanted]
    assert different == [], f"copies of the {fragment} fragment that differ: {different}"


def test_the_fragment_finder_finds_every_copy() -> None:
    counts = {
        fragment: sum(len(found[fragment]) for found in FOUND.values()) for fragment in CANONICAL
    }
    assert counts == {"rank": 16, "levels": 15, "evidence": 15, "step": 5}, counts
    for (name, fragment), _ in VARIANTS.items():
        assert FOUND[name][fragment], (name, fragment)
    # a file that reads the ranks or their names defines them with the copy the test checks
    for path in CYPHER_FILES:
        code = _code(path.read_text(encoding="utf-8"))
        found = FOUND[path.relative_to(cypher_dir()).with_suffix("").as_posix()]
        if re.search(r"\brank(\[|\.\w)", code):
            assert found["rank"], f"{path.name} reads rank[...] but defines no rank map"
        if re.search(r"\blevel\[", code):
            assert found["levels"], f"{path.name} reads level[...] but defines no level list"
    # found whatever its layout, and told apart when it differs
    other = fragments(
        "WITH {stated: 3,\n  implied: 1, external: 1} AS rank // {stated: 0}\nRETURN 1"
    )
    assert other["rank"] == ["{stated: 3, implied: 1, external: 1}"]
