"""The conversation, free of any transport: events in, replies out.

It owns the order of checks for typed text (safety, small talk, the knowledge base), the
routine flow, and every command. Each event is one user action: it runs inside one store
transaction, which is committed before the replies go back to the adapter to be sent.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot import callbacks as cb
from bot import messages as msg
from bot import routine as rt
from bot.answering import Answerer
from bot.chart import Point, progress_png
from bot.knowledge import Entry, KnowledgeBase, KnowledgeError
from bot.replies import (
    Button,
    Edit,
    EditButtons,
    InlineItem,
    Keyboard,
    Photo,
    Reply,
    Send,
    Toast,
    WakeAt,
)
from bot.routine_model import Routine
from bot.stats import Stats
from bot.store import FinishedSession, Store, Timer, User, UserTx

MAX_TEXT = 10_000
MAX_KEPT_QUESTION = 1000
HISTORY_LIMIT = 10_000
REMINDER_GRACE = timedelta(hours=1)
_PAIN_TEXT = re.compile(r"^\s*(-?\d{1,3})\s*(?:/\s*10)?\s*$")
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.h]([0-5]\d)$")
_PAIN_PHASES = {
    rt.Phase.PAIN_BEFORE: "before",
    rt.Phase.HURT_CHECK: "hurt",
    rt.Phase.PAIN_AFTER: "after",
}
_ROUTINE_EVENTS: dict[str, rt.Event] = {
    "safe": rt.SafetyClear(),
    "flag-emergency": rt.SafetyFlag(),
    "flag-same-day": rt.SafetyFlag(),
    "done": rt.Done(),
    "skip": rt.Skip(),
    "back": rt.Back(),
    "timer": rt.StartTimer(),
    "hurt": rt.Hurts(),
    "sharp": rt.SharpPain(),
    "tingle": rt.Tingling(),
    "easier": rt.UseEasier(),
    "end": rt.EndSession(),
    "pause": rt.Pause(),
    "resume": rt.Resume(),
    "stop": rt.Stop(),
}
LAST_QUESTION = "last_question"
ANSWERED = "answered:"
CHART_SESSIONS = 30
# Anyone else gets exactly the unknown-command reply: no hint that these exist.
ADMIN_COMMANDS = frozenset({"stats", "reload"})


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


@dataclass
class _Ctx:
    """One user action in progress."""

    tx: UserTx
    who: Who
    now: datetime
    message_id: int | None = None
    after_commit: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    chart: tuple[list[Point], int] | None = None


@dataclass(frozen=True)
class _Session:
    routine: Routine
    state: rt.SessionState


class _Lost:
    """A saved session that could not be restored."""


LOST = _Lost()


def utcnow() -> datetime:
    """The current time, timezone-aware."""
    return datetime.now(UTC)


def _kb_buttons(rows: Sequence[Sequence[Button]]) -> Keyboard:
    return tuple(tuple(row) for row in rows if row)


def _pain_rows() -> Keyboard:
    scores = [Button(str(n), cb.encode(cb.PainScore(n))) for n in range(11)]
    return _kb_buttons([scores[:6], scores[6:]])


def _rt(action: cb.RoutineAction) -> str:
    return cb.encode(cb.RoutineButton(action))


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
        self.kb = kb
        self.store = store
        self.answerer = answerer or Answerer(kb)
        self.clock = clock
        self.timer_scale = timer_scale
        self.admin_ids = admin_ids
        self.reload = reload

    def replace_knowledge(self, kb: KnowledgeBase, answerer: Answerer) -> None:
        """Swap in a reloaded, already validated knowledge base."""
        self.kb, self.answerer = kb, answerer

    # ------------------------------------------------------------------ entry points

    async def handle(self, event: Event) -> list[Reply]:
        """Handle one event for one user, in one transaction; the replies to send."""
        if (
            isinstance(event, CommandIn)
            and event.name.lower() in ADMIN_COMMANDS
            and event.who.user_id in self.admin_ids
        ):
            return await self._admin(event.name.lower())
        ctx_holder: list[_Ctx] = []
        async with self.store.user_action(event.who.user_id) as tx:
            ctx = _Ctx(tx, event.who, self.clock())
            ctx_holder.append(ctx)
            await self._ensure_user(ctx)
            replies = await self._dispatch(ctx, event)
        ctx = ctx_holder[0]
        for write in ctx.after_commit:
            await write()
        if ctx.chart is not None:
            # Drawing takes a while: after the commit and off the event loop.
            png = await asyncio.to_thread(progress_png, *ctx.chart)
            if png is not None:
                replies.append(Photo(png, msg.chart_caption()))
        return replies

    def inline(self, query: str) -> list[InlineItem]:
        """Entries matching an inline query (`@bot psoas`), best first; no store involved."""
        text = query.strip()[:MAX_KEPT_QUESTION]
        if not text:
            return [self._inline_item(self.kb.entries[i]) for i in list(self.kb.entries)[:10]]
        ranked = self.answerer.matcher.score(text)
        floor = self.answerer.matcher.thresholds.clarify
        return [
            self._inline_item(self.kb.entries[c.entry_id]) for c in ranked[:10] if c.score >= floor
        ]

    def _inline_item(self, entry: Entry) -> InlineItem:
        return InlineItem(
            entry_id=entry.id,
            title=entry.title,
            description=msg.inline_description(entry),
            text=msg.answer(entry),
            start_payload=f"kb-{entry.id}",
        )

    async def fire_due_timers(self) -> list[tuple[Who, list[Reply]]]:
        """Claim every due timer (each fires once, across processes) and handle it."""
        out = []
        for timer in await self.store.claim_due_timers(self.clock()):
            who = Who(timer.user_id, timer.chat_id)
            out.append((who, await self.handle(TimerDue(who, timer.payload))))
        return out

    async def due_reminders(self) -> list[tuple[Who, list[Reply]]]:
        """Daily reminders due now in each user's time zone, each claimed so it is sent once."""
        now = self.clock()
        out: list[tuple[Who, list[Reply]]] = []
        for reminder in await self.store.all_reminders():
            zone = _zone(reminder.timezone) or ZoneInfo("UTC")
            local = now.astimezone(zone)
            hour, minute = (int(x) for x in reminder.time.split(":"))
            due = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
            if not due <= local < due + REMINDER_GRACE:
                continue
            if reminder.last_sent_on == local.date():
                continue
            if await self.store.claim_reminder(reminder.user_id, local.date()):
                buttons = _kb_buttons([[Button(msg.START_ROUTINE_LABEL, _menu("routine"))]])
                who = Who(reminder.user_id, reminder.chat_id)
                out.append((who, [Send(msg.reminder_nudge(), buttons)]))
        return out

    async def next_wake(self) -> datetime | None:
        """When the next stored timer is due."""
        return await self.store.next_timer_due()

    # ------------------------------------------------------------------ dispatch

    async def _ensure_user(self, ctx: _Ctx) -> None:
        user = await ctx.tx.get_user()
        chat = private_chat(ctx.who)
        if user is None or user.chat_id != chat:
            timezone = user.timezone if user else "UTC"
            await ctx.tx.save_user(User(ctx.who.user_id, chat, timezone))

    async def _dispatch(self, ctx: _Ctx, event: Event) -> list[Reply]:
        match event:
            case TextIn(_, text):
                return await self._on_text(ctx, text)
            case CommandIn(_, name, args):
                return await self._on_command(ctx, name.lower(), args.strip())
            case ButtonIn(_, data, message_id):
                ctx.message_id = message_id
                return await self._on_button(ctx, data)
            case TimerDue(_, payload):
                return await self._on_timer(ctx, payload)
            case OtherIn():
                return [Send(msg.not_text())]

    # ------------------------------------------------------------------ text

    async def _on_text(self, ctx: _Ctx, text: str) -> list[Reply]:
        # Lone surrogates (broken input) cannot be stored or sent: replace them.
        text = text[:MAX_TEXT].encode("utf-8", "replace").decode("utf-8")
        session = await self._session(ctx)
        if isinstance(session, _Session) and session.state.phase in _PAIN_PHASES:
            number = _PAIN_TEXT.match(text)
            if number:
                return await self._apply(ctx, session, rt.Pain(int(number.group(1))))
        verdict = self.answerer.verdict(text)
        replies: list[Reply] = []
        # No "back to the routine" next to a red flag: the routine waits until they are checked.
        active = isinstance(session, _Session) and verdict.screen.tier is None
        if verdict.screen.tier is not None:
            replies.append(Send(msg.urgent(verdict.screen.tier)))
            if isinstance(session, _Session) and session.state.phase in rt.PAUSABLE_PHASES:
                await self._apply(ctx, session, rt.Pause())
                replies.append(Send(msg.routine_paused_for_safety()))
        self._record(ctx, verdict.kind, verdict.entry_id, verdict.score)
        if verdict.small_talk is not None:
            return [Send(verdict.small_talk.reply)]
        back = _back_to_routine() if active else []
        match verdict.match.kind:
            case "answer" if verdict.entry_id:
                entry = self.kb.entries[verdict.entry_id]
                await ctx.tx.set_state(ANSWERED + entry.id, text[:MAX_KEPT_QUESTION])
                replies.append(Send(msg.answer(entry), self._answer_keyboard(entry, back)))
            case "clarify" if verdict.candidates:
                await ctx.tx.set_state(LAST_QUESTION, text[:MAX_KEPT_QUESTION])
                rows = [
                    [Button(self.kb.entries[c.entry_id].title, _show(c.entry_id))]
                    for c in verdict.candidates
                ]
                rows.append([Button(msg.NONE_OF_THESE_LABEL, cb.encode(cb.NoneOfThese()))])
                replies.append(Send(msg.clarify(), _kb_buttons([*rows, back])))
            case _ if verdict.screen.tier is None:
                if not verdict.match.candidates and not text.strip(" \t\n?!.,"):
                    return [Send(msg.empty_text())]
                if any(ch.isalnum() for ch in text):
                    self._keep_unanswered(ctx, text)
                    replies.append(Send(msg.fallback(), self._fallback_keyboard(back)))
                else:
                    replies.append(Send(msg.empty_text()))
            case _:
                pass
        return replies

    def _record(self, ctx: _Ctx, kind: str, entry_id: str | None, score: float) -> None:
        async def write() -> None:
            await self.store.record_question(kind, entry_id, score)

        ctx.after_commit.append(write)

    def _keep_unanswered(
        self, ctx: _Ctx, text: str, reason: str = "unanswered", entry_id: str | None = None
    ) -> None:
        async def write() -> None:
            await self.store.record_unanswered(text[:MAX_KEPT_QUESTION], reason, entry_id)

        ctx.after_commit.append(write)

    def _answer_keyboard(
        self, entry: Entry, extra: Sequence[Button] = (), *, feedback: bool = True
    ) -> Keyboard:
        related = [
            [Button(msg.RELATED_PREFIX + self.kb.entries[r].title, _show(r))]
            for r in entry.related
            if r in self.kb.entries
        ][:3]
        votes = [
            Button(msg.HELPFUL_LABEL, cb.encode(cb.Feedback(entry.id, True))),
            Button(msg.NOT_HELPFUL_LABEL, cb.encode(cb.Feedback(entry.id, False))),
        ]
        return _kb_buttons([*related, votes if feedback else [], list(extra)])

    def _fallback_keyboard(self, extra: Sequence[Button] = ()) -> Keyboard:
        return _kb_buttons([[Button(msg.BROWSE_TOPICS_LABEL, _menu("topics"))], list(extra)])

    # ------------------------------------------------------------------ commands

    async def _on_command(self, ctx: _Ctx, name: str, args: str) -> list[Reply]:
        handlers: dict[str, Callable[[_Ctx, str], Awaitable[list[Reply]]]] = {
            "start": self._cmd_start,
            "help": self._cmd_help,
            "topics": self._cmd_topics,
            "routine": self._cmd_routine,
            "resume": self._cmd_resume,
            "progress": self._cmd_progress,
            "reminder": self._cmd_reminder,
            "timezone": self._cmd_timezone,
            "cancel": self._cmd_cancel,
            "forget": self._cmd_forget,
        }
        handler = handlers.get(name)
        if handler is None:
            return [Send(msg.unknown_command())]
        return await handler(ctx, args)

    async def _admin(self, name: str) -> list[Reply]:
        """/stats and /reload, for ADMIN_IDS only (outside any user's transaction)."""
        if name == "stats":
            stats = Stats(
                users=await self.store.user_count(),
                questions=await self.store.question_counts(),
                feedback=await self.store.feedback_counts(),
                sessions=await self.store.all_finished_sessions(),
                active=await self.store.active_session_count(),
            )
            return [Send("\n".join(stats.lines()))]
        if self.reload is None:
            return [Send(msg.reload_unavailable())]
        try:
            kb = await asyncio.to_thread(self.reload)
        except KnowledgeError as error:
            return [Send(msg.reload_failed([str(p) for p in error.problems]))]
        self.replace_knowledge(kb, await asyncio.to_thread(Answerer, kb))
        return [Send(msg.reloaded(len(kb.entries), len(kb.routines)))]

    async def _cmd_start(self, ctx: _Ctx, args: str) -> list[Reply]:
        payload = args.split()[0] if args.split() else ""
        if payload.startswith("kb-") and payload[3:] in self.kb.entries:
            entry = self.kb.entries[payload[3:]]
            return [Send(msg.answer(entry), self._answer_keyboard(entry))]
        if payload in self.kb.routines:
            return await self._start_routine(ctx, payload, None)
        buttons = _kb_buttons(
            [
                [Button(msg.START_ROUTINE_LABEL, _menu("routine"))],
                [Button(msg.BROWSE_TOPICS_LABEL, _menu("topics"))],
                [Button(msg.HELP_LABEL, _menu("help"))],
            ]
        )
        return [Send(msg.greeting(ctx.who.first_name), buttons)]

    async def _cmd_help(self, ctx: _Ctx, args: str) -> list[Reply]:
        return [Send(msg.help_text())]

    async def _cmd_topics(self, ctx: _Ctx, args: str) -> list[Reply]:
        text, buttons = self._topics_root()
        return [Send(text, buttons)]

    async def _cmd_routine(self, ctx: _Ctx, args: str) -> list[Reply]:
        wanted = args.split()[0].lower() if args.split() else ""
        if wanted in self.kb.routines:
            return await self._start_routine(ctx, wanted, None)
        return await self._routine_menu(ctx)

    async def _cmd_resume(self, ctx: _Ctx, args: str) -> list[Reply]:
        session = await self._session(ctx)
        if isinstance(session, _Lost):
            return [Send(msg.session_lost())]
        if session is None:
            return [Send(msg.no_routine())]
        if session.state.phase == rt.Phase.PAUSED:
            return await self._apply(ctx, session, rt.Resume(), note=msg.NOTE_RESUMED)
        replies = self._render(ctx, session, rt.Notice.RESUMED, new_message=True)
        pending = rt.pending_timer(session.routine, session.state, ctx.now)
        if pending is not None:
            replies.append(await self._schedule(ctx, session, pending))
        return replies

    async def _cmd_progress(self, ctx: _Ctx, args: str) -> list[Reply]:
        user = await ctx.tx.get_user()
        zone = _zone(user.timezone if user else "UTC") or ZoneInfo("UTC")
        sessions = await ctx.tx.finished_sessions(limit=HISTORY_LIMIT)
        today = ctx.now.astimezone(zone).date()
        days = sorted({s.finished_at.astimezone(zone).date() for s in sessions if s.completed})
        rows = [
            msg.progress_row(
                s.finished_at.astimezone(zone).strftime("%d %b"),
                self.kb.routines[s.routine_id].title
                if s.routine_id in self.kb.routines
                else s.routine_id,
                s.pain_before,
                s.pain_after,
                s.completed,
            )
            for s in sessions[:7]
        ]
        walks = [
            s.finished_at.astimezone(zone).date()
            for s in sessions
            if s.routine_id in self.kb.routines and self.kb.routines[s.routine_id].kind == "walk"
        ]
        walk = next((r for r in self.kb.routines.values() if r.kind == "walk"), None)
        week = minutes = None
        if walk is not None and walks:
            plan = walk.walk or rt.DEFAULT_WALK_PLAN
            week = rt.plan_week(walks, today, plan)
            minutes = rt.walk_minutes(walks, today, plan)
        done = sum(1 for s in sessions if s.completed)
        current = streak(days, today)
        if sessions:
            points = [
                Point(s.finished_at.astimezone(zone), s.pain_before, s.pain_after)
                for s in sessions[:CHART_SESSIONS]
            ]
            ctx.chart = (points, current)
        return [Send(msg.progress(done, current, rows, week, minutes))]

    async def _cmd_reminder(self, ctx: _Ctx, args: str) -> list[Reply]:
        user = await ctx.tx.get_user()
        timezone = user.timezone if user else "UTC"
        current = await ctx.tx.get_reminder()
        word = args.strip().lower()
        if word in ("off", "stop", "none", "delete"):
            await ctx.tx.set_reminder(private_chat(ctx.who), None, timezone)
            return [Send(msg.reminder_off())]
        found = _TIME.match(word)
        if not found:
            return [Send(msg.reminder_usage(current.time if current else None))]
        time = f"{int(found.group(1)):02d}:{found.group(2)}"
        await ctx.tx.set_reminder(private_chat(ctx.who), time, timezone)
        return [Send(msg.reminder_set(time, timezone))]

    async def _cmd_timezone(self, ctx: _Ctx, args: str) -> list[Reply]:
        user = await ctx.tx.get_user()
        current = user.timezone if user else "UTC"
        name = args.strip()
        if not name or _zone(name) is None:
            return [Send(msg.timezone_usage(current))]
        await ctx.tx.save_user(User(ctx.who.user_id, private_chat(ctx.who), name))
        reminder = await ctx.tx.get_reminder()
        if reminder is not None:
            await ctx.tx.set_reminder(reminder.chat_id, reminder.time, name)
        return [Send(msg.timezone_set(name))]

    async def _cmd_cancel(self, ctx: _Ctx, args: str) -> list[Reply]:
        session = await self._session(ctx)
        await ctx.tx.set_state(LAST_QUESTION, None)
        if isinstance(session, _Session):
            return await self._apply(ctx, session, rt.Stop())
        return [Send(msg.cancelled(False))]

    async def _cmd_forget(self, ctx: _Ctx, args: str) -> list[Reply]:
        buttons = _kb_buttons(
            [
                [Button(msg.FORGET_YES_LABEL, cb.encode(cb.ForgetAnswer(True)))],
                [Button(msg.FORGET_NO_LABEL, cb.encode(cb.ForgetAnswer(False)))],
            ]
        )
        return [Send(msg.forget_question(), buttons)]

    # ------------------------------------------------------------------ buttons

    async def _on_button(self, ctx: _Ctx, data: str) -> list[Reply]:
        action = cb.parse(data)
        match action:
            case None:
                return [Toast(msg.stale_button())]
            case cb.ShowEntry(entry_id) if entry_id in self.kb.entries:
                entry = self.kb.entries[entry_id]
                return [Toast(""), Send(msg.answer(entry), self._answer_keyboard(entry))]
            case cb.BrowseCategory(category_id):
                if not category_id:
                    return self._edit_or_send(ctx, *self._topics_root())
                category = self.kb.category(category_id)
                if category is None:
                    return [Toast(msg.stale_button())]
                rows = [
                    [Button(self.kb.entries[i].title, cb.encode(cb.BrowseEntry(i)))]
                    for i in category.entry_ids
                ]
                rows.append([Button(msg.ALL_TOPICS_LABEL, cb.encode(cb.BrowseCategory("")))])
                return self._edit_or_send(ctx, msg.topics_category(category.title), rows)
            case cb.BrowseEntry(entry_id) if entry_id in self.kb.entries:
                entry = self.kb.entries[entry_id]
                back = [Button(msg.BACK_LABEL, cb.encode(cb.BrowseCategory(entry.category)))]
                return self._edit_or_send(ctx, msg.answer(entry), [back])
            case cb.Feedback(entry_id, helpful) if entry_id in self.kb.entries:
                await ctx.tx.add_feedback(entry_id, helpful)
                question = await ctx.tx.get_state(ANSWERED + entry_id)
                if not helpful:
                    # The curators see which question the answer failed (never who asked it).
                    asked = question or self.kb.entries[entry_id].title
                    self._keep_unanswered(ctx, asked, "not-helpful", entry_id)
                await ctx.tx.set_state(ANSWERED + entry_id, None)
                replies: list[Reply] = [
                    Toast(msg.FEEDBACK_THANKS if helpful else msg.FEEDBACK_SORRY)
                ]
                if ctx.message_id is not None:
                    entry = self.kb.entries[entry_id]
                    session = await self._session(ctx)
                    back = _back_to_routine() if isinstance(session, _Session) else []
                    keyboard = self._answer_keyboard(entry, back, feedback=False)
                    replies.append(EditButtons(ctx.message_id, keyboard))
                return replies
            case cb.NoneOfThese():
                question = await ctx.tx.get_state(LAST_QUESTION)
                if question:
                    self._keep_unanswered(ctx, question)
                    await ctx.tx.set_state(LAST_QUESTION, None)
                return [
                    Toast(""),
                    *self._edit_or_send(ctx, msg.fallback(), self._fallback_keyboard()),
                ]
            case cb.StartRoutine(routine_id, level_id):
                if routine_id not in self.kb.routines:
                    return [Toast(msg.stale_button()), *(await self._routine_menu(ctx))]
                return await self._start_routine(ctx, routine_id, level_id)
            case cb.RoutineButton(name):
                return await self._routine_button(ctx, name)
            case cb.PainScore(value):
                session = await self._session(ctx)
                if not isinstance(session, _Session):
                    return [Toast(msg.no_routine())]
                return await self._apply(ctx, session, rt.Pain(value))
            case cb.ForgetAnswer(confirmed):
                if not confirmed:
                    return self._edit_or_send(ctx, msg.forget_cancelled(), ())
                await ctx.tx.forget()
                return self._edit_or_send(ctx, msg.forgotten(), ())
            case cb.Menu("routine"):
                return [Toast(""), *(await self._routine_menu(ctx))]
            case cb.Menu("topics"):
                return [Toast(""), *(await self._cmd_topics(ctx, ""))]
            case cb.Menu("help"):
                return [Toast(""), Send(msg.help_text())]
        return [Toast(msg.stale_button())]

    def _edit_or_send(self, ctx: _Ctx, text: str, rows: Sequence[Sequence[Button]]) -> list[Reply]:
        keyboard = _kb_buttons(rows)
        if ctx.message_id is not None:
            return [Edit(ctx.message_id, text, keyboard)]
        return [Send(text, keyboard)]

    def _topics_root(self) -> tuple[str, Keyboard]:
        rows = [[Button(c.title, cb.encode(cb.BrowseCategory(c.id)))] for c in self.kb.categories]
        return msg.topics_root(), _kb_buttons(rows)

    # ------------------------------------------------------------------ routines

    async def _routine_menu(self, ctx: _Ctx) -> list[Reply]:
        session = await self._session(ctx)
        if isinstance(session, _Session):
            rows = [
                [Button(msg.RESUME_LABEL, _rt("resume"))],
                [Button(msg.NEW_ROUTINE_LABEL, _rt("new"))],
            ]
            return [Send(msg.unfinished_routine(session.routine.title), _kb_buttons(rows))]
        routines = list(self.kb.routines.values())
        rows = [[Button(msg.routine_button(r), cb.encode(cb.StartRoutine(r.id)))] for r in routines]
        return [Send(msg.routine_menu(routines), _kb_buttons(rows))]

    async def _history(self, ctx: _Ctx, routine_id: str | None = None) -> list[tuple[str, date]]:
        sessions = await ctx.tx.finished_sessions(limit=HISTORY_LIMIT)
        return [
            (s.routine_id, s.finished_at.date())
            for s in sessions
            if s.completed and (routine_id is None or s.routine_id == routine_id)
        ]

    async def _start_routine(self, ctx: _Ctx, routine_id: str, level_id: str | None) -> list[Reply]:
        session = await self._session(ctx)
        if isinstance(session, _Session):
            return await self._routine_menu(ctx)
        routine = self.kb.routines[routine_id]
        history = await self._history(ctx, routine_id)
        today = ctx.now.date()
        if level_id is None and len(routine.levels) > 1:
            proposed = rt.propose_level(routine, history, today)
            ordered = sorted(routine.levels, key=lambda lv: lv.id != proposed)
            rows = [
                [
                    Button(
                        msg.level_label(lv, lv.id == proposed),
                        cb.encode(cb.StartRoutine(routine.id, lv.id)),
                    )
                ]
                for lv in ordered
            ]
            return [Toast(""), *self._edit_or_send(ctx, msg.choose_level(routine, proposed), rows)]
        if level_id is not None and routine.level_by_id(level_id) is None:
            return [Toast(msg.stale_button())]
        minutes = None
        if routine.kind == "walk":
            minutes = rt.walk_minutes(
                [d for _, d in history], today, routine.walk or rt.DEFAULT_WALK_PLAN
            )
        state = rt.start(routine, level_id or routine.first_level.id, ctx.now, minutes)
        new = _Session(routine, state)
        await ctx.tx.save_active_session(state.to_json())
        return [Toast(""), *self._render(ctx, new, rt.Notice.STARTED)]

    async def _routine_button(self, ctx: _Ctx, name: str) -> list[Reply]:
        session = await self._session(ctx)
        if isinstance(session, _Lost):
            return [Toast(""), Send(msg.session_lost())]
        if name == "menu":
            return [Toast(""), *(await self._routine_menu(ctx))]
        if session is None:
            if name == "new":
                return [Toast(""), *(await self._routine_menu(ctx))]
            return [Toast(msg.no_routine())]
        if name == "show":
            return [Toast(""), *self._render(ctx, session, rt.Notice.RESUMED, new_message=True)]
        if name == "new":
            replies = await self._apply(ctx, session, rt.Stop())
            return [*replies, *(await self._routine_menu(ctx))]
        if name == "resume" and session.state.phase != rt.Phase.PAUSED:
            return [Toast(""), *self._render(ctx, session, rt.Notice.RESUMED, new_message=True)]
        tier = {"flag-emergency": "emergency", "flag-same-day": "same-day"}.get(name)
        return await self._apply(ctx, session, _ROUTINE_EVENTS[name], tier=tier)

    async def _on_timer(self, ctx: _Ctx, payload: str) -> list[Reply]:
        try:
            data = json.loads(payload)
            step_index = int(data["step"])
            started = str(data["started"])
            card = data.get("message")
        except (ValueError, KeyError, TypeError):
            return []
        session = await self._session(ctx)
        if (
            not isinstance(session, _Session)
            or session.state.started_at.isoformat() != started
            or session.state.phase != rt.Phase.TIMER
            or session.state.timer_step != step_index
        ):
            return []  # stale: that timer's session, step or hold is over
        ctx.message_id = card if isinstance(card, int) else None
        view = rt.step_view(session.routine, session.state, step_index)
        replies = await self._apply(ctx, session, rt.TimerFinished(step_index))
        if view is not None and any(not isinstance(r, Toast) for r in replies):
            replies.append(Send(msg.time_up(view.name)))
        return [r for r in replies if not isinstance(r, Toast)]

    async def _session(self, ctx: _Ctx) -> _Session | _Lost | None:
        raw = await ctx.tx.get_active_session()
        if raw is None:
            return None
        state = rt.SessionState.from_json(raw, self.kb.routines)
        if state is None:
            await ctx.tx.save_active_session(None)
            return LOST
        if state.phase in rt.TERMINAL_PHASES:
            await ctx.tx.save_active_session(None)
            return None
        return _Session(self.kb.routines[state.routine_id], state)

    def _timer_id(self, ctx: _Ctx) -> str:
        return f"step-{ctx.who.user_id}"

    async def _schedule(self, ctx: _Ctx, session: _Session, effect: rt.ScheduleTimer) -> WakeAt:
        due = ctx.now + timedelta(seconds=effect.seconds * self.timer_scale)
        payload = json.dumps(
            {
                "step": effect.step_index,
                "started": session.state.started_at.isoformat(),
                "message": ctx.message_id,
            }
        )
        await ctx.tx.upsert_timer(
            Timer(self._timer_id(ctx), ctx.who.user_id, ctx.who.chat_id, due, payload)
        )
        return WakeAt(due)

    async def _apply(
        self,
        ctx: _Ctx,
        session: _Session,
        event: rt.Event,
        *,
        tier: str | None = None,
        note: str = "",
    ) -> list[Reply]:
        result = rt.transition(session.routine, session.state, event, ctx.now)
        new = _Session(session.routine, result.state)
        extra: list[Reply] = []
        summary: rt.Summary | None = None
        for effect in result.effects:
            if isinstance(effect, rt.ScheduleTimer):
                extra.append(await self._schedule(ctx, new, effect))
            elif isinstance(effect, rt.CancelTimer):
                await ctx.tx.delete_timer(self._timer_id(ctx))
            elif isinstance(effect, rt.SessionEnded):
                summary = effect.summary
                await ctx.tx.add_finished_session(_finished(ctx.who.user_id, summary))
        if result.state.phase in rt.TERMINAL_PHASES:
            await ctx.tx.save_active_session(None)
            await ctx.tx.delete_timer(self._timer_id(ctx))
        elif result.notice not in (rt.Notice.NOT_NOW, rt.Notice.INVALID_PAIN):
            await ctx.tx.save_active_session(result.state.to_json())
        if result.notice == rt.Notice.NOT_NOW:
            return (
                [Toast(msg.not_now())]
                if ctx.message_id is not None
                else [
                    Send(msg.not_now()),
                    *self._render(ctx, session, rt.Notice.RESUMED, new_message=True),
                ]
            )
        if result.notice == rt.Notice.INVALID_PAIN:
            return [Send(msg.invalid_pain())]
        toast: list[Reply] = [Toast("")]
        if result.notice == rt.Notice.TIMER_STARTED:
            seconds = rt.step_view(new.routine, new.state)
            toast = [Toast(msg.timer_started(seconds.timer_seconds or 0) if seconds else "")]
        cause = (
            "sharp"
            if isinstance(event, rt.SharpPain)
            else "tingle"
            if isinstance(event, rt.Tingling)
            else "pain"
            if isinstance(event, rt.Pain)
            else ""
        )
        return [
            *toast,
            *self._render(
                ctx, new, result.notice, summary=summary, tier=tier, note=note, cause=cause
            ),
            *extra,
        ]

    def _render(
        self,
        ctx: _Ctx,
        session: _Session,
        notice: rt.Notice,
        *,
        summary: rt.Summary | None = None,
        tier: str | None = None,
        note: str = "",
        new_message: bool = False,
        cause: str = "",
    ) -> list[Reply]:
        text, rows = self._session_view(session, notice, summary, tier, note, cause)
        keyboard = _kb_buttons(rows)
        if ctx.message_id is not None and not new_message:
            return [Edit(ctx.message_id, text, keyboard)]
        return [Send(text, keyboard)]

    def _session_view(
        self,
        session: _Session,
        notice: rt.Notice,
        summary: rt.Summary | None,
        tier: str | None,
        note: str,
        cause: str = "",
    ) -> tuple[str, list[list[Button]]]:
        routine, state = session.routine, session.state
        phase = state.phase
        if phase == rt.Phase.SAFETY_CHECK:
            rules = self.kb.safety_rules
            text = msg.safety_check(
                routine,
                [r for r in rules if r.tier == "emergency"],
                [r for r in rules if r.tier == "same-day"],
            )
            return text, [
                [Button(msg.SAFE_LABEL, _rt("safe"))],
                [
                    Button(msg.FLAG_EMERGENCY_LABEL, _rt("flag-emergency")),
                    Button(msg.FLAG_SAME_DAY_LABEL, _rt("flag-same-day")),
                ],
                [Button(msg.STOP_LABEL, _rt("stop"))],
            ]
        if phase in _PAIN_PHASES:
            extra = (
                [Button(msg.SHARP_LABEL, _rt("sharp")), Button(msg.TINGLE_LABEL, _rt("tingle"))]
                if phase == rt.Phase.HURT_CHECK
                else []
            )
            rows = [list(row) for row in _pain_rows()]
            if extra:
                rows.append(extra)
            rows.append(
                [Button(msg.PAUSE_LABEL, _rt("pause")), Button(msg.STOP_LABEL, _rt("stop"))]
            )
            when = _PAIN_PHASES[phase]
            if phase == rt.Phase.PAIN_AFTER and state.ended_early:
                when = "after-early"
            return msg.pain_question(when), rows
        if phase == rt.Phase.HURT_STOP:
            view = rt.step_view(routine, state)
            assert view is not None
            rows = []
            if view.easier is not None and view.variant != "easier":
                rows.append([Button(msg.EASIER_LABEL, _rt("easier"))])
            rows += [[Button(msg.SKIP_LABEL, _rt("skip"))], [Button(msg.END_LABEL, _rt("end"))]]
            text = msg.exercise_stopped(
                view, sharp=cause == "sharp", tingling=cause == "tingle", pain_up=cause == "pain"
            )
            return text, rows
        if phase in (rt.Phase.STEP, rt.Phase.TIMER):
            view = rt.step_view(routine, state)
            assert view is not None
            notes = {
                rt.Notice.TIME_UP: msg.NOTE_TIME_UP,
                rt.Notice.HURT_OK: msg.NOTE_HURT_OK,
                rt.Notice.EASIER_CHOSEN: msg.NOTE_EASIER,
                rt.Notice.RESUMED: msg.NOTE_RESUMED,
                rt.Notice.WENT_BACK: msg.NOTE_WENT_BACK,
                rt.Notice.SKIPPED: msg.NOTE_SKIPPED,
            }
            text = msg.step_card(
                routine, view, note or notes.get(notice, ""), timer_running=phase == rt.Phase.TIMER
            )
            first = [Button(msg.DONE_LABEL, _rt("done"))]
            if phase == rt.Phase.STEP:
                first.append(Button(msg.SKIP_LABEL, _rt("skip")))
                if view.timer_seconds:
                    first.append(Button(msg.TIMER_LABEL, _rt("timer")))
            second = [Button(msg.HURTS_LABEL, _rt("hurt"))]
            if phase == rt.Phase.STEP and view.number > 1:
                second.insert(0, Button(msg.BACK_STEP_LABEL, _rt("back")))
            third = [Button(msg.PAUSE_LABEL, _rt("pause")), Button(msg.STOP_LABEL, _rt("stop"))]
            return text, [first, second, third]
        if phase == rt.Phase.PAUSED:
            return msg.paused(routine.title), [
                [Button(msg.RESUME_LABEL, _rt("resume"))],
                [Button(msg.STOP_LABEL, _rt("stop"))],
            ]
        if phase == rt.Phase.FINISHED and summary is not None:
            return msg.summary(routine, summary), [
                [Button(msg.START_ROUTINE_LABEL, _menu("routine"))]
            ]
        if phase == rt.Phase.SAFETY_STOP:
            chosen = self.kb.tiers.get(tier or "emergency") or self.kb.tiers["emergency"]
            return msg.safety_stopped(chosen), []
        return msg.stopped(summary is not None), []


