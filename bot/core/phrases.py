"""Finding lexicon phrases in a list of words: exact words, `word*` for any ending, and at most
one extra word between the words of a phrase ("both legs" finds "both my legs")."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from bot.core.text import normalize

K = TypeVar("K", bound=Hashable)
# A phrase may step over one extra word, but never over a word that turns its meaning round.
UNSKIPPABLE = frozenset({"not", "no", "never", "nothing", "without", "nor"})
# Prefix patterns are indexed by their first letters; a prefix is at least this long.
PREFIX_KEY = 3

Pattern = tuple[tuple[str, bool], ...]  # (word or prefix, is a prefix)


@dataclass(frozen=True)
class Hit(Generic[K]):
    """A phrase found at words [start, end), with every key it was listed under."""

    keys: tuple[K, ...]
    start: int
    end: int


def parse_phrase(text: str) -> tuple[str, ...]:
    """A phrase as normalised word patterns; a trailing * on a word matches any ending."""
    parts = []
    for raw in text.split():
        star = raw.endswith("*")
        words = normalize(raw.rstrip("*")).split()
        if not words:
            continue
        parts.extend(words[:-1])
        parts.append(words[-1] + ("*" if star else ""))
    return tuple(parts)


def _compile(parts: tuple[str, ...]) -> Pattern:
    return tuple((p.rstrip("*"), p.endswith("*")) for p in parts)


class PhraseIndex(Generic[K]):
    """Phrases under keys (a rule's group, a trigger kind); each distinct phrase is indexed once,
    by its first word (or the first letters of a prefix)."""

    def __init__(self, phrases: Iterable[tuple[K, str]], *, gap: int = 1) -> None:
        self._gap = gap
        keys: dict[tuple[str, ...], list[K]] = defaultdict(list)
        for key, text in phrases:
            parts = parse_phrase(text)
            if parts and key not in keys[parts]:
                keys[parts].append(key)
        Entry = tuple[Pattern, tuple[Any, ...]]
        # Indexed by first word, and multi-word phrases also by their second word: most
        # candidates then fail on a dictionary look-up instead of a comparison loop.
        self._single: dict[str, list[Entry]] = defaultdict(list)
        self._pairs: dict[tuple[str, str], list[Entry]] = defaultdict(list)
        self._first_only: dict[str, list[Entry]] = defaultdict(list)
        self._prefixed: dict[str, list[Entry]] = defaultdict(list)
        self._words: set[str] = set()
        for parts, listed in keys.items():
            pattern = _compile(parts)
            self._words.update(word for word, _ in pattern)
            entry = (pattern, tuple(listed))
            first, prefix = pattern[0]
            if prefix:
                self._prefixed[first[:PREFIX_KEY]].append(entry)
            elif len(pattern) == 1:
                self._single[first].append(entry)
            elif pattern[1][1]:
                self._first_only[first].append(entry)
            else:
                self._pairs[(first, pattern[1][0])].append(entry)

        self._starts = frozenset(
            [*self._single, *self._first_only, *(first for first, _ in self._pairs)]
        )

    @property
    def words(self) -> frozenset[str]:
        """Every whole word the phrases use (prefixes without their *)."""
        return frozenset(self._words)

    def find(self, words: Sequence[str], breaks: frozenset[int] = frozenset()) -> list[Hit[K]]:
        """Every phrase in the words; a phrase never spans a break (the index of a word that
        starts a new clause)."""
        hits: list[Hit[K]] = []
        count = len(words)
        starts, prefixed = self._starts, self._prefixed
        for start, word in enumerate(words):
            if word not in starts and word[:PREFIX_KEY] not in prefixed:
                continue
            options = [*self._single.get(word, ()), *self._first_only.get(word, ())]
            for step in range(1, self._gap + 2):
                nxt = start + step
                if nxt >= count or nxt in breaks:
                    break
                options += self._pairs.get((word, words[nxt]), ())
                if words[nxt] in UNSKIPPABLE:
                    break
            options += prefixed.get(word[:PREFIX_KEY], ())
            seen: set[int] = set()
            for pattern, keys in options:
                if id(pattern) in seen:
                    continue
                seen.add(id(pattern))
                end = self._end(pattern, words, start, breaks)
                if end is not None:
                    hits.append(Hit(keys, start, end))
        return hits

    def _end(
        self, pattern: Pattern, words: Sequence[str], start: int, breaks: frozenset[int]
    ) -> int | None:
        first, prefix = pattern[0]
        if not (words[start].startswith(first) if prefix else words[start] == first):
            return None
        position, last = start, len(words) - 1
        for part, part_prefix in pattern[1:]:
            for step in range(1, self._gap + 2):
                nxt = position + step
                if nxt > last or nxt in breaks:
                    return None
                word = words[nxt]
                if word.startswith(part) if part_prefix else word == part:
                    position = nxt
                    break
                if word in UNSKIPPABLE:
                    return None
            else:
                return None
        return position + 1
