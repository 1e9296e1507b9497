"""The out-of-scope gate: a question about another body part or another subject, with none of
the bot's own words, gets the honest fallback instead of an odd suggestion. Pure."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.core.knowledge import Scope
from bot.core.text import join_compounds, normalize, stem
from bot.core.yaml_reading import Collector, read_yaml, string_list

FILE = "scope.yaml"
# Words of a term may have this many other words between them ("lift my left knee").
MAX_GAP = 2

DOMAIN, BODY, SUBJECT, SENSE, NEVER, BOT = "domain", "body", "subject", "sense", "never", "bot"


def _terms(raw: object, file: str, where: str, out: Collector) -> tuple[str, ...]:
    terms = string_list(raw)
    if terms is None:
        out.add(file, where, "must be a list of terms")
        return ()
    normalised = tuple(normalize(join_compounds(t)) for t in terms)
    if any(not t for t in normalised):
        out.add(file, where, "a term is empty after normalising")
    return tuple(t for t in normalised if t)


def _named_lists(data: dict[str, object], key: str, out: Collector) -> dict[str, tuple[str, ...]]:
    raw = data.get(key, {})
    if not isinstance(raw, dict):
        out.add(FILE, key, "must map a name to a list of terms")
        return {}
    return {str(name): _terms(terms, FILE, f"{key}.{name}", out) for name, terms in raw.items()}


def load_scope(root: Path, out: Collector) -> Scope:
    """Read knowledge/scope.yaml (optional: without it nothing is out of scope)."""
    if not (root / FILE).is_file():
        return Scope()
    data = read_yaml(root / FILE, root, out)
    if not isinstance(data, dict):
        out.add(FILE, "-", "must be a mapping: domain, other_body_parts, other_subjects")
        return Scope()
    subjects = _named_lists(data, "other_subjects", out)
    never = _named_lists(data, "never_ours", out)
    domain = _terms(data.get("domain", []), FILE, "domain", out)
    if not domain:
        out.add(FILE, "domain", "needs at least one term: the words of the bot's own subject")
    return Scope(
        domain=domain,
        other_body_parts=_terms(data.get("other_body_parts", []), FILE, "other_body_parts", out),
        other_subjects=subjects,
        other_senses=_terms(data.get("other_senses", []), FILE, "other_senses", out),
        never_ours=never,
        about_the_bot=_terms(data.get("about_the_bot", []), FILE, "about_the_bot", out),
    )


def _fold(word: str) -> str:
    """The stem, with the plural of a short word folded too ("dogs", "hips")."""
    base = stem(word)
    if len(base) > 3 and base.endswith("s") and not base.endswith(("ss", "us", "is")):
        return base[:-1]
    return base


@dataclass(frozen=True)
class _Term:
    stems: tuple[str, ...]
    kind: str
    label: str


@dataclass(frozen=True)
class Outside:
    """Why a question is outside the bot's subject."""

    kind: str
    label: str
    term: str


class ScopeGate:
    """Finds the terms of knowledge/scope.yaml in a question's words (stems, in order)."""

    def __init__(self, scope: Scope) -> None:
        self._by_first: dict[str, list[_Term]] = defaultdict(list)
        lists: list[tuple[str, str, tuple[str, ...]]] = [
            (DOMAIN, "", scope.domain),
            (BODY, "another body part", scope.other_body_parts),
            (SENSE, "", scope.other_senses),
            *((NEVER, name, terms) for name, terms in scope.never_ours.items()),
            (BOT, "", scope.about_the_bot),
            *((SUBJECT, name, terms) for name, terms in scope.other_subjects.items()),
        ]
        for kind, label, terms in lists:
            for term in terms:
                stems = tuple(_fold(w) for w in term.split())
                self._by_first[stems[0]].append(_Term(stems, kind, label))
        self.words: frozenset[str] = frozenset(
            w for _, _, terms in lists for term in terms for w in term.split()
        )

    def _spans(self, stems: Sequence[str]) -> list[tuple[int, int, _Term]]:
        found = []
        for start, first in enumerate(stems):
            for term in self._by_first.get(first, ()):
                position, ok = start, True
                for part in term.stems[1:]:
                    window = range(position + 1, min(len(stems), position + 2 + MAX_GAP))
                    position = next((i for i in window if stems[i] == part), -1)
                    if position < 0:
                        ok = False
                        break
                if ok:
                    found.append((start, position, term))
        return found

    def about_the_bot(self, words: Sequence[str]) -> bool:
        """True when the question asks the bot about itself ("what can you do")."""
        return any(term.kind == BOT for _, _, term in self._spans([_fold(w) for w in words]))

    def outside(self, words: Sequence[str]) -> Outside | None:
        """Why the question is out of scope, or None when it is not plainly so."""
        # Out of scope: it names an animal or meat, or another body part or subject and none of the
        # domain's words; a domain word in another sense ("hip hop", "come back") does not count.
        stems = [_fold(w) for w in words]
        spans = self._spans(stems)
        # The longest term wins where terms overlap: "hip hop" over "hip", "cat cow" over "cat".
        spans.sort(key=lambda s: (-len(s[2].stems), s[0]))
        taken: set[int] = set()
        named: list[tuple[int, int, _Term]] = []
        domain = False
        for start, end, term in spans:
            if taken.intersection(range(start, end + 1)):
                continue
            taken.update(range(start, end + 1))
            domain = domain or term.kind == DOMAIN
            if term.kind == NEVER:
                return Outside(term.kind, term.label, " ".join(words[start : end + 1]))
            if term.kind in (BODY, SUBJECT):
                named.append((start, end, term))
        if domain or not named:
            return None
        start, end, term = min(named, key=lambda n: n[0])
        return Outside(term.kind, term.label, " ".join(words[start : end + 1]))
