"""/start, /help, answers with sources and buttons, "did you mean", the fallback, red flags
and /forget: what a user sees in Telegram, through the real Application."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

import pytest

from bot.config import Settings
from bot.core.answering import Answerer, Verdict
from bot.core.knowledge import KnowledgeBase
from bot.dialogue import messages as msg
from tests.e2e.harness import AnyApplication, Chat, shown, texts
from tests.fakes import FakeBotApi, FakeUser

ANSWERED = ("Should I use heat or ice on my back?", "heat or ice", "Is sitting bad for my back?")
CLARIFIED = ("psoas", "back pain", "exercise", "pain", "what about my hips")
OUT_OF_SCOPE = ("What is the capital of France?", "How do I bake sourdough bread?")
RED_FLAGS = (
    "my back hurts and I have numbness around my genitals",
    "back pain and I can't control my bladder",
    "I lost control of my bowels and my back hurts",
)


def first_of_kind(answerer: Answerer, kind: str, questions: Sequence[str]) -> tuple[str, Verdict]:
    """The first question the matcher puts in `kind` (the matcher is tuned elsewhere: these
    tests check what Telegram shows for each kind, whichever question lands there)."""
    for question in questions:
        verdict = answerer.verdict(question)
        if verdict.kind == kind:
            return question, verdict
    raise AssertionError(f"none of {questions} is a {kind!r} question any more")


async def test_start_greets_by_name_with_the_menu_and_registers_the_commands(
    app: AnyApplication, fake: FakeBotApi, alice: FakeUser, chat: Callable[..., Chat]
) -> None:
    greeting = await chat(alice).say_one("/start")

    text = greeting.rendered_text or ""
    assert text.startswith("Hello Alice!")
    assert "not a doctor" in text
    assert greeting.callback_data == ["mn:routine", "mn:topics", "mn:help"]
    registered = [(c["command"], c["description"]) for c in fake.commands()]
    assert registered == list(msg.COMMANDS)
    assert len(fake.calls_to("setMyCommands")) == 1


async def test_help_lists_every_registered_command(
    app: AnyApplication, fake: FakeBotApi, alice: FakeUser, chat: Callable[..., Chat]
) -> None:
    help_message = await chat(alice).say_one("/help")

    for command in fake.commands():
        assert f"/{command['command']} – {command['description']}" in (
            help_message.rendered_text or ""
        )


async def test_menu_button_help_answers_the_query_and_sends_help(
    app: AnyApplication, alice: FakeUser, chat: Callable[..., Chat]
) -> None:
    alices = chat(alice)
    greeting = await alices.say_one("/start")

    pressed = await alices.press(greeting.message_id, "mn:help")

    assert pressed.answer is not None
    assert texts(pressed.new)[0].startswith("What I can do")


async def test_a_question_gets_the_answer_with_sources_related_topics_and_feedback(
    app: AnyApplication,
    fake: FakeBotApi,
    kb: KnowledgeBase,
    answerer: Answerer,
    alice: FakeUser,
    chat: Callable[..., Chat],
) -> None:
    question, verdict = first_of_kind(answerer, "answer", ANSWERED)
    assert verdict.entry_id is not None
    entry = kb.entries[verdict.entry_id]
    alices = chat(alice)

    answer = await alices.say_one(question)

    text = answer.rendered_text or ""
    assert text.startswith(entry.title)
    assert "Sources" in text and entry.sources[0].citation in text
    related = [f"kb:{r}" for r in entry.related if r in kb.entries][:3]
    feedback = [f"fb:1:{entry.id}", f"fb:0:{entry.id}"]
    assert answer.callback_data == related + feedback
    assert any(e["type"] == "bold" for e in answer.rendered_entities)  # HTML was parsed

    thanks = await alices.press(answer.message_id, f"fb:1:{entry.id}")
    assert thanks.toast == msg.FEEDBACK_THANKS
    assert thanks.message.callback_data == related  # the feedback row is gone
    assert thanks.new == []

    if related:
        shown = await alices.press(answer.message_id, related[0])
        assert len(shown.new) == 1
        assert (shown.new[0].rendered_text or "").startswith(kb.entries[related[0][3:]].title)


async def test_not_helpful_is_recorded_and_acknowledged(
    app: AnyApplication,
    settings: Settings,
    answerer: Answerer,
    alice: FakeUser,
    chat: Callable[..., Chat],
) -> None:
    question, verdict = first_of_kind(answerer, "answer", ANSWERED)
    alices = chat(alice)
    answer = await alices.say_one(question)

    sorry = await alices.press(answer.message_id, f"fb:0:{verdict.entry_id}")

    assert sorry.toast == msg.FEEDBACK_SORRY
    with sqlite3.connect(settings.db_path) as db:
        rows = db.execute("SELECT user_id, entry_id, helpful FROM feedback").fetchall()
    assert rows == [(alice.id, verdict.entry_id, 0)]


async def test_a_vague_question_offers_did_you_mean_buttons_and_none_of_these(
    app: AnyApplication,
    settings: Settings,
    kb: KnowledgeBase,
    answerer: Answerer,
    alice: FakeUser,
    chat: Callable[..., Chat],
) -> None:
    question, verdict = first_of_kind(answerer, "clarify", CLARIFIED)
    alices = chat(alice)

    clarify = await alices.say_one(question)

    assert clarify.rendered_text == shown(msg.clarify())
    candidates = [f"ch:{c.entry_id}" for c in verdict.candidates]
    assert clarify.callback_data == [*candidates, "none"]
    assert [b["text"] for b in clarify.buttons][:-1] == [
        kb.entries[c.entry_id].title for c in verdict.candidates
    ]

    chosen = await alices.press(clarify.message_id, candidates[0])
    assert texts(chosen.new)[0].startswith(kb.entries[verdict.candidates[0].entry_id].title)
    with sqlite3.connect(settings.db_path) as db:
        kept = db.execute("SELECT text, reason, entry_id FROM unanswered").fetchall()
    assert kept == [(question, "chosen", verdict.candidates[0].entry_id)]

    none = await alices.press(clarify.message_id, "none")
    assert none.answer is not None
    assert none.message.rendered_text == shown(msg.fallback())
    assert none.message.callback_data == ["mn:topics"]


async def test_an_out_of_scope_question_gets_the_fallback_and_is_kept_without_the_user(
    app: AnyApplication,
    settings: Settings,
    answerer: Answerer,
    alice: FakeUser,
    chat: Callable[..., Chat],
) -> None:
    question, _ = first_of_kind(answerer, "fallback", OUT_OF_SCOPE)
    alices = chat(alice)

    fallback = await alices.say_one(question)

    assert "I don't have a good answer" in (fallback.rendered_text or "")
    assert fallback.callback_data == ["mn:topics"]
    topics = await alices.press(fallback.message_id, "mn:topics")
    assert texts(topics.new)[0].startswith("Topics")
    with sqlite3.connect(settings.db_path) as db:
        kept = db.execute("SELECT * FROM unanswered").fetchall()
    assert [row for row in kept if question in row]
    assert not [row for row in kept if str(alice.id) in map(str, row)]


async def test_a_red_flag_gets_the_safety_message_first(
    app: AnyApplication,
    kb: KnowledgeBase,
    answerer: Answerer,
    alice: FakeUser,
    chat: Callable[..., Chat],
) -> None:
    question, verdict = first_of_kind(answerer, "urgent", RED_FLAGS)
    assert verdict.screen.tier is not None

    replies = await chat(alice).say(question)

    assert replies, "no reply to a red flag"
    assert texts(replies)[0].startswith("⚠️ " + verdict.screen.tier.title)
    assert verdict.screen.tier.message in texts(replies)[0]


@pytest.mark.usefixtures("unthrottled_chats")
async def test_a_red_flag_during_a_routine_pauses_it_after_the_safety_message(
    app: AnyApplication, answerer: Answerer, alice: FakeUser, chat: Callable[..., Chat]
) -> None:
    question, _ = first_of_kind(answerer, "urgent", RED_FLAGS)
    alices = chat(alice)
    card = (await alices.say("/routine gentle-start"))[-1]
    await alices.press(card.message_id, "rt:safe")
    await alices.press(card.message_id, "pn:3")

    replies = texts(await alices.say(question))

    assert replies[0].startswith("⚠️ ")
    assert replies[1] == shown(msg.routine_paused_for_safety())
    resumed = await alices.say("/resume")
    assert "Step 1 of" in texts(resumed)[-1]


@pytest.mark.usefixtures("unthrottled_chats")
async def test_forget_deletes_everything_after_the_confirm_button(
    app: AnyApplication,
    settings: Settings,
    answerer: Answerer,
    alice: FakeUser,
    bob: FakeUser,
    chat: Callable[..., Chat],
) -> None:
    question, verdict = first_of_kind(answerer, "answer", ANSWERED)
    alices = chat(alice)
    await alices.say("/reminder 08:30")
    answer = await alices.say_one(question)
    await alices.press(answer.message_id, f"fb:1:{verdict.entry_id}")
    await chat(bob).say("/reminder 09:00")

    ask = await alices.say_one("/forget")
    assert [d.split(":")[:2] for d in ask.callback_data] == [["fg", "yes"], ["fg", "no"]]
    assert _rows(settings, alice.id) != {}  # nothing is deleted before the button

    done = await alices.press(ask.message_id, "fg:yes")

    assert done.message.rendered_text == shown(msg.forgotten())
    assert done.message.callback_data == []
    assert _rows(settings, alice.id) == {}
    assert _rows(settings, bob.id) != {}  # only Alice is forgotten
    usage = await alices.say_one("/reminder")
    assert "Your reminder is set" not in (usage.rendered_text or "")


async def test_forget_answered_no_keeps_everything(
    app: AnyApplication, settings: Settings, alice: FakeUser, chat: Callable[..., Chat]
) -> None:
    alices = chat(alice)
    await alices.say("/reminder 08:30")
    ask = await alices.say_one("/forget")

    kept = await alices.press(ask.message_id, "fg:no")

    assert kept.message.rendered_text == shown(msg.forget_cancelled())
    assert "reminders" in _rows(settings, alice.id)


def _rows(settings: Settings, user_id: int) -> dict[str, int]:
    """Tables with rows about the user, and how many."""
    tables = ["users", "active_sessions", "user_state", "finished_sessions", "reminders"]
    tables += ["feedback", "timers"]
    counts: dict[str, int] = {}
    with sqlite3.connect(settings.db_path) as db:
        for table in tables:
            (count,) = db.execute(
                f"SELECT COUNT(*) FROM {table} WHERE user_id = ?", (user_id,)
            ).fetchone()
            if count:
                counts[table] = count
    return counts
