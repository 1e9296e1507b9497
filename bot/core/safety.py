"""The red-flag screen: pure, runs before anything else on every message.

A message is split into sentences and clauses of normalised words; typos are corrected against
the screen's own lexicon; ages become markers ("I'm 58" -> age50plus); every word is marked
with its context (denied, past, hypothetical, someone else's, asked about). A rule fires when
each of its groups has a phrase within one clause, sentence or the message, none of them in a
context that cancels it. The most urgent tier wins; the routine-GP note never blocks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.core.context import Context, ContextLexicon, Words, split_words
from bot.core.english import EnglishFrequencies, english
from bot.core.knowledge import ALARM_TIERS, NOTE_TIER, SafetyRule, SafetyTier
from bot.core.phrases import Hit, PhraseIndex
from bot.core.spelling import Corrector

CANCELLING = frozenset({"negated", "historical", "hypothetical", "other", "asking"})
AGE_OVER_50, AGE_UNDER_20, MANY, YEAR = "age50plus", "ageunder20", "num9plus", "yearmark"
MARKERS = frozenset({AGE_OVER_50, AGE_UNDER_20, MANY, YEAR})
MANY_FROM = 9
_AGE_BEFORE = frozenset({"am", "aged", "age", "turned", "turning", "im"})
_AGE_AFTER = frozenset({"year", "years", "yr", "yrs", "yo", "yearold", "y", "f", "m"})
_TENS = {"fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_TEENS = {"thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"}
_UNLESS = -1
# Ways of saying "can not" that the lexicon need not spell out one by one.
_CAN_NOT = {
    ("could", "not"): 2,
    ("unable", "to"): 2,
    ("not", "able", "to"): 3,
    ("was", "not", "able", "to"): 4,
}
_CAN_NOT_FIRST = frozenset(first for first, *_ in _CAN_NOT)


@dataclass(frozen=True)
class Flag:
    """A red-flag rule that fired."""

    rule_id: str
    flag: str
    tier: str
    label: str


@dataclass(frozen=True)
class Screen:
    """What the screen found: the most urgent blocking tier, every flag, the calm note, and
    whether the message asked about a flag (it gets the red-flags entry, calmly)."""

    tier: SafetyTier | None
    flags: tuple[Flag, ...]
    note: SafetyTier | None = None
    asked: bool = False

    @property
    def urgent(self) -> bool:
        """True when the safety message must come first."""
        return self.tier is not None


NO_FLAGS = Screen(None, ())


class SafetyScreen:
    """Finds red flags in a message, read in context."""

    def __init__(
        self,
        rules: Sequence[SafetyRule],
        tiers: Mapping[str, SafetyTier],
        context: ContextLexicon,
        language: EnglishFrequencies | None = None,
    ) -> None:
        self._rules = tuple(rules)
        self._tiers = dict(tiers)
        self._context = Context(context)
        self._index = PhraseIndex[tuple[int, int]](
            [
                *(
                    ((r, g), phrase)
                    for r, rule in enumerate(self._rules)
                    for g, group in enumerate(rule.groups)
                    for phrase in group
                ),
                *(((r, _UNLESS), p) for r, rule in enumerate(self._rules) for p in rule.unless),
            ]
        )
        vocabulary = self._index.words | self._context.words | MARKERS
        self._corrector = Corrector(vocabulary, language or english())

    def screen(self, text: str) -> Screen:
        """Screen one message."""
        split = self._prepare(text)
        if not split.words:
            return NO_FLAGS
        hits = self._index.find(split.words, split.clause_starts)
        phrases = {(h.start, h.end) for h in hits if any(g != _UNLESS for _, g in h.keys)}
        marks = self._context.modifiers(split, sorted(phrases))
        fired = self._fired(split, hits, marks, CANCELLING)
        flags = tuple(
            Flag(r.id, r.flag, r.tier, r.label) for r in sorted(fired, key=lambda r: _rank(r.tier))
        )
        alarm = next((f.tier for f in flags if f.tier in ALARM_TIERS), None)
        if alarm is not None:
            return Screen(self._tiers[alarm], flags)
        note = self._tiers.get(NOTE_TIER) if flags else None
        asking = any("asking" in m for m in marks)
        asked = asking and bool(self._fired(split, hits, marks, CANCELLING - {"asking"}) - fired)
        return Screen(None, flags, note, asked)

    def mentioned(self, text: str) -> tuple[Flag, ...]:
        """The flags a text names, whatever their context: for checking that an answer which
        mentions a sign gives it the tier this screen gives it."""
        split = self._prepare(text)
        hits = self._index.find(split.words, split.clause_starts)
        quiet = [frozenset[str]() for _ in split.words]
        fired = self._fired(split, hits, quiet, frozenset())
        return tuple(Flag(r.id, r.flag, r.tier, r.label) for r in self._rules if r in fired)

    def _prepare(self, text: str) -> Words:
        split = split_words(text)
        words = _can_not([self._corrector.correct(w) for w in split.words])
        keep = [i for i, w in enumerate(words) if w]
        clause = [split.clause[i] for i in keep]
        return Words(
            _mark_numbers([words[i] for i in keep], clause),
            [split.sentence[i] for i in keep],
            clause,
        )

    def _fired(
        self,
        split: Words,
        hits: Sequence[Hit[tuple[int, int]]],
        marks: Sequence[frozenset[str]],
        cancelling: frozenset[str],
    ) -> set[SafetyRule]:
        # An `unless` phrase (not itself denied) discounts the rule's phrases in its sentence.
        vetoed: dict[int, set[int]] = defaultdict(set)
        for hit in hits:
            if "negated" in marks[hit.start]:
                continue
            for r, g in hit.keys:
                if g == _UNLESS:
                    vetoed[r].add(split.sentence[hit.start])
        # units[rule][group]: the clauses, sentences or message where the group has a phrase
        units: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
        for hit in hits:
            sentence, mark = split.sentence[hit.start], marks[hit.start]
            for r, g in hit.keys:
                if g == _UNLESS or sentence in vetoed[r]:
                    continue
                rule = self._rules[r]
                if mark and mark & cancelling - rule.keeps:
                    continue
                units[r][g].add(_unit(rule, split, hit.start))
        return {
            self._rules[r]
            for r, by_group in units.items()
            if len(by_group) == len(self._rules[r].groups) and set.intersection(*by_group.values())
        }


def _unit(rule: SafetyRule, split: Words, index: int) -> int:
    if rule.within == "clause":
        return split.clause[index]
    if rule.within == "sentence":
        return split.sentence[index]
    return 0


def _can_not(words: list[str]) -> list[str]:
    """Rewrite "could not", "unable to", "not able to" as "can not"; the words dropped are
    left empty, so that the caller can drop their sentence and clause numbers too."""
    out = list(words)
    for i, word in enumerate(words):
        if word not in _CAN_NOT_FIRST:
            continue
        for pattern, size in _CAN_NOT.items():
            if tuple(words[i : i + size]) == pattern:
                out[i : i + size] = ["can", "not", *[""] * (size - 2)]
    return out


def _rank(tier: str) -> int:
    return ALARM_TIERS.index(tier) if tier in ALARM_TIERS else len(ALARM_TIERS)


def _mark_numbers(words: list[str], clause: Sequence[int]) -> list[str]:
    """Replace a stated age ("i am 58", "58 year old", "aged seventy", a message that opens
    "58, ...") by an age marker, a year by `yearmark` ("in 2015"), and any other number from
    9 on by `num9plus` ("took 16 paracetamol", "30 weeks")."""
    out = list(words)
    for i, word in enumerate(words):
        age = _age_value(words, i)
        before = words[i - 1] if i > 0 else ""
        after = words[i + 1] if i + 1 < len(words) else ""
        opening = i == 0 and len(clause) > 1 and clause[1] != clause[0]
        stated = (
            opening or before in _AGE_BEFORE or after in _AGE_AFTER or word.endswith(("yo", "yrs"))
        )
        if age is not None and stated and age >= 50:
            out[i] = AGE_OVER_50
        elif age is not None and stated and 10 <= age < 20:
            out[i] = AGE_UNDER_20
        elif word.isdigit() and len(word) == 4 and 1940 <= int(word) <= 2100:
            out[i] = YEAR
        elif word.isdigit() and int(word) >= MANY_FROM:
            out[i] = MANY
    return out


def _age_value(words: Sequence[str], i: int) -> int | None:
    word = words[i]
    if not word[0].isdigit() and word not in _TENS and word not in _TEENS:
        return None
    word = word.removesuffix("yo").removesuffix("yrs")
    if word.isdigit() and len(word) <= 3:
        return int(word)
    if word in _TENS:
        return _TENS[word]
    if word in _TEENS:
        return 15
    return None
