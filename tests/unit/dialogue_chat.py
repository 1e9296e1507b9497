"""A user talking to the transport-free dialogue in tests: a fixed clock, a Chat that keeps
everything shown, and helpers to read replies."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.core import routine as rt
from bot.core.knowledge import KnowledgeBase
from bot.dialogue import ButtonIn, CommandIn, Dialogue, Event, TextIn, Who
from bot.dialogue import callbacks as cb
from bot.dialogue.replies import (
    Button,
    Edit,
    EditButtons,
    Keyboard,
    Photo,
    Reply,
    Send,
    Toast,
    WakeAt,
)
from bot.store import FinishedSession, Row, Store
from bot.store.schema import TABLES

START = datetime(2025, 1, 15, 6, 0, tzinfo=UTC)  # a Wednesday in winter (Berlin is UTC+1)


USER = 424242


OTHER = 515151


CARD = 100  # message id of the message whose buttons the tests press


BEGINNER_STEPS = 7  # the beginner routine at level "Weeks 1-2"


GLUTE_BRIDGE = 3  # step index of the first beginner step with a hold (3 s)


class Clock:
    """A fixed clock that only moves when told to."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


_ALLOWED_TAG = re.compile(r"</?(b|i)>")


_ENTITY = re.compile(r"&(?:amp|lt|gt|quot|#\d+|#x[0-9a-fA-F]+);")


def assert_telegram_html(text: str) -> None:
    """Only <b> and <i>, properly nested, and no bare '<', '>' or '&' (user input escaped)."""
    stack: list[str] = []
    for tag in _ALLOWED_TAG.finditer(text):
        name = tag.group(1)
        if tag.group(0).startswith("</"):
            assert stack and stack.pop() == name, f"unbalanced </{name}> in {text[:200]!r}"
        else:
            stack.append(name)
    assert not stack, f"unclosed <{stack[-1]}> in {text[:200]!r}"
    bare = _ENTITY.sub("", _ALLOWED_TAG.sub("", text))
    for ch in "<>&":
        assert ch not in bare, f"unescaped {ch!r} in {text[:200]!r}"


def rt_data(action: cb.RoutineAction) -> str:
    return cb.encode(cb.RoutineButton(action))


def pain_data(value: int) -> str:
    return cb.encode(cb.PainScore(value))


def texts(replies: Sequence[Reply]) -> list[str]:
    """The texts of new and edited messages, in order."""
    return [r.text for r in replies if isinstance(r, Send | Edit)]


def joined(replies: Sequence[Reply]) -> str:
    return "\n".join(texts(replies))


def keyboards(replies: Sequence[Reply]) -> list[Keyboard]:
    return [r.buttons for r in replies if isinstance(r, Send | Edit | EditButtons)]


def raw_data(replies: Sequence[Reply]) -> list[str]:
    """Every callback data of every keyboard in the replies, as sent."""
    return [b.data for kb in keyboards(replies) for row in kb for b in row]


def untagged(data: str) -> str:
    """Callback data without the session, step or nonce it is bound to ("rt:done")."""
    prefix, _, rest = data.partition(":")
    if prefix in ("rt", "pn", "fg"):
        return f"{prefix}:{rest.split(':')[0]}"
    return data


def all_data(replies: Sequence[Reply]) -> list[str]:
    """Every callback data of every keyboard in the replies, untagged ("rt:done")."""
    return [untagged(d) for d in raw_data(replies)]


def buttons(replies: Sequence[Reply]) -> list[Button]:
    return [b for kb in keyboards(replies) for row in kb for b in row]


def toasts(replies: Sequence[Reply]) -> list[str]:
    return [r.text for r in replies if isinstance(r, Toast)]


def step_of(replies: Sequence[Reply]) -> tuple[int, int]:
    """(number, total) of the last "Step N of M" card in the replies."""
    found = re.findall(r"Step (\d+) of (\d+)", joined(replies))
    assert found, f"no step card in {joined(replies)[:300]!r}"
    number, total = found[-1]
    return int(number), int(total)


@dataclass
class Chat:
    """One user talking to the dialogue; remembers everything the bot showed."""

    dialogue: Dialogue
    who: Who
    shown: list[Reply] = field(default_factory=list)

    def seen(self, replies: Sequence[Reply]) -> list[Reply]:
        for reply in replies:
            assert isinstance(reply, Send | Edit | EditButtons | Toast | Photo | WakeAt)
        self.shown.extend(replies)
        return list(replies)

    async def send(self, event: Event) -> list[Reply]:
        return self.seen(await self.dialogue.handle(event))

    async def text(self, text: str) -> list[Reply]:
        return await self.send(TextIn(self.who, text))

    async def command(self, name: str, args: str = "") -> list[Reply]:
        return await self.send(CommandIn(self.who, name, args))

    async def press(self, data: str, message_id: int | None = CARD) -> list[Reply]:
        """Press the button with this data; untagged data ("rt:done") presses the latest
        button shown with that action, as a user taps the card in front of them."""
        return await self.send(ButtonIn(self.who, self.latest(data), message_id))

    def latest(self, data: str) -> str:
        """The data of the latest button shown whose untagged data is `data`, else `data`."""
        if data != untagged(data):
            return data
        shown = [d for d in raw_data(self.shown) if d != data and untagged(d) == data]
        return shown[-1] if shown else data

    async def fire_timers(self) -> list[tuple[Who, list[Reply]]]:
        fired = await self.dialogue.fire_due_timers()
        for _, replies in fired:
            self.seen(replies)
        return fired

    async def reminders(self) -> list[tuple[Who, list[Reply]]]:
        due = await self.dialogue.due_reminders()
        for _, replies in due:
            self.seen(replies)
        return due

    def check_everything_shown(self) -> None:
        """Every callback data fits in 64 bytes and parses; every text is clean HTML."""
        for data in raw_data(self.shown):
            assert len(data.encode("utf-8")) <= cb.MAX_BYTES, data
            assert cb.parse(data) is not None, data
        for text in texts(self.shown):
            assert_telegram_html(text)


async def active_state(store: Store, kb: KnowledgeBase, user: int = USER) -> rt.SessionState | None:
    async with store.user_action(user) as tx:
        raw = await tx.get_active_session()
    if raw is None:
        return None
    state = rt.SessionState.from_json(raw, kb.routines)
    assert state is not None, raw
    return state


async def finished(store: Store, user: int = USER) -> list[FinishedSession]:
    async with store.user_action(user) as tx:
        return await tx.finished_sessions(limit=1000)


def user_rows(rows: dict[str, list[Row]], user: int) -> dict[str, list[Row]]:
    """The rows of every per-user table that belong to `user`."""
    out: dict[str, list[Row]] = {}
    for table in TABLES:
        if table.per_user:
            column = table.columns.index("user_id")
            out[table.name] = [r for r in rows[table.name] if r[column] == user]
    return out


async def start_beginner(chat: Chat, pain: int = 4) -> list[Reply]:
    """Beginner routine at "Weeks 1-2", safety check cleared, starting pain given: step 1."""
    await chat.press(cb.encode(cb.StartRoutine("beginner", "weeks-1-2")))
    await chat.press(rt_data("safe"))
    replies = await chat.press(pain_data(pain))
    assert step_of(replies) == (1, BEGINNER_STEPS)
    return replies


async def go_to_step(chat: Chat, number: int, pain: int = 4) -> list[Reply]:
    replies = await start_beginner(chat, pain)
    for _ in range(number - 1):
        replies = await chat.press(rt_data("done"))
    assert step_of(replies) == (number, BEGINNER_STEPS)
    return replies
