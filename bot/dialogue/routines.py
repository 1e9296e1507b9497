"""Guided routines: the menu, starting, every button of the card, timers, pausing for safety."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, timedelta

from bot.core import routine as rt
from bot.dialogue import callbacks as cb
from bot.dialogue import messages as msg
from bot.dialogue.context import HISTORY_LIMIT, Ctx, Services, edit_or_send, kb_buttons
from bot.dialogue.replies import Button, Edit, Reply, Send, Toast, Undo, WakeAt
from bot.dialogue.routine_cards import Session, session_card, session_data, step_picture
from bot.store.model import FinishedSession, Timer

_EVENTS: dict[str, rt.Event] = {
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
# Buttons about a session as a whole (the "continue or start anew" question): they name the
# session but no step. Every other routine button names both.
_SESSION_ACTIONS = frozenset({"resume", "new"})


# The full red-flag checklist is shown at a user's first routine and again after this long.
CHECKLIST_EVERY = timedelta(days=30)
CHECKLIST_SEEN = "checklist_seen"


class Lost:
    """A saved session that could not be restored."""


LOST = Lost()


class Routines:
    """Everything about a user's routine session, inside one user action."""

    def __init__(self, services: Services) -> None:
        self.s = services

    async def session(self, ctx: Ctx) -> Session | Lost | None:
        """The user's unfinished session; LOST when the saved one no longer fits a routine."""
        raw = await ctx.tx.get_active_session()
        if raw is None:
            return None
        state = rt.SessionState.from_json(raw, self.s.kb.routines)
        if state is None:
            await ctx.tx.save_active_session(None)
            return LOST
        if state.phase in rt.TERMINAL_PHASES:
            await ctx.tx.save_active_session(None)
            return None
        return Session(self.s.kb.routines[state.routine_id], state, ctx.who.user_id)

    async def menu(self, ctx: Ctx) -> list[Reply]:
        """The routine menu, or a choice to continue the unfinished one."""
        session = await self.session(ctx)
        if isinstance(session, Session):
            rows = [
                [Button(msg.RESUME_LABEL, session_data("resume", session))],
                [Button(msg.NEW_ROUTINE_LABEL, session_data("new", session))],
            ]
            return [Send(msg.unfinished_routine(session.routine.title), kb_buttons(rows))]
        routines = list(self.s.kb.routines.values())
        rows = [[Button(msg.routine_button(r), cb.encode(cb.StartRoutine(r.id)))] for r in routines]
        return [Send(msg.routine_menu(routines), kb_buttons(rows))]

    async def command(self, ctx: Ctx, args: str) -> list[Reply]:
        """/routine [id]."""
        wanted = args.split()[0].lower() if args.split() else ""
        if wanted in self.s.kb.routines:
            return await self.start(ctx, wanted, None)
        return await self.menu(ctx)

    async def resume(self, ctx: Ctx, args: str) -> list[Reply]:
        """/resume: the card of the unfinished session, as a new message."""
        session = await self.session(ctx)
        if isinstance(session, Lost):
            return [Send(msg.session_lost())]
        if session is None:
            return [Send(msg.no_routine())]
        if session.state.phase == rt.Phase.PAUSED:
            return await self.apply(ctx, session, rt.Resume(), note=msg.NOTE_RESUMED)
        replies = self.render(ctx, session, rt.Notice.RESUMED, new_message=True)
        pending = rt.pending_timer(session.routine, session.state, ctx.now)
        if pending is not None:
            replies.append(await self._schedule(ctx, session, pending))
        return replies

    async def cancel(self, ctx: Ctx) -> list[Reply] | None:
        """Stop the unfinished session, if there is one."""
        session = await self.session(ctx)
        if isinstance(session, Session):
            return await self.apply(ctx, session, rt.Stop())
        return None

    async def history(self, ctx: Ctx, routine_id: str | None = None) -> list[tuple[str, date]]:
        """Completed sessions as (routine id, day), newest first."""
        sessions = await ctx.tx.finished_sessions(limit=HISTORY_LIMIT)
        return [
            (s.routine_id, s.finished_at.date())
            for s in sessions
            if s.completed and (routine_id is None or s.routine_id == routine_id)
        ]

    async def start(self, ctx: Ctx, routine_id: str, level_id: str | None) -> list[Reply]:
        """Start a routine: choose a level first where it has several."""
        if isinstance(await self.session(ctx), Session):
            return await self.menu(ctx)
        routine = self.s.kb.routines[routine_id]
        history = await self.history(ctx, routine_id)
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
            return [Toast(""), *edit_or_send(ctx, msg.choose_level(routine, proposed), rows)]
        if level_id is not None and routine.level_by_id(level_id) is None:
            return [Toast(msg.stale_button())]
        minutes = None
        if routine.kind == "walk":
            minutes = rt.walk_minutes(
                [d for _, d in history], today, routine.walk or rt.DEFAULT_WALK_PLAN
            )
        state = rt.start(routine, level_id or routine.first_level.id, ctx.now, minutes)
        await ctx.tx.save_active_session(state.to_json())
        seen_before = await ctx.tx.get_state(CHECKLIST_SEEN)
        full = await self._checklist_due(ctx)
        session = Session(routine, state, ctx.who.user_id)
        # Taken back, the start also forgets that the whole checklist was shown.
        put_back = ((CHECKLIST_SEEN, seen_before),) if full else ()
        undo = Undo(None, state.to_json(), ctx.message_id, put_back)
        return [
            Toast(""),
            *self.render(ctx, session, rt.Notice.STARTED, full_checklist=full, undo=undo),
        ]

    async def _checklist_due(self, ctx: Ctx) -> bool:
        """Whether to show the whole checklist (and note that it was shown)."""
        seen = await ctx.tx.get_state(CHECKLIST_SEEN)
        try:
            due = seen is None or ctx.now - datetime.fromisoformat(seen) >= CHECKLIST_EVERY
        except ValueError:
            due = True
        if due:
            await ctx.tx.set_state(CHECKLIST_SEEN, ctx.now.isoformat())
        return due

    def _stale(
        self, ctx: Ctx, session: Session | None, tag: str | None, card: str | None, name: str
    ) -> list[Reply] | None:
        """The answer to a button drawn for another session or step; None if it is current."""
        if session is None or tag != session.tag:
            return [Toast(msg.stale_button())]  # another user's, an earlier session's, or old
        if card is None and name in _SESSION_ACTIONS:
            return None
        if card != session.card:
            # This session's card drawn for another step: a double tap, or a card that was
            # never replaced on the screen. Nothing changes; the card shows where it is now.
            return [Toast(msg.stale_button()), *self.render(ctx, session, rt.Notice.NEXT_STEP)]
        return None

    async def button(self, ctx: Ctx, action: cb.RoutineButton) -> list[Reply]:
        """A button of the routine card; it counts only for the session and step it shows."""
        name = action.action
        session = await self.session(ctx)
        if isinstance(session, Lost):
            return [Toast(""), Send(msg.session_lost())]
        if name == "menu":
            return [Toast(""), *(await self.menu(ctx))]
        if name == "show":
            if session is None:
                return [Toast(msg.no_routine())]
            return [Toast(""), *self.render(ctx, session, rt.Notice.RESUMED, new_message=True)]
        stale = self._stale(ctx, session, action.session, action.card, name)
        if stale is not None or session is None:
            return stale or [Toast(msg.stale_button())]
        if name == "new":
            replies = await self.apply(ctx, session, rt.Stop())
            return [*replies, *(await self.menu(ctx))]
        if name == "list":
            checking = session.state.phase == rt.Phase.SAFETY_CHECK
            shown = self.render(
                ctx, session, rt.Notice.RESUMED, full_checklist=checking, new_message=not checking
            )
            return [Toast(""), *shown]
        if name == "more":
            view = rt.step_view(session.routine, session.state)
            if view is None or session.state.phase not in rt.CARD_PHASES:
                return [Toast(msg.stale_button())]
            return [Toast(""), Send(msg.step_card(session.routine, view))]
        if name == "resume" and session.state.phase != rt.Phase.PAUSED:
            return [Toast(""), *self.render(ctx, session, rt.Notice.RESUMED, new_message=True)]
        tier = {"flag-emergency": "emergency", "flag-same-day": "same-day"}.get(name)
        return await self.apply(ctx, session, _EVENTS[name], tier=tier)

    async def pain_button(self, ctx: Ctx, action: cb.PainScore) -> list[Reply]:
        """A pain score button of a card; it counts only for the session and step it shows."""
        session = await self.session(ctx)
        found = session if isinstance(session, Session) else None
        stale = self._stale(ctx, found, action.session, action.card, "pain")
        if stale is not None or found is None:
            return stale or [Toast(msg.stale_button())]
        return await self.apply(ctx, found, rt.Pain(action.value))

    async def undo(self, ctx: Ctx, undo: Undo) -> list[Reply] | None:
        """Take back a change whose card never reached the user, unless the session has moved
        on since (None); a timer the change had cancelled is set again."""
        if await ctx.tx.get_active_session() != undo.after:
            return None
        await ctx.tx.save_active_session(undo.before)
        await ctx.tx.delete_timer(self._timer_id(ctx))
        for key, value in undo.put_back:
            await ctx.tx.set_state(key, value)
        restored = await self.session(ctx)
        if not isinstance(restored, Session):
            return []
        pending = rt.pending_timer(restored.routine, restored.state, ctx.now)
        if pending is None:
            return []
        ctx.message_id = undo.message_id
        return [await self._schedule(ctx, restored, pending)]

    async def timer_due(self, ctx: Ctx, payload: str) -> list[Reply]:
        """A hold's timer came due: 'time's up', unless that session, step or hold is over."""
        try:
            data = json.loads(payload)
            step_index = int(data["step"])
            started = str(data["started"])
            card = data.get("message")
        except (ValueError, KeyError, TypeError):
            return []
        session = await self.session(ctx)
        if (
            not isinstance(session, Session)
            or session.state.started_at.isoformat() != started
            or session.state.phase != rt.Phase.TIMER
            or session.state.timer_step != step_index
        ):
            return []
        ctx.message_id = card if isinstance(card, int) else None
        view = rt.step_view(session.routine, session.state, step_index)
        replies = await self.apply(ctx, session, rt.TimerFinished(step_index))
        if view is not None and any(not isinstance(r, Toast) for r in replies):
            replies.append(Send(msg.time_up(view.name)))
        # Time is up whether or not the card arrives: nothing to take back.
        return [
            replace(r, undo=None) if isinstance(r, Send | Edit) else r
            for r in replies
            if not isinstance(r, Toast)
        ]

    def _timer_id(self, ctx: Ctx) -> str:
        return f"step-{ctx.who.user_id}"

    async def _schedule(self, ctx: Ctx, session: Session, effect: rt.ScheduleTimer) -> WakeAt:
        due = ctx.now + timedelta(seconds=effect.seconds * self.s.timer_scale)
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

    async def apply(
        self,
        ctx: Ctx,
        session: Session,
        event: rt.Event,
        *,
        tier: str | None = None,
        note: str = "",
    ) -> list[Reply]:
        """Run one event through the state machine, save the result and show it."""
        result = rt.transition(session.routine, session.state, event, ctx.now)
        new = Session(session.routine, result.state, session.user_id)
        extra: list[Reply] = []
        undo: Undo | None = None
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
            after = result.state.to_json()
            await ctx.tx.save_active_session(after)
            undo = Undo(session.state.to_json(), after, ctx.message_id)
        if result.notice == rt.Notice.NOT_NOW:
            if ctx.message_id is not None:
                return [Toast(msg.not_now())]
            return [
                Send(msg.not_now()),
                *self.render(ctx, session, rt.Notice.RESUMED, new_message=True),
            ]
        if result.notice == rt.Notice.INVALID_PAIN:
            return [Send(msg.invalid_pain())]
        toast: list[Reply] = [Toast("")]
        if result.notice == rt.Notice.TIMER_STARTED:
            view = rt.step_view(new.routine, new.state)
            toast = [Toast(msg.timer_started(view.timer_seconds or 0) if view else "")]
        cause = {rt.SharpPain: "sharp", rt.Tingling: "tingle", rt.Pain: "pain"}.get(type(event), "")
        return [
            *toast,
            *self.render(
                ctx,
                new,
                result.notice,
                summary=summary,
                tier=tier,
                note=note,
                cause=cause,
                undo=undo,
            ),
            *extra,
        ]

    def render(
        self,
        ctx: Ctx,
        session: Session,
        notice: rt.Notice,
        *,
        summary: rt.Summary | None = None,
        tier: str | None = None,
        note: str = "",
        new_message: bool = False,
        cause: str = "",
        full_checklist: bool = False,
        undo: Undo | None = None,
    ) -> list[Reply]:
        """The session's card: edited in place when a button of it was pressed. `undo` takes
        back the change it shows if it cannot be delivered. Every card is made here."""
        picture = step_picture(self.s.kb, session)
        text, rows = session_card(
            self.s.kb, session, notice, summary, tier, note, cause, full_checklist, bool(picture)
        )
        keyboard = kb_buttons(rows)
        if ctx.message_id is not None and not new_message:
            return [Edit(ctx.message_id, text, keyboard, card=True, undo=undo, picture=picture)]
        return [Send(text, keyboard, card=True, undo=undo, picture=picture)]


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
