"""How far a context trigger reaches: a negation runs to the end of its clause (or on through a
short list), at most eight words; a hypothetical stops at its clause; someone else's scope stops
at the writer's own words; an `after` trigger reaches back eight words; a terminating word, a
sentence break, a pseudo-trigger or a longer symptom phrase around the trigger all bound it."""

from __future__ import annotations

import pytest

from bot.core.context import Context, ContextLexicon, denied_words, split_words

LEXICON = ContextLexicon(
    before={
        "negated": ("no", "without"),
        "historical": ("last year",),
        "hypothetical": ("if i get", "suppose"),
        "other": ("my dad",),
        "asking": ("what does",),
    },
    after={
        "negated": ("is fine",),
        "historical": ("years ago", "last year"),
        "asking": ("serious",),
    },
    pseudo=("no doubt",),
    terminate=("but", "apart from"),
    self_words=("i", "my", "me"),
)


def _context() -> Context:
    # Built per test, not at import: a test must see the Context of the code as it stands.
    return Context(LEXICON)


def _marked(text: str, kind: str, phrases: list[tuple[int, int]] | None = None) -> list[str]:
    """The words of `text` that carry `kind`, in order."""
    split = split_words(text)
    marks = _context().modifiers(split, phrases or [])
    return [w for w, m in zip(split.words, marks, strict=True) if kind in m]


def _kinds(text: str) -> list[frozenset[str]]:
    return _context().modifiers(split_words(text))


# --- splitting into sentences and clauses ---------------------------------------------------


def test_sentence_marks_each_start_a_new_sentence_and_clause() -> None:
    split = split_words("a; b? c! d\ne. f")
    assert split.words == ["a", "b", "c", "d", "e", "f"]
    assert split.sentence == [0, 1, 2, 3, 4, 5]
    assert split.clause == [0, 1, 2, 3, 4, 5]


def test_clause_marks_start_a_new_clause_in_the_same_sentence() -> None:
    split = split_words("a, b: c (d) e - f")
    assert split.words == ["a", "b", "c", "d", "e", "f"]
    assert split.sentence == [0] * 6
    assert split.clause == [0, 1, 2, 3, 4, 5]
    assert split.clause_starts == frozenset({1, 2, 3, 4, 5})


def test_a_hyphen_inside_a_word_and_a_decimal_point_break_nothing() -> None:
    split = split_words("cross-legged for 2.5 hours. then")
    assert split.words == ["cross", "legged", "for", "2", "5", "hours", "then"]
    assert split.sentence == [0, 0, 0, 0, 0, 0, 1]
    assert split.clause == [0, 0, 0, 0, 0, 0, 1]
    assert split.clause_starts == frozenset({6})


def test_repeated_or_leading_marks_count_as_one_break() -> None:
    split = split_words(",, a,, b. . c!?")
    assert split.words == ["a", "b", "c"]
    assert split.sentence == [0, 0, 1]
    assert split.clause == [0, 1, 2]


def test_a_number_and_its_unit_are_two_words() -> None:
    assert split_words("58yo x5").words == ["58", "yo", "x", "5"]


def test_an_empty_message_has_no_words() -> None:
    split = split_words(" ,. ")
    assert (split.words, split.sentence, split.clause) == ([], [], [])
    assert split.clause_starts == frozenset()


# --- negation -------------------------------------------------------------------------------


def test_a_negation_covers_the_words_after_it_not_the_trigger() -> None:
    assert _kinds("no fever today") == [frozenset(), {"negated"}, {"negated"}]


def test_a_negation_ends_with_its_clause() -> None:
    assert _marked("no fever, my back hurts", "negated") == ["fever"]


@pytest.mark.parametrize(
    ("text", "denied"),
    [
        ("no fever, chills", ["fever", "chills"]),
        ("no fever, chills, sweats", ["fever", "chills", "sweats"]),
        ("no fever, chills or sweats", ["fever", "chills", "or", "sweats"]),
        ("no fever, chills and sweats", ["fever", "chills", "and", "sweats"]),
        ("no fever, chills nor sweats", ["fever", "chills", "nor", "sweats"]),
        ("no fever, bad chills", ["fever"]),
        ("no fever, bad chills today", ["fever"]),
        ("no fever, bad chills or sweats", ["fever"]),
        ("no fever, chills, my back hurts", ["fever", "chills"]),
    ],
)
def test_a_negation_runs_on_through_a_short_list(text: str, denied: list[str]) -> None:
    """A next clause continues the list when it is one word, or at most three words joined by
    and / or / nor; anything longer is a new thought."""
    assert _marked(text, "negated") == denied


def test_a_negation_reaches_eight_words() -> None:
    text = "no aa bb cc dd ee ff gg hh ii jj"
    assert _marked(text, "negated") == ["aa", "bb", "cc", "dd", "ee", "ff", "gg", "hh"]


def test_a_negation_stops_at_a_terminating_word_and_at_the_sentence_end() -> None:
    assert _marked("no fever but chills", "negated") == ["fever"]
    assert _marked("no fever apart from chills", "negated") == ["fever"]
    assert _marked("no fever. chills", "negated") == ["fever"]


def test_two_negations_each_open_their_own_scope() -> None:
    assert _marked("no fever. without chills", "negated") == ["fever", "chills"]


def test_denied_words_are_the_negated_words() -> None:
    assert denied_words("no numbness or tingling, just stiff", _context()) == frozenset(
        {"numbness", "or", "tingling"}
    )
    assert denied_words("numb legs", _context()) == frozenset()


