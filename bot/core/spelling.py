"""Typo correction against a vocabulary: the nearest word by edit distance (OSA), for the
matcher (the knowledge base's words) and the safety screen (its lexicon's words)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache, partial

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.core.english import EnglishFrequencies


def allowed_distance(word: str) -> int:
    if len(word) < 4:
        return 0
    return 2 if len(word) >= 8 else 1


def closest_word(word: str, by_length: dict[int, list[str]]) -> str:
    """The vocabulary word nearest a misspelt word (OSA distance), or the word itself."""
    limit = allowed_distance(word)
    if limit == 0:
        return word
    choices = [
        w
        for length in range(len(word) - limit, len(word) + limit + 1)
        for w in by_length.get(length, ())
    ]
    found = process.extract(word, choices, scorer=OSA.distance, score_cutoff=limit, limit=5)
    if not found:
        return word
    best_distance = min(distance for _, distance, _ in found)
    # Prefer a candidate that keeps the first letter: typos rarely change it.
    best = [w for w, distance, _ in found if distance == best_distance]
    same_start = [w for w in best if w[0] == word[0]]
    return (same_start or best)[0]


class Corrector:
    """Corrects words that are neither in the vocabulary nor real English words."""

    def __init__(self, vocabulary: Iterable[str], language: EnglishFrequencies) -> None:
        self._vocabulary = frozenset(w for w in vocabulary if w.isalpha())
        self._english = language
        by_length: dict[int, list[str]] = defaultdict(list)
        for word in sorted(self._vocabulary):
            by_length[len(word)].append(word)
        self._closest = lru_cache(maxsize=8192)(partial(closest_word, by_length=by_length))

    def correct(self, word: str) -> str:
        """The vocabulary word a misspelt word most likely means, or the word itself."""
        if word in self._vocabulary or not word.isalpha() or self._english.is_word(word):
            return word
        return self._closest(word)
