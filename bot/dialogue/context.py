"""What every feature shares: the services, one user action in progress, button helpers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core.answering import Answerer
from bot.core.knowledge import KnowledgeBase
from bot.dialogue import callbacks as cb
from bot.dialogue.chart import Point
from bot.dialogue.events import Who
from bot.dialogue.replies import Button, Edit, Keyboard, Reply, Send
from bot.store.model import Store, UserTx

MAX_KEPT_QUESTION = 1000
HISTORY_LIMIT = 10_000


def utcnow() -> datetime:
    """The current time, timezone-aware."""
    return datetime.now(UTC)


@dataclass
class Services:
    """What the features work with; the knowledge base and answerer change on /reload."""

    kb: KnowledgeBase
    store: Store
    answerer: Answerer
    clock: Callable[[], datetime] = utcnow
    timer_scale: float = 1.0


@dataclass
class Ctx:
    """One user action in progress: its transaction, and what to do after the commit."""

    tx: UserTx
    who: Who
    now: datetime
    message_id: int | None = None
    after_commit: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    chart: tuple[list[Point], int] | None = None


def keep_question(
    ctx: Ctx, store: Store, text: str, reason: str = "unanswered", entry_id: str | None = None
) -> None:
    """Keep a question for the curators (never who asked it), after the commit."""

    async def write() -> None:
        await store.record_unanswered(text[:MAX_KEPT_QUESTION], reason, entry_id)

    ctx.after_commit.append(write)


def kb_buttons(rows: Sequence[Sequence[Button]]) -> Keyboard:
    """A keyboard from rows of buttons, leaving out empty rows."""
    return tuple(tuple(row) for row in rows if row)


def edit_or_send(ctx: Ctx, text: str, rows: Sequence[Sequence[Button]]) -> list[Reply]:
    """Edit the message the pressed button was on, or send a new one."""
    keyboard = kb_buttons(rows)
    if ctx.message_id is not None:
        return [Edit(ctx.message_id, text, keyboard)]
    return [Send(text, keyboard)]


def show(entry_id: str) -> str:
    """Callback data that shows an entry."""
    return cb.encode(cb.ShowEntry(entry_id))


def menu(item: str) -> str:
    """Callback data for a main-menu item."""
    return cb.encode(cb.Menu(item))  # type: ignore[arg-type]


def zone(name: str) -> ZoneInfo | None:
    """The time zone of that name, or None when there is no such zone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None
