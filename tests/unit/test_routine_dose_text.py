"""How a dose reads on a step card, and the routine's level and step look-ups."""

from __future__ import annotations

import pytest

from bot.core.routine_model import Dose, Level, Step, Variant
from tests.unit.routine_data import make_routine


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (1, "1 s"),
        (59, "59 s"),
        (60, "1 min"),
        (61, "1 min 1 s"),
        (119, "1 min 59 s"),
        (120, "2 min"),
        (121, "2 min 1 s"),
        (3599, "59 min 59 s"),
        (3600, "60 min"),
    ],
)
def test_timed_parts_read_in_minutes_and_seconds(seconds: int, text: str) -> None:
    assert Dose(seconds=seconds).describe() == text
    assert Dose(sets=3, seconds=seconds).describe() == f"3 x {text}"


@pytest.mark.parametrize(
    ("dose", "text"),
    [
        (Dose(reps=1), "1 reps"),
        (Dose(reps=6, sets=1), "1 x 6"),
        (Dose(reps=6, per_side=True, hold_seconds=2), "6 per side, hold 2 s"),
        (Dose(seconds=61, per_side=True), "1 min 1 s per side"),
        (Dose(seconds=30, hold_seconds=5), "30 s, hold 5 s"),
        (Dose(hold_seconds=1), "hold 1 s"),
        (Dose(hold_seconds=90, per_side=True), "hold 90 s per side"),
        (Dose(sets=2, hold_seconds=4, per_side=True), "hold 4 s per side"),
        (Dose(), ""),
        (Dose(per_side=True), ""),
    ],
)
def test_dose_texts(dose: Dose, text: str) -> None:
    assert dose.describe() == text


def test_the_timer_is_the_hold_before_the_timed_part() -> None:
    assert Dose(seconds=30, hold_seconds=5).timer_seconds == 5
    assert Dose(seconds=30).timer_seconds == 30
    assert Dose(reps=4).timer_seconds is None


def _step(sid: str, from_week: int) -> Step:
    variant = Variant("Other", "Do it.")
    return Step(sid, sid, "Do. It.", Dose(reps=5), "Rushing.", variant, variant, from_week)


ROUTINE = make_routine(
    "weeks",
    "Weeks",
    steps=(_step("a", 1), _step("b", 3), _step("c", 2), _step("d", 5)),
    levels=(Level("w1", "W1", 1, False), Level("w3", "W3", 3, True), Level("w5", "W5", 5, True)),
)


def test_a_level_shows_the_steps_up_to_its_week_in_file_order() -> None:
    assert [s.id for s in ROUTINE.steps_for("w1")] == ["a"]
    assert [s.id for s in ROUTINE.steps_for("w3")] == ["a", "b", "c"]
    assert [s.id for s in ROUTINE.steps_for("w5")] == ["a", "b", "c", "d"]
    assert ROUTINE.steps_for("w2") == ()


def test_levels_are_found_by_id() -> None:
    assert ROUTINE.first_level == Level("w1", "W1", 1, False)
    assert ROUTINE.level_by_id("w5") == Level("w5", "W5", 5, True)
    assert ROUTINE.level_by_id("W5") is None
