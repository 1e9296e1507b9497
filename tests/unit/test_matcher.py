"""The matcher: typos, synonyms, out-of-scope questions, clarify, and strange input."""

from __future__ import annotations

from typing import Any

import pytest

from bot.core import matching
from bot.core.answering import Answerer
from bot.core.index import Index
from bot.core.knowledge import KnowledgeBase
from bot.core.matching import Matcher
from bot.core.text import normalize, stem


def test_normalising_folds_case_accents_contractions_and_punctuation() -> None:
    assert normalize("What’s THE Psóas doing?!") == "what is the psoas doing"
    assert normalize("I don't have a fever") == "i do not have a fever"
    assert normalize("cant sleep, dont know") == "can not sleep do not know"
    assert normalize("🙂🙂🙂") == ""


def test_stemming_meets_word_forms() -> None:
    assert stem("stretching") == stem("stretches") == stem("stretch")
    assert stem("flexors") == stem("flexor")


@pytest.mark.parametrize(
    ("typo", "word"),
    [("psaos", "psoas"), ("lumber", "lumbar"), ("flexers", "flexors"), ("strech", "stretch")],
)
def test_typos_are_corrected_against_the_knowledge_base_vocabulary(
    answerer: Answerer, typo: str, word: str
) -> None:
    context = {"lumber": ("", "spine")}.get(typo, ("", ""))
    assert answerer.matcher.correct(typo, *context) == word


def test_real_words_are_not_corrected_into_knowledge_base_words(answerer: Answerer) -> None:
    for word in ("reset", "bread", "beef", "left"):
        assert answerer.matcher.correct(word) == word


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("where does the psaos attach", "psoas-anatomy"),
        ("how are hip flexers related to lumber pain", "hip-flexors-back-pain"),
        ("should i strech my hip flexors", "should-i-stretch"),
    ],
)
def test_misspelt_questions_find_their_entry(
    answerer: Answerer, question: str, expected: str
) -> None:
    verdict = answerer.verdict(question)
    assert expected in [c.entry_id for c in verdict.candidates]
    assert verdict.candidates[0].entry_id == expected


@pytest.mark.parametrize(
    ("plain", "synonym", "expected"),
    [
        (
            "can tight hip flexors cause lower back pain",
            "can tight hip flexors cause LBP",
            "hip-flexors-back-pain",
        ),
        ("is walking good for low back pain", "is walking good for lumbar pain", "walking"),
        ("are sit ups bad for my back", "are crunches bad for my back", "situps"),
        ("should I wear a back belt", "should I wear a lumbar support", "back-belt"),
    ],
)
def test_synonyms_reach_the_same_entry(
    answerer: Answerer, plain: str, synonym: str, expected: str
) -> None:
    # The expected entry is written down, not computed by the matcher under test.
    for question in (plain, synonym):
        verdict = answerer.verdict(question)
        assert (verdict.kind, verdict.entry_id) == ("answer", expected), question


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("is a peloton class ok for my bad back", "cycling"),
        ("is a stroll good for backache", "walking"),
        ("can i take advil for backache", "painkillers"),
        ("should I stay in bed with lbp", "bed-rest"),
    ],
)
def test_words_only_the_synonym_file_links_reach_their_entry(
    answerer: Answerer, question: str, expected: str
) -> None:
    # Without knowledge/synonyms.yaml these clarify or fall back.
    verdict = answerer.verdict(question)
    assert (verdict.kind, verdict.entry_id) == ("answer", expected)


@pytest.mark.parametrize(
    "question", ["swayback from tight psoas", "is my hyperlordosis the cause of my back pain"]
)
def test_posture_synonyms_reach_the_hollow_back_entries(answerer: Answerer, question: str) -> None:
    top = answerer.verdict(question).candidates[0].entry_id
    assert top in {"hollow-back", "lordosis-pain"}


@pytest.mark.parametrize(
    "question",
    [
        "how do I change a car tyre",
        "who will win the football tonight",
        "translate hello into Spanish",
    ],
)
def test_out_of_scope_questions_are_not_answered(answerer: Answerer, question: str) -> None:
    assert answerer.verdict(question).kind in ("fallback", "clarify")
    assert answerer.verdict(question).entry_id is None


def test_unrelated_questions_sharing_one_word_fall_back(answerer: Answerer) -> None:
    verdict = answerer.verdict("how do I stretch a canvas for painting")
    # The plain "I don't know": neither an answer nor a "did you mean" on stretching.
    assert verdict.kind == "fallback"
    assert verdict.entry_id is None


def test_a_clear_question_is_answered(answerer: Answerer) -> None:
    verdict = answerer.verdict("Should I use heat or ice on my back?")
    assert verdict.kind == "answer"
    assert verdict.entry_id == "heat-or-ice"
    assert verdict.score >= answerer.matcher.thresholds.answer


def test_a_vague_question_asks_which_entry_was_meant(answerer: Answerer) -> None:
    verdict = answerer.verdict("hip flexor exercises")
    assert verdict.kind == "clarify"
    ids = [c.entry_id for c in verdict.candidates]
    assert 2 <= len(ids) <= 3


def test_candidates_are_best_first(answerer: Answerer) -> None:
    candidates = answerer.verdict("is walking good for my back").candidates
    scores = [c.score for c in candidates]
    assert scores == sorted(scores, reverse=True)


def test_very_long_input_is_handled(answerer: Answerer) -> None:
    verdict = answerer.verdict("my psoas " * 5000)
    assert verdict.kind in ("answer", "clarify", "fallback")


@pytest.mark.parametrize("text", ["", "   ", "🙂🙂🙂", "?!?!", "<b>&amp;</b>"])
def test_empty_or_emoji_only_input_falls_back(answerer: Answerer, text: str) -> None:
    verdict = answerer.verdict(text)
    assert verdict.kind == "fallback"
    assert verdict.candidates == ()


def test_small_talk_is_recognised_only_when_it_is_the_whole_message(answerer: Answerer) -> None:
    assert answerer.verdict("Thanks a lot!").kind == "smalltalk"
    assert answerer.verdict("hi there").kind == "smalltalk"
    assert answerer.verdict("hi, where does the psoas attach?").kind != "smalltalk"


def test_the_index_is_built_once_and_reused(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[object] = []

    class CountedIndex(Index):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            built.append(self)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(matching, "Index", CountedIndex)
    answerer = Answerer(kb)
    assert len(built) == 1
    first = answerer.verdict("psoas attachment")
    for question in ("psoas attachment", "is walking good for my back", "sitting all day"):
        answerer.verdict(question)
        answerer.verdict("it hurts", context="sitting")
    assert answerer.verdict("psoas attachment") == first
    assert len(built) == 1


def test_a_question_identical_to_a_phrasing_scores_highest(kb: KnowledgeBase) -> None:
    matcher = Matcher(kb)
    for entry in list(kb.entries.values())[::5]:
        ranked = matcher.score(entry.questions[0])
        assert ranked[0].entry_id == entry.id, entry.questions[0]
