"""The Markdown tables of BENCHMARKS.md, written between two markers (the prose stays)."""

from __future__ import annotations

import os
import platform
import re
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import neo4j

from kb.statements import statement

BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
TARGETS = {
    "vs_load_csv": 0.8,
    "vs_naive": 50.0,
    "node_rate": 20_000,
    "relation_rate": 5_000,
    "p50_ms": 20.0,
    "p95_ms": 100.0,
    "rss_mb": 300.0,
    "bulk_vs_load_csv": 10.0,
    "guard_slack_s": 5.0,
}


def environment(driver: neo4j.Driver, database: str | None) -> dict[str, str]:
    records, _, _ = driver.execute_query(statement("bench/components"), database_=database)
    settings, _, _ = driver.execute_query(statement("bench/memory_settings"), database_=database)
    memory = {r["name"].split(".")[2]: r["value"] for r in settings}
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    total = next(
        (
            int(line.split()[1]) // 1024 // 1024
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    server = records[0]
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores ({cpu}), {total} GiB, {platform.system()} "
        f"{platform.release()}",
        "python": platform.python_version(),
        "neo4j": f"{server['name']} {server['version']} {server['edition']} "
        f"(heap {memory.get('heap', '?')}, page cache {memory.get('pagecache', '?')})",
        "driver": f"neo4j {metadata.version('neo4j')}, neo4j-rust-ext "
        f"{metadata.version('neo4j-rust-ext')}",
    }


def _rate(rows: float, seconds: float) -> float:
    return rows / seconds if seconds > 0 else 0.0


def _mark(ok: bool) -> str:
    return "yes" if ok else "**no**"


def load_table(results: dict[str, Any]) -> list[str]:
    t = TARGETS
    lines = [
        "| relationships | rows | LOAD CSV rows/s | ours rows/s (x LOAD CSV) "
        "| ours, no Rust ext (x) | per-row tx rows/s (x) | ours / per-row "
        "| node upserts/s | rel upserts/s | peak RSS MB (no Rust) | re-load s "
        "| plan s (while writing) | commit s |",
        "|" + " ---: |" * 13,
    ]
    for scale in sorted(results, key=int):
        r = results[scale].get("load")
        if not r:
            continue
        csv, ours, plain, naive = r["load_csv"], r["ours"], r["no_rust"], r["naive"]
        rows = ours["nodes"] + ours["relations"]
        csv_rate = _rate(
            csv["nodes"] + csv["relations"], csv["node_seconds"] + csv["relation_seconds"]
        )
        ours_rate = _rate(rows, ours["seconds"])
        plain_rate = _rate(rows, plain["seconds"])
        naive_rate = _rate(naive["rows"], naive["seconds"])
        commit = ours.get("commit_seconds")
        if commit is None:  # results of the loader before it streamed: the rest of the write
            commit = ours["write_seconds"] - ours["node_seconds"] - ours["relation_seconds"]
        lines.append(
            f"| {int(scale):,} | {rows:,} | {csv_rate:,.0f} "
            f"| {ours_rate:,.0f} ({ours_rate / csv_rate:.2f}) "
            f"| {plain_rate:,.0f} ({plain_rate / csv_rate:.2f}) "
            f"| {naive_rate:,.0f} ({naive_rate / csv_rate:.3f}) "
            f"| {ours_rate / naive_rate:,.0f}x "
            f"| {_rate(ours['nodes'], ours['node_seconds']):,.0f} "
            f"| {_rate(ours['relations'], ours['relation_seconds']):,.0f} "
            f"| {ours['rss_mb']:.0f} ({plain['rss_mb']:.0f}) | {r['reload']['seconds']:.1f} "
            f"| {ours['plan_seconds']:.1f} | {commit:.1f} |"
        )
        r["verdict"] = {
            "ours >= 0.8x LOAD CSV": _mark(ours_rate >= t["vs_load_csv"] * csv_rate),
            "ours >= 50x per-row": _mark(ours_rate >= t["vs_naive"] * naive_rate),
            "node upserts >= 20,000/s": _mark(
                _rate(ours["nodes"], ours["node_seconds"]) >= t["node_rate"]
            ),
            "rel upserts >= 5,000/s": _mark(
                _rate(ours["relations"], ours["relation_seconds"]) >= t["relation_rate"]
            ),
            "peak RSS < 300 MB": _mark(ours["rss_mb"] < t["rss_mb"]),
        }
    lines.append("")
    lines.append("Targets, per size:")
    lines.append("")
    for scale in sorted(results, key=int):
        verdict = results[scale].get("load", {}).get("verdict")
        if verdict:
            lines.append(f"- {int(scale):,}: " + "; ".join(f"{k}: {v}" for k, v in verdict.items()))
    return lines


# --------------------------------------------------------------------------- staged loads


def staged_table(results: dict[str, Any]) -> list[str]:
    """The staged load into a small-heap server (issue 14: 10^6 relationships, heap <= 1 GiB,
    loader peak RSS < 300 MB), beside LOAD CSV of the same size where the run measured it."""
    lines = [
        "| relationships | rows | server heap | rows/commit | staged kb load rows/s "
        "| (x LOAD CSV) | loader peak RSS MB | publish s | loaded |",
        "|" + " ---: |" * 8 + " --- |",
    ]
    rows_out = []
    for scale in sorted(results, key=int):
        r = results[scale].get("staged")
        if not r:
            continue
        rows = r["nodes"] + r["relations"]
        rate = _rate(rows, r["seconds"])
        csv = results[scale].get("load", {}).get("load_csv")
        ratio = ""
        if csv:
            csv_rate = _rate(
                csv["nodes"] + csv["relations"], csv["node_seconds"] + csv["relation_seconds"]
            )
            ratio = f"{rate / csv_rate:.2f}" if csv_rate else ""
        rows_out.append(
            f"| {int(scale):,} | {rows:,} | {r['heap']} | {r['commit_rows']:,} | {rate:,.0f} "
            f"| {ratio} | {r['rss_mb']:.0f} | {r.get('commit_seconds') or 0:.1f} "
            f"| {_mark(r['created'] >= rows)} |"
        )
    if not rows_out:
        return ["(not measured: `kb bench staged --scale 1000000 --heap 1g`)"]
    return lines + rows_out


def _cell(q: dict[str, Any] | None) -> str:
    if q is None:
        return ""
    if not q["runs"]:
        return f"> {q['p50_ms'] / 1000:.0f} s (timed out)"
    note = f"; {q['runs']} runs" if q["runs"] < 30 else ""
    note += "; then timed out" if q.get("timed_out") else ""
    return f"{q['p50_ms']:.1f} / {q['p95_ms']:.1f} ({q['rows']:,}{note})"


def _full_cell(q: dict[str, Any] | None) -> str:
    """A paged query's whole answer beside its first page."""
    if q is None or not q.get("paged"):
        return ""
    if q.get("full_rows") is None:
        return f"> {q['full_ms'] / 1000:.0f} s (timed out)"
    return f"{q['full_ms']:.1f} ({q['full_rows']:,})"


def query_table(results: dict[str, Any]) -> list[str]:
    scales = [s for s in sorted(results, key=int) if results[s].get("queries")]
    if not scales:
        return []
    head = (
        "| query | anchor in the plan | "
        + " | ".join(
            f"{int(s):,}: p50 / p95 ms (rows) | {int(s):,}: whole answer ms (rows)" for s in scales
        )
        + " | target at the largest |"
    )
    lines = [head, "|" + " --- |" * 2 + " ---: | ---: |" * len(scales) + " --- |"]
    by_name = {s: {q["query"]: q for q in results[s]["queries"]} for s in scales}
    for name in sorted(by_name[scales[-1]]):
        cells = []
        for s in scales:
            q = by_name[s].get(name)
            cells.append(_cell(q))
            cells.append(_full_cell(q))
        last = by_name[scales[-1]][name]
        ok = (
            last["p50_ms"] <= TARGETS["p50_ms"]
            and last["p95_ms"] <= TARGETS["p95_ms"]
            and not last.get("timed_out")
        )
        lines.append(f"| `{name}` | {last['seek']} | " + " | ".join(cells) + f" | {_mark(ok)} |")
    return lines


# ---------------------------------------------------------------- bulk import and the guard


def _importer_seconds(summary: str) -> float | None:
    """The importer's own time ("IMPORT DONE in 10s 688ms"), without its JVM's start."""
    match = re.search(r"IMPORT DONE in (?:(\d+)m )?(?:(\d+)s )?(\d+)ms", summary)
    if match is None:
        return None
    minutes, seconds, millis = (int(g) if g else 0 for g in match.groups())
    return minutes * 60 + seconds + millis / 1000


def bulk_table(results: dict[str, Any]) -> list[str]:
    """`kb load --bulk` against LOAD CSV, each into an empty graph (kb/bench/bulk.py).

    The steps in order: checks with the importer's files written meanwhile (one pass), the
    wait for the server's stop (which runs during the checks), the importer (its JVM
    included), the server's start, then constraints and indexes, empty lists and the run.
    The budget is the whole command's time that 10x LOAD CSV allows."""
    scales = [s for s in sorted(results, key=int) if results[s].get("bulk")]
    if not scales:
        return []
    lines = [
        "| relationships | rows | LOAD CSV rows/s | importer alone rows/s (x LOAD CSV) "
        "| whole `kb load --bulk` rows/s (x LOAD CSV) | 10x budget s | check + files s "
        "| stop wait s | import s (its own) | start s | constraints, lists, run, indexes s |",
        "|" + " ---: |" * 11,
    ]
    verdicts = []
    for scale in scales:
        csv, bulk = results[scale]["bulk"]["load_csv"], results[scale]["bulk"]["bulk"]
        phases = bulk["phases"]
        rows = bulk["nodes"] + bulk["relationships"]
        csv_rate = _rate(
            csv["nodes"] + csv["relations"], csv["node_seconds"] + csv["relation_seconds"]
        )
        target = TARGETS["bulk_vs_load_csv"]
        alone, whole = _rate(rows, phases["import"]), _rate(rows, bulk["seconds"])
        own = _importer_seconds(bulk.get("importer", ""))
        lines.append(
            f"| {int(scale):,} | {rows:,} | {csv_rate:,.0f} "
            f"| {alone:,.0f} ({alone / csv_rate:.1f}) | {whole:,.0f} ({whole / csv_rate:.1f}) "
            f"| {rows / (target * csv_rate):.1f} "
            f"| {phases['validate'] + phases.get('files', 0.0):.1f} "
            f"| {phases.get('stop', 0.0):.1f} "
            f"| {phases['import']:.1f} ({'?' if own is None else f'{own:.1f}'}) "
            f"| {phases.get('start', 0.0):.1f} | {phases['schema']:.1f} |"
        )
        verdicts.append(
            f"- {int(scale):,}: importer alone >= {target:.0f}x LOAD CSV: "
            f"{_mark(alone >= target * csv_rate)}; whole command >= {target:.0f}x: "
            f"{_mark(whole >= target * csv_rate)}"
        )
    return [*lines, "", "Targets, per size:", "", *verdicts]


def guard_lines(results: dict[str, Any]) -> list[str]:
    """Runaway reads under a timeout: stopped in time, and the server answers after."""
    lines = []
    for scale in sorted(results, key=int):
        for g in results[scale].get("guard", []):
            in_time = g["stopped"] and g["seconds"] <= g["timeout"] + TARGETS["guard_slack_s"]
            lines.append(
                f"- `{g['query']}` (timeout {g['timeout']:.0f} s, graph of {int(scale):,}): "
                f"stopped after {g['seconds']:.1f} s ({g['why']}); the next query "
                f"{'answered' if g['next_query_answers'] else '**did not answer**'} in "
                f"{g['next_query_seconds']:.2f} s. Stopped within timeout + 5 s and server "
                f"alive: {_mark(in_time and g['next_query_answers'])}"
            )
    return lines


def render(results: dict[str, Any], env: dict[str, str]) -> str:
    lines = [
        BEGIN,
        f"Measured {env['date']} on {env['machine']}; Python {env['python']}; "
        f"{env['neo4j']}; driver {env['driver']}.",
        "",
        "### Loading",
        "",
        *load_table(results),
        "",
        "### A staged load on a small heap (docs/loading.md)",
        "",
        *staged_table(results),
        "",
        "### Queries (warm, at the client, 30 runs each after 3 warm-ups)",
        "",
        "A paged query (its answer grows with the graph) is timed for its first page, "
        "`--limit 100`, as the targets ask; its whole answer beside it (median of up to 3 "
        "runs). A query that does not page is timed whole.",
        "",
        *query_table(results),
        *_section("### Bulk import into an empty graph (`kb load --bulk`)", bulk_table(results)),
        *_section("### The guard (a runaway read under a timeout)", guard_lines(results)),
        END,
    ]
    return "\n".join(lines) + "\n"


def _section(title: str, lines: list[str]) -> list[str]:
    return ["", title, "", *lines] if lines else []


def write(path: Path, results: dict[str, Any], env: dict[str, str]) -> None:
    text = path.read_text(encoding="utf-8") if path.is_file() else "# Benchmarks\n"
    if BEGIN not in text or END not in text:
        text = text.rstrip() + f"\n\n{BEGIN}\n{END}\n"
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    path.write_text(head + render(results, env).rstrip("\n") + tail, encoding="utf-8")
