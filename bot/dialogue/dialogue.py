"""The dispatcher: each event runs in one store transaction and goes to its feature.

It owns the order of things: the user row first, then the feature, then, after the commit,
what must not hold the transaction (question statistics, the chart).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.core.answering import Answerer
from bot.core.knowledge import KnowledgeBase
from bot.dialogue import callbacks as cb
from bot.dialogue import messages as msg
from bot.dialogue.admin import ADMIN_COMMANDS, Admin
from bot.dialogue.chart import progress_png
from bot.dialogue.context import Ctx, Services, kb_buttons, menu, utcnow
from bot.dialogue.events import (
    ButtonIn,
    CommandIn,
    Event,
    OtherIn,
    TextIn,
    TimerDue,
    Who,
    private_chat,
)
from bot.dialogue.privacy import Privacy
from bot.dialogue.progress import Progress
from bot.dialogue.questions import LAST_QUESTION, Questions, typed_command
from bot.dialogue.reminders import Reminders
from bot.dialogue.replies import Button, InlineItem, Photo, Reply, Send, Toast, Undo
from bot.dialogue.routines import Routines
from bot.store.model import Store, User

Handler = Callable[[Ctx, str], Awaitable[list[Reply]]]
SEEN_UPDATES_KEPT = timedelta(days=1)


class Dialogue:
    """Turns events into replies, reading and writing the store."""

    def __init__(
        self,
        kb: KnowledgeBase,
        store: Store,
        answerer: Answerer | None = None,
        *,
        clock: Callable[[], datetime] = utcnow,
        timer_scale: float = 1.0,
        admin_ids: frozenset[int] = frozenset(),
        reload: Callable[[], KnowledgeBase] | None = None,
    ) -> None:
        self.services = Services(kb, store, answerer or Answerer(kb), clock, timer_scale)
        self.admin_ids = admin_ids
        self.routines = Routines(self.services)
        self.questions = Questions(self.services, self.routines)
        self.reminders = Reminders(self.services)
        self.progress = Progress(self.services)
        self.admin = Admin(self.services, reload)
        self.privacy = Privacy()
        self.commands: dict[str, Handler] = {
            "start": self._start,
            "help": self._help,
            "topics": self.questions.topics,
            "routine": self.routines.command,
            "resume": self.routines.resume,
            "progress": self.progress.command,
            "reminder": self.reminders.reminder,
            "timezone": self.reminders.timezone,
            "cancel": self._cancel,
            "forget": self.privacy.forget,
        }

    @property
    def kb(self) -> KnowledgeBase:
        """The knowledge base in use (it changes on /reload)."""
        return self.services.kb

    @property
    def store(self) -> Store:
        """The store."""
        return self.services.store

    @property
    def clock(self) -> Callable[[], datetime]:
        """The clock every event is timed by."""
        return self.services.clock

    def replace_knowledge(self, kb: KnowledgeBase, answerer: Answerer) -> None:
        """Swap in a reloaded, already validated knowledge base."""
        self.services.kb, self.services.answerer = kb, answerer

    async def handle(self, event: Event) -> list[Reply]:
        """Handle one event for one user, in one transaction; the replies to send."""
        replies = await self.handle_once(event, None)
        assert replies is not None
        return replies

    async def handle_once(self, event: Event, update_id: int | None) -> list[Reply] | None:
        """`handle` for an event that the transport may deliver again under the same id: None
        if this id was handled already, here or in another process on the same store."""
        if (
            isinstance(event, CommandIn)
            and event.name.lower() in ADMIN_COMMANDS
            and event.who.user_id in self.admin_ids
        ):
            return await self.admin.command(event.name.lower())
        async with self.store.user_action(event.who.user_id) as tx:
            if update_id is not None and not await tx.claim_update(update_id):
                return None
            ctx = Ctx(tx, event.who, self.clock())
            await self._ensure_user(ctx)
            replies = await self._dispatch(ctx, event)
        for write in ctx.after_commit:
            await write()
        if ctx.chart is not None:
            # Drawing takes a while: after the commit and off the event loop.
            png = await asyncio.to_thread(progress_png, *ctx.chart)
            if png is not None:
                replies.append(Photo(png, msg.chart_caption()))
        return replies

    async def undo(self, who: Who, undo: Undo) -> list[Reply] | None:
        """A routine card did not reach the user: take back the change it showed (see
        `Routines.undo`; None if the routine has moved on since); the replies only set a
        timer again."""
        async with self.store.user_action(who.user_id) as tx:
            return await self.routines.undo(Ctx(tx, who, self.clock()), undo)

    async def forget_handled_updates(self, keep: timedelta = SEEN_UPDATES_KEPT) -> int:
        """Forget the ids of updates handled longer ago than `keep` (Telegram does not deliver
        an update again after a day); how many."""
        return await self.store.prune_seen_updates(self.clock() - keep)

    def inline(self, query: str) -> list[InlineItem]:
        """Entries matching an inline query, best first."""
        return self.questions.inline(query)

    async def fire_due_timers(self) -> list[tuple[Who, list[Reply]]]:
        """Claim every due timer (each fires once, across processes) and handle it."""
        out = []
        for timer in await self.store.claim_due_timers(self.clock()):
            who = Who(timer.user_id, timer.chat_id)
            out.append((who, await self.handle(TimerDue(who, timer.payload))))
        return out

    async def due_reminders(self) -> list[tuple[Who, list[Reply]]]:
        """Daily reminders due now, each claimed so it is sent once."""
        return await self.reminders.due()

    async def next_wake(self) -> datetime | None:
        """When the next stored timer is due."""
        return await self.store.next_timer_due()

    async def _ensure_user(self, ctx: Ctx) -> None:
        user = await ctx.tx.get_user()
        chat = private_chat(ctx.who)
        if user is None or user.chat_id != chat:
            timezone = user.timezone if user else "UTC"
            await ctx.tx.save_user(User(ctx.who.user_id, chat, timezone))

    async def _dispatch(self, ctx: Ctx, event: Event) -> list[Reply]:
        match event:
            case TextIn(_, text):
                # "help", "menu", "start over" typed as words do what the command does.
                name = typed_command(text)
                if name is not None:
                    return await self.commands[name](ctx, "")
                return await self.questions.text(ctx, text)
            case CommandIn(_, name, args):
                handler = self.commands.get(name.lower())
                if handler is None:
                    return [Send(msg.unknown_command())]
                return await handler(ctx, args.strip())
            case ButtonIn(_, data, message_id):
                ctx.message_id = message_id
                return await self._button(ctx, data)
            case TimerDue(_, payload):
                return await self.routines.timer_due(ctx, payload)
            case OtherIn():
                return [Send(msg.not_text())]

    async def _button(self, ctx: Ctx, data: str) -> list[Reply]:
        action = cb.parse(data)
        match action:
            case cb.StartRoutine(routine_id, level_id):
                if routine_id not in self.kb.routines:
                    return [Toast(msg.stale_button()), *(await self.routines.menu(ctx))]
                return await self.routines.start(ctx, routine_id, level_id)
            case cb.RoutineButton():
                return await self.routines.button(ctx, action)
            case cb.PainScore():
                return await self.routines.pain_button(ctx, action)
            case cb.ForgetAnswer(confirmed, nonce):
                return await self.privacy.answer(ctx, confirmed, nonce)
            case cb.Menu("routine"):
                return [Toast(""), *(await self.routines.menu(ctx))]
            case cb.Menu("topics"):
                return [Toast(""), *(await self.questions.topics(ctx, ""))]
            case cb.Menu("help"):
                return [Toast(""), Send(msg.help_text())]
            case None:
                return [Toast(msg.stale_button())]
        replies = await self.questions.button(ctx, action)
        return replies if replies is not None else [Toast(msg.stale_button())]

    async def _start(self, ctx: Ctx, args: str) -> list[Reply]:
        payload = args.split()[0] if args.split() else ""
        if payload.startswith("kb-") and payload[3:] in self.kb.entries:
            return self.questions.answer(self.kb.entries[payload[3:]])
        if payload in self.kb.routines:
            return await self.routines.start(ctx, payload, None)
        buttons = kb_buttons(
            [
                [Button(msg.START_ROUTINE_LABEL, menu("routine"))],
                [Button(msg.BROWSE_TOPICS_LABEL, menu("topics"))],
                [Button(msg.HELP_LABEL, menu("help"))],
            ]
        )
        return [Send(msg.greeting(ctx.who.first_name), buttons)]

    async def _help(self, ctx: Ctx, args: str) -> list[Reply]:
        return [Send(msg.help_text())]

    async def _cancel(self, ctx: Ctx, args: str) -> list[Reply]:
        await ctx.tx.set_state(LAST_QUESTION, None)
        stopped = await self.routines.cancel(ctx)
        return stopped if stopped is not None else [Send(msg.cancelled(False))]
