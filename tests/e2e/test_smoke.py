"""A first conversation through the real Application and the fake Bot API server."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application

from tests.fakes import FakeBotApi, FakeUser


async def test_start_and_a_question_are_answered(
    app: Application[Any, Any, Any, Any, Any, Any], fake: FakeBotApi, alice: FakeUser
) -> None:
    fake.send_text(alice, "/start")
    greeting = await fake.wait_for_message_async(alice.id, lambda m: "Hello Alice" in (m.rendered_text or ""))
    assert greeting.callback_data
    fake.send_text(alice, "Should I use heat or ice on my back?")
    answer = await fake.wait_for_message_async(alice.id, lambda m: "Sources" in (m.rendered_text or ""))
    assert "fb:1:heat-or-ice" in answer.callback_data
    assert fake.commands()
