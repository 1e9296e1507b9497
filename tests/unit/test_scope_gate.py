"""The out-of-scope gate (bot/core/scope.py): reading scope.yaml, and which terms put a
question outside the bot's subject."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.knowledge import Problem, Scope
from bot.core.scope import Outside, ScopeGate, load_scope
from bot.core.yaml_reading import Collector

SCOPE = Scope(
    domain=("back", "hip", "lower back", "cat cow", "lift knee"),
    other_body_parts=("knee", "tooth", "big toe"),
    other_subjects={"music": ("hip hop", "guitar"), "money": ("price",)},
    other_senses=("come back",),
    never_ours={"animals": ("dog", "cat")},
    about_the_bot=("what can you do", "who are you"),
)


@pytest.fixture(scope="module")
def gate() -> ScopeGate:
    return ScopeGate(SCOPE)


# ---------------------------------------------------------------------------- outside()


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("my knee hurts", Outside("body", "another body part", "knee")),
        ("my knees hurt", Outside("body", "another body part", "knees")),
        ("my big left toe", Outside("body", "another body part", "big left toe")),
        ("learn guitar", Outside("subject", "music", "guitar")),
        ("what is hip hop", Outside("subject", "music", "hip hop")),
        ("what is the price", Outside("subject", "money", "price")),
        ("my dog has a bad back", Outside("never", "animals", "dog")),
        ("my back and my dogs", Outside("never", "animals", "dogs")),
        ("my knee pain comes back", Outside("body", "another body part", "knee")),
        ("lift my left sore knee", Outside("body", "another body part", "knee")),
        ("guitar and knee", Outside("subject", "music", "guitar")),
        ("knee and guitar", Outside("body", "another body part", "knee")),
    ],
)
def test_another_body_part_subject_or_animal_puts_a_question_outside(
    gate: ScopeGate, question: str, expected: Outside
) -> None:
    assert gate.outside(question.split()) == expected


@pytest.mark.parametrize(
    "question",
    [
        "my knee and back hurt",
        "my knees and hips hurt",
        "is cat cow good",
        "lift my left knee",
        "lift knee",
        "my lower back and big toe",
        "what is the weather",
        "my big",
        "lift my",
        "",
    ],
)
def test_a_domain_term_or_nothing_named_keeps_a_question_in(gate: ScopeGate, question: str) -> None:
    assert gate.outside(question.split()) is None


def test_a_domain_word_in_another_sense_does_not_keep_a_question_in(gate: ScopeGate) -> None:
    # "back" alone keeps "my knee hurts at the back" in; "comes back" is not that back.
    assert gate.outside("my knee hurts at the back".split()) is None
    assert gate.outside("my knee pain came back".split()) is None
    assert gate.outside("knee pain comes back".split()) == Outside(
        "body", "another body part", "knee"
    )


def test_without_a_scope_nothing_is_outside() -> None:
    assert ScopeGate(Scope()).outside("my dog plays guitar".split()) is None


# ---------------------------------------------------------------------------- about the bot


def test_a_question_to_the_bot_about_itself_is_recognised(gate: ScopeGate) -> None:
    assert gate.about_the_bot("what can you do".split())
    assert gate.about_the_bot("so what can you really do".split())
    assert gate.about_the_bot("who are you".split())
    assert not gate.about_the_bot("what can i do".split())
    assert not gate.about_the_bot("my knee hurts".split())


def test_the_gate_knows_every_word_of_every_term(gate: ScopeGate) -> None:
    assert gate.words == frozenset(
        "back hip lower cat cow lift knee tooth big toe hop guitar price come dog what can you "
        "do who are".split()
    )


# ---------------------------------------------------------------------------- load_scope()


def write(root: Path, text: str) -> Path:
    (root / "scope.yaml").write_text(text)
    return root


def test_a_scope_file_is_read_into_normalised_terms(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        "domain: [Back, Lower  Back, Sit-Ups]\n"
        "other_body_parts: [Knee]\n"
        "other_subjects: {music: [Hip-Hop], 7: [price]}\n"
        "other_senses: [come back]\n"
        "never_ours: {animals: [Dogs]}\n"
        "about_the_bot: [What's your name]\n",
    )
    out = Collector()
    assert load_scope(root, out) == Scope(
        domain=("back", "lower back", "situps"),
        other_body_parts=("knee",),
        other_subjects={"music": ("hip hop",), "7": ("price",)},
        other_senses=("come back",),
        never_ours={"animals": ("dogs",)},
        about_the_bot=("what is your name",),
    )
    assert out.problems == []


def test_a_scope_file_with_only_a_domain_leaves_the_rest_empty(tmp_path: Path) -> None:
    out = Collector()
    assert load_scope(write(tmp_path, "domain: [back]\n"), out) == Scope(domain=("back",))
    assert out.problems == []


def test_a_scope_file_that_is_not_a_mapping_is_reported(tmp_path: Path) -> None:
    out = Collector()
    assert load_scope(write(tmp_path, "- back\n- hip\n"), out) == Scope()
    assert out.problems == [
        Problem("scope.yaml", "-", "must be a mapping: domain, other_body_parts, other_subjects")
    ]


def test_each_malformed_list_in_a_scope_file_is_reported_where_it_is(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        "domain: back\n"
        "other_body_parts: [knee, 3]\n"
        "other_subjects: [guitar]\n"
        "other_senses: [come back, '?!']\n"
        "never_ours: {animals: dog}\n"
        "about_the_bot: {who: you}\n",
    )
    out = Collector()
    scope = load_scope(root, out)
    assert out.problems == [
        Problem("scope.yaml", "other_subjects", "must map a name to a list of terms"),
        Problem("scope.yaml", "never_ours.animals", "must be a list of terms"),
        Problem("scope.yaml", "domain", "must be a list of terms"),
        Problem(
            "scope.yaml", "domain", "needs at least one term: the words of the bot's own subject"
        ),
        Problem("scope.yaml", "other_body_parts", "must be a list of terms"),
        Problem("scope.yaml", "other_senses", "a term is empty after normalising"),
        Problem("scope.yaml", "about_the_bot", "must be a list of terms"),
    ]
    assert scope == Scope(other_senses=("come back",), never_ours={"animals": ()})


def test_a_scope_file_without_a_domain_is_reported(tmp_path: Path) -> None:
    out = Collector()
    load_scope(write(tmp_path, "other_body_parts: [knee]\n"), out)
    assert out.problems == [
        Problem(
            "scope.yaml", "domain", "needs at least one term: the words of the bot's own subject"
        )
    ]


def test_a_scope_file_that_is_not_yaml_is_reported_once_as_such(tmp_path: Path) -> None:
    out = Collector()
    assert load_scope(write(tmp_path, "domain: [back\n"), out) == Scope()
    assert [p.entry for p in out.problems] == ["-", "-"]
    assert out.problems[1] == Problem(
        "scope.yaml", "-", "must be a mapping: domain, other_body_parts, other_subjects"
    )
