"""Edits Telegram will not make, on text messages: a routine card whose message is gone comes
as a new card, one refused for another reason takes the step back; a button edit on an answer
too old to edit is let go (the feedback is kept all the same); an answer too long for the
message it would replace comes as new messages; and a press during a hold whose card is refused
leaves the hold's timer running. No apology in any case: the bot's own code did
not fail (the photo card's cases are in test_photo_card_faults)."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Callable

import pytest

from bot.adapters.telegram import wiring
from bot.config import Settings
from bot.core import routine as rt
from bot.core.answering import Answerer
from bot.core.knowledge import KnowledgeBase
from bot.core.loader import load_knowledge
from bot.dialogue import messages as msg
from tests.e2e.checks import assert_card_matches_store, saved_state
from tests.e2e.harness import TIMEOUT, AnyApplication, Chat, StartApp, shown, texts
from tests.e2e.test_routine_buttons import start_gentle
from tests.e2e.test_start_and_answers import ANSWERED, first_of_kind
from tests.fakes import FakeBotApi, FakeUser

pytestmark = pytest.mark.usefixtures("unthrottled_chats")

GONE = "Bad Request: message to edit not found"
TOO_OLD = "Bad Request: message can't be edited"
REFUSED = "Bad Request: can't parse entities: unsupported start tag"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Holds long enough (a minute is 3 s) to press a button while one runs."""
    return dataclasses.replace(settings, timer_scale=0.05)


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    """Text cards (no pictures): their edits go through editMessageText."""
    return dataclasses.replace(load_knowledge(), pictures={})


def undelivered(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.get_records("call")
        if r.name == "hipbot.telegram" and "could not be delivered" in r.getMessage()
    ]


def assert_no_apology(fake: FakeBotApi, chat_id: int) -> None:
    assert shown(msg.something_went_wrong()) not in texts(fake.sent_messages(chat_id))


async def test_a_text_card_whose_message_is_gone_comes_as_a_new_card(
    app: AnyApplication,
    fake: FakeBotApi,
    kb: KnowledgeBase,
    settings: Settings,
    alice: FakeUser,
    chat: Callable[..., Chat],
    caplog: pytest.LogCaptureFixture,
) -> None:
    alices = chat(alice)
    card = await start_gentle(alices)
    fake.inject_fault("editMessageText", status=400, description=GONE, chat_id=alice.id)

    done = await alices.tap(card, msg.DONE_LABEL)

    assert "Step 1 of 3" in (done.message.rendered_text or "")
    assert len(done.new) == 1 and done.new[0].kind == "text"
    assert (done.new[0].rendered_text or "").startswith("Step 2 of 3")
    assert undelivered(caplog) == []
    assert_no_apology(fake, alice.id)
    assert_card_matches_store(fake, alice.id, alice.id, settings.db_path, kb)

    after = await alices.tap(done.new[0].message_id, msg.DONE_LABEL)
    assert "Step 3 of 3" in (after.message.rendered_text or "")


async def test_a_text_card_edit_refused_for_another_reason_takes_the_step_back(
    app: AnyApplication,
    fake: FakeBotApi,
    kb: KnowledgeBase,
    settings: Settings,
    alice: FakeUser,
    chat: Callable[..., Chat],
    caplog: pytest.LogCaptureFixture,
) -> None:
    alices = chat(alice)
    card = await start_gentle(alices)
    fake.inject_fault("editMessageText", status=400, description=REFUSED, chat_id=alice.id)

    done = await alices.tap(card, msg.DONE_LABEL)

    assert "Step 1 of 3" in (done.message.rendered_text or "")
    assert done.new == []
    state = saved_state(settings.db_path, alice.id, kb)
    assert state is not None and state.step_index == 0
    assert_card_matches_store(fake, alice.id, alice.id, settings.db_path, kb)
    [line] = undelivered(caplog)
    assert "can't parse entities" in line.lower() and "taken back" in line
    assert_no_apology(fake, alice.id)

    again = await alices.tap(card, msg.DONE_LABEL)
    assert "Step 2 of 3" in (again.message.rendered_text or "")
    assert_card_matches_store(fake, alice.id, alice.id, settings.db_path, kb)


@pytest.mark.parametrize("description", [GONE, TOO_OLD])
async def test_feedback_on_an_answer_telegram_will_not_edit_is_kept_and_thanked(
    description: str,
    app: AnyApplication,
    fake: FakeBotApi,
    settings: Settings,
    answerer: Answerer,
    alice: FakeUser,
    chat: Callable[..., Chat],
    caplog: pytest.LogCaptureFixture,
) -> None:
    question, verdict = first_of_kind(answerer, "answer", ANSWERED)
    alices = chat(alice)
    answer = await alices.say_one(question)
    fake.inject_fault(
        "editMessageReplyMarkup", status=400, description=description, chat_id=alice.id
    )

    thanks = await alices.press(answer.message_id, f"fb:1:{verdict.entry_id}")

    assert thanks.toast == msg.FEEDBACK_THANKS
    assert thanks.message.buttons == answer.buttons  # Telegram kept the old buttons
    assert thanks.new == []
    with sqlite3.connect(settings.db_path) as db:
        rows = db.execute("SELECT user_id, entry_id, helpful FROM feedback").fetchall()
    assert rows == [(alice.id, verdict.entry_id, 1)]
    assert undelivered(caplog) == []
    assert_no_apology(fake, alice.id)


