"""Answers Telegram will not take that the user does not wait for: a button press Telegram will
not let the bot answer still does its work, an inline query too old to answer is let go, and a
refused command menu does not keep the bot from starting. Each is at most one warning line,
never an apology or an ERROR."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from bot.adapters.telegram import limits as telegram_limits
from bot.dialogue import messages as msg
from tests.e2e.harness import AnyApplication, Chat, StartApp, shown, texts
from tests.fakes import FakeBotApi, FakeUser

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after:DeprecationWarning")

QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
REFUSED = "Bad Request: RESULT_ID_DUPLICATE"


def warnings_of(caplog: pytest.LogCaptureFixture, text: str) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.get_records("call")
        if r.name.startswith("hipbot") and r.levelno == logging.WARNING and text in r.getMessage()
    ]


@pytest.mark.parametrize(
    ("status", "description", "times"),
    [(400, "Bad Request: MESSAGE_TOO_LONG", 1), (500, None, 10)],
    ids=["refused", "server-error-every-try"],
)
async def test_a_button_press_telegram_will_not_let_the_bot_answer_still_does_its_work(
    status: int,
    description: str | None,
    times: int,
    app: AnyApplication,
    fake: FakeBotApi,
    alice: FakeUser,
    chat: Callable[..., Chat],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(telegram_limits, "RETRY_DELAYS", (0.1, 0.1, 0.1))
    alices = chat(alice)
    greeting = await alices.say_one("/start")
    fake.inject_fault("answerCallbackQuery", status=status, description=description, times=times)

    helped = await alices.press(greeting.message_id, "mn:help")

    assert helped.answer is None
    assert texts(helped.new)[0].startswith("What I can do")
    assert len(warnings_of(caplog, "a button press could not be answered")) == 1
    assert shown(msg.something_went_wrong()) not in texts(fake.sent_messages(alice.id))


async def test_an_inline_query_too_old_to_answer_is_let_go_without_a_warning(
    app: AnyApplication,
    fake: FakeBotApi,
    alice: FakeUser,
    chat: Callable[..., Chat],
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake.inject_fault("answerInlineQuery", status=400, description=QUERY_TOO_OLD)

    await chat(alice).push(lambda: fake.send_inline_query(alice, "psoas"))
    await chat(alice).push(lambda: fake.send_inline_query(alice, "psoas"))  # a later one works

    assert [c.ok for c in fake.calls_to("answerInlineQuery")] == [False, True]
    assert warnings_of(caplog, "") == []


async def test_an_inline_answer_refused_for_another_reason_is_one_warning_line(
    app: AnyApplication,
    fake: FakeBotApi,
    alice: FakeUser,
    chat: Callable[..., Chat],
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake.inject_fault("answerInlineQuery", status=400, description=REFUSED)

    await chat(alice).push(lambda: fake.send_inline_query(alice, "psoas"))

    assert [c.ok for c in fake.calls_to("answerInlineQuery")] == [False]
    [line] = warnings_of(caplog, "Telegram API problem")
    assert "result_id_duplicate" in line.lower()
    assert fake.sent_messages(alice.id) == []  # no apology for Telegram's refusal


async def test_the_bot_starts_and_answers_when_telegram_refuses_its_command_menu(
    start_app: StartApp,
    fake: FakeBotApi,
    alice: FakeUser,
    chat: Callable[..., Chat],
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake.inject_fault("setMyCommands", status=400, description="Bad Request: BOT_COMMAND_INVALID")

    async with start_app():
        greeting = await chat(alice).say_one("/start")

    assert "Hello Alice" in (greeting.rendered_text or "")
    assert [c.ok for c in fake.calls_to("setMyCommands")] == [False]
    [line] = warnings_of(caplog, "could not set the bot's commands")
    assert "bot_command_invalid" in line.lower()
