"""The error handler on a button: when the bot's own code fails on a press, the user gets the
apology and the button stops spinning (its query answered), the traceback is logged once,
and the next press of a healthy user is served as usual."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from bot.config import Settings
from bot.dialogue import messages as msg
from tests.e2e.checks import BrokenFor
from tests.e2e.harness import Chat, StartApp, shown, texts
from tests.fakes import FakeBotApi, FakeUser


async def test_a_press_the_bot_fails_on_gets_the_apology_and_stops_spinning(
    start_app: StartApp,
    fake: FakeBotApi,
    settings: Settings,
    alice: FakeUser,
    bob: FakeUser,
    chat: Callable[..., Chat],
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = BrokenFor(settings.db_path)
    async with start_app(store=store):
        menu = (await chat(alice).say("/start"))[-1]
        bob_menu = (await chat(bob).say("/start"))[-1]
        store.broken_user = alice.id

        pressed = await chat(alice).press(menu.message_id, "mn:help")
        served = await chat(bob).press(bob_menu.message_id, "mn:help")

    assert texts(pressed.new) == [shown(msg.something_went_wrong())]
    assert pressed.answer is not None  # the spinner stops
    assert served.new and shown(msg.something_went_wrong()) not in texts(served.new)
    errors = [r for r in caplog.get_records("call") if r.levelno >= logging.ERROR]
    assert [r.getMessage() for r in errors] == ["error while handling an update"]
    assert errors[0].exc_info is not None
    caplog.get_records("call").clear()  # the one ERROR this test is about
