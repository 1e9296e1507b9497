"""The harness of the end-to-end tests: the Application run as `hipbot run` runs it, an
observer that knows when an update has been handled, and `Chat`, a user talking to the bot.

Tests wait for "this update is handled" instead of sleeping: `Chat.say` and `Chat.press`
return once every reply to the update has been sent.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import Application, TypeHandler

from bot.adapters.telegram.lifecycle import started
from bot.config import Settings
from tests.fakes import FakeBotApi, FakeUser, StoredMessage, parse_telegram_html

TOKEN = "123456:TEST-token-not-a-secret-000000000"
TIMEOUT = 10.0
"""Seconds any wait in these tests may take before it fails."""

AnyApplication = Application[Any, Any, Any, Any, Any, Any]
StartApp = Callable[..., AbstractAsyncContextManager[AnyApplication]]
"""The `start_app` fixture: `async with start_app(kb=..., store=...) as app:`."""


class HandledUpdates:
    """Ids of the updates the Application has finished handling.

    Registered in a handler group after every group the bot uses; PTB runs the groups of one
    update in order (also after an error), so when the id shows up here every reply to the
    update has been sent.
    """

    GROUP = 1_000

    def __init__(self) -> None:
        self.ids: set[int] = set()

    def attach(self, application: AnyApplication) -> None:
        application.add_handler(TypeHandler(Update, self._record), group=self.GROUP)

    async def _record(self, update: Update, context: object) -> None:
        self.ids.add(update.update_id)

    async def wait(self, update_id: int, timeout: float = TIMEOUT) -> None:  # noqa: ASYNC109
        deadline = time.monotonic() + timeout
        while update_id not in self.ids:
            if time.monotonic() >= deadline:
                raise TimeoutError(f"update {update_id} was not handled within {timeout}s")
            await asyncio.sleep(0.01)


@asynccontextmanager
async def running(application: AnyApplication, settings: Settings) -> AsyncIterator[AnyApplication]:
    """The Application started and stopped as `hipbot run` does (long polling, with a short
    poll so the tests move on quickly)."""
    conflicts = application.bot_data["conflicts"]
    async with started(application, settings, conflicts, retry_for=TIMEOUT, poll_timeout=1):
        yield application


@dataclass(frozen=True)
class Pressed:
    """What pressing a button did: the callback answer, the message now, new messages."""

    answer: dict[str, Any] | None
    message: StoredMessage
    new: list[StoredMessage]

    @property
    def toast(self) -> str:
        return str((self.answer or {}).get("text") or "")


@dataclass
class Chat:
    """One user talking to the bot in one chat (their private chat unless `chat_id`)."""

    fake: FakeBotApi
    handled: HandledUpdates
    user: FakeUser
    chat_id: int

    def _last_message_id(self) -> int:
        return max((m.message_id for m in self.fake.messages(self.chat_id)), default=0)

    def sent_after(self, message_id: int) -> list[StoredMessage]:
        return [m for m in self.fake.sent_messages(self.chat_id) if m.message_id > message_id]

    async def push(self, make_update: Callable[[], int]) -> list[StoredMessage]:
        """Push the update `make_update` makes, wait until it is handled: the new messages."""
        before = self._last_message_id()
        update_id = make_update()
        await self.handled.wait(update_id)
        return self.sent_after(before)

    async def say(self, text: str) -> list[StoredMessage]:
        """Send a text message (or command); the bot's new messages in reply."""
        if self.chat_id == self.user.id:
            return await self.push(lambda: self.fake.send_text(self.user, text))
        return await self.push(lambda: self.fake.send_group_text(self.chat_id, self.user, text))

    async def say_one(self, text: str) -> StoredMessage:
        """Send text; the bot must answer with exactly one message, which is returned."""
        replies = await self.say(text)
        assert len(replies) == 1, [m.rendered_text for m in replies]
        return replies[0]

    async def press(self, message_id: int, data: str, *, check_button: bool = True) -> Pressed:
        """Press a button of a bot message and wait until the bot has handled it. With
        `check_button`, data of a routine card's or /forget's button may be given without what
        binds it ("rt:done" for "rt:done:<session>:<step>")."""
        if check_button:
            on_message = self.fake.message(self.chat_id, message_id).callback_data
            data = next((d for d in on_message if d == data or d.startswith(f"{data}:")), data)
        before = self._last_message_id()
        update_id = self.fake.press_button(
            self.chat_id, self.user, message_id, data, check_button=check_button
        )
        await self.handled.wait(update_id)
        query_id = self.fake.update(update_id)["callback_query"]["id"]
        return Pressed(
            self.fake.callback_answer(query_id),
            self.fake.message(self.chat_id, message_id),
            self.sent_after(before),
        )

    async def tap(self, message_id: int, label: str) -> Pressed:
        """Press the button with this label (see `button`) on a message of this chat."""
        return await self.press(message_id, button(self.fake.message(self.chat_id, message_id),
                                                   label))  # fmt: skip


def button(message: StoredMessage, label: str) -> str:
    """The callback data of the message's button whose label is (or starts with) `label`."""
    for b in message.buttons:
        if "callback_data" in b and str(b["text"]).startswith(label):
            return str(b["callback_data"])
    raise LookupError(f"no button {label!r} on message {message.message_id}: "
                      f"{[b['text'] for b in message.buttons]}")  # fmt: skip


def texts(messages: list[StoredMessage]) -> list[str]:
    """The rendered texts of messages, for asserts with readable failures."""
    return [m.rendered_text or "" for m in messages]


def shown(html: str) -> str:
    """What Telegram shows for a message the bot writes in HTML (tags parsed away)."""
    return parse_telegram_html(html)[0]
