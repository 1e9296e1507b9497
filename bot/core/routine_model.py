"""Guided routines: frozen data classes and the validator of `knowledge/routines/<id>.yaml`.

RoutineFile format: one routine per YAML file, named after its id.

    id: beginner                  # lowercase letters, digits, '-'; at most 20 characters
    title: Beginner hip and back routine
    kind: exercise                # exercise (default) or walk
    minutes: [12, 18]             # shortest and longest estimate, 1..120
    level: beginner               # beginner, intermediate or advanced
    for_whom: One short sentence.
    description: A short paragraph.
    stop_rules: [Stop if ..., ...]            # at least one
    sources: [E11, E13, E14]                  # codes of knowledge/sources.yaml (caller checks)
    levels:                       # at least one; the first from week 1, then strictly later
      - {id: weeks-1-2, label: Weeks 1-2, from_week: 1, harder: false}
      - {id: from-week-3, label: From week 3, from_week: 3, harder: true, min_sessions: 4}
    steps:                        # at least one; ids unique within the routine
      - id: glute-bridge          # like a routine id, at most 40 characters
        name: Glute bridge
        how: Two to four short sentences.
        dose: {sets: 2, reps: 10, hold_seconds: 3}   # also: seconds, per_side (true/false)
        mistake: Arching your back at the top.
        easier: {name: Small bridge, how: One to four sentences., dose: {...}}  # dose optional
        harder: {name: Single-leg bridge, how: ..., dose: {...}}
        from_week: 1              # optional: the step joins levels from this week on
    walk:                         # kind walk only (then exactly one step, timed in seconds)
      start_minutes: 10           # week 1
      week2_minutes: 15           # week 2
      add_minutes: 5              # added every `every_weeks` weeks after week 2 ...
      every_weeks: 2
      max_minutes: 30             # ... up to this
      days_per_week: [3, 5]       # at the start
      target_days: 5              # in the end
      restart_after_days: 14      # a longer break starts the plan again at week 1

A level shows the steps whose from_week <= its from_week. At a `harder` level, steps that
already belonged to an earlier level use their harder variant as the main instruction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

RoutineKind = Literal["exercise", "walk"]


ROUTINE_KINDS: tuple[RoutineKind, ...] = ("exercise", "walk")


ROUTINE_LEVELS = ("beginner", "intermediate", "advanced")


ROUTINE_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z")


ROUTINE_ID_MAX = 20


STEP_ID_MAX = 40


NAME_MAX = 60


HOW_MAX = 400


TEXT_MAX = 600


MAX_MINUTES = 120


Problem = tuple[str, str]


def _format_seconds(seconds: int) -> str:
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds // 60} min"
    if seconds > 60:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds} s"


@dataclass(frozen=True)
class Dose:
    """How much of an exercise: repetitions, sets, holds, timed parts, per side or not."""

    reps: int | None = None
    sets: int | None = None
    hold_seconds: int | None = None
    seconds: int | None = None
    per_side: bool = False

    def describe(self) -> str:
        """Short text such as "2 x 8 per side", "2 x 10, hold 3 s", "hold 5 s" or "1 min"."""
        parts: list[str] = []
        count = ""
        if self.reps is not None:
            count = f"{self.sets} x {self.reps}" if self.sets else str(self.reps)
            if not self.per_side and not self.sets:
                count += " reps"
        elif self.seconds is not None:
            timed = _format_seconds(self.seconds)
            count = f"{self.sets} x {timed}" if self.sets else timed
        if count:
            parts.append(count + (" per side" if self.per_side else ""))
        if self.hold_seconds is not None:
            hold = f"hold {self.hold_seconds} s"
            if not count and self.per_side:
                hold += " per side"
            parts.append(hold)
        return ", ".join(parts)

    @property
    def timer_seconds(self) -> int | None:
        """Seconds of the hold or timed part (None when the step is not timed)."""
        if self.hold_seconds is not None:
            return self.hold_seconds
        return self.seconds


@dataclass(frozen=True)
class Variant:
    """An easier or harder version of a step; dose None means the step's own dose."""

    name: str
    how: str
    dose: Dose | None = None


@dataclass(frozen=True)
class Step:
    """One exercise of a routine."""

    id: str
    name: str
    how: str
    dose: Dose
    mistake: str
    easier: Variant
    harder: Variant
    from_week: int = 1


@dataclass(frozen=True)
class Level:
    """A progression level: the steps from week 1 up to `from_week`, harder variants or not."""

    id: str
    label: str
    from_week: int
    harder: bool
    min_sessions: int = 0


@dataclass(frozen=True)
class WalkPlan:
    """The walking plan's numbers (after WalkBack): minutes per walk by week of the plan."""

    start_minutes: int = 10
    week2_minutes: int = 15
    add_minutes: int = 5
    every_weeks: int = 2
    max_minutes: int = 30
    days_per_week: tuple[int, int] = (3, 5)
    target_days: int = 5
    restart_after_days: int = 14


@dataclass(frozen=True)
class Routine:
    """A guided routine: its steps, progression levels, stop rules and sources."""

    id: str
    title: str
    minutes: tuple[int, int]
    level: str
    for_whom: str
    description: str
    stop_rules: tuple[str, ...]
    sources: tuple[str, ...]
    steps: tuple[Step, ...]
    levels: tuple[Level, ...]
    kind: RoutineKind = "exercise"
    walk: WalkPlan | None = None

    @property
    def first_level(self) -> Level:
        """The starting level (the one from week 1)."""
        return self.levels[0]

    def level_by_id(self, level_id: str) -> Level | None:
        """The level with this id, if any."""
        return next((lv for lv in self.levels if lv.id == level_id), None)

    def steps_for(self, level_id: str) -> tuple[Step, ...]:
        """The steps of a level, in order (empty for an unknown level id)."""
        level = self.level_by_id(level_id)
        if level is None:
            return ()
        return tuple(s for s in self.steps if s.from_week <= level.from_week)
