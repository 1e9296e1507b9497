"""What `check_state` finds wrong in a saved session, exactly, and what it lets through."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.core.routine_model import Dose, Level, Step, Variant
from bot.core.routine_state import (
    Phase,
    SessionState,
    check_state,
    current_step,
    step_position,
    step_view,
)
from tests.unit.routine_data import make_routine

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def _step(sid: str, dose: Dose, from_week: int = 1) -> Step:
    easier = Variant(f"Easier {sid}", "Do less.", Dose(reps=2))
    harder = Variant(f"Harder {sid}", "Do more.", None)
    return Step(sid, f"Step {sid}", "Do it. Slowly.", dose, "Rushing.", easier, harder, from_week)


# three steps at level "std"; the middle one is timed. Level "late" starts at week 4 and has
# a fourth step; level "empty" would show no step at all if it were first.
ROUTINE = make_routine(
    "r3",
    "Three steps",
    steps=(
        _step("a", Dose(reps=8)),
        _step("b", Dose(hold_seconds=5)),
        _step("c", Dose(reps=10)),
        _step("d", Dose(seconds=40), from_week=4),
    ),
    levels=(Level("std", "Standard", 1, False), Level("late", "Later", 4, True)),
)
EMPTY = replace(ROUTINE, levels=(Level("empty", "Empty", 0, False),))
WALK = replace(
    ROUTINE,
    id="walk",
    kind="walk",
    steps=(_step("walk", Dose(seconds=600)),),
    levels=(Level("plan", "Plan", 1, False),),
)

AT_STEP = SessionState("r3", "std", Phase.STEP, T0, step_index=1, pain_before=3, done=(0,))


def at(**change: Any) -> SessionState:
    return replace(AT_STEP, **change)


def test_the_base_state_is_valid() -> None:
    assert check_state(ROUTINE, AT_STEP) == ()


@pytest.mark.parametrize(
    "state",
    [
        at(step_index=2),
        at(step_index=0, done=()),
        at(done=(0, 2), skipped=(1,), easier=(0, 1, 2)),
        at(phase=Phase.TIMER, timer_step=1, timer_ends_at=T0),
        at(phase=Phase.PAUSED, paused_phase=Phase.HURT_STOP),
        at(phase=Phase.PAUSED, paused_phase=Phase.PAIN_AFTER, ended_early=True),
        at(phase=Phase.PAIN_AFTER, ended_early=True),
        at(phase=Phase.FINISHED, pain_after=0, ended_early=True),
        at(phase=Phase.FINISHED, pain_after=10, pain_before=0),
        at(phase=Phase.CANCELLED, ended_early=True),
        at(phase=Phase.CANCELLED, pain_before=None),
        at(
            phase=Phase.PAUSED,
            paused_phase=Phase.SAFETY_CHECK,
            pain_before=None,
            done=(),
            step_index=0,
        ),
        SessionState("r3", "std", Phase.SAFETY_CHECK, T0),
        SessionState("r3", "std", Phase.SAFETY_STOP, T0),
        SessionState("r3", "late", Phase.STEP, T0, step_index=3, pain_before=2),
    ],
)
def test_consistent_states_pass(state: SessionState) -> None:
    assert check_state(ROUTINE, state) == ()


@pytest.mark.parametrize(
    ("state", "problems"),
    [
        (at(routine_id="other"), ("routine_id is not this routine",)),
        (at(level_id="nope"), ("unknown level",)),
        (at(phase="step"), ("unknown phase",)),
        (at(started_at="2025-03-03"), ("started_at is not a datetime",)),
        (at(step_index=3), ("step_index out of range",)),
        (at(step_index=-1), ("step_index out of range",)),
        (at(step_index=True), ("step_index out of range",)),
        (at(pain_before=11), ("pain_before is not 0-10",)),
        (at(pain_before=-1), ("pain_before is not 0-10",)),
        (at(pain_before=None), ("pain_before missing",)),
        (at(phase=Phase.HURT_CHECK, pain_before=None), ("pain_before missing",)),
        (at(phase=Phase.PAIN_AFTER, pain_before=None), ("pain_before missing",)),
        (at(pain_after=4), ("pain_after is set exactly when finished",)),
        (
            at(phase=Phase.FINISHED, pain_after=True),
            ("pain_after is not 0-10",),
        ),
        (
            at(pain_after=12),
            ("pain_after is not 0-10", "pain_after is set exactly when finished"),
        ),
        (at(phase=Phase.FINISHED), ("pain_after is set exactly when finished",)),
        (at(paused_phase=Phase.STEP), ("paused_phase is set exactly when paused",)),
        (at(phase=Phase.PAUSED), ("paused_phase is set exactly when paused",)),
        (
            at(phase=Phase.PAUSED, paused_phase=Phase.CANCELLED),
            ("paused_phase is not a pausable phase",),
        ),
        (
            at(phase=Phase.PAUSED, paused_phase=Phase.PAUSED),
            ("paused_phase is not a pausable phase",),
        ),
        (
            at(timer_step=1),
            ("timer_step and timer_ends_at are set exactly in the timer phase",),
        ),
        (
            at(timer_ends_at=T0),
            ("timer_step and timer_ends_at are set exactly in the timer phase",),
        ),
        (
            at(phase=Phase.TIMER, timer_step=1),
            ("timer_step and timer_ends_at are set exactly in the timer phase",),
        ),
        (
            at(phase=Phase.TIMER, timer_ends_at=T0),
            ("timer_step and timer_ends_at are set exactly in the timer phase",),
        ),
        (
            at(phase=Phase.TIMER, timer_step=0, timer_ends_at=T0),
            ("timer_step is not the current step",),
        ),
        (
            at(phase=Phase.TIMER, step_index=0, done=(), timer_step=0, timer_ends_at=T0),
            ("timer on a step without a timed part",),
        ),
        (at(done=(1, 0)), ("done must be sorted, distinct step indices",)),
        (at(done=(0, 0)), ("done must be sorted, distinct step indices",)),
        (at(done=[0]), ("done must be sorted, distinct step indices",)),
        (at(skipped=(3,)), ("skipped must be sorted, distinct step indices",)),
        (at(skipped=(-1,)), ("skipped must be sorted, distinct step indices",)),
        (at(easier=(True,)), ("easier must be sorted, distinct step indices",)),
        (
            at(done=(5,), easier=(2, 1)),
            (
                "done must be sorted, distinct step indices",
                "easier must be sorted, distinct step indices",
            ),
        ),
        (at(skipped=(0,)), ("a step is both done and skipped",)),
        (
            at(done=(0, 0), skipped=(0,)),
            ("done must be sorted, distinct step indices",),
        ),
        (
            at(paused_phase=Phase.SAFETY_CHECK),
            ("paused_phase is set exactly when paused",),
        ),
        (at(walk_minutes=10), ("walk_minutes set for an exercise routine",)),
        (at(ended_early=1), ("ended_early is not a bool",)),
        (at(ended_early=True), ("ended_early before the end",)),
        (
            at(phase=Phase.PAUSED, paused_phase=Phase.STEP, ended_early=True),
            ("ended_early before the end",),
        ),
        (
            SessionState("r3", "std", Phase.SAFETY_CHECK, T0, pain_before=2),
            ("pain_before set before it was asked",),
        ),
        (
            SessionState("r3", "std", Phase.PAIN_BEFORE, T0, step_index=1),
            ("steps recorded before the steps started",),
        ),
        (
            SessionState("r3", "std", Phase.SAFETY_STOP, T0, done=(0,)),
            ("steps recorded before the steps started",),
        ),
        (
            SessionState("r3", "std", Phase.SAFETY_CHECK, T0, skipped=(1,)),
            ("steps recorded before the steps started",),
        ),
        (
            SessionState("r3", "std", Phase.SAFETY_CHECK, T0, easier=(1,)),
            ("steps recorded before the steps started",),
        ),
        (
            SessionState(
                "r3", "std", Phase.PAUSED, T0, pain_before=1, paused_phase=Phase.PAIN_BEFORE
            ),
            ("pain_before set before it was asked",),
        ),
    ],
)
def test_each_inconsistency_is_named(state: SessionState, problems: tuple[str, ...]) -> None:
    assert check_state(ROUTINE, state) == problems


def test_a_level_without_steps_is_named_first() -> None:
    state = SessionState("r3", "empty", Phase.STEP, T0, step_index=7)
    assert check_state(EMPTY, state) == ("the level has no steps",)


def test_a_timer_on_a_broken_state_is_not_looked_at() -> None:
    state = at(phase=Phase.TIMER, step_index=5, timer_step=5, timer_ends_at=T0)
    assert check_state(ROUTINE, state) == ("step_index out of range",)


def test_several_problems_are_listed_in_order() -> None:
    state = at(step_index=9, pain_before=20, walk_minutes=3, ended_early="no")
    assert check_state(ROUTINE, state) == (
        "step_index out of range",
        "pain_before is not 0-10",
        "walk_minutes set for an exercise routine",
        "ended_early is not a bool",
    )


@pytest.mark.parametrize(
    ("minutes", "ok"),
    [(None, False), (0, False), (1, True), (180, True), (181, False), (True, False)],
)
def test_a_walk_needs_its_minutes_1_to_180(minutes: int | None, ok: bool) -> None:
    state = SessionState("walk", "plan", Phase.STEP, T0, pain_before=2, walk_minutes=minutes)
    expected = () if ok else ("walk_minutes missing or out of range",)
    assert check_state(WALK, state) == expected


# --------------------------------------------------------------------------- where the session is


def test_the_current_step_also_while_paused_at_it() -> None:
    assert current_step(ROUTINE, AT_STEP) == ROUTINE.steps[1]
    paused = at(phase=Phase.PAUSED, paused_phase=Phase.HURT_CHECK, step_index=2)
    assert current_step(ROUTINE, paused) == ROUTINE.steps[2]
    assert current_step(ROUTINE, at(phase=Phase.HURT_STOP, step_index=0)) == ROUTINE.steps[0]
    assert current_step(ROUTINE, at(phase=Phase.PAUSED, paused_phase=Phase.PAIN_AFTER)) is None
    assert current_step(ROUTINE, at(phase=Phase.PAIN_AFTER)) is None
    assert current_step(ROUTINE, at(step_index=3)) is None
    assert current_step(ROUTINE, at(step_index=-1)) is None


def test_the_step_position_is_one_based_within_the_level() -> None:
    assert step_position(ROUTINE, AT_STEP) == (2, 3)
    assert step_position(ROUTINE, at(level_id="late", step_index=3)) == (4, 4)


def test_a_step_view_at_another_index() -> None:
    view = step_view(ROUTINE, AT_STEP, 2)
    assert view is not None
    assert (view.index, view.number, view.total, view.step_id) == (2, 3, 3, "c")
    assert step_view(ROUTINE, AT_STEP, 3) is None
    assert step_view(ROUTINE, at(level_id="gone")) is None


def test_the_harder_level_changes_only_the_earlier_steps() -> None:
    state = SessionState("r3", "late", Phase.STEP, T0, step_index=0, pain_before=2)
    views = [step_view(ROUTINE, state, i) for i in range(4)]
    assert [v.variant if v else None for v in views] == ["harder"] * 3 + ["standard"]
    first = views[0]
    assert first is not None
    assert (first.name, first.how, first.dose) == ("Harder a", "Do more.", Dose(reps=8))
    assert first.easier == ROUTINE.steps[0].easier and first.harder is None
    assert first.mistake == "Rushing."
    last = views[3]
    assert last is not None
    assert (last.name, last.harder) == ("Step d", ROUTINE.steps[3].harder)


def test_the_easier_variant_wins_over_the_harder_level() -> None:
    state = SessionState("r3", "late", Phase.STEP, T0, step_index=1, pain_before=2, easier=(1,))
    view = step_view(ROUTINE, state)
    assert view is not None
    assert (view.variant, view.name, view.dose) == ("easier", "Easier b", Dose(reps=2))
    assert (view.how, view.mistake, view.step_id) == ("Do less.", "Rushing.", "b")
    assert view.easier is None and view.harder is None
    assert view.timer_seconds is None
    other = step_view(ROUTINE, state, 0)
    assert other is not None and other.variant == "harder"


def test_a_walk_is_as_long_as_todays_minutes() -> None:
    state = SessionState("walk", "plan", Phase.STEP, T0, pain_before=2, walk_minutes=25)
    view = step_view(WALK, state)
    assert view is not None
    assert view.dose == Dose(seconds=1500)
    assert view.timer_seconds == 1500
    # the same step in an exercise routine keeps its own length
    exercise = replace(WALK, kind="exercise")
    view = step_view(exercise, state)
    assert view is not None and view.dose == Dose(seconds=600)
    # a walk state without its minutes (not a valid one) still shows the step
    view = step_view(WALK, replace(state, walk_minutes=None))
    assert view is not None and view.dose == Dose(seconds=600)
    at_later = SessionState(
        "walk",
        "plan",
        Phase.TIMER,
        T0 + timedelta(minutes=1),
        pain_before=2,
        walk_minutes=1,
        timer_step=0,
        timer_ends_at=T0,
    )
    assert check_state(WALK, at_later) == ()
