"""The OpenSanctions ban-list CSV (as kept for the U.S. DoD Section 1260H list).

Columns: Name, Clean Name, Alias, Previous Name, Parent Name, Note, Start date, End date,
Source Url. One row is one entity in one release; a company listed in several releases gives
one RESTRICTS fact per listing date. Listed companies resolve onto existing companies by name
and alias (the loader's ``resolve_by_name``); the others become new companies.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

from loaders.records import ParseError, RawRecord

COLUMNS = [
    "Name",
    "Clean Name",
    "Alias",
    "Previous Name",
    "Parent Name",
    "Note",
    "Start date",
    "End date",
    "Source Url",
]
SUFFIXES = {
    "co",
    "company",
    "ltd",
    "limited",
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "group",
    "holding",
    "holdings",
    "plc",
    "llc",
    "sa",
    "ag",
    "gmbh",
    "technologies",
    "technology",
}
_PAREN = re.compile(r"\(([^()]*)\)")


def is_ban_list(path: Path) -> bool:
    if path.suffix.lower() != ".csv":
        return False
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), [])
    except (OSError, UnicodeDecodeError):
        return False
    return [h.strip() for h in header] == COLUMNS


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")[:80]


def _short_forms(name: str) -> list[str]:
    """'Inspur Group Co., Ltd.' -> ['Inspur']: the name without corporate suffixes."""
    words = re.findall(r"[\w&]+", _PAREN.sub(" ", name))
    while words and words[-1].casefold() in SUFFIXES:
        words.pop()
    short = " ".join(words)
    return [short] if short and short.casefold() != name.casefold() else []


def _names(row: dict[str, str]) -> tuple[str, list[str]]:
    raw_name = row["Name"].rstrip("*").strip()
    clean = _PAREN.sub("", row["Clean Name"] or raw_name).strip(" ,") or raw_name
    aliases: list[str] = []
    for text in (
        row["Alias"],
        row["Previous Name"],
        *_PAREN.findall(raw_name),
        *_PAREN.findall(row["Clean Name"]),
        *_short_forms(clean),
    ):
        text = (text or "").strip()
        if text and text != clean and text not in aliases:
            aliases.append(text)
    return clean, aliases


def read_ban_list(path: Path) -> Iterator[RawRecord]:
    stem = path.stem
    is_1260h = "1260h" in stem.casefold()
    source_id = f"opensanctions-{slug(stem)}"
    restriction_id = "us-dod-1260h" if is_1260h else f"ban-list-{slug(stem)}"

    def record(kind: str, data: dict[str, object], where: str) -> RawRecord:
        return RawRecord(kind, data, path, where)

    yield record(
        "sources",
        {
            "id": source_id,
            "title": f"OpenSanctions ban list '{stem}'",
            "publisher": "OpenSanctions",
            "url": "https://www.opensanctions.org/datasets/us_dod_chinese_milcorps/"
            if is_1260h
            else None,
        },
        "file",
    )
    yield record(
        "restrictions",
        {
            "id": restriction_id,
            "name": "U.S. DoD Section 1260H list of Chinese military companies"
            if is_1260h
            else f"Ban list {stem}",
            "kind": "listing",
            "authority": "U.S. Department of Defense" if is_1260h else None,
            "program": "Section 1260H, FY2021 NDAA (Pub. L. 116-283)" if is_1260h else None,
            "scope": "Chinese military companies operating in the United States"
            if is_1260h
            else None,
            "source": source_id,
        },
        "file",
    )
    if is_1260h:
        yield record(
            "issued_by",
            {
                "subject": restriction_id,
                "object": "US",
                "source": source_id,
                "evidence": "U.S. Department of Defense, Section 1260H list",
                "confidence": "external",
            },
            "file",
        )

    text = path.read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    companies: dict[str, str] = {}  # slug of the clean name -> id
    facts: set[tuple[str, ...]] = set()  # one fact per (kind, company, start or parent)
    try:
        for row in reader:
            where = f"line {reader.line_num}"
            if not (row.get("Name") or "").strip():
                raise ParseError(path, where, "field 'Name' is empty")
            clean, aliases = _names(row)
            company_id = companies.get(slug(clean))
            if company_id is None:
                company_id = companies[slug(clean)] = f"listed-{slug(clean)}"
                yield record(
                    "companies",
                    {
                        "id": company_id,
                        "name": clean,
                        "aliases": aliases,
                        "source": source_id,
                        "evidence": row["Name"].strip(),
                        "confidence": "external",
                        "resolve_by_name": True,
                    },
                    where,
                )
            start = (row.get("Start date") or "").strip() or None
            end = (row.get("End date") or "").strip() or None
            if ("restricts", company_id, start or "") in facts:
                continue
            facts.add(("restricts", company_id, start or ""))
            yield record(
                "restricts",
                {
                    "subject": restriction_id,
                    "object": company_id,
                    "source": source_id,
                    "evidence": row["Name"].strip(),
                    "confidence": "external",
                    "as_of": start,
                    "start": start,
                    "end": end,
                    "note": (row.get("Note") or "").strip() or None,
                },
                where,
            )
            parent = (row.get("Parent Name") or "").strip()
            parent_clean = _PAREN.sub("", parent).strip(" ,")
            parent_id = companies.get(slug(parent_clean)) or f"listed-{slug(parent_clean)}"
            if parent and ("parent", company_id, parent_id) not in facts:
                facts.add(("parent", company_id, parent_id))
                if slug(parent_clean) not in companies:
                    companies[slug(parent_clean)] = parent_id
                    yield record(
                        "companies",
                        {
                            "id": parent_id,
                            "name": parent_clean,
                            "aliases": _short_forms(parent_clean),
                            "source": source_id,
                            "evidence": parent,
                            "confidence": "external",
                            "resolve_by_name": True,
                        },
                        where,
                    )
                yield record(
                    "subsidiary_of",
                    {
                        "subject": company_id,
                        "object": parent_id,
                        "source": source_id,
                        "evidence": f"{row['Name'].strip()} (parent: {parent})",
                        "confidence": "external",
                        "as_of": start,
                    },
                    where,
                )
    except csv.Error as exc:
        raise ParseError(path, f"line {reader.line_num}", f"invalid CSV: {exc}") from None