async def test_a_button_edit_refused_for_another_reason_is_one_warning_and_the_feedback_kept(
    app: AnyApplication,
    fake: FakeBotApi,
    settings: Settings,
    answerer: Answerer,
    alice: FakeUser,
    chat: Callable[..., Chat],
    caplog: pytest.LogCaptureFixture,
) -> None:
    question, verdict = first_of_kind(answerer, "answer", ANSWERED)
    alices = chat(alice)
    answer = await alices.say_one(question)
    fake.inject_fault("editMessageReplyMarkup", status=400, description=REFUSED, chat_id=alice.id)

    thanks = await alices.press(answer.message_id, f"fb:1:{verdict.entry_id}")

    assert thanks.toast == msg.FEEDBACK_THANKS
    assert thanks.message.buttons == answer.buttons
    with sqlite3.connect(settings.db_path) as db:
        rows = db.execute("SELECT user_id, entry_id, helpful FROM feedback").fetchall()
    assert rows == [(alice.id, verdict.entry_id, 1)]
    [line] = undelivered(caplog)
    assert "can't parse entities" in line.lower() and "the rest is dropped" in line
    assert_no_apology(fake, alice.id)


async def test_an_answer_too_long_for_the_topics_message_comes_as_new_messages(
    start_app: StartApp,
    fake: FakeBotApi,
    kb: KnowledgeBase,
    alice: FakeUser,
    chat: Callable[..., Chat],
) -> None:
    category = kb.categories[0]
    entry = kb.entries[category.entry_ids[0]]
    paragraphs = [f"Paragraph {i}: " + "keep the back long and the hips level. " * 12
                  for i in range(12)]  # fmt: skip
    long_entry = dataclasses.replace(entry, answer="\n\n".join(paragraphs))
    assert len(msg.answer(long_entry)) > 4096
    long_kb = dataclasses.replace(kb, entries={**kb.entries, entry.id: long_entry})

    async with start_app(kb=long_kb):
        alices = chat(alice)
        topics = await alices.say_one("/topics")
        listed = await alices.tap(topics.message_id, category.title)
        assert shown(msg.topics_category(category.title)) == listed.message.rendered_text
        opened = await alices.tap(topics.message_id, entry.title)

    assert opened.message.rendered_text == listed.message.rendered_text  # left as it was
    assert len(opened.new) >= 2
    assert all(len(m.rendered_text or "") <= 4096 for m in opened.new)
    whole = "\n\n".join(texts(opened.new))
    assert whole.startswith(entry.title)
    for paragraph in paragraphs:
        assert paragraph.strip() in whole
    assert [b["text"] for b in opened.new[-1].buttons] == [msg.BACK_LABEL]
    assert all(m.buttons == [] for m in opened.new[:-1])


async def test_a_press_during_a_hold_whose_card_is_refused_leaves_the_hold_timer_running(
    start_app: StartApp,
    fake: FakeBotApi,
    kb: KnowledgeBase,
    settings: Settings,
    alice: FakeUser,
    chat: Callable[..., Chat],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Only the timer's own wake-up can say "time's up" here, not the regular sweep.
    monkeypatch.setattr(wiring, "TIMER_SWEEP_SECONDS", 3600.0)
    alices = chat(alice)
    async with start_app():
        card = (await alices.say("/routine desk-break"))[-1]
        if "Which level?" in (card.rendered_text or ""):
            await alices.press(card.message_id, card.callback_data[0])
        await alices.tap(card.message_id, msg.SAFE_LABEL)
        await alices.tap(card.message_id, "2")
        started = await alices.tap(card.message_id, msg.TIMER_LABEL)
        assert "Timer running" in (started.message.rendered_text or "")
        fake.inject_fault("editMessageText", status=400, description=REFUSED, chat_id=alice.id)

        paused = await alices.tap(card.message_id, msg.PAUSE_LABEL)
        assert "Timer running" in (paused.message.rendered_text or "")  # the pause is taken back
        state = saved_state(settings.db_path, alice.id, kb)
        assert state is not None and state.phase == rt.Phase.TIMER

        times_up = await fake.wait_for_message_async(alice.id, "Time's up for", timeout=TIMEOUT)
    assert times_up.message_id > card.message_id
