"""The matcher's index of a knowledge base: postings, weights and word counts. Pure.

Compact on purpose (a 10,000-entry base stays well under 150 MiB): postings are arrays of
integers, and a feature found in one phrasing only (most word pairs) is stored as that one
integer. A feature's weight is worked out from its postings, not kept in another table.
"""

from __future__ import annotations

import math
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import TypeAlias

from bot.core.knowledge import KnowledgeBase
from bot.core.text import STOP_WORDS, join_compounds, normalize, stem

Postings: TypeAlias = "array[int] | int"
Features = Callable[[Sequence[str]], dict[str, float]]

BIGRAM_WEIGHT = 0.6
CONCEPT_WEIGHT = 0.5
# Stems used fewer times than this in the knowledge base are not counted as its topic words.
TOPIC_MIN_COUNT = 3


def words_of(text: str) -> list[str]:
    """A text's normalised words with its compounds joined ("sit ups" -> "situps")."""
    return normalize(join_compounds(text)).split()


def multiplier(feature: str) -> float:
    """The weight of a kind of feature: a word 1, a pair of words and a concept less."""
    return BIGRAM_WEIGHT if "_" in feature else CONCEPT_WEIGHT if feature[0] == "~" else 1.0


def _add(index: dict[str, Postings], key: str, value: int) -> None:
    found = index.get(key)
    if found is None:
        index[key] = value
    elif isinstance(found, int):
        index[key] = array("i", (found, value))
    else:
        found.append(value)


def _items(found: Postings | None) -> Sequence[int]:
    if found is None:
        return ()
    return (found,) if isinstance(found, int) else found


class Index:
    """Every entry's phrasings as features, their postings and weights; answers as stems."""

    def __init__(self, kb: KnowledgeBase, features: Features, concept_of: dict[str, str]) -> None:
        entries = list(kb.entries.values())
        self.entry_count = max(len(entries), 1)
        vocabulary: set[str] = set(STOP_WORDS)
        topic_counts: dict[str, int] = defaultdict(int)
        answer_postings: dict[str, array[int]] = defaultdict(lambda: array("i"))
        self._entries: dict[str, Postings] = {}
        # Phrasings (title first) as feature tuples, kept until the weights are known.
        phrasings: list[list[tuple[str, ...]]] = []
        for entry_index, entry in enumerate(entries):
            texts = [words_of(t) for t in (entry.title, *entry.questions)]
            answer = words_of(entry.answer)
            for words in (*texts, answer):
                vocabulary.update(words)
                for word in words:
                    if word not in STOP_WORDS:
                        topic_counts[stem(word)] += 1
            entry_features = [tuple(features(words)) for words in texts]
            phrasings.append(entry_features)
            for feature in {f for phrasing in entry_features for f in phrasing}:
                _add(self._entries, feature, entry_index)
            for word in {stem(w) for w in answer} - STOP_WORDS:
                answer_postings[word].append(entry_index)
        self.answer_postings: dict[str, array[int]] = dict(answer_postings)
        self.vocabulary = vocabulary
        self.topic_total = max(sum(topic_counts.values()), 1)
        self.topic_counts = {s: n for s, n in topic_counts.items() if n >= TOPIC_MIN_COUNT}
        # A word with synonyms is no rarer than its concept: "backache" used in one entry
        # must not outweigh "lower back pain" used in forty.
        self._idf_of_word: dict[str, float] = {}
        for word, concept in concept_of.items():
            word_idf, concept_idf = self._plain_idf(word), self._plain_idf(concept)
            if word_idf is not None and concept_idf is not None:
                self._idf_of_word[word] = math.sqrt(word_idf * concept_idf)

        self.norms = array("d")
        self.entry_of = array("i")
        self._phrasings: dict[str, Postings] = {}
        self.titles: list[tuple[str, ...]] = []
        for entry_index, entry_features in enumerate(phrasings):
            for phrasing in entry_features:
                position = len(self.norms)
                squares = sum((multiplier(f) * self.idf(f)) ** 2 for f in phrasing)
                self.norms.append(math.sqrt(squares) or 1.0)
                self.entry_of.append(entry_index)
                for feature in phrasing:
                    _add(self._phrasings, feature, position)
            self.titles.append(entry_features[0])

    def _plain_idf(self, feature: str) -> float | None:
        found = self._entries.get(feature)
        if found is None:
            return None
        count = 1 if isinstance(found, int) else len(found)
        return math.log(1 + self.entry_count / count)

    def idf(self, feature: str) -> float:
        """The feature's inverse document frequency over entries (0 when no entry has it)."""
        override = self._idf_of_word.get(feature)
        if override is not None:
            return override
        return self._plain_idf(feature) or 0.0

    def known(self, feature: str) -> bool:
        """True when some phrasing has the feature."""
        return feature in self._entries

    def entries(self, feature: str) -> Sequence[int]:
        """The entries whose phrasings have the feature."""
        return _items(self._entries.get(feature))

    def phrasings(self, feature: str) -> Sequence[int]:
        """The phrasings (positions) that have the feature."""
        return _items(self._phrasings.get(feature))

    def answers(self, feature: str) -> Iterable[int]:
        """The entries whose answer has the word (a stem)."""
        return self.answer_postings.get(feature, ())
