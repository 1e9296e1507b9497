"""A guided routine session as a pure state machine, plus the walking plan and level choice.

No I/O and no messages: `transition` takes a state and an event and returns the next state,
a `Notice` saying what happened and the `Effect`s for the adapter (timers, a finished session).
The dialogue renders every message; the exercise texts come from the routine's YAML.
The transitions table is `bot/ROUTINE_STATES.md`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Literal, TypeAlias

from bot.core.routine_model import Dose, Routine, Step, Variant, WalkPlan

PAIN_MIN = 0
PAIN_MAX = 10
HURT_MARGIN = 2
"""Pain more than this many points above the starting pain stops the exercise."""
WALK_MINUTES_MAX = 180
STATE_VERSION = 1
DEFAULT_WALK_PLAN = WalkPlan()


class Phase(StrEnum):
    """Where a session is."""

    SAFETY_CHECK = "safety_check"
    PAIN_BEFORE = "pain_before"
    STEP = "step"
    TIMER = "timer"
    HURT_CHECK = "hurt_check"
    HURT_STOP = "hurt_stop"
    PAUSED = "paused"
    PAIN_AFTER = "pain_after"
    FINISHED = "finished"
    SAFETY_STOP = "safety_stop"
    CANCELLED = "cancelled"


TERMINAL_PHASES = frozenset({Phase.FINISHED, Phase.SAFETY_STOP, Phase.CANCELLED})
PAUSABLE_PHASES = frozenset(
    {
        Phase.SAFETY_CHECK, Phase.PAIN_BEFORE, Phase.STEP, Phase.TIMER,
        Phase.HURT_CHECK, Phase.HURT_STOP, Phase.PAIN_AFTER,
    }
)
ACTIVE_PHASES = PAUSABLE_PHASES | {Phase.PAUSED}
STEP_PHASES = frozenset({Phase.STEP, Phase.TIMER, Phase.HURT_CHECK, Phase.HURT_STOP})
"""Phases in which the session is at a step (the step card or a question about it)."""
_BEFORE_STEPS = frozenset({Phase.SAFETY_CHECK, Phase.PAIN_BEFORE, Phase.SAFETY_STOP})
_NEED_PAIN_BEFORE = STEP_PHASES | {Phase.PAIN_AFTER, Phase.FINISHED}


class Notice(StrEnum):
    """What a transition did, for the dialogue to put into words."""

    SAFETY_CLEARED = "safety_cleared"  # -> PAIN_BEFORE: ask pain now 0-10
    SAFETY_STOPPED = "safety_stopped"  # -> SAFETY_STOP: a red flag applies
    STARTED = "started"  # -> STEP 1: baseline pain recorded
    NEXT_STEP = "next_step"  # Done: the next step
    SKIPPED = "skipped"  # Skip: the next step
    WENT_BACK = "went_back"  # Back: the previous step
    STEPS_FINISHED = "steps_finished"  # Done/Skip on the last step -> PAIN_AFTER
    TIMER_STARTED = "timer_started"
    TIME_UP = "time_up"
    HURT_ASKED = "hurt_asked"  # It hurts -> HURT_CHECK: ask pain 0-10, sharp, tingling
    HURT_OK = "hurt_ok"  # pain within +2: carry on gently
    EXERCISE_STOPPED = "exercise_stopped"  # -> HURT_STOP: offer easier, skip or end
    EASIER_CHOSEN = "easier_chosen"
    ENDING_EARLY = "ending_early"  # EndSession -> PAIN_AFTER
    PAUSED = "paused"
    RESUMED = "resumed"
    FINISHED = "finished"
    STOPPED = "stopped"
    NOT_NOW = "not_now"  # the event does not apply here; the state is unchanged
    INVALID_PAIN = "invalid_pain"  # not a whole number 0-10; the state is unchanged


# --------------------------------------------------------------------------- events


@dataclass(frozen=True)
class SafetyClear:
    """None of the red flags applies."""


@dataclass(frozen=True)
class SafetyFlag:
    """One of the red flags applies."""


@dataclass(frozen=True)
class Pain:
    """A pain score 0-10 (before, when it hurts, or after)."""

    value: int


@dataclass(frozen=True)
class Done:
    """The user did the current step."""


@dataclass(frozen=True)
class Skip:
    """The user skips the current step."""


@dataclass(frozen=True)
class Back:
    """Go to the previous step."""


@dataclass(frozen=True)
class StartTimer:
    """Start the timer of the current step's hold or timed part."""


