"""A routine session's saved state: phases, the state itself, its JSON form and its checks."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Literal

from bot.core.routine_model import Dose, Routine, Step, Variant

PAIN_MIN = 0
PAIN_MAX = 10
HURT_MARGIN = 2
"""Pain more than this many points above the starting pain stops the exercise."""
WALK_MINUTES_MAX = 180
STATE_VERSION = 1


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
        Phase.SAFETY_CHECK,
        Phase.PAIN_BEFORE,
        Phase.STEP,
        Phase.TIMER,
        Phase.HURT_CHECK,
        Phase.HURT_STOP,
        Phase.PAIN_AFTER,
    }
)
ACTIVE_PHASES = PAUSABLE_PHASES | {Phase.PAUSED}
CARD_PHASES = frozenset({Phase.STEP, Phase.TIMER})
"""Phases in which the step's own card is shown (the exercise, or its hold running)."""
STEP_PHASES = CARD_PHASES | {Phase.HURT_CHECK, Phase.HURT_STOP}
"""Phases in which the session is at a step (the step card or a question about it)."""
_BEFORE_STEPS = frozenset({Phase.SAFETY_CHECK, Phase.PAIN_BEFORE, Phase.SAFETY_STOP})
_NEED_PAIN_BEFORE = STEP_PHASES | {Phase.PAIN_AFTER, Phase.FINISHED}


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


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _get_int(data: Mapping[str, object], key: str, *, optional: bool = False) -> int | None:
    value = data.get(key)
    if value is None and optional:
        return None
    if not is_int(value):
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
    if not isinstance(value, list) or not all(is_int(v) for v in value):
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


def valid_pain(value: object) -> bool:
    """True for a whole number 0-10."""
    return isinstance(value, int) and not isinstance(value, bool) and PAIN_MIN <= value <= PAIN_MAX


def _indices_ok(values: object, n: int) -> bool:
    return (
        isinstance(values, tuple)
        and all(is_int(v) and 0 <= v < n for v in values)
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
    if not (is_int(state.step_index) and 0 <= state.step_index < n):
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
    for name, values in (
        ("done", state.done),
        ("skipped", state.skipped),
        ("easier", state.easier),
    ):
        if not _indices_ok(values, n):
            problems.append(f"{name} must be sorted, distinct step indices")
            indices_ok = False
    if indices_ok and set(state.done) & set(state.skipped):
        problems.append("a step is both done and skipped")
    if routine.kind == "walk":
        minutes = state.walk_minutes
        if not (is_int(minutes) and minutes is not None and 1 <= minutes <= WALK_MINUTES_MAX):
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
        index=i,
        number=i + 1,
        total=len(steps),
        step_id=step.id,
        name=step.name,
        how=step.how,
        dose=base,
        mistake=step.mistake,
        variant="standard",
        easier=step.easier,
        harder=step.harder,
    )
    if i in state.easier:
        v = step.easier
        return replace(
            view,
            name=v.name,
            how=v.how,
            dose=v.dose or base,
            variant="easier",
            easier=None,
            harder=None,
        )
    if level.harder and step.from_week < level.from_week:
        v = step.harder
        return replace(
            view, name=v.name, how=v.how, dose=v.dose or base, variant="harder", harder=None
        )
    return view
