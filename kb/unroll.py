"""Library queries written out level by level, from one block.

Cypher has no loop that feeds one step's rows to the next: ``reduce`` cannot match or
aggregate, ``UNWIND range(...)`` then ``CALL`` runs the steps side by side, not one after
the other, and a quantified path pattern enumerates paths, which is what a level-by-level
search avoids on a large graph. So ``blast-radius`` spells out its breadth-first search as one
``CALL`` block a level, up to :data:`kb.library.MAX_HOPS`.

The block is written once: level 1 in the file, from its ``// ---- level 1:`` line to the next
level's. The other levels are level 1 with its number changed where it stands for the level:
``1 <= $max_hops`` (this level runs), ``1 = $max_hops`` (this is the last level) and
``$max_hops - 1`` (the hops left). The lines from ``// ---- after the levels`` on are the
query's end, written once. After editing level 1, ``python -m kb.unroll`` rewrites the
other levels; a test fails while the file differs from its regeneration.
"""

from __future__ import annotations

import re
import sys

from kb import statements
from kb.library import MAX_HOPS
from kb.paths import cypher_dir

UNROLLED = ("blast-radius",)  # the library queries written out level by level

_LEVEL_LINE = re.compile(r"(?m)^// ---- level (\d+):")
_TAIL_LINE = re.compile(r"(?m)^// ---- after the levels")
_LEVEL_NUMBER = re.compile(r"(?<![\w.$])1(?= (?:<=|=) \$max_hops)|(?<=\$max_hops - )1(?!\w)")
_USES_PER_BLOCK = 5


def level_block(block: str, level: int) -> str:
    """Level 1's block as the block of ``level``."""
    found = len(_LEVEL_NUMBER.findall(block))
    if found != _USES_PER_BLOCK:
        raise ValueError(
            f"level 1's block names its level {found} times; the generator knows "
            f"{_USES_PER_BLOCK} ('1 <= $max_hops', '1 = $max_hops' twice, '$max_hops - 1' twice)"
        )
    block = block.replace("// ---- level 1:", f"// ---- level {level}:", 1)
    return _LEVEL_NUMBER.sub(str(level), block)


def unrolled(text: str, levels: int = MAX_HOPS) -> str:
    """The file with levels 2..``levels`` rewritten from level 1 (the rest left as it is)."""
    starts = list(_LEVEL_LINE.finditer(text))
    tail = _TAIL_LINE.search(text)
    if not starts or starts[0].group(1) != "1" or tail is None or tail.start() < starts[-1].end():
        raise ValueError("expected '// ---- level 1:' ... then '// ---- after the levels'")
    first_end = starts[1].start() if len(starts) > 1 else tail.start()
    block = text[starts[0].start() : first_end]
    body = "".join(level_block(block, level) for level in range(1, levels + 1))
    return text[: starts[0].start()] + body + text[tail.start() :]


def main() -> None:
    """Rewrite every unrolled query of the packaged library from its level 1."""
    for name in UNROLLED:
        path = cypher_dir() / f"{name}{statements.SUFFIX}"
        text = statements.read(path)
        new = unrolled(text)
        if new != text:
            path.write_text(new, encoding="utf-8")
            print(f"rewrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
