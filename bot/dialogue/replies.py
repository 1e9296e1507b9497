"""What the dialogue hands to an adapter: messages, edits, toasts, timers. No I/O here.

Text is in Telegram's HTML subset (<b>, <i>); every piece that comes from the user or the
knowledge base is escaped before it is put in. The console adapter strips the tags.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Button:
    """An inline button: its label and its callback data (see bot.dialogue.callbacks)."""

    label: str
    data: str


Keyboard = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True)
class Undo:
    """How to take back the routine change a card shows if the card cannot be delivered: the
    saved session before the change (None: there was none) and after it, as JSON text, and
    per-user state values the change set, with the values to put back (None: delete)."""

    before: str | None
    after: str
    message_id: int | None = None
    put_back: tuple[tuple[str, str | None], ...] = ()


@dataclass(frozen=True)
class Send:
    """A new message; `card`: a routine session's card (see `Routines.render`); `picture`:
    the name of the exercise picture the card shows, with `text` as its caption."""

    text: str
    buttons: Keyboard = ()
    card: bool = False
    undo: Undo | None = None
    picture: str | None = None


@dataclass(frozen=True)
class Edit:
    """Replace the text and buttons of a message the bot sent (a new one if it is gone);
    `card`: a routine session's card; `picture`: its exercise picture, `text` the caption."""

    message_id: int
    text: str
    buttons: Keyboard = ()
    card: bool = False
    undo: Undo | None = None
    picture: str | None = None


@dataclass(frozen=True)
class EditButtons:
    """Replace only the buttons of a message the bot sent."""

    message_id: int
    buttons: Keyboard = ()


@dataclass(frozen=True)
class Toast:
    """A short notice on a pressed button (answers the callback query)."""

    text: str


@dataclass(frozen=True)
class Photo:
    """A picture (PNG bytes) with a caption."""

    png: bytes
    caption: str


@dataclass(frozen=True)
class WakeAt:
    """A timer is due at this moment: the adapter should check for due timers then."""

    due_at: datetime


Reply = Send | Edit | EditButtons | Toast | Photo | WakeAt


@dataclass(frozen=True)
class InlineItem:
    """An entry offered as an inline-mode result (`@bot psoas` in any chat)."""

    entry_id: str
    title: str
    description: str
    text: str
    start_payload: str
