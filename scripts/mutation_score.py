"""Per-module mutation scores from mutmut's result files (mutants/**/*.py.meta).

Score = killed / (killed + survived + no tests); timeouts count as killed (the mutant hung
the tests), mutants not run yet are left out and counted apart."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

KILLED = {1, 3, 24, -24, 36, 152, 255, 37}
SURVIVED = {0}
NO_TESTS = {5, 33}


def _line(name: str, counts: Counter[str]) -> None:
    judged = counts["killed"] + counts["survived"] + counts["no tests"]
    score = 100 * counts["killed"] / judged if judged else 0.0
    print(
        f"{name:<44} {counts['killed']:>6} {counts['survived']:>6} "
        f"{counts['no tests']:>7} {counts['not run']:>7}  {score:5.1f} %"
    )


def main() -> int:
    """Print one line per module that has results, and the total."""
    root = Path("mutants")
    total: Counter[str] = Counter()
    print(f"{'module':<44} {'killed':>6} {'surv.':>6} {'no test':>7} {'not run':>7}  score")
    for meta in sorted(root.rglob("*.py.meta")):
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"].values()
        counts: Counter[str] = Counter()
        for code in codes:
            if code is None:
                counts["not run"] += 1
            elif code in KILLED:
                counts["killed"] += 1
            elif code in SURVIVED:
                counts["survived"] += 1
            elif code in NO_TESTS:
                counts["no tests"] += 1
            else:
                counts["other"] += 1
        judged = counts["killed"] + counts["survived"] + counts["no tests"]
        if not judged:
            continue
        total.update(counts)
        module = meta.relative_to(root).as_posix().removesuffix(".meta")
        _line(module, counts)
    _line("all run", total)
    return 0


if __name__ == "__main__":
    sys.exit(main())
