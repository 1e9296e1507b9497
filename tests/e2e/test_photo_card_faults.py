"""A photo card Telegram will not edit: a card whose message is gone (deleted, or too old to
edit) comes back as a new photo card, a text phase as a new text card; an edit Telegram
refuses for another reason takes the step back, so the saved routine is what the user saw;
and a card this process has forgotten it drew as a photo still gets its caption edited."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.adapters.telegram import outgoing
from bot.config import Settings
from bot.core.knowledge import KnowledgeBase
from bot.dialogue import messages as msg
from tests.e2e.checks import assert_card_matches_store, saved_state
from tests.e2e.harness import AnyApplication, Chat, shown, texts
from tests.e2e.test_routine_buttons import start_gentle
from tests.fakes import FakeBotApi, FakeUser

pytestmark = pytest.mark.usefixtures("unthrottled_chats")

GONE = "Bad Request: message to edit not found"
TOO_OLD = "Bad Request: message can't be edited"
REFUSED = "Bad Request: can't parse entities: unsupported start tag"


def undelivered(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.get_records("call")
        if r.name == "hipbot.telegram" and "could not be delivered" in r.getMessage()
    ]


async def test_a_photo_card_whose_message_is_gone_comes_back_as_a_new_photo_card(
    app: AnyApplication,
    fake: FakeBotApi,
    kb: KnowledgeBase,
    settings: Settings,
    alice: FakeUser,
    chat: Callable[..., Chat],
) -> None:
    alices = chat(alice)
    card = await start_gentle(alices)
    fake.inject_fault("editMessageMedia", status=400, description=GONE, chat_id=alice.id)

    done = await alices.tap(card, msg.DONE_LABEL)

    assert "Step 1 of 3" in (done.message.rendered_text or "")  # the old card is untouched
    assert len(done.new) == 1
    new_card = done.new[0]
    assert new_card.kind == "photo" and new_card.file_bytes
    assert (new_card.rendered_text or "").startswith("Step 2 of 3")
    assert msg.DONE_LABEL in [b["text"] for b in new_card.buttons]
    assert_card_matches_store(fake, alice.id, alice.id, settings.db_path, kb)

    # The new card is the one the routine goes on with.
    after = await alices.tap(new_card.message_id, msg.DONE_LABEL)
    assert "Step 3 of 3" in (after.message.rendered_text or "")
    assert_card_matches_store(fake, alice.id, alice.id, settings.db_path, kb)


async def test_a_text_phase_on_a_photo_card_too_old_to_edit_comes_as_a_new_text_card(
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
    fake.inject_fault("editMessageCaption", status=400, description=TOO_OLD, chat_id=alice.id)

    hurts = await alices.tap(card, msg.HURTS_LABEL)

    assert "Step 1 of 3" in (hurts.message.rendered_text or "")
    assert len(hurts.new) == 1 and hurts.new[0].kind == "text"
    assert "What happened?" in (hurts.new[0].rendered_text or "")
    assert msg.SHARP_LABEL in [b["text"] for b in hurts.new[0].buttons]
    assert undelivered(caplog) == []
    assert_card_matches_store(fake, alice.id, alice.id, settings.db_path, kb)


async def test_a_photo_card_edit_refused_for_another_reason_takes_the_step_back(
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
    fake.inject_fault("editMessageMedia", status=400, description=REFUSED, chat_id=alice.id)

    done = await alices.tap(card, msg.DONE_LABEL)

    assert "Step 1 of 3" in (done.message.rendered_text or "")
    assert done.new == []
    assert shown(msg.something_went_wrong()) not in texts(fake.sent_messages(alice.id))
    state = saved_state(settings.db_path, alice.id, kb)
    assert state is not None and state.step_index == 0  # taken back
    assert_card_matches_store(fake, alice.id, alice.id, settings.db_path, kb)
    [line] = undelivered(caplog)
    assert "can't parse entities" in line.lower() and "taken back" in line

    again = await alices.tap(card, msg.DONE_LABEL)  # the same press works once Telegram does
    assert "Step 2 of 3" in (again.message.rendered_text or "")
    assert_card_matches_store(fake, alice.id, alice.id, settings.db_path, kb)


async def test_a_caption_edit_refused_for_another_reason_takes_the_phase_back(
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
    before = saved_state(settings.db_path, alice.id, kb)
    fake.inject_fault("editMessageCaption", status=400, description=REFUSED, chat_id=alice.id)

    hurts = await alices.tap(card, msg.HURTS_LABEL)

    assert "Step 1 of 3" in (hurts.message.rendered_text or "")
    assert msg.HURTS_LABEL in [b["text"] for b in hurts.message.buttons]
    assert hurts.new == []
    assert saved_state(settings.db_path, alice.id, kb) == before
    assert_card_matches_store(fake, alice.id, alice.id, settings.db_path, kb)
    assert len(undelivered(caplog)) == 1


async def test_a_photo_card_the_process_has_forgotten_still_gets_its_caption_edited(
    app: AnyApplication,
    fake: FakeBotApi,
    alice: FakeUser,
    bob: FakeUser,
    chat: Callable[..., Chat],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(outgoing, "REMEMBERED_PHOTOS", 1)
    alices, bobs = chat(alice), chat(bob)
    alice_card = await start_gentle(alices)
    bob_card = await start_gentle(bobs)  # only Bob's card is remembered now

    since = fake.call_count
    asked = await alices.tap(alice_card, msg.HURTS_LABEL)
    assert "What happened?" in (asked.message.rendered_text or "")
    assert asked.message.kind == "photo" and asked.new == []
    tries = [c for c in fake.calls[since:] if c.method.startswith("editMessage")]
    assert [(c.method, c.ok) for c in tries] == [
        ("editMessageText", False),  # a text edit first: the card was forgotten
        ("editMessageCaption", True),
    ]

    since = fake.call_count
    asked = await bobs.tap(bob_card, msg.HURTS_LABEL)
    assert "What happened?" in (asked.message.rendered_text or "")
    tries = [c for c in fake.calls[since:] if c.method.startswith("editMessage")]
    assert [(c.method, c.ok) for c in tries] == [("editMessageCaption", True)]
