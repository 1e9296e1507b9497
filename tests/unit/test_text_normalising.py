"""Text normalising (bot/core/text.py): folding, contractions, compounds, spellings, stems."""

from __future__ import annotations

import pytest

from bot.core.text import fold, join_compounds, normalize, spelling_variants, stem, words

# ---------------------------------------------------------------------------- fold()


def test_folding_plain_ascii_only_lowers_the_case() -> None:
    assert fold("Psoas, DON'T!") == "psoas, don't!"


def test_folding_strips_accents_and_unifies_apostrophes_keeping_punctuation() -> None:
    assert fold("Psóas’S Ré-Sumé!") == "psoas's re-sume!"
    assert fold("I‘m ok") == "i'm ok"
    assert fold("Café don`t") == "cafe don't"
    assert fold("Café donʼt") == "cafe don't"


# ---------------------------------------------------------------------------- normalize()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I can't bend", "i can not bend"),
        ("I cannot bend", "i can not bend"),
        ("it won't stop", "it will not stop"),
        ("I shan't run", "i shall not run"),
        ("it ain't right", "it is not right"),
        ("it doesn't hurt", "it does not hurt"),
        ("I've tried", "i have tried"),
        ("we'll see", "we will see"),
        ("I'd like", "i would like"),
        ("they're tight", "they are tight"),
        ("I'm stiff", "i am stiff"),
        ("it's sore", "it is sore"),
        ("the psoas's job", "the psoas job"),
        ("my friends' backs", "my friends backs"),
    ],
)
def test_contractions_are_expanded_before_punctuation_goes(text: str, expected: str) -> None:
    assert normalize(text) == expected


def test_contractions_are_expanded_with_curly_apostrophes_and_capitals() -> None:
    assert normalize("I Can’t BEND and It’s Sore") == "i can not bend and it is sore"


def test_a_message_without_an_apostrophe_keeps_its_words() -> None:
    assert normalize("Hip-flexor (psoas) pain?!") == "hip flexor psoas pain"


def test_words_written_without_their_apostrophe_are_expanded_as_whole_words() -> None:
    assert normalize("dont cant whats") == "do not can not what is"
    # Only whole words: "important" holds "im" and "ant" but is left alone.
    assert normalize("important donts") == "important donts"


def test_words_are_the_normalised_words_in_order() -> None:
    assert words("Why doesn't my BACK hurt?") == ["why", "does", "not", "my", "back", "hurt"]
    assert words("  ") == []


# ---------------------------------------------------------------------------- compounds


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sit-ups", "situps"),
        ("sit ups", "situps"),
        ("situps", "situps"),
        ("a sit-up", "a situp"),
        ("sit up straight", "sit up straight"),
        ("push  ups and curl-downs", "pushups and curldowns"),
        ("an x-ray", "an xray"),
        ("x rays", "xrays"),
        ("Back ache", "backache"),
        ("back-aches", "backaches"),
        ("backpack", "backpack"),
    ],
)
def test_compounds_written_three_ways_become_one_word(text: str, expected: str) -> None:
    assert join_compounds(text) == expected


# ---------------------------------------------------------------------------- spellings


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("organisation", ["organization"]),
        ("organization", ["organisation"]),
        ("stabilise", ["stabilize"]),
        ("stabilize", ["stabilise"]),
        ("stabilised", ["stabilized"]),
        ("stabilising", ["stabilizing"]),
        ("analyse", ["analyze"]),
        ("colour", ["color"]),
        ("color", ["colour"]),
        ("humour", ["humor"]),
        ("centre", ["center"]),
        ("catalogue", ["catalog"]),
        ("travelled", ["traveled"]),
        ("defence", ["defense"]),
        ("anaemia", ["anemia"]),
        ("oedema", ["edema"]),
        ("algae", ["alge"]),
    ],
)
def test_british_and_american_spellings_are_found_both_ways(word: str, expected: list[str]) -> None:
    assert spelling_variants(word) == expected


@pytest.mark.parametrize("word", ["aeon", "four", "your", "hours", "tours", "chest", "best"])
def test_short_words_and_short_stems_have_no_other_spelling(word: str) -> None:
    # "hours" is not a spelling of "hors": two letters before the ending are too few.
    assert spelling_variants(word) == []


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("easiest", ["easy"]),
        ("safest", ["saf", "safe"]),
        ("latest", ["lat", "late"]),
        ("tightest", ["tight", "tighte"]),
        ("oddest", ["odd", "odde", "od"]),
        ("biggest", ["bigg", "bigge", "big"]),
        ("paedest", ["pedest", "paed", "paede"]),
    ],
)
def test_a_superlative_offers_its_possible_bases(word: str, expected: list[str]) -> None:
    assert spelling_variants(word) == expected


# ---------------------------------------------------------------------------- stem()


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("relational", "relate"),
        ("mindfulness", "mindful"),
        ("effectiveness", "effective"),
        ("stabilization", "stabilize"),
        ("tightening", "tighten"),
        ("mobilities", "mobility"),
        ("dizziness", "dizzy"),
        ("surprisingly", "surpris"),
        ("seriously", "serious"),
        ("stiffness", "stiff"),
        ("movement", "move"),
        ("feelings", "feel"),
        ("stretching", "stretch"),
        ("eating", "eat"),
        ("injuries", "injury"),
        ("worried", "worry"),
        ("flexers", "flexer"),
        ("walked", "walk"),
        ("slowly", "slow"),
        ("stretches", "stretch"),
        ("pushes", "push"),
        ("presses", "press"),
        ("boxes", "box"),
        ("buzzes", "buzz"),
        ("muscles", "muscle"),
        ("walks", "walk"),
    ],
)
def test_the_stemmer_strips_the_first_matching_ending(word: str, expected: str) -> None:
    assert stem(word) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [("running", "run"), ("stopped", "stop"), ("sitting", "sit"), ("falling", "fall")],
)
def test_a_doubled_consonant_before_ing_or_ed_is_undone(word: str, expected: str) -> None:
    assert stem(word) == expected


@pytest.mark.parametrize(
    "word", ["legs", "hips", "being", "stress", "status", "arthritis", "12345", "backs2"]
)
def test_short_words_and_words_that_only_look_plural_keep_their_ending(word: str) -> None:
    assert stem(word) == word


def test_pressed_keeps_its_double_s() -> None:
    # Only consonants that are doubled before -ing/-ed ("stopped") lose the double.
    assert stem("pressed") == "press"
    assert stem("passing") == "pass"
