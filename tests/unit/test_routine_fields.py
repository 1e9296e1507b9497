"""The checked field readers of routine files: what each returns and what it reports."""

from __future__ import annotations

import pytest

from bot.core.routine_fields import (
    Report,
    bool_field,
    count_sentences,
    id_ok,
    int_field,
    is_int,
    parse_dose,
    text_field,
    text_list,
    unknown_keys,
)
from bot.core.routine_model import Dose


def test_a_text_field_comes_back_with_its_spaces_tidied() -> None:
    rep = Report()
    assert text_field({"t": "  Two\n  words "}, "t", "here", rep) == "Two words"
    assert rep.problems == []


def test_a_text_field_over_its_length_is_reported_and_not_returned() -> None:
    rep = Report()
    assert text_field({"t": "abcd"}, "t", "here", rep, max_len=3) is None
    assert rep.problems == [("here", "'t' is 4 characters; at most 3")]
    rep = Report()
    assert text_field({"t": "abc"}, "t", "here", rep, max_len=3) == "abc"
    assert rep.problems == []


def test_a_text_field_with_the_wrong_number_of_sentences_is_not_returned() -> None:
    rep = Report()
    assert text_field({"t": "One. Two. Three."}, "t", "w", rep, sentences=(1, 2)) is None
    assert rep.problems == [("w", "'t' has 3 sentences; it needs 1 to 2")]
    rep = Report()
    assert text_field({"t": "One."}, "t", "w", rep, sentences=(2, 3)) is None
    assert rep.problems == [("w", "'t' has 1 sentences; it needs 2 to 3")]
    rep = Report()
    assert text_field({"t": "One. Two."}, "t", "w", rep, sentences=(2, 2)) == "One. Two."
    assert rep.problems == []


def test_a_text_field_too_long_and_with_too_many_sentences_reports_both() -> None:
    rep = Report()
    assert text_field({"t": "A. B. C."}, "t", "w", rep, max_len=5, sentences=(1, 2)) is None
    assert rep.problems == [
        ("w", "'t' is 8 characters; at most 5"),
        ("w", "'t' has 3 sentences; it needs 1 to 2"),
    ]


def test_the_default_text_limit_is_600_characters() -> None:
    rep = Report()
    assert text_field({"t": "x" * 600}, "t", "w", rep) == "x" * 600
    assert text_field({"t": "x" * 601}, "t", "w", rep) is None
    assert rep.problems == [("w", "'t' is 601 characters; at most 600")]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "missing field 't'"),
        ({"t": None}, "missing field 't'"),
        ({"t": 5}, "'t' must be text, not int"),
        ({"t": " \t"}, "'t' is empty"),
    ],
)
def test_a_missing_or_wrong_text_field_gives_none(data: dict[object, object], message: str) -> None:
    rep = Report()
    assert text_field(data, "t", "w", rep) is None
    assert rep.problems == [("w", message)]


def test_a_whole_number_field_in_range_is_returned() -> None:
    rep = Report()
    assert int_field({"n": 1}, "n", "w", rep, low=1, high=3) == 1
    assert int_field({"n": 3}, "n", "w", rep, low=1, high=3) == 3
    assert int_field({}, "n", "w", rep, low=1, high=3, default=2) == 2
    assert int_field({"n": None}, "n", "w", rep, low=1, high=3, default=3) == 3
    assert rep.problems == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "missing field 'n'"),
        ({"n": 0}, "'n' is 0; it must be 1 to 3"),
        ({"n": 4}, "'n' is 4; it must be 1 to 3"),
        ({"n": True}, "'n' must be a whole number, not True"),
        ({"n": 2.0}, "'n' must be a whole number, not 2.0"),
        ({"n": "2"}, "'n' must be a whole number, not '2'"),
    ],
)
def test_a_bad_whole_number_field_gives_none(data: dict[object, object], message: str) -> None:
    rep = Report()
    assert int_field(data, "n", "w", rep, low=1, high=3) is None
    assert rep.problems == [("w", message)]


def test_a_bad_whole_number_does_not_fall_back_to_the_default() -> None:
    rep = Report()
    assert int_field({"n": 9}, "n", "w", rep, low=1, high=3, default=2) is None
    assert rep.problems == [("w", "'n' is 9; it must be 1 to 3")]


def test_a_true_or_false_field() -> None:
    rep = Report()
    assert bool_field({"b": True}, "b", "w", rep, default=None) is True
    assert bool_field({"b": False}, "b", "w", rep, default=True) is False
    assert bool_field({}, "b", "w", rep, default=True) is True
    assert bool_field({"b": None}, "b", "w", rep, default=False) is False
    assert rep.problems == []
    assert bool_field({}, "b", "w", rep, default=None) is None
    assert bool_field({"b": 1}, "b", "w", rep, default=False) is None
    assert rep.problems == [
        ("w", "missing field 'b'"),
        ("w", "'b' must be true or false, not 1"),
    ]


def test_an_id_is_lowercase_words_with_dashes_up_to_its_length() -> None:
    assert id_ok("a-b2", 4)
    assert not id_ok("a-b2", 3)
    assert not id_ok("a--b", 9)
    assert not id_ok("-ab", 9)
    assert not id_ok("Ab", 9)
    assert not id_ok("", 9)
    assert not id_ok("ab\n", 9)
    assert not id_ok(12, 9)


