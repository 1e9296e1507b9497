"""A guided routine session as a pure state machine, plus the walking plan and level choice.

No I/O and no messages: `transition` takes a state and an event and returns the next state,
a `Notice` saying what happened and the `Effect`s for the adapter (timers, a finished session).
The dialogue renders every message; the exercise texts come from the routine's YAML.
The transitions table is `bot/ROUTINE_STATES.md`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TypeAlias

from bot.core.progression import DEFAULT_WALK_PLAN, plan_week, propose_level, walk_minutes
from bot.core.routine_events import (
    EVENT_TYPES,
    Back,
    Done,
    EndSession,
    Event,
    Hurts,
    Notice,
    Pain,
    Pause,
    Resume,
    SafetyClear,
    SafetyFlag,
    SharpPain,
    Skip,
    StartTimer,
    Stop,
    TimerFinished,
    Tingling,
    UseEasier,
)
from bot.core.routine_model import Routine
from bot.core.routine_state import (
    ACTIVE_PHASES,
    CARD_PHASES,
    HURT_MARGIN,
    PAIN_MIN,
    PAUSABLE_PHASES,
    TERMINAL_PHASES,
    WALK_MINUTES_MAX,
    Phase,
    SessionState,
    StepView,
    check_state,
    is_int,
    level_steps,
    step_view,
    valid_pain,
)


@dataclass(frozen=True)
class Summary:
    """A finished or stopped session, for the store and /progress."""

    routine_id: str
    level: str
    started_at: datetime
    finished_at: datetime
    pain_before: int | None
    pain_after: int | None
    steps_done: tuple[str, ...]
    steps_skipped: tuple[str, ...]
    steps_easier: tuple[str, ...]
    steps_total: int
    completed: bool

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dict (datetimes as ISO 8601 text)."""
        return {
            "routine_id": self.routine_id,
            "level": self.level,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat(),
            "pain_before": self.pain_before,
            "pain_after": self.pain_after,
            "steps_done": list(self.steps_done),
            "steps_skipped": list(self.steps_skipped),
            "steps_easier": list(self.steps_easier),
            "steps_total": self.steps_total,
            "completed": self.completed,
        }


@dataclass(frozen=True)
class ScheduleTimer:
    """Start a timer; when it runs out, send `TimerFinished(step_index)`."""

    seconds: int
    step_index: int


@dataclass(frozen=True)
class CancelTimer:
    """Cancel the running timer of this session, if any."""


@dataclass(frozen=True)
class SessionEnded:
    """The session is over (finished or stopped after the pain score): record it."""

    summary: Summary


Effect: TypeAlias = ScheduleTimer | CancelTimer | SessionEnded


@dataclass(frozen=True)
class Transition:
    """The result of one event: the next state, what happened, what the adapter must do."""

    state: SessionState
    notice: Notice
    effects: tuple[Effect, ...] = ()


def pending_timer(routine: Routine, state: SessionState, now: datetime) -> ScheduleTimer | None:
    """After a restart: the timer to schedule again for a session restored in TIMER, if any."""
    if state.phase != Phase.TIMER or state.timer_step is None or state.timer_ends_at is None:
        return None
    try:
        left = (state.timer_ends_at - now).total_seconds()
    except TypeError:  # naive and aware datetimes
        view = step_view(routine, state)
        left = float(view.timer_seconds or 0) if view else 0.0
    return ScheduleTimer(seconds=max(0, math.ceil(left)), step_index=state.timer_step)


def start(
    routine: Routine, level_id: str, now: datetime, walk_minutes: int | None = None
) -> SessionState:
    """A new session at the safety check (unknown level: the first; walk minutes kept 1-180)."""
    level = routine.level_by_id(level_id) or routine.first_level
    minutes: int | None = None
    if routine.kind == "walk":
        plan = routine.walk or DEFAULT_WALK_PLAN
        wanted = plan.start_minutes if walk_minutes is None else walk_minutes
        minutes = min(max(wanted, 1), WALK_MINUTES_MAX)
    return SessionState(
        routine_id=routine.id,
        level_id=level.id,
        phase=Phase.SAFETY_CHECK,
        started_at=now,
        walk_minutes=minutes,
    )


