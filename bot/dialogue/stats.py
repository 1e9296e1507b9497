"""Admin statistics from the store's anonymous logs and sessions, as text."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

from bot.store.model import FinishedSession

KINDS = ("answer", "clarify", "fallback", "urgent", "smalltalk")
WORST_ENTRIES = 10


@dataclass(frozen=True)
class Stats:
    """Everything /stats reports."""

    users: int
    questions: Mapping[str, int]
    feedback: Mapping[str, tuple[int, int]]
    sessions: Sequence[FinishedSession]
    active: int

    def lines(self) -> list[str]:
        """The /stats message (HTML)."""
        total = sum(self.questions.values())
        out = [
            "<b>Statistics</b>",
            f"Users: {self.users}",
            f"Questions asked: {total}",
        ]
        if total:
            shares = ", ".join(
                f"{kind} {100 * self.questions.get(kind, 0) / total:.0f} %" for kind in KINDS
            )
            out.append(f"  {shares}")
        finished = [s for s in self.sessions if s.completed]
        started = len(self.sessions) + self.active
        out.append(f"Routines started: {started}, finished: {len(finished)}")
        changes = [
            s.pain_after - s.pain_before
            for s in finished
            if s.pain_before is not None and s.pain_after is not None
        ]
        if changes:
            out.append(f"Median pain change (after − before): {statistics.median(changes):+g}")
        rated = sorted(
            self.feedback.items(),
            key=lambda item: (item[1][0] / max(1, sum(item[1])), -sum(item[1]), item[0]),
        )
        if rated:
            out.append("")
            out.append("<b>Helpful ratio per entry, worst first</b>")
            for entry_id, (helpful, not_helpful) in rated[:WORST_ENTRIES]:
                votes = helpful + not_helpful
                out.append(f"{escape(entry_id)}: {100 * helpful / votes:.0f} % of {votes}")
        return out
