"""The knowledge base's words: synonym concepts, and the nearest word to a misspelt one. Pure."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from rapidfuzz.distance import OSA
from rapidfuzz.process import extract

from bot.core.text import stem


class SynonymIndex:
    """Finds synonym terms (one or more words) in a list of words."""

    def __init__(self, groups: Iterable[Sequence[str]]) -> None:
        self._terms: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
        for index, group in enumerate(groups):
            concept = f"~{index}"
            for term in group:
                parts = tuple(term.split())
                if parts:
                    self._terms[parts[0]].append((parts, concept))
                    self._terms[stem(parts[0])].append((tuple(stem(p) for p in parts), concept))

    def single_word_concepts(self) -> dict[str, str]:
        """Stemmed one-word terms and their concept."""
        return {
            parts[0]: concept
            for options in self._terms.values()
            for parts, concept in options
            if len(parts) == 1
        }

    def concepts(self, words: Sequence[str]) -> set[str]:
        """The concepts of every synonym term in the words (as words or as stems)."""
        found: set[str] = set()
        stems = [stem(w) for w in words]
        for sequence in (list(words), stems):
            for start, word in enumerate(sequence):
                for parts, concept in self._terms.get(word, ()):
                    if tuple(sequence[start : start + len(parts)]) == parts:
                        found.add(concept)
        return found


def _allowed_distance(word: str) -> int:
    if len(word) < 4:
        return 0
    return 2 if len(word) >= 8 else 1


def closest_word(word: str, by_length: dict[int, list[str]]) -> str:
    """The vocabulary word nearest a misspelt word (OSA distance), or the word itself."""
    limit = _allowed_distance(word)
    if limit == 0:
        return word
    choices = [
        w
        for length in range(len(word) - limit, len(word) + limit + 1)
        for w in by_length.get(length, ())
    ]
    found = extract(word, choices, scorer=OSA.distance, score_cutoff=limit, limit=5)
    if not found:
        return word
    best_distance = min(distance for _, distance, _ in found)
    # Prefer a candidate that keeps the first letter: typos rarely change it.
    best = [w for w, distance, _ in found if distance == best_distance]
    same_start = [w for w in best if w[0] == word[0]]
    return (same_start or best)[0]
