"""A photo card Telegram will not edit: a text phase on a card too old to edit comes as a new
text card."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.config import Settings
from bot.core.knowledge import KnowledgeBase
from bot.dialogue import messages as msg
from tests.e2e.checks import assert_card_matches_store
from tests.e2e.harness import AnyApplication, Chat
from tests.e2e.test_routine_buttons import start_gentle
from tests.fakes import FakeBotApi, FakeUser

pytestmark = pytest.mark.usefixtures("unthrottled_chats")

TOO_OLD = "Bad Request: message can't be edited"


def undelivered(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.get_records("call")
        if r.name == "hipbot.telegram" and "could not be delivered" in r.getMessage()
    ]


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
