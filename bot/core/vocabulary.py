"""Synonym concepts: the terms of knowledge/synonyms.yaml found in a question's words. Pure."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

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
