"""Collect the ``TARGET`` lines that the benchmark scripts printed into one table.

``make bench`` tees every script's output into ``benchmarks/.last-run.log`` and then runs
``python benchmarks/_summary.py benchmarks/.last-run.log``: one row per target, the measured value,
the target, met or missed by how much, the anchors measured in the same run, and why a miss.
"""

from __future__ import annotations

import sys
from pathlib import Path

from _timing import TARGET_PREFIX  # benchmarks/_timing.py (scripts run from benchmarks/)

HEAD = ("work", "measured", "target", "verdict", "anchors (same run)", "why missed")


def main(log: str) -> int:
    rows = [line[len(TARGET_PREFIX):].rstrip("\n").split("\t")
            for line in Path(log).read_text(encoding="utf-8").splitlines()
            if line.startswith(TARGET_PREFIX)]
    if not rows:
        print("no TARGET lines found in", log)
        return 1
    rows = [(r + [""] * len(HEAD))[:len(HEAD)] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(HEAD)]
    print("\n== Targets (../shared/BENCHMARKS.md)")
    print(" | ".join(h.ljust(w) for h, w in zip(HEAD, widths, strict=True)))
    print("-+-".join("-" * w for w in widths))
    for r in rows:
        print(" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))
    met = sum(r[3] == "met" for r in rows)
    print(f"\n{met} of {len(rows)} targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "benchmarks/.last-run.log"))
