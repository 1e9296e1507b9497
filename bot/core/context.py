"""Reading a symptom in its context, after ConText (Harkema et al. 2009): is it denied ("no
numbness"), past ("years ago"), hypothetical ("if I get a fever"), someone else's ("my dad"),
or asked about ("what does saddle numbness mean")?

A trigger phrase opens a scope that runs forward (or, for an `after` trigger, back) until the
clause or sentence ends or a terminating word ("but") closes it; every word in the scope carries
the trigger's kind. The phrases live in knowledge/safety.yaml (`context:`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.phrases import PhraseIndex
from bot.core.text import fold, normalize

KINDS = ("negated", "historical", "hypothetical", "other", "asking")
# A comma ends a negation unless what follows is a short list ("no fever, chills or sweats").
LIST_WORDS = 3
NEGATION_REACH = 8
AFTER_REACH = 8

_SENTENCE = re.compile(r"[!?;\n]+|\.(?!\d)")
_CLAUSE = re.compile(r"[,:()]|\s[-–—]\s|\.\.\.")
# "5kg", "58yo", "25wks": a number and its unit are two words.
_NUMBER_UNIT = re.compile(r"(?<=\d)(?=[a-z])|(?<=[a-z])(?=\d)")


@dataclass(frozen=True)
class ContextLexicon:
    """The trigger phrases per kind and direction, and the words that bound a scope."""

    before: dict[str, tuple[str, ...]]
    after: dict[str, tuple[str, ...]]
    pseudo: tuple[str, ...]
    terminate: tuple[str, ...]
    self_words: tuple[str, ...]


@dataclass(frozen=True)
class Words:
    """A message as normalised words, with the sentence and clause of each word."""

    words: list[str]
    sentence: list[int]
    clause: list[int]

    @property
    def clause_starts(self) -> frozenset[int]:
        """Indices where a new clause begins (phrases do not span them)."""
        clause = self.clause
        return frozenset(i for i in range(1, len(clause)) if clause[i] != clause[i - 1])


_SENTENCE_MARK, _CLAUSE_MARK = " qqsentenceqq ", " qqclauseqq "


def split_words(text: str) -> Words:
    """Normalised words, numbered by sentence and clause."""
    # Normalise once: the sentence and clause breaks travel through as marker words.
    marked = _SENTENCE.sub(_SENTENCE_MARK, fold(text))
    marked = _CLAUSE.sub(_CLAUSE_MARK, _NUMBER_UNIT.sub(" ", marked))
    words: list[str] = []
    sentences: list[int] = []
    clauses: list[int] = []
    sentence = clause = 0
    fresh = False
    for word in normalize(marked).split():
        if word in ("qqsentenceqq", "qqclauseqq"):
            if fresh:
                clause += 1
                sentence += word == "qqsentenceqq"
            fresh = False
            continue
        words.append(word)
        sentences.append(sentence)
        clauses.append(clause)
        fresh = True
    return Words(words, sentences, clauses)


class Context:
    """Marks every word of a message with the context kinds whose scope covers it."""

    def __init__(self, lexicon: ContextLexicon) -> None:
        self._index = PhraseIndex[tuple[str, str]](
            [
                *((("before", k), p) for k, phrases in lexicon.before.items() for p in phrases),
                *((("after", k), p) for k, phrases in lexicon.after.items() for p in phrases),
                *((("pseudo", ""), p) for p in lexicon.pseudo),
                *((("end", ""), p) for p in lexicon.terminate),
            ],
            gap=0,
        )
        # Words as they stand: normalising "im" would add "am" to the writer's words.
        self._self = frozenset(w for p in lexicon.self_words for w in fold(p).split())

    @property
    def words(self) -> frozenset[str]:
        """Every word the trigger phrases use (the typo corrector leaves these alone)."""
        return self._index.words

    def modifiers(
        self, text: Words, phrases: Sequence[tuple[int, int]] = ()
    ) -> list[frozenset[str]]:
        """For each word, the kinds of context it sits in. A trigger that lies inside a longer
        symptom phrase (`phrases`, as word spans: "no feeling", "can not pee") opens no scope."""
        words = text.words
        kinds: list[set[str]] = [set() for _ in words]
        found = self._index.find(words, text.clause_starts)
        roles = [(hit, {role for role, _ in hit.keys}) for hit in found]
        masked = {i for hit, r in roles if "pseudo" in r for i in range(hit.start, hit.end)}
        ends = {hit.start for hit, r in roles if "end" in r}
        for hit, _ in roles:
            if hit.start in masked or any(
                s <= hit.start and hit.end <= e and e - s > hit.end - hit.start for s, e in phrases
            ):
                continue
            for role, kind in hit.keys:
                if role == "before":
                    scope = self._forward(text, kind, hit.end, ends)
                elif role == "after":
                    scope = self._backward(text, hit.start, ends)
                else:
                    continue
                for i in scope:
                    kinds[i].add(kind)
        self._drop_self_questions(text, kinds)
        return [frozenset(k) for k in kinds]

    def _forward(self, text: Words, kind: str, start: int, ends: set[int]) -> range:
        words, sentence, clause = text.words, text.sentence, text.clause
        i = start
        while i < len(words) and sentence[i] == sentence[start - 1] and i not in ends:
            if kind == "other" and words[i] in self._self:
                break
            if kind == "hypothetical" and clause[i] != clause[start - 1]:
                break  # "if I rest, it gets worse": the condition is its own clause
            if kind == "negated":
                if i - start >= NEGATION_REACH:
                    break
                if clause[i] != clause[i - 1] and not _list_item(words, clause, i):
                    break
            i += 1
        return range(start, i)

    def _backward(self, text: Words, start: int, ends: set[int]) -> range:
        sentence = text.sentence
        i = start
        while i > 0 and sentence[i - 1] == sentence[start] and start - i < AFTER_REACH:
            if i - 1 in ends:
                break
            i -= 1
        return range(i, start)

    def _drop_self_questions(self, text: Words, kinds: list[set[str]]) -> None:
        """A question that is about the writer ("my legs are numb, is that serious?") is not
        a question about a flag in general: it keeps no `asking` mark."""
        personal = {text.sentence[i] for i, w in enumerate(text.words) if w in self._self}
        for i, marks in enumerate(kinds):
            if "asking" in marks and text.sentence[i] in personal:
                marks.discard("asking")


def _list_item(words: list[str], clause: list[int], start: int) -> bool:
    """Whether the clause at `start` continues a list ("no fever, chills or sweats"): a single
    word, or a few words joined by and / or / nor."""
    end = start
    while end < len(clause) and clause[end] == clause[start]:
        end += 1
    item = words[start:end]
    return len(item) == 1 or (len(item) <= LIST_WORDS and bool({"and", "or", "nor"} & set(item)))


def denied_words(text: str, context: Context) -> frozenset[str]:
    """The normalised words a user denies ("no numbness or tingling, just stiff")."""
    split = split_words(text)
    marks = context.modifiers(split)
    return frozenset(w for w, m in zip(split.words, marks, strict=True) if "negated" in m)
