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
from array import array
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from heapq import nlargest
from itertools import pairwise

from bot.core.decision import Candidate, Match, Scored, Thresholds, decide
from bot.core.english import EnglishFrequencies, english
from bot.core.knowledge import KnowledgeBase
from bot.core.scope import Outside, ScopeGate
from bot.core.text import STOP_WORDS, join_compounds, normalize, spelling_variants, stem
from bot.core.vocabulary import SynonymIndex, closest_word

__all__ = ["Candidate", "Match", "Matcher", "Scored", "Thresholds"]

# Weights of the signals and of the kinds of feature, fixed by hand on the development data.
W_SIMILARITY = 0.55
W_COVERAGE = 0.45
CONTAIN_SHARE = 0.4
BIGRAM_WEIGHT = 0.6
CONCEPT_WEIGHT = 0.5
ANSWER_COVERAGE_SHARE = 0.25
MAX_QUERY_WORDS = 60
RESULTS = 10
# Words the knowledge base never uses weigh less than its rarest word: many are filler
# ("honestly", "mum"), yet a question made only of them is still out of scope.
UNKNOWN_WEIGHT = 0.6
# A feature in more entries than this (and more than 1 in 20) only adds to entries that
# share a rarer one: "back" alone does not put 3,000 entries of a large base in play.
COMMON_ENTRIES = 64
# A follow-up: at most this many content words; the last entry's title joins it at this weight.
FOLLOW_UP_WORDS = 5
CONTEXT_WEIGHT = 0.5
# A topic word: used at least this often in the knowledge base, and e^3 (20) times more
# often there than in English at large.
TOPIC_MIN_COUNT = 3
TOPIC_SALIENCE = 3.0

_CLAUSES = re.compile(r"[.;!?,:\n()]+")
_NEGATORS = frozenset({"no", "never", "without", "nor", "neither", "none"})
# "not" denies only what one has: "I do not have numbness", not "should I not stretch".
_NOT_HAVING = frozenset(
    {"have", "had", "having", "got", "feel", "felt", "notice", "noticed", "losing", "lost"}
)
_SCOPE_ENDS = frozenset({"but", "just", "only", "though", "however", "yet", "except", "so", "now"})
_SCOPE_ENDS_AT = frozenset({"i", "it", "my", "me", "we", "you", "he", "she", "they", "is", "am"})
_DENIAL_WINDOW = 4


def _denied_words(text: str) -> frozenset[str]:
    """Words the user denies ("no numbness or tingling, just stiff" -> numbness, tingling)."""
    # A stand-in with the signature of the safety screen's context.denied_words, to be swapped
    # for it: a negation reaches a few words forward, within its clause.
    denied: set[str] = set()
    for clause in _CLAUSES.split(text):
        words = normalize(clause).split()
        for index, word in enumerate(words):
            follows = words[index + 1 : index + 2 + _DENIAL_WINDOW]
            if word == "not" and follows and follows[0] in _NOT_HAVING:
                follows = follows[1:]
            elif word not in _NEGATORS:
                continue
            for other in follows[:_DENIAL_WINDOW]:
                if other in _SCOPE_ENDS or other in _SCOPE_ENDS_AT or other in _NEGATORS:
                    break
                if other not in STOP_WORDS:
                    denied.add(other)
    return frozenset(denied)


@dataclass
class _Query:
    words: list[str]
    features: dict[str, float]
    content: int


def _words(text: str) -> list[str]:
    return normalize(join_compounds(text)).split()


