"""Grouping the questions kept for the curators: unanswered ones and answers marked not
helpful, paraphrases together, largest group first, each with its closest entry."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.core.matching import Matcher
from bot.core.text import STOP_WORDS, normalize, stem
from bot.store import ReviewQuestion

# Two questions belong together when their content words overlap this much (0-100).
SAME_GROUP = 60.0
EXAMPLES = 3


@dataclass(frozen=True)
class Group:
    """Questions that ask the same thing, and where the knowledge base stands on it."""

    questions: tuple[str, ...]
    reasons: tuple[str, ...]
    marked_ids: tuple[str, ...]
    closest_id: str | None
    closest_score: float

    @property
    def size(self) -> int:
        """How many times it was asked."""
        return len(self.questions)

    @property
    def examples(self) -> tuple[str, ...]:
        """A few distinct wordings."""
        seen: list[str] = []
        for question in self.questions:
            if question not in seen:
                seen.append(question)
        return tuple(seen[:EXAMPLES])


def _key(text: str) -> str:
    words = [stem(w) for w in normalize(text).split() if w not in STOP_WORDS]
    return " ".join(sorted(set(words)))


def group_questions(items: Sequence[ReviewQuestion], matcher: Matcher) -> list[Group]:
    """Paraphrases grouped together (single link on content words), largest group first."""
    keys: list[str] = []
    members: list[list[ReviewQuestion]] = []
    for item in items:
        key = _key(item.text)
        best, best_score = -1, 0.0
        for index, existing in enumerate(keys):
            score = fuzz.token_set_ratio(key, existing) if key and existing else 0.0
            if score > best_score:
                best, best_score = index, score
        if best >= 0 and best_score >= SAME_GROUP:
            members[best].append(item)
        else:
            keys.append(key)
            members.append([item])
    groups = []
    for group in members:
        candidates = matcher.score(group[0].text)
        top = candidates[0] if candidates else None
        groups.append(
            Group(
                questions=tuple(i.text for i in group),
                reasons=tuple(sorted({i.reason for i in group})),
                marked_ids=tuple(sorted({i.entry_id for i in group if i.entry_id})),
                closest_id=top.entry_id if top else None,
                closest_score=top.score if top else 0.0,
            )
        )
    groups.sort(key=lambda g: (-g.size, g.examples[0].lower()))
    return groups


def report_lines(groups: Sequence[Group]) -> list[str]:
    """The printed review."""
    if not groups:
        return ["Nothing to review: no unanswered or not-helpful questions are stored."]
    lines = [f"{sum(g.size for g in groups)} questions in {len(groups)} groups, largest first:"]
    for number, group in enumerate(groups, 1):
        closest = (
            f"closest entry {group.closest_id} (score {group.closest_score:.0f})"
            if group.closest_id
            else "no entry is close"
        )
        marked = (
            f" (answer marked not helpful: {', '.join(group.marked_ids)})"
            if group.marked_ids
            else ""
        )
        lines.append(f"{number}. {group.size} x [{', '.join(group.reasons)}] {closest}{marked}")
        lines.extend(f"     - {example}" for example in group.examples)
    return lines


def export_yaml(groups: Sequence[Group]) -> str:
    """The groups in the evaluation format (shared/eval/dev.yaml), `expect` left empty."""
    out = [
        "# Questions users asked that the bot could not answer well, grouped; fill in each",
        "# expect with an entry id, a list of ids, NONE or URGENT.",
    ]
    for group in groups:
        closest = (
            f", closest {group.closest_id} {group.closest_score:.0f}" if group.closest_id else ""
        )
        out.append(f"# asked {group.size} x{closest}")
        for example in group.examples:
            quoted = example.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
            out.append(f'- {{q: "{quoted}", expect: ""}}')
    return "\n".join(out) + "\n"
