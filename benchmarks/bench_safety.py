"""Red-flag screen benchmark: the screen's own latency per message (p50, p99) and build time,
on the questions of an evaluation file and the safety files, apart from the matcher.

    python -m benchmarks.bench_safety

Prints numbers; asserts nothing (timings on shared machines are noisy). bench_matcher runs it too.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from bot.core.knowledge import KnowledgeBase
from bot.core.loader import load_knowledge
from bot.core.safety import SafetyScreen
from bot.curation.evaluation import load_cases
from bot.curation.safety_eval import load_safety_cases

ROOT = Path(__file__).resolve().parents[1]
SAFETY_FILES = ("emergency.yaml", "same_day.yaml", "no_alarm.yaml")
DEV = ROOT.parent / "shared" / "eval" / "dev.yaml"


def messages() -> list[str]:
    """Every message of the safety files, and dev.yaml's questions when it is there."""
    out = [
        c.question for n in SAFETY_FILES for c in load_safety_cases(ROOT / "tests/data/safety" / n)
    ]
    if DEV.is_file():
        out += [c.question for c in load_cases(DEV)]
    return out


def screen_report(kb: KnowledgeBase, texts: list[str], rounds: int = 20) -> None:
    """Time building the screen and screening every message `rounds` times; print one block."""
    start = time.perf_counter()
    screen = SafetyScreen(kb.safety_rules, kb.tiers, kb.safety_context)
    build_ms = (time.perf_counter() - start) * 1000
    for text in texts:  # warm the typo cache as a running bot would be
        screen.screen(text)
    # Each message's own cost is the median of its runs: on a shared machine a single run
    # can be stretched many times over by another process.
    times = []
    for text in texts:
        runs = []
        for _ in range(rounds):
            begin = time.perf_counter()
            screen.screen(text)
            runs.append((time.perf_counter() - begin) * 1000)
        times.append(statistics.median(runs))
    times.sort()
    p99 = times[min(len(times) - 1, int(0.99 * len(times)))]
    print(
        f"== red-flag screen: {len(kb.safety_rules)} rules, {len(texts)} messages x {rounds} runs"
    )
    print(
        f"  build {build_ms:7.1f} ms; per message (median of its runs) p50"
        f" {statistics.median(times):6.3f} ms, p99 {p99:6.3f} ms, max {times[-1]:6.3f} ms"
    )


def main() -> None:
    """Run the benchmark and print its numbers."""
    screen_report(load_knowledge(), messages())


if __name__ == "__main__":
    main()
