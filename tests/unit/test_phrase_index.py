"""Lexicon phrases in a list of words (bot/core/phrases.py): exact words, prefixes, one skipped
word, words that may not be skipped, clause breaks and the keys each phrase is listed under."""

from __future__ import annotations

import pytest

from bot.core.phrases import Hit, PhraseIndex, parse_phrase


def found(
    index: PhraseIndex[str], text: str, breaks: frozenset[int] = frozenset()
) -> list[tuple[tuple[str, ...], int, int]]:
    return [(h.keys, h.start, h.end) for h in index.find(text.split(), breaks)]


# ---------------------------------------------------------------------------- parse_phrase()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("both legs", ("both", "legs")),
        ("Numb*", ("numb*",)),
        ("can't walk*", ("can", "not", "walk*")),
        ("pins-and-needles*", ("pins", "and", "needles*")),
        ("?! legs", ("legs",)),
        ("* legs", ("legs",)),
        ("", ()),
        ("RELAX", ("relax",)),
    ],
)
def test_a_phrase_is_parsed_into_normalised_words_and_prefixes(
    text: str, expected: tuple[str, ...]
) -> None:
    assert parse_phrase(text) == expected


# ---------------------------------------------------------------------------- find()


def test_a_one_word_phrase_is_found_where_it_stands() -> None:
    index = PhraseIndex([("fever", "fever")])
    assert index.find(["high", "fever", "today"]) == [Hit(("fever",), 1, 2)]
    assert index.find(["feverish"]) == []


def test_a_phrase_may_step_over_one_extra_word_but_not_two() -> None:
    index = PhraseIndex([("legs", "both legs")])
    assert found(index, "both legs") == [(("legs",), 0, 2)]
    assert found(index, "in both my legs") == [(("legs",), 1, 4)]
    assert found(index, "both of my legs") == []


def test_the_gap_sets_how_many_extra_words_a_phrase_may_step_over() -> None:
    assert found(PhraseIndex([("k", "both legs")], gap=0), "both my legs") == []
    assert found(PhraseIndex([("k", "both legs")], gap=0), "both legs") == [(("k",), 0, 2)]
    assert found(PhraseIndex([("p", "left numb*")]), "left arm is numb") == []
    wide = PhraseIndex([("k", "both legs")], gap=2)
    assert found(wide, "both of my legs") == [(("k",), 0, 4)]
    assert found(wide, "both of my left legs") == []
    wide_prefix = PhraseIndex([("k", "left numb*")], gap=2)
    assert found(wide_prefix, "left arm is numb") == [(("k",), 0, 4)]
    assert found(wide_prefix, "left arm is very numb") == []


def test_a_phrase_cut_short_by_the_end_of_the_message_is_not_found() -> None:
    index = PhraseIndex([("k", "both legs"), ("p", "left numb*"), ("q", "tingl* in feet")])
    assert found(index, "it is both") == []
    assert found(index, "both my") == []
    assert found(index, "left") == []
    assert found(index, "left arm") == []
    assert found(index, "tingling in") == []


@pytest.mark.parametrize("negation", ["not", "no", "never", "nothing", "without", "nor"])
def test_a_phrase_never_steps_over_a_word_that_turns_its_meaning_round(negation: str) -> None:
    index = PhraseIndex([("k", "both legs"), ("p", "left numb*")])
    assert found(index, f"both {negation} legs") == []
    assert found(index, f"left {negation} numb") == []


def test_a_phrase_may_itself_start_with_a_negation() -> None:
    index = PhraseIndex([("k", "not walk*"), ("n", "no feeling")])
    assert found(index, "i can not walk") == [(("k",), 2, 4)]
    assert found(index, "no real feeling") == [(("n",), 0, 3)]


def test_a_phrase_never_spans_a_clause_break() -> None:
    index = PhraseIndex([("k", "both legs"), ("p", "left numb*")])
    assert found(index, "both legs", frozenset({1})) == []
    assert found(index, "both my legs", frozenset({2})) == []
    assert found(index, "both my legs", frozenset({1})) == []
    assert found(index, "left arm numb", frozenset({2})) == []
    assert found(index, "left arm numb", frozenset({1})) == []
    # A break elsewhere changes nothing.
    assert found(index, "both my legs and", frozenset({3})) == [(("k",), 0, 3)]


def test_a_prefix_matches_any_ending_in_any_position() -> None:
    index = PhraseIndex(
        [("first", "numb*"), ("second", "left numb*"), ("middle", "tingl* in feet")]
    )
    assert found(index, "numbness") == [(("first",), 0, 1)]
    assert found(index, "numb") == [(("first",), 0, 1)]
    assert found(index, "left numbness") == [(("second",), 0, 2), (("first",), 1, 2)]
    assert found(index, "tingling in my feet") == [(("middle",), 0, 4)]
    assert found(index, "tingly in feet") == [(("middle",), 0, 3)]
    # A whole word of a phrase is not a prefix.
    assert found(index, "tingling into feet") == []
    assert found(index, "tingling in feets") == []
    # Same first letters, another word.
    assert found(index, "numerous") == []
    assert found(index, "tinsel in feet") == []


def test_a_phrase_listed_under_several_keys_is_found_once_with_every_key_in_order() -> None:
    index = PhraseIndex([("b", "both legs"), ("a", "both legs"), ("b", "Both  Legs")])
    assert found(index, "both legs") == [(("b", "a"), 0, 2)]


def test_a_repeated_second_word_does_not_find_the_phrase_twice() -> None:
    index = PhraseIndex([("k", "left leg")])
    assert found(index, "left leg leg") == [(("k",), 0, 2)]
    # ...nor stop looking at the phrases after it.
    index = PhraseIndex([("k", "left leg"), ("p", "lef*")])
    assert found(index, "left leg leg") == [(("k",), 0, 2), (("p",), 0, 1)]


def test_every_phrase_and_position_is_found_in_order() -> None:
    index = PhraseIndex([("f", "fever"), ("l", "both legs"), ("n", "numb*")])
    text = "fever and numb in both legs with fever"
    assert found(index, text) == [
        (("f",), 0, 1),
        (("n",), 2, 3),
        (("l",), 4, 6),
        (("f",), 7, 8),
    ]


def test_an_empty_phrase_is_ignored() -> None:
    index = PhraseIndex([("k", "?!"), ("f", "fever")])
    assert found(index, "fever") == [(("f",), 0, 1)]
    assert index.words == frozenset({"fever"})


def test_the_words_of_the_phrases_are_known_without_their_stars() -> None:
    index = PhraseIndex([("k", "both legs"), ("n", "numb*"), ("t", "left numb*")])
    assert index.words == frozenset({"both", "legs", "numb", "left"})
