"""Answers and the red-flag screen agree: a sentence of an answer that names a sign the screen
treats as an emergency (or a crisis) never sends the reader to same-day care only."""

from __future__ import annotations

import re

from bot.core.answering import Answerer
from bot.core.knowledge import KnowledgeBase

SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
SAME_DAY = re.compile(r"same day|same-day|\b111\b|\btoday\b|\bGP\b|promptly|soon", re.I)
EMERGENCY = re.compile(r"\b999\b|\b112\b|\b911\b|A&E|emergency|ambulance|straight away|now\b", re.I)
URGENT_TIERS = {"crisis", "emergency"}


def under_tiered(answerer: Answerer, text: str) -> list[str]:
    """Sentences naming an emergency sign that point to same-day care and not to A&E."""
    found = []
    for sentence in SENTENCE.split(text):
        tiers = {f.tier for f in answerer.safety.mentioned(sentence)}
        if tiers & URGENT_TIERS and SAME_DAY.search(sentence) and not EMERGENCY.search(sentence):
            found.append(sentence)
    return found


def test_the_check_catches_an_emergency_sign_called_same_day(answerer: Answerer) -> None:
    bad = "See your GP the same day if you notice numbness around your genitals or bottom."
    good = "Numbness around your genitals or bottom needs A&E or 999 now."
    assert under_tiered(answerer, bad) == [bad]
    assert under_tiered(answerer, good) == []


def test_no_answer_sends_an_emergency_sign_to_same_day_care(
    answerer: Answerer, kb: KnowledgeBase
) -> None:
    texts = {f"entry {e.id}": e.answer for e in kb.entries.values()}
    texts |= {f"tier {t.id}": t.message for t in kb.tiers.values() if t.id != "same-day"}
    for routine in kb.routines.values():
        texts[f"routine {routine.id}"] = "\n".join((routine.description, *routine.stop_rules))
    found = {where: s for where, text in texts.items() if (s := under_tiered(answerer, text))}
    assert found == {}
