"""The matcher's index (bot/core/index.py) over a three-entry knowledge base: postings,
phrasing positions, weights, topic counts and answer words, worked out by hand."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from itertools import pairwise

import pytest

from bot.core.index import BIGRAM_WEIGHT, CONCEPT_WEIGHT, Index, multiplier, words_of
from bot.core.knowledge import Entry, KnowledgeBase
from bot.core.text import STOP_WORDS, stem

LOG4 = math.log(1 + 3 / 1)  # a feature of one entry in three
LOG25 = math.log(1 + 3 / 2)  # a feature of two entries in three


def entry(entry_id: str, title: str, questions: tuple[str, ...], answer: str) -> Entry:
    return Entry(entry_id, "c", title, questions, answer, (), ())


ENTRIES = (
    entry(
        "psoas",
        "Psoas stretch",
        ("How do I stretch the psoas?",),
        "Kneel and stretch the psoas gently.",
    ),
    entry(
        "walking",
        "Walking",
        ("Is walking good for back pain?", "Should I walk?"),
        "Walking helps back pain.",
    ),
    entry("situps", "Sit-ups", ("Are sit ups bad for my back?",), "Sit-ups strain the back."),
)
CONCEPT_WORDS = {"situp", "walk"}


def features(words: Sequence[str]) -> dict[str, float]:
    """Stems, pairs of stems and one concept, like the matcher's own features."""
    stems = [stem(w) for w in words if w not in STOP_WORDS]
    out = dict.fromkeys(stems, 1.0)
    out.update((f"{a}_{b}", BIGRAM_WEIGHT) for a, b in pairwise(stems))
    if CONCEPT_WORDS & set(stems):
        out["~0"] = CONCEPT_WEIGHT
    return out


@pytest.fixture(scope="module")
def index(kb: KnowledgeBase) -> Index:
    small = dataclasses.replace(kb, entries={e.id: e for e in ENTRIES})
    return Index(small, features, {"situp": "~0", "crunch": "~0", "bad": "~9"})


def test_words_of_a_text_are_normalised_with_compounds_joined() -> None:
    assert words_of("Sit-ups and Back ache? Don't!") == ["situps", "and", "backache", "do", "not"]


@pytest.mark.parametrize(
    ("feature", "weight"), [("back", 1.0), ("back_pain", BIGRAM_WEIGHT), ("~3", CONCEPT_WEIGHT)]
)
def test_a_word_weighs_more_than_a_pair_of_words_or_a_concept(feature: str, weight: float) -> None:
    assert multiplier(feature) == weight


def test_an_entry_is_found_by_the_features_of_its_title_and_questions(index: Index) -> None:
    assert list(index.entries("stretch")) == [0]
    assert list(index.entries("back")) == [1, 2]
    assert list(index.entries("walk")) == [1]
    assert list(index.entries("~0")) == [1, 2]
    assert list(index.entries("psoa_stretch")) == [0]
    assert list(index.entries("kneel")) == []
    assert index.known("back")
    assert index.known("good_back")
    # Words of the answers only are not phrasing features.
    assert not index.known("kneel")
    assert not index.known("strain")


def test_each_phrasing_has_a_position_title_first(index: Index) -> None:
    assert list(index.entry_of) == [0, 0, 1, 1, 1, 2, 2]
    assert list(index.phrasings("stretch")) == [0, 1]
    assert list(index.phrasings("walk")) == [2, 3, 4]
    assert list(index.phrasings("bad")) == [6]
    assert list(index.phrasings("psoa_stretch")) == [0]
    assert list(index.phrasings("stretch_psoa")) == [1]
    assert list(index.phrasings("kneel")) == []
    assert index.titles == [("psoa", "stretch", "psoa_stretch"), ("walk", "~0"), ("situp", "~0")]


def test_a_rarer_feature_weighs_more(index: Index) -> None:
    assert index.entry_count == 3
    assert index.idf("walk") == pytest.approx(LOG4)
    assert index.idf("back") == pytest.approx(LOG25)
    assert index.idf("~0") == pytest.approx(LOG25)
    assert index.idf("kneel") == 0.0
    assert index.idf("unheard") == 0.0


def test_a_word_with_synonyms_weighs_no_more_than_its_concept_allows(index: Index) -> None:
    # "situp" alone is in one entry, its concept in two: the weight lies between.
    assert index.idf("situp") == pytest.approx(math.sqrt(LOG4 * LOG25))
    # A concept word no phrasing uses, or a concept no phrasing has, changes nothing.
    assert index.idf("crunch") == 0.0
    assert index.idf("bad") == pytest.approx(LOG4)


def test_a_phrasing_norm_sums_its_weighted_features(index: Index) -> None:
    # "Should I walk?": walk and the concept.
    assert index.norms[4] == pytest.approx(math.sqrt(LOG4**2 + (CONCEPT_WEIGHT * LOG25) ** 2))
    # "Psoas stretch": two words and their pair, each in one entry.
    assert index.norms[0] == pytest.approx(math.sqrt(2 + BIGRAM_WEIGHT**2) * LOG4)


def test_topic_words_are_stems_used_at_least_three_times(index: Index) -> None:
    assert index.topic_counts == {"back": 4, "walk": 4, "psoa": 3, "stretch": 3, "situp": 3}
    assert index.topic_total == 26


def test_the_vocabulary_is_every_word_written_and_the_stop_words(index: Index) -> None:
    assert {"kneel", "psoas", "situps", "walking", "gently", "the"} <= index.vocabulary
    assert index.vocabulary >= STOP_WORDS
    assert "sit" not in index.vocabulary
    assert "psoa" not in index.vocabulary


def test_answer_words_are_indexed_as_stems_without_stop_words(index: Index) -> None:
    assert list(index.answers("back")) == [1, 2]
    assert list(index.answers("kneel")) == [0]
    assert list(index.answers("psoa")) == [0]
    assert list(index.answers("help")) == [1]
    assert list(index.answers("the")) == []
    assert list(index.answers("bad")) == []


def test_an_empty_knowledge_base_gives_an_empty_index(kb: KnowledgeBase) -> None:
    empty = Index(dataclasses.replace(kb, entries={}), features, {})
    assert empty.entry_count == 1
    assert empty.topic_total == 1
    assert empty.topic_counts == {}
    assert empty.titles == []
    assert list(empty.norms) == []
    assert not empty.known("back")
