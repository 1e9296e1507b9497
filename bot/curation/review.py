"""Grouping the questions kept for the curators: unanswered ones and answers marked not
helpful, paraphrases together, largest group first, each with its closest entry; and the
phrasings to add, from the entries users chose in a "did you mean"."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.core.matching import Matcher
from bot.core.text import STOP_WORDS, normalize, stem
from bot.store import ReviewQuestion

# Two questions belong together when their content words overlap this much (0-100).
SAME_GROUP = 60.0
EXAMPLES = 3
CHOSEN = "chosen"


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


@dataclass(frozen=True)
class Phrasing:
    """A question a user asked, then answered by picking this entry from a "did you mean"."""

    entry_id: str
    question: str
    times: int
    score: float


def phrasings_to_add(items: Sequence[ReviewQuestion], matcher: Matcher) -> list[Phrasing]:
    """The (question, chosen entry) pairs, most often chosen first, with the entry's score."""
    counts = Counter((i.entry_id, i.text.strip()) for i in items if i.reason == CHOSEN)
    out = []
    for (entry_id, question), times in counts.items():
        if entry_id is None:
            continue
        score = next((c.score for c in matcher.score(question) if c.entry_id == entry_id), 0.0)
        out.append(Phrasing(entry_id, question, times, score))
    out.sort(key=lambda p: (-p.times, p.entry_id, p.question.lower()))
    return out


def group_questions(items: Sequence[ReviewQuestion], matcher: Matcher) -> list[Group]:
    """Paraphrases grouped together (single link on content words), largest group first."""
    keys: list[str] = []
    members: list[list[ReviewQuestion]] = []
    for item in items:
        if item.reason == CHOSEN:
            continue
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


def report_lines(groups: Sequence[Group], phrasings: Sequence[Phrasing] = ()) -> list[str]:
    """The printed review."""
    if not groups and not phrasings:
        return ["Nothing to review: no unanswered, not-helpful or chosen questions are stored."]
    lines = []
    if groups:
        count = sum(g.size for g in groups)
        lines.append(f"{count} questions in {len(groups)} groups, largest first:")
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
    if phrasings:
        lines.append(
            f'{len(phrasings)} phrasings to add: users picked the entry from a "did you mean":'
        )
        lines.extend(
            f"  {p.entry_id}: {p.question!r} ({p.times} x, scores {p.score:.0f} now)"
            for p in phrasings
        )
    return lines


def _quoted(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def export_yaml(groups: Sequence[Group], phrasings: Sequence[Phrasing] = ()) -> str:
    """Groups in the evaluation format, `expect` empty; chosen phrasings with their entry."""
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
            out.append(f'- {{q: "{_quoted(example)}", expect: ""}}')
    if phrasings:
        out.append('# Users picked these entries from a "did you mean": phrasings to add.')
        for phrasing in phrasings:
            out.append(f'- {{q: "{_quoted(phrasing.question)}", expect: {phrasing.entry_id}}}')
    return "\n".join(out) + "\n"
