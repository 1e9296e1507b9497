"""A guided routine by button presses: one card edited in place, every press answered, the
timer's "time's up", and buttons of a routine that is over."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.core.knowledge import KnowledgeBase
from bot.dialogue import messages as msg
from tests.e2e.harness import TIMEOUT, AnyApplication, Chat, StartApp, button, texts
from tests.fakes import FakeBotApi, FakeUser


@pytest.mark.usefixtures("unthrottled_chats")
async def test_a_whole_beginner_routine_edits_one_card_and_answers_every_press(
    app: AnyApplication,
    fake: FakeBotApi,
    kb: KnowledgeBase,
    alice: FakeUser,
    chat: Callable[..., Chat],
) -> None:
    routine = kb.routines["beginner"]
    level = routine.levels[0]
    steps = len(routine.steps_for(level.id))
    alices = chat(alice)
    menu = await alices.say_one("/routine")
    assert "rs:beginner" in menu.callback_data
    card = menu.message_id
    sends_before = len(fake.calls_to("sendMessage")) + len(fake.calls_to("sendPhoto"))
    presses = 0

    async def press(data: str, expect: str) -> str:
        nonlocal presses
        pressed = await alices.press(card, data)
        presses += 1
        assert pressed.new == [], texts(pressed.new)
        assert pressed.answer is not None, f"{data} was not answered"
        text = pressed.message.rendered_text or ""
        assert expect in text, text
        return text

    await press("rs:beginner", "Which level?")
    await press(f"rs:beginner:{level.id}", "quick safety check")
    await press("rt:safe", "How much does your back hurt right now?")
    await press("pn:4", f"Step 1 of {steps}")
    assert fake.message(alice.id, card).kind == "photo"  # the step's picture, card as caption
    for number in range(2, steps + 1):
        await press("rt:done", f"Step {number} of {steps}")
        assert fake.message(alice.id, card).kind == "photo"
    await press("rt:done", "How much does your back hurt now, after the session?")
    summary = await press("pn:2", f"{routine.title}: finished")

    assert f"Exercises done: {steps} of {steps}" in summary
    assert "Pain: 4 before, 2 after (lower)" in summary
    edits = [
        c
        for method in ("editMessageText", "editMessageMedia", "editMessageCaption")
        for c in fake.calls_to(method)
    ]
    assert len(edits) == presses and all(c.ok for c in edits)  # one edit a press, none failed
    assert {int(c.params["message_id"]) for c in edits} == {card}
    assert len(fake.calls_to("editMessageMedia")) == steps  # one picture a step
    sends = len(fake.calls_to("sendMessage")) + len(fake.calls_to("sendPhoto"))
    assert sends == sends_before  # no new message per tap
    assert len(fake.calls_to("answerCallbackQuery")) == presses
    assert fake.message(alice.id, card).edit_count == presses

    progress = await alices.say("/progress")
    assert "Sessions finished: 1" in texts(progress)[0]


@pytest.mark.usefixtures("unthrottled_chats")
async def test_start_timer_says_times_up_and_edits_the_card(
    app: AnyApplication, fake: FakeBotApi, alice: FakeUser, chat: Callable[..., Chat]
) -> None:
    alices = chat(alice)
    card = (await alices.say("/routine desk-break"))[-1]
    if "Which level?" in (card.rendered_text or ""):
        await alices.press(card.message_id, card.callback_data[0])
    await alices.press(card.message_id, "rt:safe")
    step = await alices.press(card.message_id, "pn:2")
    assert msg.TIMER_LABEL in [b["text"] for b in step.message.buttons]

    started = await alices.press(card.message_id, "rt:timer")

    assert started.toast.startswith("Timer started")
    assert "Timer running" in (started.message.rendered_text or "")
    edits_when_started = started.message.edit_count
    times_up = await fake.wait_for_message_async(alice.id, "Time's up for", timeout=TIMEOUT)
    assert times_up.message_id > card.message_id
    await fake.wait_until_async(
        lambda: fake.message(alice.id, card.message_id).edit_count > edits_when_started,
        timeout=TIMEOUT,
    )
    after = fake.message(alice.id, card.message_id)
    assert "Time's up!" in (after.rendered_text or "")
    assert "Timer running" not in (after.rendered_text or "")
    assert msg.TIMER_LABEL in [b["text"] for b in after.buttons]  # the step's buttons are back
    sent = [m.rendered_text for m in fake.sent_messages(alice.id)]
    assert sent.count(times_up.rendered_text) == 1


@pytest.mark.usefixtures("unthrottled_chats")
async def test_buttons_of_a_routine_that_is_over_are_answered_politely(
    app: AnyApplication, fake: FakeBotApi, alice: FakeUser, chat: Callable[..., Chat]
) -> None:
    alices = chat(alice)
    old_card = (await alices.say("/routine gentle-start"))[-1]
    await alices.press(old_card.message_id, "rt:safe")
    await alices.press(old_card.message_id, "pn:3")
    new_card = (await alices.say("/resume"))[-1]  # a second card; the old one keeps buttons
    stopped = await alices.press(new_card.message_id, "rt:stop")
    assert "Session stopped" in (stopped.message.rendered_text or "")
    old_buttons = fake.message(alice.id, old_card.message_id).buttons
    assert msg.DONE_LABEL in [b["text"] for b in old_buttons]
    edits_before = fake.message(alice.id, old_card.message_id).edit_count

    for label in (msg.DONE_LABEL, msg.SKIP_LABEL, msg.HURTS_LABEL, msg.PAUSE_LABEL):
        data = button(fake.message(alice.id, old_card.message_id), label)
        old = await alices.press(old_card.message_id, data)
        assert old.toast == msg.stale_button()
        assert old.new == []
        assert old.message.edit_count == edits_before


async def test_a_started_routine_survives_an_application_restart(
    start_app: StartApp,
    fake: FakeBotApi,
    alice: FakeUser,
    chat: Callable[..., Chat],
) -> None:
    alices = chat(alice)
    async with start_app():
        card = (await alices.say("/routine gentle-start"))[-1]
        await alices.press(card.message_id, "rt:safe")
        await alices.press(card.message_id, "pn:3")
        step2 = await alices.press(card.message_id, "rt:done")
        assert "Step 2 of" in (step2.message.rendered_text or "")

    async with start_app():
        resumed = await alices.say("/resume")

    assert "Step 2 of" in texts(resumed)[-1]
    assert msg.NOTE_RESUMED in texts(resumed)[-1]
