"""The error handler sorts what reached it: Telegram's refusals are one WARNING line without a
traceback and no apology; a rejected token is left to the process's end; a 409 is the one
Conflict line; a failure of the bot's own code keeps its traceback, and the apology goes only
to a chat where a user can read it (not a channel, not a job without a chat)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pytest
from telegram import Chat, Message, Update, User
from telegram.error import BadRequest, Conflict, InvalidToken, TelegramError

from bot.adapters.telegram.adapter import TelegramAdapter
from bot.core.loader import load_knowledge
from bot.dialogue import Dialogue
from bot.dialogue import messages as msg
from bot.store import open_store


@dataclass
class _Bot:
    """Records what the handler sends; a send can be made to fail."""

    sent: list[tuple[int, str]] = field(default_factory=list)
    fail_with: TelegramError | None = None

    async def send_message(self, chat_id: int, text: str, **_: Any) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.sent.append((chat_id, text))


@dataclass
class _Context:
    error: BaseException
    bot: _Bot = field(default_factory=_Bot)


@pytest.fixture(scope="module")
def adapter(tmp_path_factory: pytest.TempPathFactory) -> TelegramAdapter:
    path = Path(tmp_path_factory.mktemp("store")) / "bot.sqlite3"
    kb = load_knowledge()
    return TelegramAdapter(Dialogue(kb, open_store(database_url=None, sqlite_path=path)))


def _update(chat_type: str, chat_id: int = 5) -> Update:
    user = User(chat_id, "Ann", False)
    message = Message(1, datetime.now(UTC), Chat(chat_id, chat_type), user, text="hi")
    return Update(1, message=message)


async def _handle(adapter: TelegramAdapter, update: object, context: _Context) -> None:
    await adapter.on_error(update, cast(Any, context))


async def test_a_telegram_refusal_is_one_warning_line_and_no_apology(
    adapter: TelegramAdapter, caplog: pytest.LogCaptureFixture
) -> None:
    context = _Context(BadRequest("Message is too long"))
    with caplog.at_level(logging.DEBUG, logger="hipbot"):
        await _handle(adapter, _update("private"), context)
    records = [r for r in caplog.records if r.name.startswith("hipbot")]
    assert [(r.levelno, r.getMessage()) for r in records] == [
        (logging.WARNING, "Telegram API problem: BadRequest: Message is too long")
    ]
    assert records[0].exc_info is None
    assert context.bot.sent == []


async def test_a_rejected_token_is_not_logged_as_a_problem_of_the_update(
    adapter: TelegramAdapter, caplog: pytest.LogCaptureFixture
) -> None:
    context = _Context(InvalidToken("rejected"))
    with caplog.at_level(logging.DEBUG, logger="hipbot"):
        await _handle(adapter, None, context)
    assert all(r.levelno <= logging.DEBUG for r in caplog.records if r.name.startswith("hipbot"))
    assert context.bot.sent == []


async def test_a_conflict_is_the_one_conflict_line(
    adapter: TelegramAdapter, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="hipbot"):
        await _handle(adapter, None, _Context(Conflict("terminated by other getUpdates")))
        await _handle(adapter, None, _Context(Conflict("terminated by other getUpdates")))
    lines = [(r.levelno, r.getMessage()) for r in caplog.records if r.name.startswith("hipbot")]
    assert [level for level, _ in lines] == [logging.WARNING, logging.DEBUG]
    assert lines[0][1].startswith("Telegram answered 409 Conflict")


@pytest.mark.parametrize(("update", "apology_to"), [(_update("private", 5), 5), (None, None)])
async def test_a_bug_keeps_its_traceback_and_the_user_gets_the_apology(
    adapter: TelegramAdapter,
    caplog: pytest.LogCaptureFixture,
    update: Update | None,
    apology_to: int | None,
) -> None:
    context = _Context(RuntimeError("a bug"))
    await _handle(adapter, update, context)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.getMessage() for r in errors] == ["error while handling an update"]
    assert errors[0].exc_info is not None and errors[0].exc_info[1] is context.error
    expected = [] if apology_to is None else [(apology_to, msg.something_went_wrong())]
    assert context.bot.sent == expected


async def test_no_apology_is_posted_to_a_channel(
    adapter: TelegramAdapter, caplog: pytest.LogCaptureFixture
) -> None:
    context = _Context(RuntimeError("a bug"))
    await _handle(adapter, _update("channel", -100), context)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == [
        "error while handling an update"
    ]
    assert context.bot.sent == []


async def test_an_apology_telegram_refuses_is_dropped_quietly(
    adapter: TelegramAdapter, caplog: pytest.LogCaptureFixture
) -> None:
    context = _Context(RuntimeError("a bug"), _Bot(fail_with=BadRequest("Chat not found")))
    await _handle(adapter, _update("private"), context)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == [
        "error while handling an update"
    ]
