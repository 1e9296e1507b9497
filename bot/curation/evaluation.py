"""Scoring evaluation files (the format of shared/eval/dev.yaml) against the answerer."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.core.answering import Answerer, Verdict

NONE = "NONE"
URGENT = "URGENT"


@dataclass(frozen=True)
class Case:
    """One evaluation question and what the bot should do."""

    question: str
    expect: tuple[str, ...]

    @property
    def label(self) -> str:
        """in scope, NONE or URGENT."""
        return self.expect[0] if self.expect[0] in (NONE, URGENT) else "in scope"


@dataclass
class Report:
    """Counts per class and every miss."""

    in_scope: int = 0
    answered_right: int = 0
    right_among_candidates: int = 0
    answered_wrong: int = 0
    none_total: int = 0
    none_right: int = 0
    none_clarified: int = 0
    none_answered: int = 0
    urgent_total: int = 0
    urgent_right: int = 0
    false_urgent: int = 0
    misses: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The printed report: figures flush left, misses indented (`grep -v '^  '` drops them)."""

        def pct(part: int, whole: int) -> str:
            return f"{100 * part / whole:5.1f} % ({part}/{whole})" if whole else "  n/a"

        out = [
            f"in scope: {self.in_scope} questions",
            f"in scope answered right:              {pct(self.answered_right, self.in_scope)}",
            "in scope right id among the answer or the clarify candidates: "
            f"{pct(self.right_among_candidates, self.in_scope)}",
            f"in scope answered wrong:              {pct(self.answered_wrong, self.in_scope)}",
            f"NONE (out of scope): {self.none_total} questions",
            f"NONE met by fallback or small talk:   {pct(self.none_right, self.none_total)}",
            f"NONE clarified (a miss):              {pct(self.none_clarified, self.none_total)}",
            f"NONE answered (a miss):               {pct(self.none_answered, self.none_total)}",
            f"URGENT: {self.urgent_total} questions",
            f"URGENT safety message first:          {pct(self.urgent_right, self.urgent_total)}",
            f"false alarms (urgent on a non-URGENT question): {self.false_urgent}",
        ]
        if self.misses:
            out.append(f"misses ({len(self.misses)}):")
            out.extend(f"  {m}" for m in self.misses)
        return out


def load_cases(path: Path) -> list[Case]:
    """Read one evaluation file; raise ValueError naming the bad item."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise ValueError(f"{path}: must be a list of {{q, expect}} items")
    cases = []
    for index, item in enumerate(data, 1):
        if not isinstance(item, dict) or not isinstance(item.get("q"), str):
            raise ValueError(f"{path}: item {index} needs a text 'q'")
        expect = item.get("expect")
        values: list[object] = expect if isinstance(expect, list) else [expect]
        labels = tuple(v for v in values if isinstance(v, str))
        if not labels or len(labels) != len(values):
            raise ValueError(f"{path}: item {index} needs 'expect' (an id, a list, NONE, URGENT)")
        cases.append(Case(item["q"], labels))
    return cases


def _describe(verdict: Verdict) -> str:
    candidates = ", ".join(f"{c.entry_id} {c.score:.0f}" for c in verdict.candidates)
    return f"{verdict.kind} {verdict.match.entry_id or '-'} [{candidates}]"


def evaluate(answerer: Answerer, cases: Iterable[Case]) -> Report:
    """Run every case and count."""
    report = Report()
    for case in cases:
        verdict = answerer.verdict(case.question)
        match = verdict.match
        urgent = verdict.kind == "urgent"
        if case.label == URGENT:
            report.urgent_total += 1
            report.urgent_right += urgent
            if not urgent:
                report.misses.append(f"URGENT missed: {case.question!r} -> {_describe(verdict)}")
            continue
        report.false_urgent += urgent
        if urgent:
            report.misses.append(f"false alarm: {case.question!r} -> {verdict.screen.flags}")
        if case.label == NONE:
            # Only the plain fallback or small talk is right: a "did you mean" on another
            # subject is an odd suggestion, not an honest "I don't know".
            report.none_total += 1
            right = verdict.kind == "smalltalk" or match.kind == "fallback"
            report.none_right += right
            report.none_clarified += match.kind == "clarify"
            report.none_answered += match.kind == "answer"
            if not right:
                report.misses.append(
                    f"NONE {match.kind}: {case.question!r} -> {_describe(verdict)}"
                )
            continue
        report.in_scope += 1
        right = match.kind == "answer" and match.entry_id in case.expect
        among = right or (
            match.kind == "clarify" and any(c.entry_id in case.expect for c in match.candidates)
        )
        report.answered_right += right
        report.right_among_candidates += among
        report.answered_wrong += match.kind == "answer" and not right
        if not right:
            report.misses.append(
                f"expected {'/'.join(case.expect)}: {case.question!r} -> {_describe(verdict)}"
            )
    return report