@dataclass(frozen=True)
class TimerFinished:
    """A timer scheduled for `step_index` ran out."""

    step_index: int


@dataclass(frozen=True)
class Hurts:
    """The user pressed "It hurts"."""


@dataclass(frozen=True)
class SharpPain:
    """Sharp or stabbing pain."""


@dataclass(frozen=True)
class Tingling:
    """Pins and needles or numbness."""


@dataclass(frozen=True)
class UseEasier:
    """Switch the stopped exercise to its easier variant."""


@dataclass(frozen=True)
class EndSession:
    """End the session after a stopped exercise (then pain after, summary)."""


@dataclass(frozen=True)
class Pause:
    """Pause the session (the button, or a red flag typed during the routine)."""


@dataclass(frozen=True)
class Resume:
    """Continue a paused session where it was."""


@dataclass(frozen=True)
class Stop:
    """Abandon the session."""


Event: TypeAlias = (
    SafetyClear | SafetyFlag | Pain | Done | Skip | Back | StartTimer | TimerFinished
    | Hurts | SharpPain | Tingling | UseEasier | EndSession | Pause | Resume | Stop
)
EVENT_TYPES: tuple[type, ...] = (
    SafetyClear, SafetyFlag, Pain, Done, Skip, Back, StartTimer, TimerFinished,
    Hurts, SharpPain, Tingling, UseEasier, EndSession, Pause, Resume, Stop,
)


# --------------------------------------------------------------------------- effects


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


# --------------------------------------------------------------------------- state


