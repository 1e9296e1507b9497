"""Routines for the routine tests: the steps and levels a test is about, everything else
placeholder text; and a routine file's step as written in YAML."""

from __future__ import annotations

from typing import Any

from bot.core.routine_model import Level, Routine, Step


def make_routine(
    routine_id: str,
    title: str,
    steps: tuple[Step, ...],
    levels: tuple[Level, ...],
    stop_rules: tuple[str, ...] = ("Stop.",),
) -> Routine:
    """A beginner exercise routine of these steps and levels."""
    return Routine(
        id=routine_id,
        title=title,
        minutes=(5, 10),
        level="beginner",
        for_whom="Tests.",
        description="Tests.",
        stop_rules=stop_rules,
        sources=("E11",),
        steps=steps,
        levels=levels,
    )


def raw_step(sid: str, **extra: Any) -> dict[str, Any]:
    """A valid step of a routine file (with easier and harder versions); `extra` overrides."""
    step: dict[str, Any] = {
        "id": sid,
        "name": f"Step {sid}",
        "how": "Lie on your back. Lift one leg slowly.",
        "dose": {"sets": 2, "reps": 8, "per_side": True},
        "mistake": "Arching your back.",
        "easier": {"name": "Smaller move", "how": "Move only a little."},
        "harder": {
            "name": "Bigger move",
            "how": "Move further. Hold at the top.",
            "dose": {"sets": 2, "reps": 8, "hold_seconds": 5, "per_side": True},
        },
    }
    step.update(extra)
    return step