# --- other kinds forward --------------------------------------------------------------------


def test_a_hypothetical_stops_at_its_clause_but_not_after_eight_words() -> None:
    assert _marked("if i get numb legs, i rest", "hypothetical") == ["numb", "legs"]
    assert _marked("if i get numb, legs", "hypothetical") == ["numb"]
    assert _marked("legs, suppose numb legs", "hypothetical") == ["numb", "legs"]
    text = "if i get aa bb cc dd ee ff gg hh ii jj. kk"
    assert _marked(text, "hypothetical") == "aa bb cc dd ee ff gg hh ii jj".split()


def test_someone_elses_scope_runs_across_clauses_until_the_writers_own_words() -> None:
    text = "my dad has numb legs, weak feet and my back hurts"
    assert _marked(text, "other") == ["has", "numb", "legs", "weak", "feet", "and"]


def test_a_historical_trigger_before_runs_to_the_sentence_end() -> None:
    assert _marked("last year numb legs, weak feet. chills", "historical") == [
        "numb",
        "legs",
        "weak",
        "feet",
    ]


# --- after triggers -------------------------------------------------------------------------


def test_an_after_trigger_covers_the_words_before_it() -> None:
    assert _kinds("numb legs years ago") == [
        {"historical"},
        {"historical"},
        frozenset(),
        frozenset(),
    ]


def test_an_after_trigger_reaches_back_eight_words() -> None:
    text = "aa bb cc dd ee ff gg hh ii years ago"
    assert _marked(text, "historical") == ["bb", "cc", "dd", "ee", "ff", "gg", "hh", "ii"]


@pytest.mark.parametrize(
    ("text", "past"),
    [
        ("chills. legs years ago", ["legs"]),
        ("chills. numb legs years ago", ["numb", "legs"]),
        ("chills but legs years ago", ["legs"]),
        ("chills but numb legs years ago", ["numb", "legs"]),
        ("chills but weak numb legs years ago", ["weak", "numb", "legs"]),
        ("chills, weak legs years ago", ["chills", "weak", "legs"]),
    ],
)
def test_an_after_trigger_stops_at_the_sentence_start_or_a_terminating_word(
    text: str, past: list[str]
) -> None:
    assert _marked(text, "historical") == past


def test_an_after_negation_marks_the_words_before_it() -> None:
    assert _marked("bladder control is fine", "negated") == ["bladder", "control"]


def test_a_phrase_listed_before_and_after_marks_both_ways() -> None:
    assert _marked("chills last year numb legs", "historical") == ["chills", "numb", "legs"]


# --- what switches a trigger off ------------------------------------------------------------


def test_a_pseudo_trigger_switches_off_the_trigger_inside_it() -> None:
    assert _marked("no doubt my legs are numb", "negated") == []
    assert _marked("no chills but no doubt my legs are numb", "negated") == ["chills"]
    assert _marked("no doubt, no feeling in my legs", "negated") == ["feeling", "in", "my", "legs"]


def test_a_trigger_inside_a_longer_symptom_phrase_opens_no_scope() -> None:
    text = "no feeling in my legs"
    assert _marked(text, "negated", [(0, 2)]) == []
    assert _marked(text, "negated", [(0, 1)]) == ["feeling", "in", "my", "legs"]
    assert _marked(text, "negated", [(1, 3)]) == ["feeling", "in", "my", "legs"]
    assert _marked("legs no feeling", "negated", [(1, 3)]) == []
    assert _marked("legs no feeling", "negated", [(2, 3)]) == ["feeling"]
    assert _marked("legs no feeling", "negated", [(0, 2)]) == []
    assert _marked("legs no feeling", "negated", [(1, 2)]) == ["feeling"]


# --- questions ------------------------------------------------------------------------------


def test_a_general_question_keeps_its_asking_mark() -> None:
    assert _marked("what does saddle numbness mean", "asking") == ["saddle", "numbness", "mean"]
    assert _marked("numb legs serious", "asking") == ["numb", "legs"]


def test_a_question_about_the_writer_loses_its_asking_mark_in_that_sentence_only() -> None:
    assert _marked("is numbness in me serious", "asking") == []
    assert _marked("my legs are numb. numb legs serious", "asking") == ["numb", "legs"]
    assert _marked("numb legs serious. my legs", "asking") == ["numb", "legs"]


def test_dropping_a_question_mark_keeps_the_other_marks() -> None:
    kinds = _kinds("is no feeling in me serious")
    assert [sorted(k) for k in kinds] == [
        [],
        [],
        ["negated"],
        ["negated"],
        ["negated"],
        ["negated"],
    ]


# --- the trigger vocabulary -----------------------------------------------------------------


def test_the_trigger_words_are_every_word_of_every_phrase() -> None:
    assert _context().words == frozenset(
        {
            "no",
            "without",
            "last",
            "year",
            "if",
            "i",
            "get",
            "suppose",
            "my",
            "dad",
            "what",
            "does",
            "is",
            "fine",
            "years",
            "ago",
            "serious",
            "doubt",
            "but",
            "apart",
            "from",
        }
    )


def test_a_trigger_phrase_matches_only_with_its_words_side_by_side() -> None:
    assert _marked("my dad has numb legs", "other") == ["has", "numb", "legs"]
    assert _marked("my old dad has numb legs", "other") == []
    assert _marked("if i really get numb legs", "hypothetical") == []


def test_a_trigger_phrase_does_not_span_a_clause_break() -> None:
    assert _marked("my, dad has numb legs", "other") == []