@dataclass(frozen=True)
class SessionState:
    """One user's routine session; step indices count within the steps of `level_id`."""

    routine_id: str
    level_id: str
    phase: Phase
    started_at: datetime
    step_index: int = 0
    pain_before: int | None = None
    pain_after: int | None = None
    done: tuple[int, ...] = ()
    skipped: tuple[int, ...] = ()
    easier: tuple[int, ...] = ()
    paused_phase: Phase | None = None
    timer_step: int | None = None
    timer_ends_at: datetime | None = None
    walk_minutes: int | None = None
    ended_early: bool = False

    def to_json(self) -> str:
        """Compact JSON text of this state (see `from_json`)."""
        data: dict[str, object] = {
            "v": STATE_VERSION,
            "routine_id": self.routine_id,
            "level_id": self.level_id,
            "phase": self.phase.value,
            "started_at": self.started_at.isoformat(),
            "step_index": self.step_index,
            "pain_before": self.pain_before,
            "pain_after": self.pain_after,
            "done": list(self.done),
            "skipped": list(self.skipped),
            "easier": list(self.easier),
            "paused_phase": None if self.paused_phase is None else self.paused_phase.value,
            "timer_step": self.timer_step,
            "timer_ends_at": None if self.timer_ends_at is None else self.timer_ends_at.isoformat(),
            "walk_minutes": self.walk_minutes,
            "ended_early": self.ended_early,
        }
        return json.dumps(data, separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_json(cls, text: str, routines: Mapping[str, Routine]) -> SessionState | None:
        """The state saved by `to_json`, or None if corrupt, of an unknown routine or invalid."""
        try:
            data = json.loads(text)
            if not isinstance(data, dict) or data.get("v") != STATE_VERSION:
                return None
            state = _state_from_dict(data)
        except (ValueError, TypeError, KeyError, RecursionError):
            return None
        routine = routines.get(state.routine_id)
        if routine is None or check_state(routine, state):
            return None
        return state


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _get_int(data: Mapping[str, object], key: str, *, optional: bool = False) -> int | None:
    value = data.get(key)
    if value is None and optional:
        return None
    if not _is_int(value):
        raise ValueError(key)
    assert isinstance(value, int)
    return value


def _get_str(data: Mapping[str, object], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise ValueError(key)
    return value


def _get_indices(data: Mapping[str, object], key: str) -> tuple[int, ...]:
    value = data.get(key)
    if not isinstance(value, list) or not all(_is_int(v) for v in value):
        raise ValueError(key)
    return tuple(value)


def _get_time(data: Mapping[str, object], key: str, *, optional: bool = False) -> datetime | None:
    value = data.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise ValueError(key)
    return datetime.fromisoformat(value)


def _state_from_dict(data: Mapping[str, object]) -> SessionState:
    started_at = _get_time(data, "started_at")
    step_index = _get_int(data, "step_index")
    paused = data.get("paused_phase")
    ended_early = data.get("ended_early")
    if not isinstance(ended_early, bool):
        raise ValueError("ended_early")
    assert started_at is not None and step_index is not None
    return SessionState(
        routine_id=_get_str(data, "routine_id"),
        level_id=_get_str(data, "level_id"),
        phase=Phase(_get_str(data, "phase")),
        started_at=started_at,
        step_index=step_index,
        pain_before=_get_int(data, "pain_before", optional=True),
        pain_after=_get_int(data, "pain_after", optional=True),
        done=_get_indices(data, "done"),
        skipped=_get_indices(data, "skipped"),
        easier=_get_indices(data, "easier"),
        paused_phase=None if paused is None else Phase(_get_str(data, "paused_phase")),
        timer_step=_get_int(data, "timer_step", optional=True),
        timer_ends_at=_get_time(data, "timer_ends_at", optional=True),
        walk_minutes=_get_int(data, "walk_minutes", optional=True),
        ended_early=ended_early,
    )


@dataclass(frozen=True)
class Transition:
    """The result of one event: the next state, what happened, what the adapter must do."""

    state: SessionState
    notice: Notice
    effects: tuple[Effect, ...] = ()


@dataclass(frozen=True)
class StepView:
    """A step as the user sees it at their level: main instruction, dose, the other options."""

    index: int
    number: int
    total: int
    step_id: str
    name: str
    how: str
    dose: Dose
    mistake: str
    variant: Literal["standard", "easier", "harder"]
    easier: Variant | None
    harder: Variant | None

    @property
    def timer_seconds(self) -> int | None:
        """Seconds of the hold or timed part (None: no timer for this step)."""
        return self.dose.timer_seconds


# --------------------------------------------------------------------------- queries


def valid_pain(value: object) -> bool:
    """True for a whole number 0-10."""
    return isinstance(value, int) and not isinstance(value, bool) and PAIN_MIN <= value <= PAIN_MAX


def _indices_ok(values: object, n: int) -> bool:
    return (
        isinstance(values, tuple)
        and all(_is_int(v) and 0 <= v < n for v in values)
        and list(values) == sorted(set(values))
    )


def check_state(routine: Routine, state: SessionState) -> tuple[str, ...]:
    """What is inconsistent in a state for this routine (empty when the state is valid)."""
    if state.routine_id != routine.id:
        return ("routine_id is not this routine",)
    level = routine.level_by_id(state.level_id)
    if level is None:
        return ("unknown level",)
    n = len(routine.steps_for(level.id))
    if n == 0:
        return ("the level has no steps",)
    if not isinstance(state.phase, Phase):
        return ("unknown phase",)
    problems: list[str] = []
    phase, paused = state.phase, state.paused_phase
    effective = paused if phase == Phase.PAUSED and paused is not None else phase
    if not isinstance(state.started_at, datetime):
        problems.append("started_at is not a datetime")
    if not (_is_int(state.step_index) and 0 <= state.step_index < n):
        problems.append("step_index out of range")
    for name, pain in (("pain_before", state.pain_before), ("pain_after", state.pain_after)):
        if pain is not None and not valid_pain(pain):
            problems.append(f"{name} is not 0-10")
    if effective in _NEED_PAIN_BEFORE and state.pain_before is None:
        problems.append("pain_before missing")
    if effective in _BEFORE_STEPS:
        if state.pain_before is not None:
            problems.append("pain_before set before it was asked")
        if state.step_index != 0 or state.done or state.skipped or state.easier:
            problems.append("steps recorded before the steps started")
    if (phase == Phase.FINISHED) != (state.pain_after is not None):
        problems.append("pain_after is set exactly when finished")
    if (phase == Phase.PAUSED) != (paused is not None):
        problems.append("paused_phase is set exactly when paused")
    if paused is not None and paused not in PAUSABLE_PHASES:
        problems.append("paused_phase is not a pausable phase")
    in_timer = phase == Phase.TIMER
    if in_timer != (state.timer_step is not None) or in_timer != (state.timer_ends_at is not None):
        problems.append("timer_step and timer_ends_at are set exactly in the timer phase")
    if state.timer_step is not None and state.timer_step != state.step_index:
        problems.append("timer_step is not the current step")
    if in_timer and not problems:
        view = step_view(routine, state)
        if view is None or view.timer_seconds is None:
            problems.append("timer on a step without a timed part")
    indices_ok = True
    for name, values in (("done", state.done), ("skipped", state.skipped),
                         ("easier", state.easier)):
        if not _indices_ok(values, n):
            problems.append(f"{name} must be sorted, distinct step indices")
            indices_ok = False
    if indices_ok and set(state.done) & set(state.skipped):
        problems.append("a step is both done and skipped")
    if routine.kind == "walk":
        minutes = state.walk_minutes
        if not (_is_int(minutes) and minutes is not None and 1 <= minutes <= WALK_MINUTES_MAX):
            problems.append("walk_minutes missing or out of range")
    elif state.walk_minutes is not None:
        problems.append("walk_minutes set for an exercise routine")
    if not isinstance(state.ended_early, bool):
        problems.append("ended_early is not a bool")
    elif state.ended_early and effective not in {Phase.PAIN_AFTER, Phase.FINISHED, Phase.CANCELLED}:
        problems.append("ended_early before the end")
    return tuple(problems)


def level_steps(routine: Routine, state: SessionState) -> tuple[Step, ...]:
    """The steps of the session's level."""
    return routine.steps_for(state.level_id)


def current_step(routine: Routine, state: SessionState) -> Step | None:
    """The step the session is at (also when paused at it); None before or after the steps."""
    phase = state.paused_phase if state.phase == Phase.PAUSED else state.phase
    if phase not in STEP_PHASES:
        return None
    steps = level_steps(routine, state)
    return steps[state.step_index] if 0 <= state.step_index < len(steps) else None


def step_position(routine: Routine, state: SessionState) -> tuple[int, int]:
    """(number, total) for "Step 3 of 9": 1-based position and number of steps."""
    return state.step_index + 1, len(level_steps(routine, state))


def step_view(routine: Routine, state: SessionState, index: int | None = None) -> StepView | None:
    """The step at `index` (default: the current one) as shown at this level, or None."""
    steps = level_steps(routine, state)
    i = state.step_index if index is None else index
    level = routine.level_by_id(state.level_id)
    if level is None or not 0 <= i < len(steps):
        return None
    step = steps[i]
    base = step.dose
    if routine.kind == "walk" and state.walk_minutes is not None and base.seconds is not None:
        base = replace(base, seconds=state.walk_minutes * 60)
    view = StepView(
        index=i, number=i + 1, total=len(steps), step_id=step.id, name=step.name,
        how=step.how, dose=base, mistake=step.mistake, variant="standard",
        easier=step.easier, harder=step.harder,
    )
    if i in state.easier:
        v = step.easier
        return replace(view, name=v.name, how=v.how, dose=v.dose or base, variant="easier",
                       easier=None, harder=None)
    if level.harder and step.from_week < level.from_week:
        v = step.harder
        return replace(view, name=v.name, how=v.how, dose=v.dose or base, variant="harder",
                       harder=None)
    return view


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


# --------------------------------------------------------------------------- transitions


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
        routine_id=routine.id, level_id=level.id, phase=Phase.SAFETY_CHECK,
        started_at=now, walk_minutes=minutes,
    )


def summarize(routine: Routine, state: SessionState, now: datetime, completed: bool) -> Summary:
    """The summary of a session ending now."""
    steps = level_steps(routine, state)

    def ids(indices: tuple[int, ...]) -> tuple[str, ...]:
        return tuple(steps[i].id for i in indices if 0 <= i < len(steps))

    return Summary(
        routine_id=state.routine_id, level=state.level_id, started_at=state.started_at,
        finished_at=now, pain_before=state.pain_before, pain_after=state.pain_after,
        steps_done=ids(state.done), steps_skipped=ids(state.skipped),
        steps_easier=ids(state.easier), steps_total=len(steps), completed=completed,
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
            result = Transition(replace(base, phase=Phase.STEP, step_index=i - 1),
                                Notice.WENT_BACK)
    elif isinstance(event, StartTimer):
        view = step_view(routine, state)
        seconds = view.timer_seconds if view else None
        if not in_timer and seconds is not None:
            ends = now + timedelta(seconds=seconds)
            nxt = replace(state, phase=Phase.TIMER, timer_step=i, timer_ends_at=ends)
            return Transition(nxt, Notice.TIMER_STARTED, (ScheduleTimer(seconds, i),))
    elif isinstance(event, TimerFinished):
        if in_timer and _is_int(event.step_index) and event.step_index == state.timer_step:
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
        return Transition(replace(state, phase=Phase.PAIN_AFTER, ended_early=True),
                          Notice.ENDING_EARLY)
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
    elif phase in (Phase.STEP, Phase.TIMER):
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


# --------------------------------------------------------------------------- plans


def _as_date(day: date) -> date:
    return day.date() if isinstance(day, datetime) else day


def _walk_start(history: Sequence[date], today: date, plan: WalkPlan) -> date | None:
    """The first walk of the current run of walks (None: no walks, or a long break)."""
    today = _as_date(today)
    days = sorted({d for d in (_as_date(x) for x in history) if d <= today})
    if not days or (today - days[-1]).days > plan.restart_after_days:
        return None
    start = days[-1]
    for earlier in reversed(days[:-1]):
        if (start - earlier).days > plan.restart_after_days:
            break
        start = earlier
    return start


def plan_week(history: Sequence[date], today: date, plan: WalkPlan = DEFAULT_WALK_PLAN) -> int:
    """The week of the walking plan, 1-based, counted from the first walk of the current run."""
    start = _walk_start(history, today, plan)
    if start is None:
        return 1
    return (_as_date(today) - start).days // 7 + 1


def walk_minutes(history: Sequence[date], today: date, plan: WalkPlan = DEFAULT_WALK_PLAN) -> int:
    """Minutes of today's walk from the dates of finished walks (10, 15, then +5 every 2 weeks)."""
    week = plan_week(history, today, plan)
    if week <= 1:
        return min(plan.start_minutes, plan.max_minutes)
    added = plan.add_minutes * ((week - 2) // plan.every_weeks)
    return min(plan.week2_minutes + added, plan.max_minutes)


def propose_level(
    routine: Routine, finished: Sequence[tuple[str, date]], today: date
) -> str:
    """The level to offer: the latest one whose week and session count the user has reached."""
    today = _as_date(today)
    days = sorted(
        d for d in (_as_date(day) for rid, day in finished if rid == routine.id) if d <= today
    )
    chosen = routine.first_level
    if not days:
        return chosen.id
    age = (today - days[0]).days
    for level in routine.levels[1:]:
        if age >= (level.from_week - 1) * 7 and len(days) >= level.min_sessions:
            chosen = level
    return chosen.id
