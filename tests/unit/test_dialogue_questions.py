"""Typed questions through the dialogue, with a real SQLite store: what a new user tries first
(the greeting's example, "help", off-topic questions), follow-ups, and "did you mean" choices
kept for the curators."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path

import pytest

from bot.core.answering import Answerer
from bot.core.knowledge import KnowledgeBase
from bot.curation.review import phrasings_to_add, report_lines
from bot.dialogue import ButtonIn, CommandIn, Dialogue, TextIn, Who
from bot.dialogue import messages as msg
from bot.dialogue.replies import Edit, Reply, Send
from bot.store import Store, open_store

USER = 31337
START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
FALLBACK = "I don't have a good answer"


class Clock:
    """A fixed clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    store = open_store(database_url=None, sqlite_path=tmp_path / "hipbot.sqlite3")
    await store.open()
    yield store
    await store.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def dialogue(kb: KnowledgeBase, answerer: Answerer, store: Store, clock: Clock) -> Dialogue:
    return Dialogue(kb, store, answerer, clock=clock)


WHO = Who(USER, USER, "Ann")


async def say(dialogue: Dialogue, text: str) -> list[Reply]:
    return await dialogue.handle(TextIn(WHO, text))


def text_of(replies: list[Reply]) -> str:
    return "\n".join(r.text for r in replies if isinstance(r, Send | Edit))


def data_of(replies: list[Reply]) -> list[str]:
    return [b.data for r in replies if isinstance(r, Send | Edit) for row in r.buttons for b in row]


def answered(replies: list[Reply]) -> str | None:
    """The entry whose answer (with its feedback buttons) was sent, if any."""
    found = [d.split(":")[2] for d in data_of(replies) if d.startswith("fb:1:")]
    return found[0] if found else None


async def test_the_greetings_example_question_gets_its_answer(dialogue: Dialogue) -> None:
    greeting = text_of(await dialogue.handle(CommandIn(WHO, "start")))
    [example] = re.findall(r"for example <i>(.*?)</i>", greeting)
    replies = await say(dialogue, example)
    assert answered(replies) is not None, text_of(replies)
    assert "Did you mean" not in text_of(replies)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("what is the psoas", {"psoas-function", "psoas-anatomy"}),
        ("is sitting bad for my back", {"sitting"}),
    ],
)
async def test_plain_questions_get_their_entry(
    dialogue: Dialogue, question: str, expected: set[str]
) -> None:
    replies = await say(dialogue, question)
    assert answered(replies) in expected, text_of(replies)


@pytest.mark.parametrize("typed", ["help", "Help!", "show me the commands"])
async def test_help_typed_as_a_word_gets_the_help(dialogue: Dialogue, typed: str) -> None:
    replies = await say(dialogue, typed)
    assert text_of(replies) == msg.help_text()


@pytest.mark.parametrize("typed", ["menu", "main menu please", "start over"])
async def test_menu_or_start_over_typed_as_words_shows_the_start_menu(
    dialogue: Dialogue, typed: str
) -> None:
    replies = await say(dialogue, typed)
    assert "Hello Ann!" in text_of(replies)
    assert data_of(replies) == ["mn:routine", "mn:topics", "mn:help"]


@pytest.mark.parametrize(
    "question",
    [
        "my tooth hurts",
        "my shoulder hurts when I lift my arm",
        "can you recommend a gym near me",
        "best way to learn guitar",
    ],
)
async def test_off_topic_questions_fall_back_and_are_kept(
    dialogue: Dialogue, store: Store, question: str
) -> None:
    replies = await say(dialogue, question)
    assert FALLBACK in text_of(replies)
    assert data_of(replies) == ["mn:topics"]
    assert [q.text for q in await store.review_questions()] == [question]


async def test_a_short_follow_up_right_after_an_answer_is_read_with_that_topic(
    dialogue: Dialogue, clock: Clock
) -> None:
    assert answered(await say(dialogue, "is walking good for my back")) == "walking"
    clock.now += timedelta(minutes=2)
    assert answered(await say(dialogue, "how often?")) == "walking-plan"


async def test_a_follow_up_long_after_the_answer_stands_alone(
    dialogue: Dialogue, clock: Clock, answerer: Answerer
) -> None:
    assert answerer.verdict("how often?").kind != "answer"
    assert answered(await say(dialogue, "is walking good for my back")) == "walking"
    clock.now += timedelta(minutes=30)
    assert answered(await say(dialogue, "how often?")) is None


async def _clarified(dialogue: Dialogue, answerer: Answerer) -> tuple[str, list[str]]:
    for question in ("hip flexor exercises", "How long should I sit?", "stretch or rest"):
        verdict = answerer.verdict(question)
        if verdict.kind == "clarify":
            replies = await say(dialogue, question)
            offered = [d[3:] for d in data_of(replies) if d.startswith("ch:")]
            assert offered == [c.entry_id for c in verdict.candidates]
            return question, offered
    pytest.fail("none of the vague questions gets a 'did you mean' any more")


async def test_a_chosen_candidate_is_answered_and_kept_as_a_phrasing_to_add(
    dialogue: Dialogue, store: Store, answerer: Answerer, kb: KnowledgeBase
) -> None:
    question, offered = await _clarified(dialogue, answerer)
    picked = offered[-1]
    replies = await dialogue.handle(ButtonIn(WHO, f"ch:{picked}", 5))
    assert f"<b>{escape(kb.entries[picked].title)}</b>" in text_of(replies)

    kept = await store.review_questions()
    assert [(k.text, k.reason, k.entry_id) for k in kept] == [(question, "chosen", picked)]
    rows = await store.export_rows()
    assert all(USER not in row for row in rows["unanswered"])

    # Pressed again (or an old button): the answer again, the pair kept once.
    await dialogue.handle(ButtonIn(WHO, f"ch:{picked}", 5))
    assert len(await store.review_questions()) == 1

    phrasings = phrasings_to_add(kept, answerer.matcher)
    assert [(p.entry_id, p.question) for p in phrasings] == [(picked, question)]
    assert any(picked in line and question in line for line in report_lines([], phrasings))


async def test_none_of_these_after_a_clarify_keeps_no_choice(
    dialogue: Dialogue, store: Store, answerer: Answerer
) -> None:
    question, _ = await _clarified(dialogue, answerer)
    await dialogue.handle(ButtonIn(WHO, "none", 5))
    kept = await store.review_questions()
    assert [(k.text, k.reason) for k in kept] == [(question, "unanswered")]
