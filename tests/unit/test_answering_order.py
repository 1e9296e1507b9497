"""The order of checks for a typed question (bot/core/answering.py): safety first, then small
talk, then the matcher; the crisis helplines and the red-flags entry in their places."""

from __future__ import annotations

import dataclasses

import pytest

from bot.core.answering import Answerer, Verdict
from bot.core.decision import Candidate, Match
from bot.core.knowledge import Entry, KnowledgeBase
from bot.core.safety import NO_FLAGS


def entry(entry_id: str, title: str, question: str) -> Entry:
    return Entry(entry_id, "c", title, (question,), "An answer.", (), ())


WALKING = entry("walking", "Walking for back pain", "Is walking good for back pain?")
RED_FLAGS = entry("red-flags", "Warning signs", "When must I see a doctor at once?")
CRISIS = entry("crisis", "Helplines", "Who can I call right now?")


def answerer_for(kb: KnowledgeBase, *entries: Entry) -> Answerer:
    return Answerer(dataclasses.replace(kb, entries={e.id: e for e in entries}))


@pytest.fixture(scope="module")
def small(kb: KnowledgeBase) -> Answerer:
    return answerer_for(kb, WALKING, RED_FLAGS, CRISIS)


def test_small_talk_is_answered_before_the_matcher(small: Answerer) -> None:
    verdict = small.verdict("Thanks a lot!")
    assert verdict.kind == "smalltalk"
    assert verdict.small_talk is not None and verdict.small_talk.id == "thanks"
    assert verdict.match == Match("fallback", None, 0.0, ())
    assert (verdict.entry_id, verdict.score, verdict.candidates) == (None, 0.0, ())
    assert not verdict.screen.urgent


def test_a_question_goes_to_the_matcher_with_the_last_topic(small: Answerer) -> None:
    verdict = small.verdict("how good", context="walking")
    assert (verdict.kind, verdict.entry_id) == ("answer", "walking")
    assert verdict.small_talk is None
    assert verdict.match.reason == "follow-up to walking"
    assert verdict.match == small.matcher.match("how good", "walking")
    assert verdict.score == verdict.match.score > 0
    assert verdict.candidates == verdict.match.candidates
    # Alone, the same words are not an answer.
    assert small.verdict("how good").kind == "fallback"


def test_a_crisis_shows_the_helplines_entry_and_nothing_else(small: Answerer) -> None:
    verdict = small.verdict("I want to kill myself")
    assert verdict.kind == "urgent"
    assert verdict.screen.tier is not None and verdict.screen.tier.id == "crisis"
    assert verdict.match == Match("answer", "crisis", 100.0, ())
    assert verdict.entry_id == "crisis"


def test_without_a_helplines_entry_a_crisis_is_still_urgent(kb: KnowledgeBase) -> None:
    answerer = answerer_for(kb, WALKING, RED_FLAGS)
    verdict = answerer.verdict("I want to kill myself")
    assert verdict.kind == "urgent"
    assert verdict.match == answerer.matcher.match("I want to kill myself")


def test_an_urgent_message_keeps_the_matchers_verdict(small: Answerer) -> None:
    text = "I have numbness in my saddle area and can't pee"
    verdict = small.verdict(text)
    assert verdict.kind == "urgent"
    assert verdict.screen.tier is not None and verdict.screen.tier.id == "emergency"
    assert verdict.small_talk is None
    assert verdict.match == small.matcher.match(text)


def test_asking_what_a_flag_means_gets_the_red_flags_entry(small: Answerer) -> None:
    text = "is saddle numbness serious"
    alone = small.matcher.match(text)
    assert alone.kind != "answer"
    verdict = small.verdict(text)
    assert verdict.screen.asked and not verdict.screen.urgent
    assert verdict.kind == "answer"
    assert verdict.match == Match("answer", "red-flags", alone.score, alone.candidates)


def test_asking_about_a_flag_keeps_an_answer_the_matcher_found(kb: KnowledgeBase) -> None:
    answerer = answerer_for(kb, WALKING, RED_FLAGS, entry("saddle", "Saddle numbness", "x"))
    verdict = answerer.verdict("is saddle numbness serious")
    assert verdict.screen.asked
    assert (verdict.kind, verdict.entry_id) == ("answer", "saddle")


def test_without_a_red_flags_entry_a_question_about_a_flag_is_matched_as_usual(
    kb: KnowledgeBase,
) -> None:
    answerer = answerer_for(kb, WALKING)
    text = "is saddle numbness serious"
    verdict = answerer.verdict(text)
    assert verdict.screen.asked
    assert verdict.match == answerer.matcher.match(text)
    assert verdict.kind == verdict.match.kind != "answer"


# ---------------------------------------------------------------------------- tier entries

CLOSE = (Candidate("crisis", 40.0), Candidate("walking", 39.0), Candidate("red-flags", 38.0))


def test_the_helplines_entry_is_never_a_did_you_mean_suggestion(small: Answerer) -> None:
    match = Match("clarify", None, 40.0, CLOSE, "close call")
    assert small._without_tier_entries(match) == Match(
        "clarify", None, 40.0, CLOSE[1:], "close call"
    )


def test_a_did_you_mean_of_the_helplines_alone_becomes_i_do_not_know(small: Answerer) -> None:
    match = Match("clarify", None, 40.0, CLOSE[:1], "close call")
    assert small._without_tier_entries(match) == Match("fallback", None, 40.0, (), "close call")


def test_other_verdicts_and_suggestions_are_left_as_they_are(small: Answerer) -> None:
    answer = Match("answer", "crisis", 80.0, CLOSE, "clear match")
    assert small._without_tier_entries(answer) is answer
    fallback = Match("fallback", None, 20.0, CLOSE, "weak match")
    assert small._without_tier_entries(fallback) is fallback
    clarify = Match("clarify", None, 40.0, CLOSE[1:], "close call")
    assert small._without_tier_entries(clarify) is clarify


def test_a_verdict_names_an_entry_only_when_the_match_answers() -> None:
    clarify = Match("clarify", None, 40.0, CLOSE, "close call")
    assert Verdict("urgent", NO_FLAGS, None, clarify).entry_id is None
    answer = Match("answer", "walking", 70.0, CLOSE[1:2])
    verdict = Verdict("urgent", NO_FLAGS, None, answer)
    assert (verdict.entry_id, verdict.score, verdict.candidates) == ("walking", 70.0, CLOSE[1:2])
