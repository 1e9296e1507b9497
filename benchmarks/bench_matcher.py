"""Matcher benchmark: index build time, per-question latency (p50, p99) of the matcher and of
the whole verdict (safety screen, small talk, matcher), peak memory while building, on the real
knowledge base and on a synthetic one of 10,000 entries, with the plain rapidfuzz baseline
(extractOne over every phrasing with WRatio) beside it, and the targets of issue 12.

    python -m benchmarks.bench_matcher [--eval FILE] [--entries 10000]

Prints numbers; asserts nothing (timings on shared machines are noisy).
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import random
import statistics
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from rapidfuzz import fuzz, process, utils

from benchmarks.bench_safety import messages, screen_report
from bot.core.answering import Answerer
from bot.core.knowledge import KnowledgeBase
from bot.core.loader import load_knowledge
from bot.core.text import words as text_words
from bot.curation.evaluation import NONE, URGENT, Case, load_cases

DEFAULT_EVAL = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "dev.yaml"
# Words in each generated entry's answer (the real answers average about 120).
ANSWER_WORDS = 80


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of the values lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def synthetic(
    kb: KnowledgeBase, size: int, seed: int = 7, answer_words: int = ANSWER_WORDS
) -> KnowledgeBase:
    """The real knowledge base plus generated entries up to `size`, built from its own words.

    Each generated entry has its own answer: a random sample of `answer_words` words of the
    real answers' vocabulary plus its topic word, so answer words are spread over entries as
    in a real knowledge base (not every entry sharing one answer text). The answers come from
    a second generator, so the questions are the same as with a shared answer.
    """
    rng = random.Random(seed)
    answer_rng = random.Random(seed + 1)
    words = sorted({w for e in kb.entries.values() for q in e.questions for w in q.split()})
    answer_vocabulary = sorted({w for e in kb.entries.values() for w in text_words(e.answer)})
    per_answer = min(answer_words, len(answer_vocabulary))
    fillers = [f"term{n}" for n in range(size)]
    entries = dict(kb.entries)
    template = next(iter(kb.entries.values()))
    for n in range(size - len(entries)):
        topic = fillers[n]
        questions = tuple(
            " ".join([*rng.sample(words, rng.randint(3, 7)), topic, rng.choice(fillers)])
            for _ in range(6)
        )
        answer = " ".join([*answer_rng.sample(answer_vocabulary, per_answer), topic]) + "."
        entries[f"synthetic-{n}"] = dataclasses.replace(
            template,
            id=f"synthetic-{n}",
            title=f"Synthetic {topic}",
            questions=questions,
            answer=answer,
            related=(),
        )
    return dataclasses.replace(kb, entries=entries)


def timed(build: Callable[[], object]) -> tuple[object, float, float]:
    """The result, seconds taken and peak traced memory (MiB) of building something."""
    gc.collect()
    start = time.perf_counter()
    result = build()
    seconds = time.perf_counter() - start
    del result
    gc.collect()
    tracemalloc.start()
    result = build()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return result, seconds, peak


def latencies(answer: Callable[[str], object], questions: list[str], rounds: int) -> list[float]:
    """Milliseconds per question, every question `rounds` times."""
    out = []
    for _ in range(rounds):
        for question in questions:
            start = time.perf_counter()
            answer(question)
            out.append((time.perf_counter() - start) * 1000)
    return out


def accuracy_ours(answerer: Answerer, cases: list[Case]) -> float:
    """Share of cases the bot handles as the file expects (answer id, NONE fallback or small
    talk, URGENT urgent)."""
    right = 0
    for case in cases:
        verdict = answerer.verdict(case.question)
        if case.label == URGENT:
            right += verdict.kind == "urgent"
        elif case.label == NONE:
            right += verdict.kind == "smalltalk" or verdict.match.kind == "fallback"
        else:
            right += verdict.match.kind == "answer" and verdict.match.entry_id in case.expect
    return right / len(cases)


def accuracy_baseline(kb: KnowledgeBase, cases: list[Case], cutoff: float) -> float:
    """The same share for extractOne + WRatio with a score cutoff (it cannot say URGENT)."""
    owners = [e.id for e in kb.entries.values() for _ in e.questions]
    phrasings = [q for e in kb.entries.values() for q in e.questions]
    right = 0
    for case in cases:
        best = process.extractOne(
            case.question,
            phrasings,
            scorer=fuzz.WRatio,
            processor=utils.default_process,
            score_cutoff=cutoff,
        )
        found = owners[best[2]] if best else None
        if case.label == NONE:
            right += found is None
        elif case.label != URGENT:
            right += found in case.expect
    return right / len(cases)


def report(name: str, kb: KnowledgeBase, questions: list[str], rounds: int) -> dict[str, float]:
    """Build both indexes on `kb`, time the questions, print one block."""
    answerer, build_s, build_mib = timed(lambda: Answerer(kb))
    assert isinstance(answerer, Answerer)
    ours = latencies(answerer.matcher.match, questions, rounds)
    whole = latencies(answerer.verdict, questions, rounds)
    phrasings = [q for e in kb.entries.values() for q in e.questions]
    base_build_start = time.perf_counter()
    processed = [utils.default_process(p) for p in phrasings]
    base_build = time.perf_counter() - base_build_start

    def baseline(question: str) -> object:
        return process.extractOne(
            utils.default_process(question), processed, scorer=fuzz.WRatio, processor=None
        )

    base = latencies(baseline, questions, max(1, rounds // 2))
    row = {
        "p50": statistics.median(ours),
        "p99": percentile(ours, 0.99),
        "verdict_p50": statistics.median(whole),
        "verdict_p99": percentile(whole, 0.99),
        "peak_mib": build_mib,
        "base_p50": statistics.median(base),
        "base_p99": percentile(base, 0.99),
    }
    print(f"== {name}: {len(kb.entries)} entries, {len(phrasings)} phrasings")
    print(f"  ours:     index build {build_s * 1000:8.1f} ms, peak memory {build_mib:7.1f} MiB")
    print(
        f"            matcher latency p50 {row['p50']:7.3f} ms, p99 {row['p99']:7.3f} ms "
        f"({len(ours)} questions)"
    )
    print(
        f"            whole verdict   p50 {row['verdict_p50']:7.3f} ms, "
        f"p99 {row['verdict_p99']:7.3f} ms (safety screen, small talk, matcher)"
    )
    print(f"  baseline: preprocessing {base_build * 1000:6.1f} ms")
    print(f"            latency p50 {row['base_p50']:7.3f} ms, p99 {row['base_p99']:7.3f} ms")
    print(
        f"  ratio ours/baseline: p50 {row['p50'] / row['base_p50']:5.2f}x, "
        f"p99 {row['p99'] / row['base_p99']:5.2f}x"
    )
    return row


def main() -> None:
    """Run the benchmark and print its numbers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", type=Path, default=DEFAULT_EVAL)
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    kb = load_knowledge()
    cases = load_cases(args.eval)
    questions = [c.question for c in cases]
    real = report("real knowledge base", kb, questions, args.rounds)
    large = report("synthetic knowledge base", synthetic(kb, args.entries), questions, 3)
    screen_report(kb, messages(), args.rounds)
    print("== targets (issue 12)")
    for label, value, limit, unit in (
        ("real base, matcher p99", real["p99"], 1.0, "ms"),
        ("real base, whole verdict p99", real["verdict_p99"], 1.0, "ms"),
        (f"{args.entries} entries, matcher p99", large["p99"], 10.0, "ms"),
        (f"{args.entries} entries, peak memory", large["peak_mib"], 150.0, "MiB"),
    ):
        verdict = "under" if value < limit else "OVER"
        print(f"  {label:34s} {value:8.2f} {unit:3s} ({verdict} {limit:g} {unit})")
    answerer = Answerer(kb)
    ours = accuracy_ours(answerer, cases)
    print(f"== accuracy on {args.eval.name} ({len(cases)} questions; URGENT counts for ours only)")
    print(f"  ours:                                {100 * ours:5.1f} %")
    for cutoff in (0.0, 85.5, 90.0):
        base = accuracy_baseline(kb, cases, cutoff)
        print(
            f"  baseline WRatio, cutoff {cutoff:4.1f}:        {100 * base:5.1f} %"
            f"   (ours/baseline {ours / base if base else float('inf'):4.2f}x)"
        )


if __name__ == "__main__":
    main()
