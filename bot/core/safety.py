"""The red-flag screen: pure, runs before anything else on every message."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.knowledge import SafetyRule, SafetyTier
from bot.core.text import fold, normalize

TIER_ORDER = ("emergency", "same-day")

_CLAUSE_BREAK = re.compile(r"[.;!?,:\n()]+")
_BOUNDARY = "|"
# A negation reaches back this many words at most, and never across these words.
_NEGATION_WINDOW = 5
_NEGATORS = frozenset({"no", "not", "never", "without", "nor", "none", "neither"})
_SCOPE_BREAKERS = frozenset(
    {_BOUNDARY, "but", "and", "however", "although", "though", "yet", "except", "apart", "now"}
)
# "not sure", "not able to", "not stop": the negation is not about the symptom.
_NOT_NEGATING_AFTER = frozenset({"sure", "certain", "know", "only", "able", "been", "stop"})
# "can not feel", "could not get an erection": inability is a symptom, not a denial.
_INABILITY_BEFORE = frozenset({"can", "could", "unable"})
_AGE = re.compile(r"\b(?:i am|im|i'm|aged|age|i turned|turned)\s+(\d{1,3})\b")
AGE_OVER_50, AGE_UNDER_20 = "ageover50", "ageunder20"


@dataclass(frozen=True)
class Flag:
    """A red-flag rule that fired."""

    rule_id: str
    tier: str
    label: str


@dataclass(frozen=True)
class Screen:
    """What the safety screen found: the most urgent tier and every flag."""

    tier: SafetyTier | None
    flags: tuple[Flag, ...]
    note: SafetyTier | None = None

    @property
    def urgent(self) -> bool:
        """True when the safety message must come first."""
        return self.tier is not None


def _clause_words(text: str) -> list[str]:
    out: list[str] = []
    for found in _AGE.finditer(fold(text)):
        age = int(found.group(1))
        if 50 <= age <= 120:
            out += [AGE_OVER_50, _BOUNDARY]
        elif 10 <= age < 20:
            out += [AGE_UNDER_20, _BOUNDARY]
    for clause in _CLAUSE_BREAK.split(fold(text)):
        clause_words = normalize(clause).split()
        if clause_words:
            out.extend(clause_words)
            out.append(_BOUNDARY)
    return out


def _word_matches(term_word: str, token: str) -> bool:
    if term_word.endswith("*"):
        return token.startswith(term_word[:-1])
    return token == term_word


def _find(term: str, tokens: Sequence[str]) -> list[tuple[int, int]]:
    """Spans (start, end) where the term occurs; one extra word may sit between its words."""
    parts = term.split()
    spans = []
    for start, token in enumerate(tokens):
        if not _word_matches(parts[0], token):
            continue
        position, ok = start, True
        for part in parts[1:]:
            nxt = next(
                (
                    p
                    for p in (position + 1, position + 2)
                    if p < len(tokens) and tokens[p] != _BOUNDARY and _word_matches(part, tokens[p])
                ),
                None,
            )
            if nxt is None:
                ok = False
                break
            position = nxt
        if ok:
            spans.append((start, position + 1))
    return spans


def _negated(start: int, tokens: Sequence[str], covered: set[int]) -> bool:
    for back in range(1, _NEGATION_WINDOW + 1):
        i = start - back
        if i < 0 or tokens[i] in _SCOPE_BREAKERS:
            return False
        if i in covered:
            continue
        if tokens[i] in _NEGATORS:
            following = tokens[i + 1] if i + 1 < len(tokens) else ""
            preceding = tokens[i - 1] if i > 0 else ""
            if following not in _NOT_NEGATING_AFTER and preceding not in _INABILITY_BEFORE:
                return True
    return False


class SafetyScreen:
    """Finds red flags in a message, ignoring plainly negated ones ("no numbness")."""

    def __init__(self, rules: Sequence[SafetyRule], tiers: dict[str, SafetyTier]) -> None:
        self._rules = tuple(rules)
        self._tiers = tiers
        self._terms = sorted({t for r in rules for g in r.groups for t in g})

    def screen(self, text: str) -> Screen:
        """Screen one message."""
        tokens = _clause_words(text)
        present = set(tokens)
        candidates = [
            term
            for term in self._terms
            if (first := term.split()[0]) in present
            or (first.endswith("*") and any(t.startswith(first[:-1]) for t in present))
        ]
        spans = {term: _find(term, tokens) for term in candidates}
        # A negator inside a symptom term ("no feeling", "no control") is part of the symptom.
        covered = {
            i
            for term, found in spans.items()
            if _NEGATORS.intersection(term.split())
            for s, e in found
            for i in range(s, e)
        }
        live = {
            term
            for term, found in spans.items()
            if any(not _negated(start, tokens, covered) for start, _ in found)
        }
        flags = tuple(
            Flag(rule.id, rule.tier, rule.label)
            for rule in self._rules
            if all(any(term in live for term in group) for group in rule.groups)
        )
        for tier_id in TIER_ORDER:
            if any(flag.tier == tier_id for flag in flags):
                ordered = tuple(sorted(flags, key=lambda f: TIER_ORDER.index(f.tier)))
                return Screen(self._tiers[tier_id], ordered)
        return Screen(None, ())
