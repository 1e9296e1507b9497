"""Scoring the red-flag screen on safety files (tests/data/safety/): recall per flag, tier
accuracy, false alarms, with every miss.

An item is `{q, tier, flag}` for a message that must get a tier (crisis, emergency, maternity,
same-day, or gp-note: the calm note after the answer), or `{q, tier: none|info, kind}` for one
that must not alarm (`info`: asking what a flag means, which gets the red-flags entry calmly).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.core.answering import Answerer

ALARM_TIERS = ("crisis", "emergency", "maternity", "same-day")
NOTE_TIER = "gp-note"
QUIET_TIERS = ("none", "info")
TIERS = (*ALARM_TIERS, NOTE_TIER, *QUIET_TIERS)
RED_FLAGS_ENTRY = "red-flags"


@dataclass(frozen=True)
class SafetyCase:
    """One message and the tier it must get."""

    question: str
    tier: str
    flag: str = ""
    kind: str = ""


def is_safety_file(path: Path) -> bool:
    """True when the file's items carry a `tier` (a safety file), not an `expect`."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return isinstance(data, list) and bool(data) and isinstance(data[0], dict) and "tier" in data[0]


def load_safety_cases(path: Path) -> list[SafetyCase]:
    """Read one safety file; raise ValueError naming the bad item."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise ValueError(f"{path}: must be a list of {{q, tier, flag|kind}} items")
    cases = []
    for index, item in enumerate(data, 1):
        if not isinstance(item, dict) or not isinstance(item.get("q"), str):
            raise ValueError(f"{path}: item {index} needs a text 'q'")
        tier = item.get("tier")
        if tier not in TIERS:
            raise ValueError(f"{path}: item {index}: tier must be one of {', '.join(TIERS)}")
        flag, kind = str(item.get("flag") or ""), str(item.get("kind") or "")
        if tier not in QUIET_TIERS and not flag:
            raise ValueError(f"{path}: item {index}: a {tier} item needs a 'flag'")
        cases.append(SafetyCase(item["q"], tier, flag, kind))
    return cases


@dataclass
class SafetyReport:
    """Counts per tier and flag, and every miss."""

    by_tier: Counter[str] = field(default_factory=Counter)
    caught_by_tier: Counter[str] = field(default_factory=Counter)
    exact_by_tier: Counter[str] = field(default_factory=Counter)
    by_flag: Counter[str] = field(default_factory=Counter)
    caught_by_flag: Counter[str] = field(default_factory=Counter)
    quiet_alarmed: Counter[str] = field(default_factory=Counter)
    quiet_by_kind: Counter[str] = field(default_factory=Counter)
    notes_on_quiet: int = 0
    info_answered: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def flagged_total(self) -> int:
        """Messages with one of the brief's alarm flags."""
        return sum(self.by_tier[t] for t in ALARM_TIERS)

    @property
    def flagged_caught(self) -> int:
        """Of those, how many got any alarm."""
        return sum(self.caught_by_tier[t] for t in ALARM_TIERS)

    @property
    def quiet_total(self) -> int:
        """Messages that must not alarm."""
        return sum(self.by_tier[t] for t in QUIET_TIERS)

    @property
    def false_alarms(self) -> int:
        """Messages that must not alarm but did."""
        return sum(self.quiet_alarmed.values())

    def lines(self) -> list[str]:
        """The printed report."""

        def pct(part: int, whole: int) -> str:
            return f"{100 * part / whole:5.1f} % ({part}/{whole})" if whole else "  n/a"

        out = [
            "red flags caught (any alarm):          "
            f"{pct(self.flagged_caught, self.flagged_total)}",
            "tier            messages  caught (any alarm)   right tier",
        ]
        for tier in (*ALARM_TIERS, NOTE_TIER):
            if self.by_tier[tier]:
                total = self.by_tier[tier]
                out.append(
                    f"  {tier:<12} {total:>8}  {pct(self.caught_by_tier[tier], total):>19}"
                    f"  {pct(self.exact_by_tier[tier], total):>18}"
                )
        out.append(
            f"false alarms:                          {pct(self.false_alarms, self.quiet_total)}"
        )
        for kind, total in sorted(self.quiet_by_kind.items()):
            out.append(f"  {kind:<12} {pct(self.quiet_alarmed[kind], total)}")
        out.append(f"GP notes on messages that must not alarm: {self.notes_on_quiet}")
        if self.by_tier["info"]:
            out.append(
                "asking about a flag, given the red-flags entry: "
                f"{pct(self.info_answered, self.by_tier['info'])}"
            )
        out.append("recall per flag:")
        for flag, total in sorted(self.by_flag.items()):
            out.append(f"  {flag:<22} {pct(self.caught_by_flag[flag], total)}")
        if self.misses:
            out.append(f"misses ({len(self.misses)}):")
            out.extend(f"  {m}" for m in self.misses)
        return out


def evaluate_safety(answerer: Answerer, cases: Iterable[SafetyCase]) -> SafetyReport:
    """Screen every message and count."""
    report = SafetyReport()
    for case in cases:
        verdict = answerer.verdict(case.question)
        screen = verdict.screen
        got = screen.tier.id if screen.tier is not None else None
        note = screen.note is not None
        shown = got or (NOTE_TIER if note else "none")
        report.by_tier[case.tier] += 1
        if case.tier in QUIET_TIERS:
            report.quiet_by_kind[case.kind or case.tier] += 1
            if got is not None:
                report.quiet_alarmed[case.kind or case.tier] += 1
                report.misses.append(f"false alarm ({case.kind}): {case.question!r} -> {shown}")
            report.notes_on_quiet += note
            if case.tier == "info":
                report.info_answered += verdict.entry_id == RED_FLAGS_ENTRY
            continue
        report.by_flag[case.flag] += 1
        caught = got is not None if case.tier in ALARM_TIERS else note and got is None
        exact = got == case.tier if case.tier in ALARM_TIERS else caught
        report.caught_by_tier[case.tier] += caught
        report.exact_by_tier[case.tier] += exact
        report.caught_by_flag[case.flag] += caught
        if not exact:
            report.misses.append(
                f"{case.tier}/{case.flag}: {case.question!r} -> {shown}"
                f" {[f.rule_id for f in screen.flags]}"
            )
    return report
