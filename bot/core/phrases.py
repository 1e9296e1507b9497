"""Finding lexicon phrases in a list of words: exact words, `word*` for any ending, and at most
one extra word between the words of a phrase ("both legs" finds "both my legs")."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.core.text import normalize

# A phrase may step over one extra word, but never over a word that turns its meaning round.
UNSKIPPABLE = frozenset({"not", "no", "never", "nothing", "without", "nor"})


@dataclass(frozen=True)
class Hit:
    """A phrase found at words [start, end)."""

    key: str
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


def _matches(pattern: str, word: str) -> bool:
    if pattern.endswith("*"):
        return word.startswith(pattern[:-1])
    return word == pattern


class PhraseIndex:
    """Phrases under keys (a concept, a trigger kind), indexed by their first word."""

    def __init__(self, phrases: Iterable[tuple[str, str]], *, gap: int = 1) -> None:
        self._gap = gap
        self._exact: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
        self._prefixed: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
        for key, text in phrases:
            parts = parse_phrase(text)
            if not parts:
                continue
            first = parts[0]
            if first.endswith("*"):
                self._prefixed[first[:3]].append((parts, key))
            else:
                self._exact[first].append((parts, key))

    @property
    def words(self) -> frozenset[str]:
        """Every whole word the phrases use (prefixes without their *)."""
        out: set[str] = set()
        for table in (self._exact, self._prefixed):
            for options in table.values():
                for parts, _ in options:
                    out.update(p.rstrip("*") for p in parts)
        return frozenset(out)

    def find(self, words: Sequence[str], breaks: frozenset[int] = frozenset()) -> list[Hit]:
        """Every phrase in the words; a phrase never spans a break (a word index it may not
        step over, such as the first word of the next sentence)."""
        hits = []
        for start, word in enumerate(words):
            options = [*self._exact.get(word, ()), *self._prefixed.get(word[:3], ())]
            for parts, key in options:
                end = self._end(parts, words, start, breaks)
                if end is not None:
                    hits.append(Hit(key, start, end))
        return hits

    def _end(
        self, parts: tuple[str, ...], words: Sequence[str], start: int, breaks: frozenset[int]
    ) -> int | None:
        if not _matches(parts[0], words[start]):
            return None
        position = start
        for part in parts[1:]:
            for step in range(1, self._gap + 2):
                nxt = position + step
                if nxt >= len(words) or nxt in breaks:
                    return None
                if _matches(part, words[nxt]):
                    position = nxt
                    break
                if words[nxt] in UNSKIPPABLE:
                    return None
            else:
                return None
        return position + 1
