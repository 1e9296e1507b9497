"""Routine buttons are bound to the session and the step they were drawn for: a double tap, a
card of an earlier session, or someone else's press in a group changes nothing and answers
"That button is no longer active"."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.config import Settings
from bot.core.knowledge import KnowledgeBase
from bot.dialogue import messages as msg
from tests.e2e.checks import assert_card_matches_store, saved_state
from tests.e2e.harness import AnyApplication, Chat, button
from tests.fakes import FakeBotApi, FakeUser

pytestmark = pytest.mark.usefixtures("unthrottled_chats")
GROUP = -500_200


async def start_gentle(chat: Chat, pain: str = "3") -> int:
    """Start the gentle routine in the chat, up to its first step; the card's message id."""
    card = (await chat.say("/routine gentle-start"))[-1].message_id
    await chat.tap(card, msg.SAFE_LABEL)
    step = await chat.tap(card, pain)
    assert "Step 1 of 3" in (step.message.rendered_text or "")
    return card


async def test_a_double_tap_on_done_advances_one_step(
    app: AnyApplication,
    fake: FakeBotApi,
    kb: KnowledgeBase,
    settings: Settings,
    alice: FakeUser,
    chat: Callable[..., Chat],
) -> None:
    alices = chat(alice)
    card = await start_gentle(alices)
    done = button(fake.message(alice.id, card), msg.DONE_LABEL)

    # Both taps reach the bot before it has edited the card.
    first = fake.press_button(alice.id, alice, card, done)
    second = fake.press_button(alice.id, alice, card, done)
    await alices.handled.wait(first)
    await alices.handled.wait(second)

    assert "Step 2 of 3" in (fake.message(alice.id, card).rendered_text or "")
    state = saved_state(settings.db_path, alice.id, kb)
    assert state is not None and state.step_index == 1
    queries = [fake.update(u)["callback_query"]["id"] for u in (first, second)]
    answers = [fake.callback_answer(q) or {} for q in queries]
    assert [a.get("text") for a in answers] == [None, msg.stale_button()]
    assert_card_matches_store(fake, alice.id, alice.id, settings.db_path, kb)


async def test_a_button_of_an_earlier_sessions_card_changes_nothing(
    app: AnyApplication,
    fake: FakeBotApi,
    kb: KnowledgeBase,
    settings: Settings,
    alice: FakeUser,
    chat: Callable[..., Chat],
) -> None:
    alices = chat(alice)
    old_card = await start_gentle(alices)
    resumed = (await alices.say("/resume"))[-1].message_id  # a second card; the first keeps its
    await alices.tap(resumed, msg.STOP_LABEL)  # buttons; the session ends on the second
    new_card = await start_gentle(alices, pain="5")
    old_done = button(fake.message(alice.id, old_card), msg.DONE_LABEL)
    old_edits = fake.message(alice.id, old_card).edit_count
    new_text = fake.message(alice.id, new_card).rendered_text

    pressed = await alices.press(old_card, old_done)

    assert pressed.toast == msg.stale_button()
    assert pressed.new == []
    assert pressed.message.edit_count == old_edits
    assert fake.message(alice.id, new_card).rendered_text == new_text
    state = saved_state(settings.db_path, alice.id, kb)
    assert state is not None and state.step_index == 0 and state.pain_before == 5
    assert_card_matches_store(fake, alice.id, alice.id, settings.db_path, kb)


async def test_in_a_group_only_the_owner_of_a_routine_card_can_press_its_buttons(
    app: AnyApplication,
    fake: FakeBotApi,
    kb: KnowledgeBase,
    settings: Settings,
    alice: FakeUser,
    bob: FakeUser,
    chat: Callable[..., Chat],
) -> None:
    alices_card = await start_gentle(chat(alice, GROUP))
    bobs_card = await start_gentle(chat(bob), pain="6")  # Bob has a session of his own
    alices_text = fake.message(GROUP, alices_card).rendered_text
    bobs_text = fake.message(bob.id, bobs_card).rendered_text

    for label in (msg.DONE_LABEL, msg.SKIP_LABEL, msg.STOP_LABEL):
        data = button(fake.message(GROUP, alices_card), label)
        pressed = await chat(bob, GROUP).press(alices_card, data)
        assert pressed.toast == msg.stale_button(), label
        assert pressed.new == []

    assert fake.message(GROUP, alices_card).rendered_text == alices_text
    assert fake.message(GROUP, alices_card).edit_count == 2  # safety check, pain, no more
    assert fake.message(bob.id, bobs_card).rendered_text == bobs_text
    for user, card_chat in ((alice, GROUP), (bob, bob.id)):
        state = saved_state(settings.db_path, user.id, kb)
        assert state is not None and state.step_index == 0, user
        assert_card_matches_store(fake, card_chat, user.id, settings.db_path, kb)


async def test_buttons_pressed_by_the_owner_in_a_group_still_work(
    app: AnyApplication,
    fake: FakeBotApi,
    kb: KnowledgeBase,
    settings: Settings,
    alice: FakeUser,
    chat: Callable[..., Chat],
) -> None:
    group = chat(alice, GROUP)
    card = await start_gentle(group)

    pressed = await group.tap(card, msg.DONE_LABEL)

    assert "Step 2 of 3" in (pressed.message.rendered_text or "")
    assert_card_matches_store(fake, GROUP, alice.id, Path(settings.db_path), kb)