def summarize(routine: Routine, state: SessionState, now: datetime, completed: bool) -> Summary:
    """The summary of a session ending now."""
    steps = level_steps(routine, state)

    def ids(indices: tuple[int, ...]) -> tuple[str, ...]:
        return tuple(steps[i].id for i in indices if 0 <= i < len(steps))

    return Summary(
        routine_id=state.routine_id,
        level=state.level_id,
        started_at=state.started_at,
        finished_at=now,
        pain_before=state.pain_before,
        pain_after=state.pain_after,
        steps_done=ids(state.done),
        steps_skipped=ids(state.skipped),
        steps_easier=ids(state.easier),
        steps_total=len(steps),
        completed=completed,
    )


def _same(state: SessionState, notice: Notice = Notice.NOT_NOW) -> Transition:
    return Transition(state, notice)


def _add(indices: tuple[int, ...], i: int) -> tuple[int, ...]:
    return tuple(sorted({*indices, i}))


def _remove(indices: tuple[int, ...], i: int) -> tuple[int, ...]:
    return tuple(x for x in indices if x != i)


def _no_timer(state: SessionState) -> SessionState:
    return replace(state, timer_step=None, timer_ends_at=None)


def _advance(routine: Routine, state: SessionState, notice: Notice) -> Transition:
    n = len(level_steps(routine, state))
    if state.step_index + 1 < n:
        return Transition(replace(state, phase=Phase.STEP, step_index=state.step_index + 1), notice)
    return Transition(replace(state, phase=Phase.PAIN_AFTER), Notice.STEPS_FINISHED)


def _on_step(
    routine: Routine, state: SessionState, event: object, now: datetime
) -> Transition | None:
    """STEP and TIMER. None: not now."""
    in_timer = state.phase == Phase.TIMER
    i = state.step_index
    result: Transition | None = None
    base = _no_timer(state)
    if isinstance(event, Done):
        done = replace(base, done=_add(state.done, i), skipped=_remove(state.skipped, i))
        result = _advance(routine, done, Notice.NEXT_STEP)
    elif isinstance(event, Skip):
        skipped = replace(base, skipped=_add(state.skipped, i), done=_remove(state.done, i))
        result = _advance(routine, skipped, Notice.SKIPPED)
    elif isinstance(event, Back):
        if i > 0:
            result = Transition(replace(base, phase=Phase.STEP, step_index=i - 1), Notice.WENT_BACK)
    elif isinstance(event, StartTimer):
        view = step_view(routine, state)
        seconds = view.timer_seconds if view else None
        if not in_timer and seconds is not None:
            ends = now + timedelta(seconds=seconds)
            nxt = replace(state, phase=Phase.TIMER, timer_step=i, timer_ends_at=ends)
            return Transition(nxt, Notice.TIMER_STARTED, (ScheduleTimer(seconds, i),))
    elif isinstance(event, TimerFinished):
        if in_timer and is_int(event.step_index) and event.step_index == state.timer_step:
            return Transition(replace(base, phase=Phase.STEP), Notice.TIME_UP)
    elif isinstance(event, Hurts):
        result = Transition(replace(base, phase=Phase.HURT_CHECK), Notice.HURT_ASKED)
    elif isinstance(event, SharpPain | Tingling):
        result = Transition(replace(base, phase=Phase.HURT_STOP), Notice.EXERCISE_STOPPED)
    if result is not None and in_timer:
        result = replace(result, effects=(CancelTimer(), *result.effects))
    return result


def _on_hurt_check(routine: Routine, state: SessionState, event: object) -> Transition | None:
    if isinstance(event, Pain):
        if not valid_pain(event.value):
            return _same(state, Notice.INVALID_PAIN)
        before = state.pain_before if state.pain_before is not None else PAIN_MIN
        if event.value - before > HURT_MARGIN:
            return Transition(replace(state, phase=Phase.HURT_STOP), Notice.EXERCISE_STOPPED)
        return Transition(replace(state, phase=Phase.STEP), Notice.HURT_OK)
    if isinstance(event, SharpPain | Tingling):
        return Transition(replace(state, phase=Phase.HURT_STOP), Notice.EXERCISE_STOPPED)
    return None


