"""The screen rewrites "not able to", "was not able to", "could not" and "unable to" as "can
not" without moving any later word into another sentence or clause."""

from __future__ import annotations

import pytest

from bot.core.context import ContextLexicon
from bot.core.knowledge import SafetyRule, SafetyTier
from bot.core.safety import SafetyScreen

LEXICON = ContextLexicon(before={}, after={}, pseudo=(), terminate=(), self_words=())
TIER = SafetyTier("same-day", "Today", "See a doctor today.", ())


def _fires(text: str) -> bool:
    rule = SafetyRule("pee", "pee", "same-day", "pee", (("can not pee",), ("numb",)))
    return SafetyScreen([rule], {"same-day": TIER}, LEXICON).screen(text).urgent


@pytest.mark.parametrize("opening", ["not able to", "was not able to", "could not", "unable to"])
def test_a_rewritten_can_not_keeps_the_next_sentence_apart(opening: str) -> None:
    assert _fires(f"{opening} pee, numb")
    assert not _fires(f"{opening} pee. numb")


@pytest.mark.parametrize("opening", ["not able to", "was not able to", "could not", "unable to"])
def test_a_can_not_later_in_the_message_leaves_no_word_behind(opening: str) -> None:
    """The dropped words leave no gap: "can not really pee" still finds "can not pee"."""
    assert _fires(f"since monday i {opening} really pee, numb")


def _over_50(text: str) -> bool:
    rule = SafetyRule("age", "age", "same-day", "age", (("age50plus",), ("pain",)), "message")
    return SafetyScreen([rule], {"same-day": TIER}, LEXICON).screen(text).urgent


def test_a_number_opening_a_message_is_an_age_only_when_stated() -> None:
    assert _over_50("58, pain")
    assert _over_50("58 year old, pain")
    assert not _over_50("58 pain")
    # The first word has no word before it: a message ending in "turned" says nothing of it.
    assert not _over_50("58 pain turned")
    assert not _over_50("58 pain im")
