"""Typo correction (bot/core/spelling.py) and the English word counts it leans on
(bot/core/english.py)."""

from __future__ import annotations

import pytest

from bot.core.english import MIN_COUNT, EnglishFrequencies, english
from bot.core.spelling import Corrector, allowed_distance, closest_word

NO_ENGLISH = EnglishFrequencies({}, 1)


def by_length(*words: str) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for word in words:
        out.setdefault(len(word), []).append(word)
    return out


# ---------------------------------------------------------------------------- distances


@pytest.mark.parametrize(
    ("word", "distance"),
    [("", 0), ("hip", 0), ("psoa", 1), ("strech", 1), ("stretch", 1), ("flexorss", 2)],
)
def test_longer_words_may_be_further_from_the_word_they_mean(word: str, distance: int) -> None:
    assert allowed_distance(word) == distance


def test_a_word_shorter_than_four_letters_is_never_corrected() -> None:
    assert closest_word("hup", by_length("hip")) == "hup"


def test_the_nearest_word_may_be_one_letter_shorter_or_longer() -> None:
    assert closest_word("strech", by_length("stretch")) == "stretch"
    assert closest_word("walkk", by_length("walk")) == "walk"
    assert closest_word("pssoas", by_length("psoas")) == "psoas"


def test_a_long_word_may_be_two_edits_away_a_short_one_only_one() -> None:
    assert closest_word("strettchh", by_length("stretch")) == "stretch"
    assert closest_word("strettchhh", by_length("stretch")) == "strettchhh"
    assert closest_word("psaas", by_length("psoas")) == "psoas"
    assert closest_word("pzaas", by_length("psoas")) == "pzaas"


def test_a_swap_of_two_letters_is_one_edit() -> None:
    assert closest_word("psaos", by_length("psoas")) == "psoas"


def test_the_nearest_candidate_wins_over_a_further_one() -> None:
    words = by_length("stretches", "stretching")
    assert closest_word("stretchin", words) == "stretching"
    words = by_length("stretching", "stretches")
    assert closest_word("stretchin", words) == "stretching"


def test_of_equally_near_candidates_one_with_the_same_first_letter_wins() -> None:
    assert closest_word("bain", by_length("pain", "barn")) == "barn"
    assert closest_word("bain", by_length("barn", "pain")) == "barn"


def test_without_a_same_first_letter_the_first_equally_near_candidate_wins() -> None:
    assert closest_word("xain", by_length("main", "pain")) == "main"
    assert closest_word("xain", by_length("pain", "main")) == "pain"


def test_only_the_five_nearest_candidates_are_weighed() -> None:
    # Six words one edit from "kain"; the one that keeps the "k" comes sixth.
    words = by_length("main", "pain", "rain", "gain", "vain", "kaik")
    assert closest_word("kain", words) == "main"
    assert closest_word("kain", by_length("main", "kaik")) == "kaik"


def test_a_word_with_nothing_near_stays_as_it_is() -> None:
    assert closest_word("zzzzzz", by_length("stretch", "psoas")) == "zzzzzz"
    assert closest_word("stretch", {}) == "stretch"


# ---------------------------------------------------------------------------- Corrector


def test_the_corrector_keeps_known_words_numbers_and_real_english() -> None:
    english_words = EnglishFrequencies({"beef": MIN_COUNT, "bred": MIN_COUNT - 1}, 10_000)
    corrector = Corrector(["psoas", "beet", "bread"], english_words)
    assert corrector.correct("psoas") == "psoas"
    assert corrector.correct("psoas2") == "psoas2"
    assert corrector.correct("beef") == "beef"
    # Too rare to count as a real word: corrected.
    assert corrector.correct("bred") == "bread"
    assert corrector.correct("psaos") == "psoas"


def test_the_corrector_only_corrects_into_words_made_of_letters() -> None:
    corrector = Corrector(["walk-in", "l5s1"], NO_ENGLISH)
    assert corrector.correct("walkin") == "walkin"
    assert corrector.correct("lasi") == "lasi"


def test_the_corrector_prefers_the_alphabetically_first_of_equally_near_words() -> None:
    assert Corrector(["pain", "main"], NO_ENGLISH).correct("xain") == "main"
    assert Corrector(["main", "pain"], NO_ENGLISH).correct("xain") == "main"


def test_the_corrector_remembers_nothing_between_vocabularies() -> None:
    first = Corrector(["psoas"], NO_ENGLISH)
    second = Corrector(["psoaz"], NO_ENGLISH)
    assert first.correct("psoax") == "psoas"
    assert second.correct("psoax") == "psoaz"


# ---------------------------------------------------------------------------- English counts


def test_a_word_is_real_english_from_the_minimum_count_on() -> None:
    counts = EnglishFrequencies({"often": MIN_COUNT, "rare": MIN_COUNT - 1}, 1000)
    assert counts.is_word("often")
    assert not counts.is_word("rare")
    assert not counts.is_word("never")


def test_a_frequency_is_the_smoothed_share_of_the_corpus() -> None:
    counts = EnglishFrequencies({"back": 9}, 1000)
    assert counts.frequency("back") == pytest.approx(10 / 1000)
    assert counts.frequency("psoas") == pytest.approx(1 / 1000)


def test_the_bundled_english_counts_know_common_words_and_not_typos() -> None:
    counts = english()
    assert counts.is_word("the")
    assert counts.is_word("walk")
    assert not counts.is_word("psaos")
    assert counts.total == sum(counts.counts.values())
    assert min(counts.counts.values()) > 0
    assert counts.frequency("the") > counts.frequency("walk") > counts.frequency("psaos")
    assert counts.frequency("psaos") == 1 / counts.total
