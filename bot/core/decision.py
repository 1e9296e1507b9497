"""From scored entries to answer, clarify or fall back: the matcher's decision. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from bot.core.scope import Outside

Kind = Literal["answer", "clarify", "fallback"]

CANDIDATES = 3
# A question naming another body part, or none of our words, is still ours when it is
# nearly one of our phrasings ("which muscles lift my knee towards my chest").
GATE_OVERRIDE_SIMILARITY = 0.85


@dataclass(frozen=True)
class Thresholds:
    """Score limits (0-100) and shares that turn scores into answer / clarify / fallback."""

    answer: float = 48.0
    clarify: float = 24.0
    margin: float = 3.0
    candidate_gap: float = 18.0
    evidence: float = 0.3
    relative_margin: float = 1.2


@dataclass(frozen=True)
class Candidate:
    """An entry and its score."""

    entry_id: str
    score: float


@dataclass(frozen=True)
class Match:
    """The matcher's verdict on one question; `reason` says why, for curators and tests."""

    kind: Kind
    entry_id: str | None
    score: float
    candidates: tuple[Candidate, ...]
    reason: str = ""


@dataclass(frozen=True)
class Scored:
    """One entry's score (0-100) and the signals behind it (0-1)."""

    entry_id: str
    score: float
    similarity: float
    coverage: float


def decide(
    ranked: Sequence[Scored], limits: Thresholds, outside: Outside | None, topical: bool = True
) -> Match:
    """Answer, clarify or fall back on entries scored best first."""
    candidates = tuple(Candidate(s.entry_id, s.score) for s in ranked[:CANDIDATES])
    if not ranked:
        return Match("fallback", None, 0.0, (), "nothing in common")
    top = ranked[0]
    # Another body part or subject, and none of ours: the honest "I don't know".
    if outside is not None and top.similarity < GATE_OVERRIDE_SIMILARITY:
        return Match("fallback", None, top.score, candidates, f"{outside.label}: {outside.term}")
    # No word of our subject at all ("how long does jet lag last"): only a near copy of one
    # of our phrasings is ours ("what can you do").
    if not topical and top.similarity < GATE_OVERRIDE_SIMILARITY:
        return Match("fallback", None, top.score, candidates, "no word of our subject")
    if top.score < limits.clarify:
        return Match("fallback", None, top.score, candidates, "weak match")
    runner_up = ranked[1].score if len(ranked) > 1 else 0.0
    if top.score >= limits.answer and top.score - runner_up >= limits.margin:
        return Match("answer", top.entry_id, top.score, candidates, "clear match")
    # Below the answer score, the best entry must explain enough of the question (evidence);
    # then a clear relative margin answers and a close call asks which was meant.
    if top.coverage < limits.evidence:
        return Match("fallback", None, top.score, candidates, "little of the question covered")
    if top.score >= limits.relative_margin * runner_up:
        return Match("answer", top.entry_id, top.score, candidates, "clear margin")
    close = tuple(
        Candidate(s.entry_id, s.score)
        for s in ranked[:CANDIDATES]
        if s.score >= limits.clarify and top.score - s.score <= limits.candidate_gap
    )
    return Match("clarify", None, top.score, close, "close call")