def _on_hurt_stop(routine: Routine, state: SessionState, event: object) -> Transition | None:
    i = state.step_index
    if isinstance(event, UseEasier):
        if i in state.easier:
            return None
        return Transition(
            replace(state, phase=Phase.STEP, easier=_add(state.easier, i)), Notice.EASIER_CHOSEN
        )
    if isinstance(event, Skip):
        skipped = replace(state, skipped=_add(state.skipped, i), done=_remove(state.done, i))
        return _advance(routine, skipped, Notice.SKIPPED)
    if isinstance(event, EndSession):
        return Transition(
            replace(state, phase=Phase.PAIN_AFTER, ended_early=True), Notice.ENDING_EARLY
        )
    return None


def _stop(routine: Routine, state: SessionState, now: datetime) -> Transition:
    effects: list[Effect] = []
    if state.phase == Phase.TIMER:
        effects.append(CancelTimer())
    ended = replace(_no_timer(state), phase=Phase.CANCELLED, paused_phase=None)
    if state.pain_before is not None:
        effects.append(SessionEnded(summarize(routine, ended, now, completed=False)))
    return Transition(ended, Notice.STOPPED, tuple(effects))


def transition(routine: Routine, state: SessionState, event: Event, now: datetime) -> Transition:
    """Apply one event. Never raises: an event that does not apply gives NOT_NOW, same state."""
    if check_state(routine, state):
        return _same(state)
    phase = state.phase
    result: Transition | None = None
    if isinstance(event, Stop):
        result = _stop(routine, state, now) if phase in ACTIVE_PHASES else None
    elif isinstance(event, Pause):
        if phase in PAUSABLE_PHASES:
            effects: tuple[Effect, ...] = (CancelTimer(),) if phase == Phase.TIMER else ()
            paused = replace(_no_timer(state), phase=Phase.PAUSED, paused_phase=phase)
            result = Transition(paused, Notice.PAUSED, effects)
    elif phase == Phase.SAFETY_CHECK:
        if isinstance(event, SafetyClear):
            result = Transition(replace(state, phase=Phase.PAIN_BEFORE), Notice.SAFETY_CLEARED)
        elif isinstance(event, SafetyFlag):
            result = Transition(replace(state, phase=Phase.SAFETY_STOP), Notice.SAFETY_STOPPED)
    elif phase == Phase.PAIN_BEFORE:
        if isinstance(event, Pain):
            if not valid_pain(event.value):
                return _same(state, Notice.INVALID_PAIN)
            started = replace(state, phase=Phase.STEP, step_index=0, pain_before=event.value)
            result = Transition(started, Notice.STARTED)
    elif phase in CARD_PHASES:
        result = _on_step(routine, state, event, now)
    elif phase == Phase.HURT_CHECK:
        result = _on_hurt_check(routine, state, event)
    elif phase == Phase.HURT_STOP:
        result = _on_hurt_stop(routine, state, event)
    elif phase == Phase.PAUSED:
        if isinstance(event, Resume) and state.paused_phase is not None:
            back = Phase.STEP if state.paused_phase == Phase.TIMER else state.paused_phase
            result = Transition(replace(state, phase=back, paused_phase=None), Notice.RESUMED)
    elif phase == Phase.PAIN_AFTER and isinstance(event, Pain):
        if not valid_pain(event.value):
            return _same(state, Notice.INVALID_PAIN)
        finished = replace(state, phase=Phase.FINISHED, pain_after=event.value)
        summary = summarize(routine, finished, now, completed=not state.ended_early)
        result = Transition(finished, Notice.FINISHED, (SessionEnded(summary),))
    return result if result is not None else _same(state)


__all__ = [
    "CARD_PHASES",
    "DEFAULT_WALK_PLAN",
    "EVENT_TYPES",
    "PAUSABLE_PHASES",
    "TERMINAL_PHASES",
    "Back",
    "CancelTimer",
    "Done",
    "Effect",
    "EndSession",
    "Event",
    "Hurts",
    "Notice",
    "Pain",
    "Pause",
    "Phase",
    "Resume",
    "SafetyClear",
    "SafetyFlag",
    "ScheduleTimer",
    "SessionEnded",
    "SessionState",
    "SharpPain",
    "Skip",
    "StartTimer",
    "StepView",
    "Stop",
    "Summary",
    "TimerFinished",
    "Tingling",
    "Transition",
    "UseEasier",
    "pending_timer",
    "plan_week",
    "propose_level",
    "start",
    "step_view",
    "summarize",
    "transition",
    "walk_minutes",
]
