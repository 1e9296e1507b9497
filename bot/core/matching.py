"""Question matching: pure Python on rapidfuzz, the index built once at start.

A question is normalised, its compounds joined ("sit ups"), its spellings and typos folded
into the knowledge base's own words, its synonyms folded into concepts and its stop words
dropped (question words stay); words the user denies ("no numbness, just stiff") are left out.
Each entry is then scored on two signals: how similar its best phrasing is (TF-IDF cosine,
and how much of that phrasing the question contains), and how much of the question's weight
the entry covers at all. `decision.decide` turns the scores into answer, clarify or fallback.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from heapq import nlargest
from itertools import pairwise

from bot.core.context import Context, denied_words
from bot.core.decision import Candidate, Match, Scored, Thresholds, decide
from bot.core.english import EnglishFrequencies, english
from bot.core.index import BIGRAM_WEIGHT, CONCEPT_WEIGHT, Index, multiplier, words_of
from bot.core.knowledge import KnowledgeBase
from bot.core.scope import Outside, ScopeGate
from bot.core.spelling import closest_word
from bot.core.text import NEGATIONS, STOP_WORDS, spelling_variants, stem
from bot.core.vocabulary import SynonymIndex

__all__ = ["Candidate", "Match", "Matcher", "Scored", "Thresholds"]

# Weights of the signals and of the kinds of feature, fixed by hand on the development data.
W_SIMILARITY = 0.55
W_COVERAGE = 0.45
CONTAIN_SHARE = 0.4
ANSWER_COVERAGE_SHARE = 0.25
MAX_QUERY_WORDS = 60
RESULTS = 10
# Words the knowledge base never uses weigh less than its rarest word: many are filler
# ("honestly", "mum"), yet a question made only of them is still out of scope.
UNKNOWN_WEIGHT = 0.6
# A feature in more entries than this (and more than 1 in 20) only adds to entries that
# share a rarer one: "back" alone does not put 3,000 entries of a large base in play. Nor do
# features once ADMITTED entries are in play.
COMMON_ENTRIES = 64
ADMITTED = 1000
# A follow-up: at most this many content words; the last entry's title joins it at this weight.
FOLLOW_UP_WORDS = 5
CONTEXT_WEIGHT = 0.5
# A word the user denies weighs this much of its usual weight.
DENIED_WEIGHT = 0.2
_NEGATION = re.compile(r"\b(?:no|not|cannot|never|without|nor|neither|none)\b|n'?t\b", re.I)
# A topic word is used e^3 (20) times more often in the knowledge base than in English.
TOPIC_SALIENCE = 3.0

_FOLLOW_UP_CUE = re.compile(r"(?:and|also|but|what about|how about|what if|same for)\b")


@dataclass
class _Query:
    words: list[str]
    kept: list[str]
    features: dict[str, float]
    content: int


def _spelling_folds(kb: KnowledgeBase) -> dict[str, str]:
    """The knowledge base's own spellings of one word, folded to its most used one."""
    # "stabilise" and "stabilize", "safest" and "safe": one word wherever they are written.
    counts: dict[str, int] = defaultdict(int)
    for entry in kb.entries.values():
        for text in (entry.title, *entry.questions, entry.answer):
            for word in words_of(text):
                counts[word] += 1
    folds: dict[str, str] = {}
    for word in counts:
        others = [v for v in spelling_variants(word) if v in counts and v not in STOP_WORDS]
        if not others:
            continue
        # A superlative folds to its base; of two spellings, the more used one wins.
        best = max([word, *others], key=lambda w: (counts[w], w))
        if word.endswith("est") and best == word:
            best = others[0]
        if best != word:
            folds[word] = best
    # No chains: a word folds to a word that stays as it is.
    return {w: folds.get(b, b) for w, b in folds.items() if folds.get(b, b) != w}


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
        self._index_of = {entry_id: i for i, entry_id in enumerate(self._entry_ids)}
        self._folds = _spelling_folds(kb)
        self._synonyms = SynonymIndex(
            tuple(" ".join(self._folds.get(w, w) for w in words_of(t)) for t in group)
            for group in kb.synonyms
        )
        self._concept_of = self._synonyms.single_word_concepts()
        self._gate = ScopeGate(kb.scope)
        self._context = Context(kb.safety_context)
        # An entry's neighbours: itself, its related topics and the entries that list it.
        self._neighbours: list[set[int]] = [{i} for i in range(len(self._entry_ids))]
        for index, entry in enumerate(kb.entries.values()):
            for related in entry.related:
                if related in self._index_of:
                    self._neighbours[index].add(self._index_of[related])
                    self._neighbours[self._index_of[related]].add(index)
        self._index = Index(kb, lambda words: self._features(words)[0], self._concept_of)
        own = set(self._index.vocabulary)
        for group in kb.synonyms:
            for term in group:
                own.update(words_of(term))
        self._own_words = frozenset(own)
        self._vocabulary = frozenset(w for w in own | self._gate.words if w.isalpha())
        self._by_length: dict[int, list[str]] = defaultdict(list)
        for word in sorted(self._vocabulary):
            self._by_length[len(word)].append(word)
        # Users repeat their typos: remember corrections, per matcher (a reload starts afresh).
        self._closest = lru_cache(maxsize=8192)(partial(closest_word, by_length=self._by_length))
        count = self._index.entry_count
        self._unknown_idf = UNKNOWN_WEIGHT * math.log(1 + count)
        self._common = max(COMMON_ENTRIES, count // 20)

    def topical(self, words: Sequence[str]) -> bool:
        """True when the question is of our subject, or at least every word of it is ours."""
        # A topic word is far more common here than in English at large: "back", "stretch",
        # "walk" are; "how long", "best", "time" and "job" are not. A question made only of
        # our words ("can I still go to work?") is ours too, and so is a question to the bot
        # about itself ("what can you do?"); "how long does jet lag last?" is not.
        if self._gate.about_the_bot(words):
            return True
        content = [w for w in words if w not in STOP_WORDS]
        for word in content:
            count = self._index.topic_counts.get(stem(word), 0)
            if count and self._english.counts:
                share = count / self._index.topic_total
                if math.log(share / self._english.frequency(word)) >= TOPIC_SALIENCE:
                    return True
            elif count:
                return True
        return all(w in self._own_words for w in content)

    @property
    def vocabulary(self) -> frozenset[str]:
        """Every word the knowledge base uses (the typo corrector's dictionary)."""
        return self._vocabulary

    def correct(self, word: str, before: str = "", after: str = "") -> str:
        """The knowledge base's word for a misspelt or differently spelt word, or the word."""
        if word in self._vocabulary or not word.isalpha():
            return self._folds.get(word, word)
        # Another spelling first ("stabilise", "safest"), then the nearest word; a real
        # English word ("lumber", "reset") only when a neighbour makes the correction a
        # pair the phrasings use ("lumber support").
        for variant in spelling_variants(word):
            if variant in self._vocabulary and variant not in STOP_WORDS:
                return self._folds.get(variant, variant)
        corrected = self._closest(word)
        if corrected == word or not self._english.is_word(word):
            return corrected
        pairs = (f"{stem(before)}_{stem(corrected)}", f"{stem(corrected)}_{stem(after)}")
        return corrected if any(self._index.known(p) for p in pairs) else word

    def _features(self, words: Sequence[str]) -> tuple[dict[str, float], int]:
        words = [self._folds.get(w, w) for w in words]
        concepts = self._synonyms.concepts(words)
        content = [w for w in words if w not in STOP_WORDS]
        stems = [stem(w) for w in content or words]
        features: dict[str, float] = {}
        for s in stems:
            features[s] = 1.0
        for first, second in pairwise(stems):
            features.setdefault(f"{first}_{second}", BIGRAM_WEIGHT)
        for concept in concepts:
            features.setdefault(concept, CONCEPT_WEIGHT)
        return features, len(content)

    def analyse(self, text: str) -> list[str]:
        """The question's words after normalising, folding spellings and typo correction."""
        words = words_of(text)[:MAX_QUERY_WORDS]
        content = [w for w in words if w not in STOP_WORDS]
        out = []
        position = 0
        for word in words:
            if word in STOP_WORDS:
                out.append(word)
                continue
            before = content[position - 1] if position > 0 else ""
            after = content[position + 1] if position + 1 < len(content) else ""
            position += 1
            out.append(self.correct(word, before, after))
        return out

    def _read(self, text: str) -> _Query:
        """The question's words, those not denied, and its features."""
        raw = words_of(text)[:MAX_QUERY_WORDS]
        words = self.analyse(text)
        # Words the user denies ("no numbness or tingling, just stiff") weigh little: they
        # must not pull the match, yet "should I not stretch" is still about stretching.
        denied_raw = denied_words(text, self._context) if _NEGATION.search(text) else frozenset()
        denied = {w for w, r in zip(words, raw, strict=True) if r in denied_raw}
        kept = [w for w in words if w not in denied]
        if not any(w not in STOP_WORDS and w not in NEGATIONS for w in kept):
            # Nothing but "not" would be left ("should I not stretch"): a question, no denial.
            denied, kept = set(), list(words)
        return self._query(words, kept, frozenset(stem(w) for w in denied - STOP_WORDS))

    def _query(
        self,
        words: Sequence[str],
        kept: Sequence[str] | None = None,
        denied: frozenset[str] = frozenset(),
    ) -> _Query:
        features, content = self._features(words)
        if denied:
            for feature in features:
                if any(part in denied for part in feature.split("_")):
                    features[feature] *= DENIED_WEIGHT
        kept = list(words) if kept is None else list(kept)
        return _Query(list(words), kept, features, content)

    def details(self, text: str) -> list[Scored]:
        """The best entries for a question (at most 10), best first, with their signals."""
        return self._score(self._read(text))

    def score(self, text: str) -> list[Candidate]:
        """The best entries for a question (at most 10), best first (scores 0-100)."""
        return [Candidate(s.entry_id, s.score) for s in self.details(text)]

    def _score(
        self,
        query: _Query,
        context: dict[str, float] | None = None,
        among: frozenset[int] | None = None,
    ) -> list[Scored]:
        index, features = self._index, dict(query.features)
        # A synonym the phrasings never use ("stiff") is its concept at full weight, not an
        # unknown word.
        for feature in list(features):
            concept = self._concept_of.get(feature)
            if concept in features and not index.known(feature) and index.known(concept):
                del features[feature]
                features[concept] = 1.0
        # A pair of words or a concept the knowledge base never uses adds nothing: its words
        # already count on their own.
        weights = {
            f: m * (index.idf(f) if index.known(f) else self._unknown_idf)
            for f, m in features.items()
            if m == 1.0 or index.known(f)
        }
        if not weights:
            return []
        total = sum(weights.values())
        # Context features (a follow-up's last topic) help similarity; coverage is of the
        # user's own words.
        similar = dict(weights)
        for feature, share in (context or {}).items():
            similar.setdefault(feature, share * index.idf(feature))
        query_norm = math.sqrt(sum(w * w for w in similar.values()))
        lists = {f: index.entries(f) for f in weights if index.known(f)}
        # The rarest features put entries in play (at least one feature, and while fewer
        # than ADMITTED entries are); the others only add to entries already in play.
        admitting: set[str] = set()
        covered: dict[int, float] = {}
        for feature in sorted(lists, key=lambda f: len(lists[f])):
            found = lists[feature]
            if admitting and (len(found) > self._common or len(covered) >= ADMITTED):
                break
            admitting.add(feature)
            weight = weights[feature]
            for entry_index in found:
                covered[entry_index] = covered.get(entry_index, 0.0) + weight
        for feature in lists.keys() - admitting:
            weight = weights[feature]
            for entry_index in covered.keys() & lists[feature]:
                covered[entry_index] += weight
        if among is not None:
            covered = {i: w for i, w in covered.items() if i in among}
        if not covered:
            return []
        answered: dict[int, float] = defaultdict(float)
        for feature, weight in weights.items():
            for entry_index in covered.keys() & index.answers(feature):
                answered[entry_index] += weight
        # Per phrasing, two sums in one complex number (one dictionary update per posting,
        # the hot loop): the dot product with the question (real part) and the squared weight
        # the phrasing shares with the question (imaginary part).
        sums: dict[int, complex] = defaultdict(complex)
        entry_of = index.entry_of
        for feature, weight in similar.items():
            phrase_weight = multiplier(feature) * index.idf(feature)
            square = phrase_weight * phrase_weight if feature in weights else 0.0
            increment = complex(weight * phrase_weight, square)
            if feature in admitting and among is None:
                # Every entry of a rare feature is in play already.
                for position in index.phrasings(feature):
                    sums[position] += increment
                continue
            for position in index.phrasings(feature):
                if entry_of[position] in covered:
                    sums[position] += increment
        similarity: dict[int, float] = defaultdict(float)
        norms = index.norms
        for position, both in sums.items():
            norm = norms[position]
            cosine = both.real / (query_norm * norm)
            contained = both.imag / (norm * norm)
            value = (cosine + CONTAIN_SHARE * contained) / (1 + CONTAIN_SHARE)
            entry_index = entry_of[position]
            if value > similarity[entry_index]:
                similarity[entry_index] = value
        scores: dict[int, tuple[float, float, float]] = {}
        for entry_index, weight in covered.items():
            coverage = weight / total
            from_answer = answered.get(entry_index, 0.0) / total
            coverage = min(1.0, coverage + ANSWER_COVERAGE_SHARE * from_answer * (1 - coverage))
            sim = similarity[entry_index]
            # An entry that explains little of the question cannot win on similarity alone.
            value = 100 * (W_SIMILARITY * sim + W_COVERAGE * coverage) * min(1.0, 0.5 + coverage)
            scores[entry_index] = (value, sim, coverage)
        best = nlargest(RESULTS, scores, key=lambda i: (scores[i][0], -i))
        ids = self._entry_ids
        results = [Scored(ids[i], round(scores[i][0], 2), scores[i][1], scores[i][2]) for i in best]
        results.sort(key=lambda s: (-s.score, s.entry_id))
        return results

    def outside(self, text: str) -> Outside | None:
        """Why the question is plainly about something else, or None."""
        return self._gate.outside(self._read(text).kept)

    def match(self, text: str, context: str | None = None) -> Match:
        """Answer, clarify or fall back; `context` is the entry answered just before."""
        query = self._read(text)
        words = query.kept
        outside = self._gate.outside(words)
        own = decide(self._score(query), self.thresholds, outside, self.topical(words))
        index = self._index_of.get(context) if context else None
        # A follow-up ("how far?", "and running?"): short, not about something else, and not
        # answered alone or worded as a follow-up ("and ...", "what about ..."). It is read
        # with the last entry's title beside it, among that entry's neighbours (itself and its
        # related topics), and answered so only when one of them is then a clear answer.
        if index is None or outside is not None or not 0 < query.content <= FOLLOW_UP_WORDS:
            return own
        if own.kind == "answer" and not _FOLLOW_UP_CUE.match(" ".join(words)):
            return own
        title = {f: multiplier(f) * CONTEXT_WEIGHT for f in self._index.titles[index]}
        near = frozenset(self._neighbours[index])
        in_context = decide(self._score(query, title, near), self.thresholds, None, True)
        if in_context.kind != "answer":
            return own
        return Match(
            "answer",
            in_context.entry_id,
            in_context.score,
            in_context.candidates,
            f"follow-up to {context}",
        )
