"""Question matching: pure Python on rapidfuzz, the index built once at start.

A question is normalised, its typos corrected against the knowledge base's own vocabulary,
its synonyms folded into concepts and its stop words dropped. Each entry is then scored on
three signals: the best TF-IDF cosine against one of its phrasings, how much of the
question's weight the entry's phrasings cover at all, and a character-level fuzzy ratio.
One signal alone cannot separate "unrelated but shares one word" from "a real paraphrase";
together they can, because an unrelated question leaves most of its weight uncovered.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from itertools import pairwise
from typing import Literal

from rapidfuzz import fuzz, process

from bot.core.english import EnglishFrequencies, english
from bot.core.knowledge import KnowledgeBase
from bot.core.spelling import closest_word
from bot.core.text import STOP_WORDS, normalize, stem

Kind = Literal["answer", "clarify", "fallback"]

# Weights of the three signals, and of the kinds of feature, fixed by hand on the
# development data and checked against an independent held-out file (tests/data).
W_COSINE = 0.45
W_COVERAGE = 0.35
W_FUZZY = 0.20
BIGRAM_WEIGHT = 0.6
CONCEPT_WEIGHT = 0.5
ANSWER_COVERAGE_SHARE = 0.25
FUZZY_SHORTLIST = 12
MAX_QUERY_WORDS = 60
# Words the knowledge base never uses weigh less than its rarest word: many are filler
# ("honestly", "mum"), yet a question made only of them is still out of scope.
UNKNOWN_WEIGHT = 0.6


@dataclass(frozen=True)
class Thresholds:
    """Score limits (0-100) that turn scores into answer / clarify / fallback."""

    answer: float = 38.0
    clarify: float = 20.0
    margin: float = 3.0
    candidate_gap: float = 15.0


@dataclass(frozen=True)
class Candidate:
    """An entry and its score."""

    entry_id: str
    score: float


@dataclass(frozen=True)
class Match:
    """The matcher's verdict on one question."""

    kind: Kind
    entry_id: str | None
    score: float
    candidates: tuple[Candidate, ...]


@dataclass(frozen=True)
class _Phrasing:
    entry: int
    vector: dict[str, float]
    norm: float
    fuzzy_text: str