def test_whole_numbers_exclude_bools_and_floats() -> None:
    assert is_int(0) and is_int(-3)
    assert not is_int(True) and not is_int(1.0) and not is_int("1")


def test_unknown_keys_are_each_reported_in_order() -> None:
    rep = Report()
    unknown_keys({"a": 1, "z": 2, 3: 4}, frozenset({"a"}), "w", rep)
    assert rep.problems == [("w", "unknown field 'z'"), ("w", "unknown field 3")]


def test_a_text_list_comes_back_tidied_and_in_order() -> None:
    rep = Report()
    assert text_list({"l": [" b  c", "a"]}, "l", "w", rep, max_len=3) == ("b c", "a")
    assert rep.problems == []


@pytest.mark.parametrize(
    ("value", "problems"),
    [
        (None, ["missing field 'l'"]),
        ("a", ["'l' must be a list, not str"]),
        ({"a": 1}, ["'l' must be a list, not dict"]),
        ([], ["'l' is empty"]),
        (["abcd", "ok"], ["'l' item 1 is 4 characters; at most 3"]),
        (
            ["ok", None, " "],
            [
                "'l' item 2 must be non-empty text, not None",
                "'l' item 3 must be non-empty text, not ' '",
            ],
        ),
        (["ok", "o k", " ok "], ["'l' lists 'ok' twice"]),
        (
            ["abcd", "abcd"],
            [
                "'l' item 1 is 4 characters; at most 3",
                "'l' item 2 is 4 characters; at most 3",
                "'l' lists 'abcd' twice",
            ],
        ),
    ],
)
def test_a_bad_text_list_gives_none(value: object, problems: list[str]) -> None:
    rep = Report()
    assert text_list({"l": value}, "l", "w", rep, max_len=3) is None
    assert rep.problems == [("w", p) for p in problems]


def test_a_dose_keeps_every_number() -> None:
    rep = Report()
    raw = {"reps": 12, "sets": 3, "hold_seconds": 4, "per_side": True}
    assert parse_dose(raw, "w", rep) == Dose(reps=12, sets=3, hold_seconds=4, per_side=True)
    assert parse_dose({"sets": 2, "seconds": 45}, "w", rep) == Dose(sets=2, seconds=45)
    assert parse_dose({"hold_seconds": 120, "per_side": False}, "w", rep) == Dose(hold_seconds=120)
    assert rep.problems == []


@pytest.mark.parametrize(
    ("raw", "problems"),
    [
        ([1], ["'d' must be a mapping, not list"]),
        ({"reps": 5, "x": 1, "y": 2}, ["'d' has unknown field 'x'", "'d' has unknown field 'y'"]),
        (
            {"reps": 101},
            [
                "'d.reps' must be a whole number 1 to 100, not 101",
                "'d' needs reps, hold_seconds or seconds",
            ],
        ),
        ({"reps": 5, "sets": 11}, ["'d.sets' must be a whole number 1 to 10, not 11"]),
        (
            {"hold_seconds": 0},
            [
                "'d.hold_seconds' must be a whole number 1 to 120, not 0",
                "'d' needs reps, hold_seconds or seconds",
            ],
        ),
        ({"seconds": 3601, "reps": 1}, ["'d.seconds' must be a whole number 1 to 3600, not 3601"]),
        ({"reps": 5, "per_side": "no"}, ["'d.per_side' must be true or false, not 'no'"]),
        ({"reps": 5, "per_side": None}, ["'d.per_side' must be true or false, not None"]),
        (
            {"sets": 2},
            ["'d' needs reps, hold_seconds or seconds", "'d' has sets without reps or seconds"],
        ),
        ({"sets": 2, "hold_seconds": 5}, ["'d' has sets without reps or seconds"]),
        ({"reps": 5, "seconds": 5}, ["'d' has both reps and seconds; use one"]),
        ({"hold_seconds": 5, "seconds": 5}, ["'d' has both hold_seconds and seconds; use one"]),
        (
            {"reps": 5, "hold_seconds": 5, "seconds": 5},
            [
                "'d' has both reps and seconds; use one",
                "'d' has both hold_seconds and seconds; use one",
            ],
        ),
    ],
)
def test_a_bad_dose_gives_none_and_says_why(raw: object, problems: list[str]) -> None:
    rep = Report()
    assert parse_dose(raw, "w", rep, "d") is None
    assert rep.problems == [("w", p) for p in problems]


def test_a_dose_is_judged_on_its_own_problems_only() -> None:
    rep = Report()
    rep.add("elsewhere", "an earlier problem")
    assert parse_dose({"reps": 3}, "w", rep) == Dose(reps=3)
    assert parse_dose({"seconds": 0}, "w", rep) is None
    assert rep.problems[0] == ("elsewhere", "an earlier problem")
    assert rep.problems[1] == ("w", "'dose.seconds' must be a whole number 1 to 3600, not 0")


def test_sentences_are_counted_after_their_end_marks() -> None:
    assert count_sentences("One! Two? Three.") == 3
    assert count_sentences(" One.  Two.\nThree") == 3
    assert count_sentences("3.5 kg, e.g.this") == 1
    assert count_sentences("") == 0
