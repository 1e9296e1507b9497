"""What can happen to a routine session (the events in) and what a transition did (its notice)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TypeAlias


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
    SafetyClear
    | SafetyFlag
    | Pain
    | Done
    | Skip
    | Back
    | StartTimer
    | TimerFinished
    | Hurts
    | SharpPain
    | Tingling
    | UseEasier
    | EndSession
    | Pause
    | Resume
    | Stop
)


EVENT_TYPES: tuple[type, ...] = (
    SafetyClear,
    SafetyFlag,
    Pain,
    Done,
    Skip,
    Back,
    StartTimer,
    TimerFinished,
    Hurts,
    SharpPain,
    Tingling,
    UseEasier,
    EndSession,
    Pause,
    Resume,
    Stop,
)
