"""What reaches the dialogue from an adapter: one event for one user in one chat."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Who:
    """The user and the chat an event comes from."""

    user_id: int
    chat_id: int
    first_name: str = ""


@dataclass(frozen=True)
class TextIn:
    """A typed message."""

    who: Who
    text: str


@dataclass(frozen=True)
class CommandIn:
    """A /command with the rest of the message as its argument."""

    who: Who
    name: str
    args: str = ""


@dataclass(frozen=True)
class ButtonIn:
    """A pressed inline button, with the message it was on (if known)."""

    who: Who
    data: str
    message_id: int | None = None


@dataclass(frozen=True)
class TimerDue:
    """A stored timer came due."""

    who: Who
    payload: str


@dataclass(frozen=True)
class OtherIn:
    """A sticker, photo, voice note, location or anything that is not text."""

    who: Who
    kind: str


Event = TextIn | CommandIn | ButtonIn | TimerDue | OtherIn


def private_chat(who: Who) -> int:
    """The user's own chat: reminders and timers never go to a group they wrote in."""
    # Telegram private chats have positive ids (equal to the user's); groups are negative.
    return who.chat_id if who.chat_id > 0 else who.user_id