def _multiplier(feature: str) -> float:
    return BIGRAM_WEIGHT if "_" in feature else CONCEPT_WEIGHT if feature[0] == "~" else 1.0


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
        self._synonyms = SynonymIndex(tuple(" ".join(_words(t)) for t in g) for g in kb.synonyms)
        self._gate = ScopeGate(kb.scope)
        entries = list(kb.entries.values())
        vocabulary: set[str] = set(STOP_WORDS) | self._gate.words
        for group in kb.synonyms:
            for term in group:
                vocabulary.update(_words(term))
        # Phrasings (title first) as feature tuples; answers as sets of stems.
        phrasings: list[list[tuple[str, ...]]] = []
        answer_postings: dict[str, array[int]] = defaultdict(lambda: array("i"))
        document_frequency: dict[str, int] = defaultdict(int)
        for entry_index, entry in enumerate(entries):
            texts = [_words(t) for t in (entry.title, *entry.questions)]
            answer = _words(entry.answer)
            vocabulary.update(answer)
            for words in texts:
                vocabulary.update(words)
            features = [tuple(self._features(words)[0]) for words in texts]
            phrasings.append(features)
            for feature in {f for phrasing in features for f in phrasing}:
                document_frequency[feature] += 1
            for word in {stem(w) for w in answer} - STOP_WORDS:
                answer_postings[word].append(entry_index)
        self._answer_postings = dict(answer_postings)
        self._topic_stems = self._topic_words(kb)
        self._vocabulary = frozenset(w for w in vocabulary if w.isalpha())
        self._by_length: dict[int, list[str]] = defaultdict(list)
        for word in sorted(self._vocabulary):
            self._by_length[len(word)].append(word)
        # Users repeat their typos: remember corrections, per matcher (a reload starts afresh).
        self._closest = lru_cache(maxsize=8192)(partial(closest_word, by_length=self._by_length))

        count = max(len(entries), 1)
        self._idf = {f: math.log(1 + count / df) for f, df in document_frequency.items()}
        # A word with synonyms is no rarer than its concept: "backache" used in one entry
        # must not outweigh "lower back pain" used in forty.
        self._concept_of = self._synonyms.single_word_concepts()
        for word, concept in self._concept_of.items():
            if word in self._idf and concept in self._idf:
                self._idf[word] = math.sqrt(self._idf[word] * self._idf[concept])
        self._unknown_idf = UNKNOWN_WEIGHT * math.log(1 + count)
        self._common = max(COMMON_ENTRIES, count // 20)

        self._norms = array("d")
        self._entry_of = array("i")
        postings: dict[str, array[int]] = defaultdict(lambda: array("i"))
        entry_postings: dict[str, array[int]] = defaultdict(lambda: array("i"))
        self._titles: list[tuple[str, ...]] = []
        for entry_index, features in enumerate(phrasings):
            for phrasing in features:
                position = len(self._norms)
                squares = sum((_multiplier(f) * self._idf[f]) ** 2 for f in phrasing)
                self._norms.append(math.sqrt(squares) or 1.0)
                self._entry_of.append(entry_index)
                for feature in phrasing:
                    postings[feature].append(position)
            for feature in {f for phrasing in features for f in phrasing}:
                entry_postings[feature].append(entry_index)
            self._titles.append(features[0])
        self._postings = dict(postings)
        self._entry_postings = dict(entry_postings)

    def _topic_words(self, kb: KnowledgeBase) -> dict[str, int]:
        """How often each content stem occurs in the knowledge base's texts (3 times or more)."""
        counts: dict[str, int] = defaultdict(int)
        for entry in kb.entries.values():
            for text in (entry.title, *entry.questions, entry.answer):
                for word in _words(text):
                    if word not in STOP_WORDS:
                        counts[stem(word)] += 1
        self._topic_total = max(sum(counts.values()), 1)
        return {s: n for s, n in counts.items() if n >= TOPIC_MIN_COUNT}

    def topical(self, words: Sequence[str]) -> bool:
        """True when a word is of our subject: far more common here than in English at large."""
        # "back", "stretch", "walk" are; "how long", "best", "time" and "job" are not. A question
        # to the bot about itself ("what can you do") is of our subject too.
        if self._gate.about_the_bot(words):
            return True
        for word in words:
            count = self._topic_stems.get(stem(word), 0) if word not in STOP_WORDS else 0
            if count and self._english.counts:
                share = count / self._topic_total
                if math.log(share / self._english.frequency(word)) >= TOPIC_SALIENCE:
                    return True
            elif count:
                return True
        return False

    @property
    def vocabulary(self) -> frozenset[str]:
        """Every word the knowledge base uses (the typo corrector's dictionary)."""
        return self._vocabulary

    def correct(self, word: str, before: str = "", after: str = "") -> str:
        """The knowledge base's word for a misspelt or differently spelt word, or the word."""
        if word in self._vocabulary or not word.isalpha():
            return word
        # Another spelling first ("stabilise", "safest"), then the nearest word; a real
        # English word ("lumber", "reset") only when a neighbour makes the correction a
        # pair the phrasings use ("lumber support").
        for variant in spelling_variants(word):
            if variant in self._vocabulary and variant not in STOP_WORDS:
                return variant
        corrected = self._closest(word)
        if corrected == word or not self._english.is_word(word):
            return corrected
        pairs = (f"{stem(before)}_{stem(corrected)}", f"{stem(corrected)}_{stem(after)}")
        return corrected if any(p in self._idf for p in pairs) else word

    def _features(self, words: Sequence[str]) -> tuple[dict[str, float], int]:
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
        words = _words(text)[:MAX_QUERY_WORDS]
        denied = _denied_words(text)
        if denied and any(w not in denied and w not in STOP_WORDS for w in words):
            words = [w for w in words if w not in denied]
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

    def _query(self, words: Sequence[str]) -> _Query:
        features, content = self._features(words)
        return _Query(list(words), features, content)

    def details(self, text: str) -> list[Scored]:
        """The best entries for a question (at most 10), best first, with their signals."""
        return self._score(self._query(self.analyse(text)))

    def score(self, text: str) -> list[Candidate]:
        """The best entries for a question (at most 10), best first (scores 0-100)."""
        return [Candidate(s.entry_id, s.score) for s in self.details(text)]

    def _score(self, query: _Query, context: dict[str, float] | None = None) -> list[Scored]:
        idf, features = self._idf, dict(query.features)
        # A synonym the phrasings never use ("stiff") is its concept at full weight, not an
        # unknown word.
        for feature in list(features):
            concept = self._concept_of.get(feature)
            if feature not in idf and concept in features and concept in idf:
                del features[feature]
                features[concept] = 1.0
        # A pair of words or a concept the knowledge base never uses adds nothing: its words
        # already count on their own.
        weights = {
            f: m * idf.get(f, self._unknown_idf)
            for f, m in features.items()
            if m == 1.0 or f in idf
        }
        if not weights:
            return []
        total = sum(weights.values())
        # Context features (a follow-up's last topic) help similarity; coverage is of the
        # user's own words.
        similar = dict(weights)
        for feature, multiplier in (context or {}).items():
            similar.setdefault(feature, multiplier * idf[feature])
        query_norm = math.sqrt(sum(w * w for w in similar.values()))
        lists = {f: self._entry_postings[f] for f in weights if f in self._entry_postings}
        rare = [f for f, found in lists.items() if len(found) <= self._common] or list(lists)
        admitting = set(rare)
        covered: dict[int, float] = {}
        for feature in rare:
            weight = weights[feature]
            for entry_index in lists[feature]:
                covered[entry_index] = covered.get(entry_index, 0.0) + weight
        for feature in lists.keys() - admitting:
            weight = weights[feature]
            for entry_index in covered.keys() & lists[feature]:
                covered[entry_index] += weight
        if not covered:
            return []
        answered: dict[int, float] = defaultdict(float)
        for feature, weight in weights.items():
            for entry_index in covered.keys() & self._answer_postings.get(feature, ()):
                answered[entry_index] += weight
        # Per phrasing: the dot product with the question, and the weight it shares with it.
        dots: dict[int, float] = defaultdict(float)
        shared: dict[int, float] = defaultdict(float)
        entry_of = self._entry_of
        for feature, weight in similar.items():
            if feature not in self._postings:
                continue
            phrase_weight = _multiplier(feature) * idf[feature]
            increment = weight * phrase_weight
            square = phrase_weight * phrase_weight if feature in weights else 0.0
            if feature in admitting:
                # Every entry of a rare feature is in play already.
                for position in self._postings[feature]:
                    dots[position] += increment
                    shared[position] += square
                continue
            for position in self._postings[feature]:
                if entry_of[position] in covered:
                    dots[position] += increment
                    shared[position] += square
        similarity: dict[int, float] = defaultdict(float)
        norms = self._norms
        for position, dot in dots.items():
            norm = norms[position]
            cosine = dot / (query_norm * norm)
            contained = shared[position] / (norm * norm)
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
        return self._gate.outside(self.analyse(text))

    def match(self, text: str, context: str | None = None) -> Match:
        """Answer, clarify or fall back; `context` is the entry answered just before."""
        words = self.analyse(text)
        query = self._query(words)
        outside = self._gate.outside(words)
        own = decide(self._score(query), self.thresholds, outside, self.topical(words))
        index = self._index_of.get(context) if context else None
        # A follow-up ("and at night?", "what about runners?"): short, not answered alone and
        # not about something else. It is read with the last entry's title beside it, and
        # answered only if that makes one entry a clear answer.
        if index is None or own.kind == "answer" or outside is not None:
            return own
        if not 0 < query.content <= FOLLOW_UP_WORDS:
            return own
        title = {f: _multiplier(f) * CONTEXT_WEIGHT for f in self._titles[index]}
        in_context = decide(self._score(query, title), self.thresholds, None, True)
        if in_context.kind != "answer":
            return own
        return Match(
            "answer",
            in_context.entry_id,
            in_context.score,
            in_context.candidates,
            f"follow-up to {context}",
        )
