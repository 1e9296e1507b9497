"""Session details: the summary's stored form, timers after a restart, starting, summing up."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.core.routine import (
    CancelTimer,
    ScheduleTimer,
    SessionEnded,
    Summary,
    pending_timer,
    start,
    summarize,
    transition,
)
from bot.core.routine_events import (
    Back,
    Done,
    EndSession,
    Hurts,
    Notice,
    Pain,
    Pause,
    Resume,
    SafetyClear,
    Skip,
    StartTimer,
    Stop,
    TimerFinished,
    UseEasier,
)
from bot.core.routine_model import Dose, Level, Step, Variant, WalkPlan
from bot.core.routine_state import Phase, SessionState, check_state
from tests.unit.routine_data import make_routine

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def _step(sid: str, dose: Dose) -> Step:
    easier = Variant(f"Easier {sid}", "Do less.", Dose(hold_seconds=3))
    harder = Variant(f"Harder {sid}", "Do more.", None)
    return Step(sid, f"Step {sid}", "Do it. Slowly.", dose, "Rushing.", easier, harder)


ROUTINE = make_routine(
    "r3",
    "Three steps",
    steps=(_step("a", Dose(reps=8)), _step("b", Dose(hold_seconds=7)), _step("c", Dose(reps=4))),
    levels=(Level("std", "Standard", 1, False), Level("two", "Two", 2, False)),
)
WALK = replace(
    ROUTINE,
    id="walk",
    kind="walk",
    steps=(_step("walk", Dose(seconds=600)),),
    levels=(Level("plan", "Plan", 1, False),),
    walk=WalkPlan(start_minutes=12, week2_minutes=15, max_minutes=30),
)


def at_step(index: int, pain: int = 3) -> SessionState:
    return SessionState("r3", "std", Phase.STEP, T0, step_index=index, pain_before=pain)


def test_a_summary_is_stored_as_a_plain_dict() -> None:
    summary = Summary(
        routine_id="r3",
        level="std",
        started_at=T0,
        finished_at=T0 + timedelta(minutes=12, seconds=5),
        pain_before=4,
        pain_after=2,
        steps_done=("a", "c"),
        steps_skipped=("b",),
        steps_easier=("c",),
        steps_total=3,
        completed=False,
    )
    assert summary.to_dict() == {
        "routine_id": "r3",
        "level": "std",
        "started_at": "2025-03-03T09:00:00+00:00",
        "finished_at": "2025-03-03T09:12:05+00:00",
        "pain_before": 4,
        "pain_after": 2,
        "steps_done": ["a", "c"],
        "steps_skipped": ["b"],
        "steps_easier": ["c"],
        "steps_total": 3,
        "completed": False,
    }


def test_a_summary_names_the_steps_of_the_level_and_ignores_bad_indices() -> None:
    state = replace(
        at_step(2), phase=Phase.FINISHED, pain_after=1, done=(0, 2, 3), skipped=(1,), easier=(-1, 2)
    )
    end = T0 + timedelta(minutes=9)
    assert summarize(ROUTINE, state, end, completed=True) == Summary(
        "r3", "std", T0, end, 3, 1, ("a", "c"), ("b",), ("c",), 3, True
    )


def test_only_a_session_in_the_timer_gets_its_timer_back() -> None:
    ends = T0 + timedelta(seconds=30)
    running = replace(at_step(1), phase=Phase.TIMER, timer_step=1, timer_ends_at=ends)
    assert pending_timer(ROUTINE, running, T0) == ScheduleTimer(30, 1)
    leftover = replace(running, phase=Phase.STEP)
    assert pending_timer(ROUTINE, leftover, T0) is None
    assert pending_timer(ROUTINE, replace(running, timer_step=None), T0) is None
    assert pending_timer(ROUTINE, replace(running, timer_ends_at=None), T0) is None


def test_a_restored_timer_rounds_the_time_left_up() -> None:
    ends = T0 + timedelta(seconds=30)
    running = replace(at_step(1), phase=Phase.TIMER, timer_step=1, timer_ends_at=ends)
    assert pending_timer(ROUTINE, running, T0 + timedelta(seconds=20.2)) == ScheduleTimer(10, 1)
    assert pending_timer(ROUTINE, running, T0 + timedelta(seconds=29.9)) == ScheduleTimer(1, 1)
    assert pending_timer(ROUTINE, running, ends) == ScheduleTimer(0, 1)
    assert pending_timer(ROUTINE, running, ends + timedelta(hours=1)) == ScheduleTimer(0, 1)


def test_a_restored_timer_without_comparable_times_runs_the_whole_step() -> None:
    ends = T0 + timedelta(seconds=3)
    running = replace(at_step(1), phase=Phase.TIMER, timer_step=1, timer_ends_at=ends)
    naive = datetime(2025, 3, 3, 9, 0)
    assert pending_timer(ROUTINE, running, naive) == ScheduleTimer(7, 1)
    easier = replace(running, easier=(1,))
    assert pending_timer(ROUTINE, easier, naive) == ScheduleTimer(3, 1)
    # a timer saved on a step that no longer has one: nothing left to wait for
    untimed = replace(running, step_index=0, timer_step=0)
    assert pending_timer(ROUTINE, untimed, naive) == ScheduleTimer(0, 0)


def test_a_new_session_starts_at_the_safety_check() -> None:
    assert start(ROUTINE, "two", T0) == SessionState("r3", "two", Phase.SAFETY_CHECK, T0)
    assert start(ROUTINE, "", T0).level_id == "std"
    assert start(ROUTINE, "std", T0, walk_minutes=20).walk_minutes is None


def test_a_walk_starts_with_the_plans_minutes_kept_1_to_180() -> None:
    assert start(WALK, "plan", T0).walk_minutes == 12
    assert start(replace(WALK, walk=None), "plan", T0).walk_minutes == 10
    assert start(WALK, "plan", T0, walk_minutes=1).walk_minutes == 1
    assert start(WALK, "plan", T0, walk_minutes=180).walk_minutes == 180
    assert start(WALK, "plan", T0, walk_minutes=181).walk_minutes == 180
    assert start(WALK, "plan", T0, walk_minutes=-5).walk_minutes == 1
    state = start(WALK, "plan", T0, walk_minutes=33)
    assert state == SessionState("walk", "plan", Phase.SAFETY_CHECK, T0, walk_minutes=33)
    assert check_state(WALK, state) == ()


def test_the_starting_pain_starts_the_first_step() -> None:
    state = SessionState("r3", "std", Phase.PAIN_BEFORE, T0)
    t = transition(ROUTINE, state, Pain(0), T0)
    assert t.state == SessionState("r3", "std", Phase.STEP, T0, step_index=0, pain_before=0)
    assert (t.notice, t.effects) == (Notice.STARTED, ())
    cleared = transition(ROUTINE, start(ROUTINE, "std", T0), SafetyClear(), T0)
    assert cleared.state == state


def test_done_moves_a_skipped_step_to_done_and_skip_the_other_way() -> None:
    state = replace(at_step(1), skipped=(1,), done=(0,))
    t = transition(ROUTINE, state, Done(), T0)
    assert (t.state.done, t.state.skipped, t.state.step_index) == ((0, 1), (), 2)
    assert (t.state.phase, t.notice, t.effects) == (Phase.STEP, Notice.NEXT_STEP, ())
    state = replace(at_step(1), done=(0, 1, 2))
    t = transition(ROUTINE, state, Skip(), T0)
    assert (t.state.done, t.state.skipped, t.state.step_index) == ((0, 2), (1,), 2)
    assert t.notice == Notice.SKIPPED


def test_leaving_the_timer_cancels_it_first() -> None:
    running = transition(ROUTINE, at_step(1), StartTimer(), T0).state
    for event, phase, notice in (
        (Done(), Phase.STEP, Notice.NEXT_STEP),
        (Skip(), Phase.STEP, Notice.SKIPPED),
        (Back(), Phase.STEP, Notice.WENT_BACK),
        (Hurts(), Phase.HURT_CHECK, Notice.HURT_ASKED),
    ):
        t = transition(ROUTINE, running, event, T0)
        assert (t.state.phase, t.notice, t.effects) == (phase, notice, (CancelTimer(),))
        assert (t.state.timer_step, t.state.timer_ends_at) == (None, None)
    back = transition(ROUTINE, running, Back(), T0).state
    assert back.step_index == 0


def test_a_timer_runs_the_easier_hold_when_the_easier_version_is_chosen() -> None:
    state = replace(at_step(0), easier=(0,))
    now = T0 + timedelta(minutes=2)
    t = transition(ROUTINE, state, StartTimer(), now)
    assert t.effects == (ScheduleTimer(3, 0),)
    assert t.state == replace(
        state, phase=Phase.TIMER, timer_step=0, timer_ends_at=now + timedelta(seconds=3)
    )
    up = transition(ROUTINE, t.state, TimerFinished(0), now)
    assert up.state == state and up.notice == Notice.TIME_UP


def test_choosing_the_easier_version_returns_to_the_step() -> None:
    stopped = replace(at_step(2), phase=Phase.HURT_STOP, easier=(0,))
    t = transition(ROUTINE, stopped, UseEasier(), T0)
    assert t.state == replace(stopped, phase=Phase.STEP, easier=(0, 2))
    assert t.notice == Notice.EASIER_CHOSEN


def test_ending_early_asks_the_pain_after_then_records_an_incomplete_session() -> None:
    stopped = replace(at_step(1), phase=Phase.HURT_STOP, done=(0,))
    t = transition(ROUTINE, stopped, EndSession(), T0)
    assert t.state == replace(stopped, phase=Phase.PAIN_AFTER, ended_early=True)
    end = T0 + timedelta(minutes=3)
    t = transition(ROUTINE, t.state, Pain(6), end)
    assert t.state.phase == Phase.FINISHED and t.state.pain_after == 6
    assert t.effects == (
        SessionEnded(Summary("r3", "std", T0, end, 3, 6, ("a",), (), (), 3, False)),
    )


def test_stopping_from_the_timer_cancels_then_records() -> None:
    running = transition(ROUTINE, replace(at_step(1), done=(0,)), StartTimer(), T0).state
    end = T0 + timedelta(minutes=1)
    t = transition(ROUTINE, running, Stop(), end)
    assert t.state == replace(running, phase=Phase.CANCELLED, timer_step=None, timer_ends_at=None)
    assert t.effects == (
        CancelTimer(),
        SessionEnded(Summary("r3", "std", T0, end, 3, None, ("a",), (), (), 3, False)),
    )
    assert t.notice == Notice.STOPPED


def test_stopping_while_paused_clears_the_pause() -> None:
    paused = transition(ROUTINE, at_step(1), Pause(), T0).state
    t = transition(ROUTINE, paused, Stop(), T0)
    assert (t.state.phase, t.state.paused_phase) == (Phase.CANCELLED, None)
    assert len(t.effects) == 1 and isinstance(t.effects[0], SessionEnded)


def test_pausing_the_timer_clears_it_and_resuming_returns_to_the_step() -> None:
    running = transition(ROUTINE, at_step(1), StartTimer(), T0).state
    t = transition(ROUTINE, running, Pause(), T0)
    assert t.state == replace(at_step(1), phase=Phase.PAUSED, paused_phase=Phase.TIMER)
    assert (t.notice, t.effects) == (Notice.PAUSED, (CancelTimer(),))
    resumed = transition(ROUTINE, t.state, Resume(), T0)
    assert resumed.state == at_step(1)
    assert (resumed.notice, resumed.effects) == (Notice.RESUMED, ())


def test_a_restored_timer_on_a_step_that_is_gone_is_due_at_once() -> None:
    gone = replace(at_step(1), phase=Phase.TIMER, step_index=5, timer_step=5, timer_ends_at=T0)
    assert pending_timer(ROUTINE, gone, datetime(2025, 3, 3, 9, 0)) == ScheduleTimer(0, 5)


def test_skipping_a_stopped_step_that_was_done_before_moves_it_to_skipped() -> None:
    # done at step 1, back to it, it hurts: skipping it now counts it as skipped only
    state = replace(at_step(1), done=(0, 1), phase=Phase.HURT_STOP)
    t = transition(ROUTINE, state, Skip(), T0)
    assert (t.state.done, t.state.skipped, t.state.step_index) == ((0,), (1,), 2)
    assert (t.state.phase, t.notice) == (Phase.STEP, Notice.SKIPPED)
