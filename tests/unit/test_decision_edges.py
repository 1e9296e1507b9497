"""The matcher's decision at its edges: each fallback says why and keeps the scores and the
candidates (curators see them, the dialogue asks whether any were close); a score exactly at a
limit and a phrasing exactly as similar as the override needs are on the generous side."""

from __future__ import annotations

from bot.core.decision import (
    GATE_OVERRIDE_SIMILARITY,
    Candidate,
    Match,
    Scored,
    Thresholds,
    decide,
)
from bot.core.scope import Outside

LIMITS = Thresholds()
ELSEWHERE = Outside("body part", "another body part", "elbow")


def scored(entry_id: str, score: float, similarity: float = 0.5, coverage: float = 0.6) -> Scored:
    return Scored(entry_id, score, similarity, coverage)


def test_nothing_in_common_is_a_bare_fallback() -> None:
    assert decide([], LIMITS, None) == Match("fallback", None, 0.0, (), "nothing in common")


def test_every_fallback_keeps_the_score_the_candidates_and_says_why() -> None:
    ranked = [scored("a", 70), scored("b", 20)]
    candidates = (Candidate("a", 70), Candidate("b", 20))
    assert decide(ranked, LIMITS, ELSEWHERE) == Match(
        "fallback", None, 70, candidates, "another body part: elbow"
    )
    assert decide(ranked, LIMITS, None, topical=False) == Match(
        "fallback", None, 70, candidates, "no word of our subject"
    )
    weak = [scored("a", 20), scored("b", 10)]
    assert decide(weak, LIMITS, None) == Match(
        "fallback", None, 20, (Candidate("a", 20), Candidate("b", 10)), "weak match"
    )
    thin = [scored("a", 40, coverage=0.1), scored("b", 10)]
    assert decide(thin, LIMITS, None) == Match(
        "fallback", None, 40, (Candidate("a", 40), Candidate("b", 10)),
        "little of the question covered",
    )  # fmt: skip


def test_a_phrasing_exactly_as_similar_as_the_override_needs_is_ours() -> None:
    near = [scored("a", 70, similarity=GATE_OVERRIDE_SIMILARITY), scored("b", 20)]
    assert decide(near, LIMITS, ELSEWHERE).kind == "answer"
    assert decide(near, LIMITS, None, topical=False).kind == "answer"


def test_a_score_exactly_at_the_clarify_limit_is_not_a_weak_match() -> None:
    match = decide([scored("a", LIMITS.clarify), scored("b", LIMITS.clarify - 1)], LIMITS, None)
    assert match.reason != "weak match"
    assert match.kind == "clarify"


def test_an_answer_and_a_clarify_say_why() -> None:
    clear = decide([scored("a", 80), scored("b", 60)], LIMITS, None)
    assert clear == Match(
        "answer", "a", 80, (Candidate("a", 80), Candidate("b", 60)), "clear match"
    )
    margin = decide([scored("a", 36), scored("b", 20)], LIMITS, None)
    assert margin == Match(
        "answer", "a", 36, (Candidate("a", 36), Candidate("b", 20)), "clear margin"
    )
    close = decide([scored("a", 40), scored("b", 38)], LIMITS, None)
    assert close == Match(
        "clarify", None, 40, (Candidate("a", 40), Candidate("b", 38)), "close call"
    )


def test_each_limit_reached_exactly_counts_as_reached() -> None:
    at_answer = [scored("a", LIMITS.answer), scored("b", LIMITS.answer - LIMITS.margin)]
    assert decide(at_answer, LIMITS, None).reason == "clear match"
    at_evidence = [scored("a", 40, coverage=LIMITS.evidence), scored("b", 39)]
    assert decide(at_evidence, LIMITS, None).reason == "close call"
    at_margin = [scored("a", 36), scored("b", 30)]  # 36 = 1.2 * 30
    assert decide(at_margin, LIMITS, None).reason == "clear margin"
    top = LIMITS.clarify + LIMITS.candidate_gap
    ranked = [scored("a", top), scored("b", top - 1), scored("c", LIMITS.clarify)]
    match = decide(ranked, LIMITS, None)
    assert [c.entry_id for c in match.candidates] == ["a", "b", "c"]