def _back_to_routine() -> list[Button]:
    return [Button(msg.SHOW_ROUTINE_LABEL, _rt("show"))]


def private_chat(who: Who) -> int:
    """The user's own chat: reminders and timers never go to a group they wrote in."""
    # Telegram private chats have positive ids (equal to the user's); groups are negative.
    return who.chat_id if who.chat_id > 0 else who.user_id


def _show(entry_id: str) -> str:
    return cb.encode(cb.ShowEntry(entry_id))


def _menu(item: str) -> str:
    return cb.encode(cb.Menu(item))  # type: ignore[arg-type]


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def _finished(user_id: int, summary: rt.Summary) -> FinishedSession:
    return FinishedSession(
        user_id=user_id,
        routine_id=summary.routine_id,
        level=summary.level,
        started_at=summary.started_at,
        finished_at=summary.finished_at,
        pain_before=summary.pain_before,
        pain_after=summary.pain_after,
        steps_done=len(summary.steps_done),
        steps_skipped=len(summary.steps_skipped),
        completed=summary.completed,
    )


def streak(days: Sequence[date], today: date) -> int:
    """Consecutive days with a finished session, ending today (or yesterday)."""
    have = set(days)
    day = today if today in have else today - timedelta(days=1)
    count = 0
    while day in have:
        count += 1
        day -= timedelta(days=1)
    return count
