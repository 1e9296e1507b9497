"""Per-module mutation scores from mutmut's result files (mutants/**/*.py.meta).

Score = killed / (killed + survived + no tests); timeouts count as killed (the mutant hung
the tests), mutants not run yet are left out and counted apart.

    mutation_score.py                       the score of every module that has results
    mutation_score.py --names FILE          the same, of the mutants named in FILE only
    mutation_score.py --sample N --seed S   print N mutant names of bot/core and bot/dialogue
                                            drawn at random (uniform, reproducible by seed)
    mutation_score.py --sample N --exclude FILE   ... leaving out the mutants named in FILE
                                            (a fresh sample after tests were written for one)
    mutation_score.py --survivors FILE      print the survivors among the names in FILE

A random sample is how the whole of bot/core and bot/dialogue (over 11,000 mutants, many
hours on two cores) is measured in under an hour: see docs/mutants.md."""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections import Counter
from pathlib import Path

KILLED = {1, 3, 24, -24, 36, 152, 255, 37}
SURVIVED = {0}
NO_TESTS = {5, 33}
SAMPLED = ("bot.core.", "bot.dialogue.")
ROOT = Path("mutants")


def _results() -> dict[str, tuple[str, int | None]]:
    """Every mutant's module and exit code (None: not run yet)."""
    out: dict[str, tuple[str, int | None]] = {}
    for meta in sorted(ROOT.rglob("*.py.meta")):
        module = meta.relative_to(ROOT).as_posix().removesuffix(".meta")
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        for name, code in codes.items():
            out[name] = (module, code)
    return out


def _kind(code: int | None) -> str:
    if code is None:
        return "not run"
    if code in KILLED:
        return "killed"
    if code in SURVIVED:
        return "survived"
    if code in NO_TESTS:
        return "no tests"
    return "other"


def _line(name: str, counts: Counter[str]) -> None:
    judged = counts["killed"] + counts["survived"] + counts["no tests"]
    score = 100 * counts["killed"] / judged if judged else 0.0
    print(
        f"{name:<44} {counts['killed']:>6} {counts['survived']:>6} "
        f"{counts['no tests']:>7} {counts['not run']:>7}  {score:5.1f} %"
    )


def _scores(results: dict[str, tuple[str, int | None]], names: set[str] | None) -> None:
    by_module: dict[str, Counter[str]] = {}
    for name, (module, code) in results.items():
        if names is None or name in names:
            by_module.setdefault(module, Counter())[_kind(code)] += 1
    total: Counter[str] = Counter()
    print(f"{'module':<44} {'killed':>6} {'surv.':>6} {'no test':>7} {'not run':>7}  score")
    for module, counts in sorted(by_module.items()):
        if counts["killed"] + counts["survived"] + counts["no tests"]:
            _line(module, counts)
        total.update(counts)
    _line("all run", total)
    judged = total["killed"] + total["survived"] + total["no tests"]
    if names is not None and judged:
        # The normal approximation to the binomial: a 95 % interval for the whole population.
        p = total["killed"] / judged
        half = 1.96 * math.sqrt(p * (1 - p) / judged)
        low, high = 100 * (p - half), 100 * (p + half)
        print(f"95 % interval for all mutants: {low:.1f} % to {high:.1f} %")


def main() -> int:
    """Print scores, a random sample of mutant names, or the survivors of a list."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", type=Path, help="score only the mutants named in this file")
    parser.add_argument("--survivors", type=Path, help="print the survivors named in this file")
    parser.add_argument("--sample", type=int, help="print this many random mutant names")
    parser.add_argument("--seed", type=int, default=1, help="the sample's random seed")
    parser.add_argument("--exclude", type=Path, help="leave these names out of the sample")
    args = parser.parse_args()
    results = _results()
    if args.sample is not None:
        seen = set(args.exclude.read_text(encoding="utf-8").split()) if args.exclude else set()
        population = sorted(n for n in results if n.startswith(SAMPLED) and n not in seen)
        print("\n".join(sorted(random.Random(args.seed).sample(population, args.sample))))
        return 0
    if args.survivors is not None:
        wanted = set(args.survivors.read_text(encoding="utf-8").split())
        for name in sorted(wanted):
            if name in results and _kind(results[name][1]) in ("survived", "no tests"):
                print(name)
        return 0
    names = set(args.names.read_text(encoding="utf-8").split()) if args.names else None
    _scores(results, names)
    return 0


if __name__ == "__main__":
    sys.exit(main())
