"""`hipbot chat`: the whole conversation in a terminal, no token and no network.

Buttons are shown as numbered choices; typing the number presses the button. A button whose
label is a number (the pain scale) keeps that number. Timers and reminders really run.
"""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import html
import io
import os
import re
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TextIO

from bot.config import Settings
from bot.core.knowledge import KnowledgeBase
from bot.dialogue import ButtonIn, CommandIn, Dialogue, Event, TextIn, Who
from bot.dialogue.replies import Edit, EditButtons, Keyboard, Photo, Reply, Send, Toast, WakeAt
from bot.store import Store, open_store

CONSOLE_USER_ID = 1
REMINDER_CHECK_SECONDS = 30.0
_TAG = re.compile(r"<[^>]+>")


def plain(text: str) -> str:
    """Telegram HTML as terminal text."""
    return html.unescape(_TAG.sub("", text))


@dataclass(frozen=True)
class Choice:
    """A button as a numbered choice."""

    key: str
    label: str
    data: str
    message_id: int


def number_buttons(keyboard: Keyboard, message_id: int) -> list[Choice]:
    """Choices for a keyboard: digit labels keep their number, the rest count on from there."""
    buttons = [b for row in keyboard for b in row]
    taken = {b.label for b in buttons if b.label.isdigit()}
    next_key = max((int(k) for k in taken), default=0) + 1
    choices = []
    for button in buttons:
        if button.label.isdigit():
            key = button.label
        else:
            key = str(next_key)
            next_key += 1
        choices.append(Choice(key, button.label, button.data, message_id))
    return choices


class Console:
    """Reads lines, feeds the dialogue, prints replies."""

    def __init__(self, dialogue: Dialogue, who: Who, out: TextIO) -> None:
        self.dialogue = dialogue
        self.who = who
        self.out = out
        self.choices: list[Choice] = []
        self.shown: dict[int, Keyboard] = {}
        self.next_message_id = 1
        self.wake: asyncio.TimerHandle | None = None
        self.lock = asyncio.Lock()

    def print(self, text: str = "") -> None:
        """Write and flush (output may be a pipe)."""
        self.out.write(text + "\n")
        self.out.flush()

    def event_for(self, line: str) -> Event | None:
        """The event a typed line stands for."""
        line = line.strip()
        if not line:
            return None
        if line.startswith("/"):
            name, _, args = line[1:].partition(" ")
            return CommandIn(self.who, name.split("@")[0], args)
        choice = next((c for c in self.choices if c.key == line), None)
        if choice is not None:
            return ButtonIn(self.who, choice.data, choice.message_id)
        return TextIn(self.who, line)

    async def send(self, event: Event) -> None:
        """Handle one event and show its replies."""
        async with self.lock:
            self.render(await self.dialogue.handle(event))

    def render(self, replies: Sequence[Reply]) -> None:
        """Print replies the way a chat would show them."""
        for reply in replies:
            match reply:
                case Send(text, buttons):
                    message_id = self.next_message_id
                    self.next_message_id += 1
                    self.show(message_id, text, buttons, reply.picture)
                case Edit(message_id, text, buttons):
                    self.show(message_id, text, buttons, reply.picture)
                case EditButtons(message_id, buttons):
                    self.shown[message_id] = buttons
                    self.show_buttons(message_id, buttons)
                case Toast(text) if text:
                    self.print(f"  ({plain(text)})")
                case Photo(_, caption):
                    self.print(f"[picture] {plain(caption)}")
                case WakeAt(due):
                    self.schedule(due)
                case _:
                    pass

    def show(
        self, message_id: int, text: str, buttons: Keyboard, picture: str | None = None
    ) -> None:
        """Print a message, the path of its exercise picture, and its buttons."""
        self.print()
        self.print(plain(text))
        path = self.dialogue.kb.pictures.get(picture) if picture else None
        if path is not None:
            self.print(f"[picture: {path}]")
        self.shown[message_id] = buttons
        self.show_buttons(message_id, buttons)

    def show_buttons(self, message_id: int, buttons: Keyboard) -> None:
        """Print the numbered choices of a message; they become the current ones."""
        if not buttons:
            # The message lost its buttons: its numbers press nothing any more.
            self.choices = [c for c in self.choices if c.message_id != message_id]
            return
        choices = number_buttons(buttons, message_id)
        self.choices = choices
        self.print("  " + "   ".join(f"[{c.key}] {c.label}" for c in choices))

    def schedule(self, due: datetime) -> None:
        """Check for due timers at `due`."""
        loop = asyncio.get_running_loop()
        delay = max(0.0, (due - self.dialogue.clock()).total_seconds())
        if self.wake is not None:
            self.wake.cancel()
        self.wake = loop.call_later(delay, lambda: asyncio.ensure_future(self.fire_timers()))

    async def fire_timers(self) -> None:
        """Handle every due timer."""
        async with self.lock:
            for _, replies in await self.dialogue.fire_due_timers():
                self.render(replies)
            upcoming = await self.dialogue.next_wake()
        if upcoming is not None:
            self.schedule(upcoming)

    async def reminders(self) -> None:
        """Check the daily reminder now and then."""
        while True:
            async with self.lock:
                for _, replies in await self.dialogue.due_reminders():
                    self.render(replies)
            await asyncio.sleep(REMINDER_CHECK_SECONDS)


