"""The knowledge base's types: entries, sources, safety rules, small talk, and the problems a
load can report."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.core.context import ContextLexicon
from bot.core.poses import picture_candidates
from bot.core.routine_model import Routine

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z")


MAX_ID_LENGTH = 40


MAX_TITLE_LENGTH = 60


MAX_QUESTION_LENGTH = 200


MIN_QUESTIONS = 5


MIN_ANSWER_WORDS = 40


MAX_ANSWER_WORDS = 200


MAX_RELATED = 3


# Blocking tiers, most urgent first; then the calm note that goes after the answer.
ALARM_TIERS = ("crisis", "emergency", "maternity", "same-day")
NOTE_TIER = "gp-note"
SAFETY_TIERS = (*ALARM_TIERS, NOTE_TIER)
CONTEXT_KINDS = ("negated", "historical", "hypothetical", "other", "asking")
RULE_SCOPES = ("clause", "sentence", "message")
CHECKLIST_LIMITS = {"emergency": 6, "same-day": 9}


RESERVED_FILES = {
    "sources.yaml",
    "safety.yaml",
    "smalltalk.yaml",
    "synonyms.yaml",
    "notes.yaml",
    "scope.yaml",
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the knowledge base, where it is and what it is."""

    file: str
    entry: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.entry}: {self.message}"


class KnowledgeError(Exception):
    """The knowledge base is invalid; `problems` lists every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(str(p) for p in problems)
        super().__init__(f"the knowledge base has {len(problems)} problem(s):\n{lines}")


@dataclass(frozen=True)
class Source:
    """A citation, by its code in the brief."""

    code: str
    citation: str


@dataclass(frozen=True)
class Entry:
    """One FAQ entry: the question it answers, its phrasings, answer and sources."""

    id: str
    category: str
    title: str
    questions: tuple[str, ...]
    answer: str
    sources: tuple[Source, ...]
    related: tuple[str, ...]
    notes: tuple[str, ...] = ()  # from KnowledgeBase.notes, filled in by the loader


# NHS 111 and 999 as numbers on their own; a text that already gives 112 has its own line.
_UK_NUMBERS = re.compile(r"(?<!\d)(?:111|999)(?!\d)")
_EU_EMERGENCY = re.compile(r"(?<!\d)112(?!\d)")


@dataclass(frozen=True)
class Notes:
    """Lines kept once in `notes.yaml` and shown under every text they apply to."""

    outside_uk: str = ""

    def for_text(self, text: str) -> tuple[str, ...]:
        """The notes a text needs: what to do outside the UK where it names NHS 111 or 999."""
        if self.outside_uk and _UK_NUMBERS.search(text) and not _EU_EMERGENCY.search(text):
            return (self.outside_uk,)
        return ()


@dataclass(frozen=True)
class Category:
    """A group of entries, one YAML file."""

    id: str
    title: str
    entry_ids: tuple[str, ...]


@dataclass(frozen=True)
class SafetyTier:
    """How urgent a red flag is and what the bot says about it."""

    id: str
    title: str
    message: str
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class SafetyRule:
    """A red flag: fires when every group has a phrase in the message, all within one clause,
    sentence or the whole message, none of them in a cancelling context."""

    id: str
    flag: str
    tier: str
    label: str
    groups: tuple[tuple[str, ...], ...]
    within: str = "sentence"
    keeps: frozenset[str] = frozenset()
    unless: tuple[str, ...] = ()


@dataclass(frozen=True)
class SmallTalkIntent:
    """A greeting, thanks, goodbye or acknowledgement, with what the bot says back."""

    id: str
    patterns: tuple[str, ...]
    reply: str


@dataclass(frozen=True)
class Scope:
    """What is outside the bot's subject (knowledge/scope.yaml); terms are normalised."""

    domain: tuple[str, ...] = ()
    other_body_parts: tuple[str, ...] = ()
    other_subjects: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    other_senses: tuple[str, ...] = ()
    never_ours: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    about_the_bot: tuple[str, ...] = ()


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything the bot knows, validated."""

    categories: tuple[Category, ...]
    entries: Mapping[str, Entry]
    sources: Mapping[str, Source]
    tiers: Mapping[str, SafetyTier]
    safety_rules: tuple[SafetyRule, ...]
    safety_context: ContextLexicon
    safety_checklist: Mapping[str, tuple[str, ...]]
    small_talk: tuple[SmallTalkIntent, ...]
    synonyms: tuple[tuple[str, ...], ...]
    filler_words: frozenset[str]
    notes: Notes = Notes()
    routines: Mapping[str, Routine] = field(default_factory=dict)
    scope: Scope = field(default_factory=Scope)
    pictures: Mapping[str, Path] = field(default_factory=dict)

    def entry(self, entry_id: str) -> Entry | None:
        """The entry with this id, if any."""
        return self.entries.get(entry_id)

    def step_picture(self, routine_id: str, step_id: str, variant: str | None) -> str | None:
        """The picture shown for a step (or its variant): the variant's own, else the step's."""
        for name in picture_candidates(routine_id, step_id, variant):
            if name in self.pictures:
                return name
        return None

    def category(self, category_id: str) -> Category | None:
        """The category with this id, if any."""
        return next((c for c in self.categories if c.id == category_id), None)


def default_knowledge_dir() -> Path:
    """The bundled knowledge base: the repository's `knowledge/`, or the installed copy."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "knowledge_data"
    if (installed / "sources.yaml").is_file():
        return installed
    return package.parent / "knowledge"


def required_ids_missing(kb: KnowledgeBase, required: Iterable[str]) -> list[str]:
    """The required ids that the knowledge base does not have."""
    return [i for i in required if i not in kb.entries]
