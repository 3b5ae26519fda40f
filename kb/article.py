"""The source article as lines and sentences, to prove that a quote is a whole unit of it.

A quote (a fact's ``evidence``) must be a whole line of the article, or whole sentences of it;
a ``context`` (the heading of the list a fact comes from) must be a whole line. Lines are taken
with their bullet ("•") and surrounding white space removed, white space collapsed; a sentence
may run on across the lines of a list ("China remains deeply dependent on U.S. semiconductor
tooling, AI frameworks, and enterprise software ecosystems, even while attempting long-term
decoupling.").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

BULLET = re.compile(r"^[•\-\*]\s*")
# Where a sentence may end: . ? ! (optionally followed by a closing quote) before white space.
_SENTENCE_END = re.compile(r"[.?!][”\"’)]?(?=\s|$)")
# Abbreviations whose full stop ends no sentence.
_ABBREVIATIONS = ("U.S.", "e.g.", "i.e.", "etc.", "Dr.", "Mr.", "Ms.", "St.")


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def clean_line(line: str) -> str:
    """A line of the article as a quote gives it: no bullet, white space collapsed."""
    return collapse(BULLET.sub("", line.strip()))


@dataclass(frozen=True)
class Item:
    """A list item: its line number (from 1), its cleaned line and its list's heading."""

    number: int
    text: str
    heading: str


@dataclass
class Article:
    """The article's text, its lines, and the places where a whole quote may start and end."""

    text: str
    lines: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.lines = [clean_line(line) for line in self.text.splitlines()]

    @cached_property
    def line_set(self) -> frozenset[str]:
        return frozenset(line for line in self.lines if line)

    @cached_property
    def _flow(self) -> tuple[str, frozenset[int], frozenset[int]]:
        """The non-blank lines joined by spaces, with the offsets where units start and end."""
        starts: set[int] = set()
        ends: set[int] = set()
        parts: list[str] = []
        offset = 0
        for line in self.lines:
            if not line:
                continue
            starts.add(offset)
            ends.add(offset + len(line))
            for match in _SENTENCE_END.finditer(line):
                end = match.end()
                if any(line[:end].endswith(abbr) for abbr in _ABBREVIATIONS):
                    continue
                ends.add(offset + end)
                rest = line[end:]
                stripped = rest.lstrip()
                if stripped:
                    starts.add(offset + end + len(rest) - len(stripped))
            parts.append(line)
            offset += len(line) + 1
        return " ".join(parts), frozenset(starts), frozenset(ends)

    def is_line(self, quote: str) -> bool:
        return collapse(quote) in self.line_set

    def is_whole(self, quote: str) -> bool:
        """Whether the quote is whole lines or whole sentences of the article."""
        quote = collapse(quote)
        if not quote:
            return False
        if quote in self.line_set:
            return True
        flow, starts, ends = self._flow
        position = flow.find(quote)
        while position >= 0:
            if position in starts and position + len(quote) in ends:
                return True
            position = flow.find(quote, position + 1)
        return False

    def occurs(self, quote: str) -> bool:
        """Whether the quote occurs at all (white space collapsed, with or without bullets)."""
        quote = collapse(quote)
        return quote in collapse(self.text) or quote in self._flow[0]

    @cached_property
    def _line_spans(self) -> list[tuple[int, int, int]]:
        """Each non-blank line as (line index, start, end) in the flow of :attr:`_flow`."""
        spans: list[tuple[int, int, int]] = []
        offset = 0
        for index, line in enumerate(self.lines):
            if line:
                spans.append((index, offset, offset + len(line)))
                offset += len(line) + 1
        return spans

    def lines_within(self, quote: str) -> frozenset[int]:
        """The indexes of the lines that a whole occurrence of the quote runs across entirely,
        when it runs across more than one line (a sentence running on across a list's items)."""
        quote = collapse(quote)
        flow, starts, ends = self._flow
        found: set[int] = set()
        position = flow.find(quote) if quote else -1
        while position >= 0:
            end = position + len(quote)
            if position in starts and end in ends:
                inside = [
                    i for i, start, stop in self._line_spans if position <= start and stop <= end
                ]
                if len(inside) > 1:
                    found.update(inside)
            position = flow.find(quote, position + 1)
        return frozenset(found)

    def items(self) -> list[Item]:
        """Every list item of the article, in order, with its list's heading."""
        return [
            Item(number + 1, self.lines[number], heading)
            for number, heading in sorted(self.headings().items())
        ]

    @cached_property
    def item_headings(self) -> dict[str, frozenset[str]]:
        """Each list item (a cleaned line) -> the headings of the lists it is an item of."""
        found: dict[str, set[str]] = {}
        for number, heading in self.headings().items():
            found.setdefault(self.lines[number], set()).add(heading)
        return {item: frozenset(heads) for item, heads in found.items()}

    def headings(self) -> dict[int, str]:
        """Each list item's line number -> the heading line of its list (the line before the
        list that ends with a colon); nested items get their nearest heading."""
        result: dict[int, str] = {}
        raw = self.text.splitlines()
        stack: list[tuple[int, str]] = []  # (indent of the heading's items, heading)
        last_text: tuple[int, str] | None = None  # the last line that may head a list
        for number, line in enumerate(raw):
            if not line.strip():
                continue
            indent = len(line) - len(line.lstrip())
            cleaned = clean_line(line)
            if BULLET.match(line.strip()):
                while stack and stack[-1][0] > indent:
                    stack.pop()
                if (not stack or stack[-1][0] < indent) and last_text is not None:
                    stack.append((indent, last_text[1]))
                if stack:
                    result[number] = stack[-1][1]
                if cleaned.endswith(":"):
                    last_text = (indent, cleaned)
            else:
                stack = []
                last_text = (indent, cleaned)
        return result