async def _lines(stream: TextIO) -> asyncio.Queue[str | None]:
    queue: asyncio.Queue[str | None] = asyncio.Queue()
    loop = asyncio.get_running_loop()

    def put(line: str | None) -> None:
        with contextlib.suppress(RuntimeError):  # the chat has ended and the loop is closed
            loop.call_soon_threadsafe(queue.put_nowait, line)

    def read() -> None:
        try:
            for line in stream:
                put(line)
        finally:
            put(None)

    # A daemon thread, not the loop's executor: asyncio.run would wait for a thread blocked
    # on the terminal, so /quit would only end the chat at the next line or Ctrl-D.
    threading.Thread(target=read, name="chat-input", daemon=True).start()
    return queue


async def chat(dialogue: Dialogue, stdin: TextIO, stdout: TextIO, who: Who) -> None:
    """Run the conversation until end of input or /quit."""
    console = Console(dialogue, who, stdout)
    console.print(
        "Hip & Back Coach in your terminal. Type a question or a /command; type the number "
        "of a choice to press it. /help lists commands, /quit (or Ctrl-D) ends."
    )
    await console.fire_timers()
    reminders = asyncio.create_task(console.reminders())
    queue = await _lines(stdin)
    try:
        while (line := await queue.get()) is not None:
            if line.strip() in ("/quit", "/exit"):
                break
            event = console.event_for(line)
            if event is not None:
                await console.send(event)
    finally:
        reminders.cancel()
        if console.wake is not None:
            console.wake.cancel()


async def _run(settings: Settings, kb: KnowledgeBase) -> None:
    store: Store = open_store(database_url=settings.database_url, sqlite_path=settings.db_path)
    await store.open()
    try:
        dialogue = Dialogue(kb, store, timer_scale=settings.timer_scale)
        user_id = int(os.environ.get("HIPBOT_CONSOLE_USER", CONSOLE_USER_ID))
        who = Who(user_id, user_id, _name())
        if isinstance(sys.stdin, io.TextIOWrapper):
            sys.stdin.reconfigure(errors="replace")  # bytes that are not UTF-8 must not stop input
        await chat(dialogue, sys.stdin, sys.stdout, who)
    finally:
        await store.close()


def _name() -> str:
    try:
        return getpass.getuser().capitalize()
    except (OSError, KeyError):
        return ""


def run_chat(settings: Settings, kb: KnowledgeBase) -> int:
    """Entry point of `hipbot chat`."""
    try:
        asyncio.run(_run(settings, kb))
    except KeyboardInterrupt:
        print()
    return 0