class Matcher:
    """Scores questions against every entry of a knowledge base."""

    def __init__(
        self,
        kb: KnowledgeBase,
        thresholds: Thresholds | None = None,
        language: EnglishFrequencies | None = None,
    ) -> None:
        self.thresholds = thresholds or Thresholds()
        self._english = language or english()
        self._entry_ids: list[str] = list(kb.entries)
        self._synonyms = _SynonymIndex(kb.synonyms)
        # Every text is normalised once: phrasings (title first) and answers, per entry.
        phrasing_words = [
            [normalize(t).split() for t in (e.title, *e.questions)] for e in kb.entries.values()
        ]
        answer_words = [normalize(e.answer).split() for e in kb.entries.values()]
        all_words = [*(w for texts in phrasing_words for w in texts), *answer_words]
        vocabulary: set[str] = set(STOP_WORDS)
        self._pairs: set[tuple[str, str]] = set()
        for words in all_words:
            vocabulary.update(words)
            self._pairs.update(pairwise(w for w in words if w not in STOP_WORDS))
        for group in kb.synonyms:
            for term in group:
                vocabulary.update(term.split())
        self._vocabulary = frozenset(w for w in vocabulary if w.isalpha())
        self._by_length: dict[int, list[str]] = defaultdict(list)
        for word in sorted(self._vocabulary):
            self._by_length[len(word)].append(word)
        # Users repeat their typos: remember corrections, per matcher (a reload starts afresh).
        self._closest = lru_cache(maxsize=8192)(partial(closest_word, by_length=self._by_length))

        raw: list[tuple[int, dict[str, float], str]] = []
        document_frequency: dict[str, int] = defaultdict(int)
        entry_features: list[set[str]] = []
        for index, texts in enumerate(phrasing_words):
            seen: set[str] = set()
            for words in texts:
                features, fuzzy_text = self._features(words)
                raw.append((index, features, fuzzy_text))
                seen.update(features)
            entry_features.append(seen)
            for feature in seen:
                document_frequency[feature] += 1
        count = max(len(phrasing_words), 1)
        self._idf = {f: math.log(1 + count / df) for f, df in document_frequency.items()}
        # A word with synonyms is no rarer than its concept: "backache" used in one entry
        # must not outweigh "lower back pain" used in forty.
        for word, concept in self._synonyms.single_word_concepts().items():
            if word in self._idf and concept in self._idf:
                self._idf[word] = math.sqrt(self._idf[word] * self._idf[concept])
        self._unknown_idf = UNKNOWN_WEIGHT * math.log(1 + count)

        self._phrasings: list[_Phrasing] = []
        self._postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for entry_index, features, fuzzy_text in raw:
            vector = {f: m * self._idf[f] for f, m in features.items()}
            norm = math.sqrt(sum(w * w for w in vector.values())) or 1.0
            position = len(self._phrasings)
            self._phrasings.append(_Phrasing(entry_index, vector, norm, fuzzy_text))
            for feature, weight in vector.items():
                self._postings[feature].append((position, weight))
        self._entry_postings: dict[str, list[int]] = defaultdict(list)
        for entry_index, features_set in enumerate(entry_features):
            for feature in features_set:
                self._entry_postings[feature].append(entry_index)
        self._answer_postings: dict[str, list[int]] = defaultdict(list)
        for entry_index, words in enumerate(answer_words):
            for word in {stem(w) for w in words} - STOP_WORDS:
                self._answer_postings[word].append(entry_index)
        self._phrasings_of: list[list[int]] = [[] for _ in phrasing_words]
        for position, phrasing in enumerate(self._phrasings):
            self._phrasings_of[phrasing.entry].append(position)

    @property
    def vocabulary(self) -> frozenset[str]:
        """Every word the knowledge base uses (the typo corrector's dictionary)."""
        return self._vocabulary

    def correct(self, word: str, before: str = "", after: str = "") -> str:
        """The vocabulary word a misspelt word most likely means, or the word itself.

        A real English word ("lumber", "reset") is only corrected when a neighbouring word
        makes the correction a pair the knowledge base uses ("lumber support").
        """
        if word in self._vocabulary or not word.isalpha():
            return word
        corrected = self._closest(word)
        if corrected == word or not self._english.is_word(word):
            return corrected
        if (before, corrected) in self._pairs or (corrected, after) in self._pairs:
            return corrected
        return word

    def _features(self, words: Sequence[str]) -> tuple[dict[str, float], str]:
        concepts = self._synonyms.concepts(words)
        content = [w for w in words if w not in STOP_WORDS] or list(words)
        stems = [stem(w) for w in content]
        features: dict[str, float] = {}
        for s in stems:
            features[s] = 1.0
        for first, second in pairwise(stems):
            features.setdefault(f"{first}_{second}", BIGRAM_WEIGHT)
        for concept in concepts:
            features.setdefault(concept, CONCEPT_WEIGHT)
        return features, " ".join(content)

    def analyse(self, text: str) -> list[str]:
        """The question's words after normalising and typo correction."""
        words = normalize(text).split()[:MAX_QUERY_WORDS]
        content = [w for w in words if w not in STOP_WORDS]
        out = []
        for word in words:
            if word in STOP_WORDS:
                out.append(word)
                continue
            i = content.index(word)
            before = content[i - 1] if i > 0 else ""
            after = content[i + 1] if i + 1 < len(content) else ""
            out.append(self.correct(word, before, after))
        return out

    def score(self, text: str) -> list[Candidate]:
        """Every entry that shares anything with the question, best first (scores 0-100)."""
        features, fuzzy_text = self._features(self.analyse(text))
        if not features:
            return []
        query = {
            f: m * self._idf[f] if f in self._idf else m * self._unknown_idf
            for f, m in features.items()
        }
        query_norm = math.sqrt(sum(w * w for w in query.values()))
        total = sum(query.values())
        dots: dict[int, float] = defaultdict(float)
        covered: dict[int, float] = defaultdict(float)
        answer_covered: dict[int, float] = defaultdict(float)
        for feature, weight in query.items():
            for position, phrase_weight in self._postings.get(feature, ()):
                dots[position] += weight * phrase_weight
            for entry_index in self._entry_postings.get(feature, ()):
                covered[entry_index] += weight
            for entry_index in self._answer_postings.get(feature, ()):
                answer_covered[entry_index] += weight
        cosine: dict[int, float] = defaultdict(float)
        for position, dot in dots.items():
            phrasing = self._phrasings[position]
            value = dot / (query_norm * phrasing.norm)
            if value > cosine[phrasing.entry]:
                cosine[phrasing.entry] = value
        preliminary = {}
        for entry_index in covered.keys() | answer_covered.keys():
            coverage = covered[entry_index] / total
            answer_coverage = answer_covered[entry_index] / total
            coverage = min(1.0, coverage + ANSWER_COVERAGE_SHARE * answer_coverage * (1 - coverage))
            preliminary[entry_index] = (cosine[entry_index], coverage)
        shortlist = sorted(
            preliminary,
            key=lambda i: W_COSINE * preliminary[i][0] + W_COVERAGE * preliminary[i][1],
            reverse=True,
        )[:FUZZY_SHORTLIST]
        results = []
        for entry_index in shortlist:
            cos, coverage = preliminary[entry_index]
            choices = [self._phrasings[p].fuzzy_text for p in self._phrasings_of[entry_index]]
            best = process.extractOne(fuzzy_text, choices, scorer=fuzz.token_sort_ratio)
            fuzzy = (best[1] if best else 0.0) / 100
            value = 100 * (W_COSINE * cos + W_COVERAGE * coverage + W_FUZZY * fuzzy)
            # An entry that explains little of the question cannot win on fuzz alone.
            value *= min(1.0, 0.5 + coverage)
            results.append(Candidate(self._entry_ids[entry_index], round(value, 2)))
        results.sort(key=lambda c: (-c.score, c.entry_id))
        return results

    def match(self, text: str) -> Match:
        """Answer, clarify or fall back, with the candidates best first."""
        ranked = self.score(text)
        limits = self.thresholds
        if not ranked or ranked[0].score < limits.clarify:
            best = ranked[0].score if ranked else 0.0
            return Match("fallback", None, best, tuple(ranked[:3]))
        top = ranked[0]
        runner_up = ranked[1].score if len(ranked) > 1 else 0.0
        if top.score >= limits.answer and top.score - runner_up >= limits.margin:
            return Match("answer", top.entry_id, top.score, tuple(ranked[:3]))
        close = tuple(
            c
            for c in ranked[:3]
            if c.score >= limits.clarify and top.score - c.score <= limits.candidate_gap
        )
        return Match("clarify", None, top.score, close)


class _SynonymIndex:
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
        found: set[str] = set()
        stems = [stem(w) for w in words]
        for sequence in (list(words), stems):
            for start, word in enumerate(sequence):
                for parts, concept in self._terms.get(word, ()):
                    if tuple(sequence[start : start + len(parts)]) == parts:
                        found.add(concept)
        return found
