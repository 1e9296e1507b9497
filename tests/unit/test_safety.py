"""The red-flag screen: each tier fires, plain negation does not."""

from __future__ import annotations

import pytest

from bot.core.answering import Answerer


@pytest.mark.parametrize(
    "text",
    [
        "my bum and inner thighs have gone numb and my back hurts",
        "I can't feel anything when I wipe",
        "back pain and I've lost control of my bladder",
        "both my legs are getting weaker",
        "chest pain going through to my back",
        "I fell off a ladder and hurt my back",
        "I have no feeling in my groin",
        "since my back went I can't get an erection",
    ],
)
def test_emergency_red_flags_fire(answerer: Answerer, text: str) -> None:
    verdict = answerer.verdict(text)
    assert verdict.kind == "urgent"
    assert verdict.screen.tier is not None
    assert verdict.screen.tier.id == "emergency"


@pytest.mark.parametrize(
    "text",
    [
        "back pain with a high fever and chills",
        "I had cancer two years ago and now my back hurts",
        "the pain wakes me up every night",
        "I'm 58 and this back pain started last week",
        "I've been losing weight without trying and my back aches",
        "my foot slaps when I walk",
    ],
)
def test_same_day_red_flags_fire(answerer: Answerer, text: str) -> None:
    verdict = answerer.verdict(text)
    assert verdict.kind == "urgent"
    assert verdict.screen.tier is not None
    assert verdict.screen.tier.id == "same-day"


@pytest.mark.parametrize(
    "text",
    [
        "I have no numbness and no bladder problems, just a stiff back",
        "I don't have a fever, is heat or ice better?",
        "no chest pain, just a sore lower back",
        "I've never had cancer, how long does back pain last",
        "without any numbness or tingling, should I stretch?",
        "I'm 72 with osteoporosis, are these exercises safe",
        "I can't fall asleep because my back is stiff",
    ],
)
def test_negated_or_harmless_mentions_do_not_fire(answerer: Answerer, text: str) -> None:
    assert answerer.verdict(text).kind != "urgent"


def test_the_most_urgent_tier_wins_when_both_fire(answerer: Answerer) -> None:
    verdict = answerer.verdict("fever, my back hurts and I can't control my bladder")
    assert verdict.screen.tier is not None
    assert verdict.screen.tier.id == "emergency"
    assert {f.tier for f in verdict.screen.flags} == {"emergency", "same-day"}


def test_urgent_keeps_the_match_so_the_answer_can_follow(answerer: Answerer) -> None:
    verdict = answerer.verdict("I have a fever, should I use heat or ice on my back?")
    assert verdict.kind == "urgent"
    assert verdict.match.entry_id == "heat-or-ice"


def test_a_red_flag_beats_small_talk(answerer: Answerer) -> None:
    assert answerer.verdict("hi, I lost control of my bladder").kind == "urgent"


def test_the_safety_messages_are_plain_and_send_to_care(answerer: Answerer) -> None:
    tiers = answerer.kb.tiers
    assert "999" in tiers["emergency"].message and "a&e" in tiers["emergency"].message.lower()
    assert "today" in tiers["same-day"].message.lower()
    assert all(t.sources for t in tiers.values())
