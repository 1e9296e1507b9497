"""The order of checks for a typed question: safety first, then small talk, then the matcher."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.core.knowledge import KnowledgeBase, SmallTalkIntent
from bot.core.matching import Candidate, Match, Matcher, Thresholds
from bot.core.safety import SafetyScreen, Screen
from bot.core.smalltalk import SmallTalk

VerdictKind = Literal["answer", "clarify", "fallback", "urgent", "smalltalk"]


@dataclass(frozen=True)
class Verdict:
    """What the bot makes of one message; `match` is kept even when urgent comes first."""

    kind: VerdictKind
    screen: Screen
    small_talk: SmallTalkIntent | None
    match: Match

    @property
    def entry_id(self) -> str | None:
        """The confidently matched entry, if any."""
        return self.match.entry_id if self.match.kind == "answer" else None

    @property
    def score(self) -> float:
        """The best score (0-100)."""
        return self.match.score

    @property
    def candidates(self) -> tuple[Candidate, ...]:
        """The best candidates, best first."""
        return self.match.candidates


_NO_MATCH = Match("fallback", None, 0.0, ())
RED_FLAGS_ENTRY = "red-flags"
TIER_ENTRIES = {"crisis": "crisis"}


class Answerer:
    """Runs the safety screen, small talk and the matcher in the order DESIGN.md gives."""

    def __init__(self, kb: KnowledgeBase, thresholds: Thresholds | None = None) -> None:
        self.kb = kb
        self.matcher = Matcher(kb, thresholds)
        self.safety = SafetyScreen(kb.safety_rules, kb.tiers, kb.safety_context)
        self.small_talk = SmallTalk(kb.small_talk, kb.filler_words)

    def verdict(self, text: str, context: str | None = None) -> Verdict:
        """Judge one message; `context` is the entry answered just before, if recent."""
        screen = self.safety.screen(text)
        if not screen.urgent:
            intent = self.small_talk.match(text)
            if intent is not None:
                return Verdict("smalltalk", screen, intent, _NO_MATCH)
        match = self._shown_entry(screen) or self._without_tier_entries(
            self.matcher.match(text, context)
        )
        if screen.asked and match.kind != "answer" and RED_FLAGS_ENTRY in self.kb.entries:
            # Asking what a flag means gets the red-flags information, calmly.
            match = Match("answer", RED_FLAGS_ENTRY, match.score, match.candidates)
        return Verdict("urgent" if screen.urgent else match.kind, screen, None, match)

    def _without_tier_entries(self, match: Match) -> Match:
        """A tier's own entry (the crisis helplines) is never a "did you mean" suggestion."""
        if match.kind != "clarify":
            return match
        kept = tuple(c for c in match.candidates if c.entry_id not in TIER_ENTRIES.values())
        if kept == match.candidates:
            return match
        if not kept:
            return Match("fallback", None, match.score, kept, match.reason)
        return Match("clarify", None, match.score, kept, match.reason)

    def _shown_entry(self, screen: Screen) -> Match | None:
        """The entry a tier shows instead of any answer (crisis: the helplines, nothing else)."""
        if screen.tier is not None and screen.tier.id in TIER_ENTRIES:
            entry_id = TIER_ENTRIES[screen.tier.id]
            if entry_id in self.kb.entries:
                return Match("answer", entry_id, 100.0, ())
        return None
