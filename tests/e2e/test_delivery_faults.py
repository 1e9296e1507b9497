"""Faults on the way out: 5xx answers are retried, a card that cannot be delivered leaves the
routine where the user saw it, a send slower than the read timeout is neither repeated nor
apologised for, and flood control (429) pauses only the chat it names, unless several chats
get it at once. In every case another user is served meanwhile, the saved routine state is
what the user last saw, and the apology ("something went wrong") is never sent: the bot's own
code did not fail."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable

import pytest

from bot.adapters.telegram import limits as telegram_limits
from bot.adapters.telegram import wiring
from bot.config import Settings
from bot.core.knowledge import KnowledgeBase
from bot.core.loader import load_knowledge
from bot.dialogue import messages as msg
from tests.e2e.checks import BrokenFor, assert_card_matches_store, saved_state, served_during
from tests.e2e.harness import AnyApplication, Chat, StartApp, button, shown, texts
from tests.e2e.test_routine_buttons import start_gentle
from tests.fakes import Call, FakeBotApi, FakeUser

pytestmark = [
    pytest.mark.usefixtures("unthrottled_chats"),
    # PTB's own RetryAfter warns about its future type whenever it is built from a 429.
    pytest.mark.filterwarnings("ignore:.*retry_after:DeprecationWarning"),
]


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    """Text cards: these faults hit sendMessage and editMessageText (a photo card's faults
    are in test_photo_cards)."""
    return dataclasses.replace(load_knowledge(), pictures={})


def sends_to(fake: FakeBotApi, chat_id: int, since: int, method: str = "sendMessage") -> list[Call]:
    return [c for c in fake.calls[since:] if c.method == method and c.chat_id == chat_id]


def assert_no_apology(fake: FakeBotApi, *chat_ids: int) -> None:
    for chat_id in chat_ids:
        assert shown(msg.something_went_wrong()) not in texts(fake.sent_messages(chat_id))


def first_failure(method: str, chat_id: int, status: int | None) -> Callable[[Call], bool]:
    return lambda c: c.method == method and c.chat_id == chat_id and c.status == status


async def test_a_500_and_a_502_on_send_message_are_retried_without_an_apology(
    app: AnyApplication,
    fake: FakeBotApi,
    kb: KnowledgeBase,
    settings: Settings,
    alice: FakeUser,
    bob: FakeUser,
    chat: Callable[..., Chat],
) -> None:
    alices = chat(alice)
    card = await start_gentle(alices)
    since = fake.call_count
    fake.inject_fault("sendMessage", status=500, chat_id=alice.id)
    fake.inject_fault("sendMessage", status=502, chat_id=alice.id)

    resume = fake.send_text(alice, "/resume")
    await fake.wait_for_async(first_failure("sendMessage", alice.id, 500), since=since)
    bobs = fake.send_text(bob, "/start")
    await alices.handled.wait(resume)
    await chat(bob).handled.wait(bobs)

    sends = sends_to(fake, alice.id, since)
    assert [c.status for c in sends] == [500, 502, 200]
    assert len({c.params["text"] for c in sends}) == 1  # the same card, retried
    assert texts(alices.sent_after(card)) == [sends[-1].result["text"]]
    assert_no_apology(fake, alice.id, bob.id)
    assert served_during(fake, bob.id, alice.id, since)
    assert_card_matches_store(fake, alice.id, alice.id, settings.db_path, kb)


async def test_a_500_on_the_step_card_edit_is_retried_and_the_step_is_shown(
    app: AnyApplication,
    fake: FakeBotApi,
    kb: KnowledgeBase,
    settings: Settings,
    alice: FakeUser,
    bob: FakeUser,
    chat: Callable[..., Chat],
) -> None:
    alices = chat(alice)
    card = await start_gentle(alices)
    since = fake.call_count
    fake.inject_fault("editMessageText", status=500, chat_id=alice.id)

    done = fake.press_button(alice.id, alice, card, button(fake.message(alice.id, card), "✅"))
    await fake.wait_for_async(first_failure("editMessageText", alice.id, 500), since=since)
    bobs = fake.send_text(bob, "/start")
    await alices.handled.wait(done)
    await chat(bob).handled.wait(bobs)

    assert [c.status for c in sends_to(fake, alice.id, since, "editMessageText")] == [500, 200]
    assert "Step 2 of 3" in (fake.message(alice.id, card).rendered_text or "")
    assert_no_apology(fake, alice.id, bob.id)
    assert served_during(fake, bob.id, alice.id, since)
    assert_card_matches_store(fake, alice.id, alice.id, settings.db_path, kb)


async def test_an_edit_whose_connection_dropped_is_sent_again(
    app: AnyApplication,
    fake: FakeBotApi,
    kb: KnowledgeBase,
    settings: Settings,
    alice: FakeUser,
    bob: FakeUser,
    chat: Callable[..., Chat],
) -> None:
    alices = chat(alice)
    card = await start_gentle(alices)
    since = fake.call_count
    fake.inject_fault("editMessageText", drop_connection=True, delay=0.5, chat_id=alice.id)

    done = fake.press_button(alice.id, alice, card, button(fake.message(alice.id, card), "✅"))
    await fake.wait_for_async(
        lambda c: c.method == "editMessageText" and c.chat_id == alice.id, since=since,
        answered=False,
    )  # fmt: skip
    bobs = fake.send_text(bob, "/start")
    await alices.handled.wait(done)
    await chat(bob).handled.wait(bobs)

    edits = sends_to(fake, alice.id, since, "editMessageText")
    assert [c.dropped for c in edits] == [True, False] and edits[-1].ok  # harmless twice
    assert "Step 2 of 3" in (fake.message(alice.id, card).rendered_text or "")
    assert_no_apology(fake, alice.id, bob.id)
    assert served_during(fake, bob.id, alice.id, since)
    assert_card_matches_store(fake, alice.id, alice.id, settings.db_path, kb)


async def test_a_step_card_that_cannot_be_delivered_leaves_the_routine_where_the_user_saw_it(
    app: AnyApplication,
    fake: FakeBotApi,
    kb: KnowledgeBase,
    settings: Settings,
    alice: FakeUser,
    bob: FakeUser,
    chat: Callable[..., Chat],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(telegram_limits, "RETRY_DELAYS", (0.5, 0.5, 0.5), raising=False)
    alices = chat(alice)
    card = await start_gentle(alices)
    since = fake.call_count
    fake.inject_fault("editMessageText", status=500, chat_id=alice.id, times=50)

    done = fake.press_button(alice.id, alice, card, button(fake.message(alice.id, card), "✅"))
    await fake.wait_for_async(first_failure("editMessageText", alice.id, 500), since=since)
    bobs = fake.send_text(bob, "/start")
    await alices.handled.wait(done)
    await chat(bob).handled.wait(bobs)

    assert "Step 1 of 3" in (fake.message(alice.id, card).rendered_text or "")
    assert 1 < len(sends_to(fake, alice.id, since, "editMessageText")) < 50  # retried, bounded
    assert_no_apology(fake, alice.id, bob.id)
    assert served_during(fake, bob.id, alice.id, since)
    assert_card_matches_store(fake, alice.id, alice.id, settings.db_path, kb)

    fake.clear_faults()  # Telegram is back: the same Done button now works
    pressed = await alices.tap(card, "✅")
    assert "Step 2 of 3" in (pressed.message.rendered_text or "")
    assert_card_matches_store(fake, alice.id, alice.id, settings.db_path, kb)


async def test_a_send_slower_than_the_read_timeout_is_neither_repeated_nor_apologised_for(
    start_app: StartApp,
    fake: FakeBotApi,
    kb: KnowledgeBase,
    settings: Settings,
    alice: FakeUser,
    bob: FakeUser,
    chat: Callable[..., Chat],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    timeout = 1.0 if hasattr(wiring, "READ_TIMEOUT") else 5.0  # PTB's default before
    monkeypatch.setattr(wiring, "READ_TIMEOUT", timeout, raising=False)
    alices = chat(alice)
    async with start_app():
        card = await start_gentle(alices)
        since = fake.call_count
        fake.inject_fault("sendMessage", status=None, delay=timeout + 1.0, chat_id=alice.id)

        resume = fake.send_text(alice, "/resume")
        slow = await fake.wait_for_async(
            lambda c: c.method == "sendMessage" and c.chat_id == alice.id,
            since=since,
            answered=False,
        )
        bobs = fake.send_text(bob, "/start")
        await alices.handled.wait(resume, timeout=timeout + 10)
        await chat(bob).handled.wait(bobs)
        await fake.wait_until_async(lambda: slow.answered, timeout=timeout + 10)

        state = saved_state(settings.db_path, alice.id, kb)

    assert len(sends_to(fake, alice.id, since)) == 1  # not sent again after the timeout
    assert texts(alices.sent_after(card)) == [slow.result["text"]]
    assert_no_apology(fake, alice.id, bob.id)
    assert served_during(fake, bob.id, alice.id, since)
    assert state is not None and state.step_index == 0
    assert_card_matches_store(fake, alice.id, alice.id, settings.db_path, kb)


async def test_flood_control_in_one_chat_does_not_hold_up_other_chats(
    app: AnyApplication,
    fake: FakeBotApi,
    kb: KnowledgeBase,
    settings: Settings,
    alice: FakeUser,
    bob: FakeUser,
    chat: Callable[..., Chat],
) -> None:
    alices = chat(alice)
    card = await start_gentle(alices)
    since = fake.call_count
    fake.inject_fault("sendMessage", status=429, retry_after=3, chat_id=alice.id)

    resume = fake.send_text(alice, "/resume")
    flood = await fake.wait_for_async(first_failure("sendMessage", alice.id, 429), since=since)
    bobs = fake.send_text(bob, "/start")
    await chat(bob).handled.wait(bobs)
    await alices.handled.wait(resume)

    bobs_reply = sends_to(fake, bob.id, since)[0]
    assert flood.answered_at is not None
    assert bobs_reply.ok and bobs_reply.time < flood.answered_at + 3  # not held for Alice's 3 s
    sends = sends_to(fake, alice.id, since)
    assert [c.status for c in sends] == [429, 200]
    assert sends[1].time - sends[0].time >= 3  # Alice's chat did wait
    assert len(texts(alices.sent_after(card))) == 1
    assert_no_apology(fake, alice.id, bob.id)
    assert_card_matches_store(fake, alice.id, alice.id, settings.db_path, kb)


async def test_flood_control_in_several_chats_at_once_pauses_every_chat(
    app: AnyApplication,
    fake: FakeBotApi,
    alice: FakeUser,
    bob: FakeUser,
    chat: Callable[..., Chat],
) -> None:
    carol = fake.new_user(1003, "Carol")
    dave = fake.new_user(1004, "Dave")
    flooded = (alice, bob, carol)
    since = fake.call_count
    for user in flooded:
        fake.inject_fault("sendMessage", status=429, retry_after=2, chat_id=user.id)
    updates = [fake.send_text(user, "/start") for user in flooded]
    await fake.wait_for_async(
        lambda c: c.method == "sendMessage" and c.status == 429, since=since, count=3
    )
    third = [c for c in fake.calls[since:] if c.status == 429][-1]
    daves = fake.send_text(dave, "/start")
    for user, update_id in zip(flooded, updates, strict=True):
        await chat(user).handled.wait(update_id)
    await chat(dave).handled.wait(daves)

    assert third.answered_at is not None
    daves_send = sends_to(fake, dave.id, since)
    assert [c.status for c in daves_send] == [200]
    assert daves_send[0].time >= third.answered_at + 2  # everyone waited out the flood
    for user in flooded:
        assert [c.status for c in sends_to(fake, user.id, since)] == [429, 200]
    assert_no_apology(fake, *(u.id for u in (*flooded, dave)))


async def test_the_apology_is_sent_when_the_bots_own_code_fails(
    start_app: StartApp,
    fake: FakeBotApi,
    settings: Settings,
    alice: FakeUser,
    bob: FakeUser,
    chat: Callable[..., Chat],
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = BrokenFor(settings.db_path)
    store.broken_user = alice.id
    async with start_app(store=store):
        said = await chat(alice).say("/start")
        assert await chat(bob).say_one("/start")

    assert texts(said) == [shown(msg.something_went_wrong())]
    errors = [r for r in caplog.get_records("call") if r.levelno >= logging.ERROR]
    assert [r.getMessage() for r in errors] == ["error while handling an update"]
    assert errors[0].exc_info is not None  # the bot's own failure keeps its traceback
    caplog.get_records("call").clear()  # the one ERROR this test is about
