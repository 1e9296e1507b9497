"""Typed questions through the dialogue, with a real SQLite store: what a new user tries first
(the greeting's example, "help", off-topic questions), follow-ups, and "did you mean" choices
kept for the curators."""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape

import pytest

from bot.core.answering import Answerer
from bot.core.knowledge import KnowledgeBase
from bot.curation.review import phrasings_to_add, report_lines
from bot.dialogue import messages as msg
from bot.dialogue.replies import Reply, Send
from bot.store import Store
from tests.unit.dialogue_chat import USER, Chat, Clock, all_data, joined

FALLBACK = "I don't have a good answer"


def answered(replies: Sequence[Reply]) -> str | None:
    """The entry whose answer (with its feedback buttons) was sent, if any."""
    found = [d.split(":")[2] for d in all_data(replies) if d.startswith("fb:1:")]
    return found[0] if found else None


async def test_the_greetings_example_question_gets_its_answer(chat: Chat) -> None:
    greeting = joined(await chat.command("start"))
    [example] = re.findall(r"for example <i>(.*?)</i>", greeting)
    replies = await chat.text(example)
    assert answered(replies) is not None, joined(replies)
    assert "Did you mean" not in joined(replies)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("what is the psoas", {"psoas-function", "psoas-anatomy"}),
        ("is sitting bad for my back", {"sitting"}),
    ],
)
async def test_plain_questions_get_their_entry(
    chat: Chat, question: str, expected: set[str]
) -> None:
    replies = await chat.text(question)
    assert answered(replies) in expected, joined(replies)


@pytest.mark.parametrize("typed", ["help", "Help!", "show me the commands"])
async def test_help_typed_as_a_word_gets_the_help(chat: Chat, typed: str) -> None:
    assert joined(await chat.text(typed)) == msg.help_text()


@pytest.mark.parametrize("typed", ["menu", "main menu please", "start over"])
async def test_menu_or_start_over_typed_as_words_shows_the_start_menu(
    chat: Chat, typed: str
) -> None:
    replies = await chat.text(typed)
    assert "Hello Ann!" in joined(replies)
    assert all_data(replies) == ["mn:routine", "mn:topics", "mn:help"]


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
    chat: Chat, store: Store, question: str
) -> None:
    replies = await chat.text(question)
    assert FALLBACK in joined(replies)
    assert all_data(replies) == ["mn:topics"]
    assert [q.text for q in await store.review_questions()] == [question]


async def test_a_short_follow_up_right_after_an_answer_is_read_with_that_topic(
    chat: Chat, clock: Clock
) -> None:
    assert answered(await chat.text("is walking good for my back")) == "walking"
    clock.advance(minutes=2)
    assert answered(await chat.text("how often?")) == "walking-plan"


async def test_a_follow_up_long_after_the_answer_stands_alone(
    chat: Chat, clock: Clock, answerer: Answerer
) -> None:
    assert answerer.verdict("how often?").kind != "answer"
    assert answered(await chat.text("is walking good for my back")) == "walking"
    clock.advance(minutes=30)
    assert answered(await chat.text("how often?")) is None


async def _clarified(chat: Chat, answerer: Answerer) -> tuple[str, list[str]]:
    for question in ("hip flexor exercises", "How long should I sit?", "stretch or rest"):
        verdict = answerer.verdict(question)
        if verdict.kind == "clarify":
            replies = await chat.text(question)
            offered = [d[3:] for d in all_data(replies) if d.startswith("ch:")]
            assert offered == [c.entry_id for c in verdict.candidates]
            return question, offered
    pytest.fail("none of the vague questions gets a 'did you mean' any more")


async def test_a_chosen_candidate_is_answered_and_kept_as_a_phrasing_to_add(
    chat: Chat, store: Store, answerer: Answerer, kb: KnowledgeBase
) -> None:
    question, offered = await _clarified(chat, answerer)
    picked = offered[-1]
    replies = await chat.press(f"ch:{picked}")
    assert f"<b>{escape(kb.entries[picked].title)}</b>" in joined(replies)

    kept = await store.review_questions()
    assert [(k.text, k.reason, k.entry_id) for k in kept] == [(question, "chosen", picked)]
    rows = await store.export_rows()
    assert all(USER not in row for row in rows["unanswered"])

    # Pressed again (or an old button): the answer again, the pair kept once.
    await chat.press(f"ch:{picked}")
    assert len(await store.review_questions()) == 1

    phrasings = phrasings_to_add(kept, answerer.matcher)
    assert [(p.entry_id, p.question) for p in phrasings] == [(picked, question)]
    assert any(picked in line and question in line for line in report_lines([], phrasings))


async def test_none_of_these_after_a_clarify_keeps_no_choice(
    chat: Chat, store: Store, answerer: Answerer
) -> None:
    question, _ = await _clarified(chat, answerer)
    await chat.press("none")
    kept = await store.review_questions()
    assert [(k.text, k.reason) for k in kept] == [(question, "unanswered")]


@pytest.mark.parametrize("typed", ["?", "?!", "...", " , "])
async def test_punctuation_alone_is_asked_for_words_and_not_kept(
    chat: Chat, store: Store, typed: str
) -> None:
    assert await chat.text(typed) == [Send(msg.empty_text())]
    assert await store.unanswered() == []
