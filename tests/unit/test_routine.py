"""The routine session state machine: every phase x event, whole sessions, rules, JSON, plans."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.core.progression import plan_week, propose_level, walk_minutes
from bot.core.routine import (
    CancelTimer,
    ScheduleTimer,
    SessionEnded,
    Summary,
    Transition,
    pending_timer,
    start,
    step_view,
    transition,
)
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
from bot.core.routine_model import Dose, Level, Routine, Step, Variant, WalkPlan
from bot.core.routine_parse import parse_routine
from bot.core.routine_state import (
    ACTIVE_PHASES,
    PAUSABLE_PHASES,
    TERMINAL_PHASES,
    Phase,
    SessionState,
    check_state,
    current_step,
    step_position,
)
from tests.unit.routine_data import make_routine

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def _load_bundled() -> dict[str, Routine]:
    out: dict[str, Routine] = {}
    for path in sorted((ROOT / "knowledge" / "routines").glob("*.yaml")):
        routine, problems = parse_routine(yaml.safe_load(path.read_text(encoding="utf-8")))
        assert routine is not None, problems
        out[routine.id] = routine
    return out


BUNDLED = _load_bundled()


def _step(sid: str, dose: Dose, from_week: int = 1) -> Step:
    return Step(
        id=sid,
        name=f"Step {sid}",
        how="Do it. Slowly.",
        dose=dose,
        mistake="Rushing.",
        easier=Variant(f"Easier {sid}", "Do less.", Dose(reps=4)),
        harder=Variant(f"Harder {sid}", "Do more.", None),
        from_week=from_week,
    )


# Three steps; the middle one is timed (a 5 s hold), the others are not.
R3 = make_routine(
    "r3",
    "Three steps",
    steps=(
        _step("a", Dose(reps=8)),
        _step("b", Dose(reps=5, hold_seconds=5, per_side=True)),
        _step("c", Dose(sets=2, reps=10)),
    ),
    levels=(Level("std", "Standard", 1, False),),
    stop_rules=("Stop if it hurts sharply.",),
)
ROUTINES = {R3.id: R3, **BUNDLED}


def run(
    routine: Routine, state: SessionState, *events: Event, step: timedelta = timedelta(seconds=5)
) -> Transition:
    """Apply events in order (time moving on); return the last transition."""
    now = state.started_at
    result = Transition(state, Notice.NOT_NOW)
    for event in events:
        now += step
        result = transition(routine, result.state, event, now)
    return result


def at_step(
    routine: Routine = R3, index: int = 0, pain: int = 3, level: str | None = None
) -> SessionState:
    state = start(routine, level or routine.first_level.id, T0)
    state = run(routine, state, SafetyClear(), Pain(pain)).state
    for _ in range(index):
        state = run(routine, state, Done()).state
    assert state.phase == Phase.STEP and state.step_index == index
    return state


# --------------------------------------------------------------------------- the full table


def canonical_state(phase: Phase) -> SessionState:
    """A state in `phase` for R3: at the middle (timed) step, starting pain 3."""
    fresh = start(R3, "std", T0)
    middle = at_step(R3, 1)
    if phase == Phase.SAFETY_CHECK:
        return fresh
    if phase == Phase.PAIN_BEFORE:
        return run(R3, fresh, SafetyClear()).state
    if phase == Phase.SAFETY_STOP:
        return run(R3, fresh, SafetyFlag()).state
    if phase == Phase.STEP:
        return middle
    if phase == Phase.TIMER:
        return run(R3, middle, StartTimer()).state
    if phase == Phase.HURT_CHECK:
        return run(R3, middle, Hurts()).state
    if phase == Phase.HURT_STOP:
        return run(R3, middle, Hurts(), SharpPain()).state
    if phase == Phase.PAUSED:
        return run(R3, middle, Pause()).state
    if phase == Phase.PAIN_AFTER:
        return run(R3, middle, Done(), Done()).state
    if phase == Phase.FINISHED:
        return run(R3, middle, Done(), Done(), Pain(2)).state
    if phase == Phase.CANCELLED:
        return run(R3, middle, Stop()).state
    raise AssertionError(phase)


CANONICAL_EVENTS: dict[type, Event] = {
    SafetyClear: SafetyClear(),
    SafetyFlag: SafetyFlag(),
    Pain: Pain(4),  # one above the starting pain 3
    Done: Done(),
    Skip: Skip(),
    Back: Back(),
    StartTimer: StartTimer(),
    TimerFinished: TimerFinished(1),
    Hurts: Hurts(),
    SharpPain: SharpPain(),
    Tingling: Tingling(),
    UseEasier: UseEasier(),
    EndSession: EndSession(),
    Pause: Pause(),
    Resume: Resume(),
    Stop: Stop(),
}

P = Phase
N = Notice
# (phase, event) -> (next phase, notice) for the canonical state and event; mirrors
# bot/ROUTINE_STATES.md. Every pair not listed: same state, NOT_NOW.
TABLE: dict[tuple[Phase, type], tuple[Phase, Notice]] = {
    (P.SAFETY_CHECK, SafetyClear): (P.PAIN_BEFORE, N.SAFETY_CLEARED),
    (P.SAFETY_CHECK, SafetyFlag): (P.SAFETY_STOP, N.SAFETY_STOPPED),
    (P.SAFETY_CHECK, Pause): (P.PAUSED, N.PAUSED),
    (P.SAFETY_CHECK, Stop): (P.CANCELLED, N.STOPPED),
    (P.PAIN_BEFORE, Pain): (P.STEP, N.STARTED),
    (P.PAIN_BEFORE, Pause): (P.PAUSED, N.PAUSED),
    (P.PAIN_BEFORE, Stop): (P.CANCELLED, N.STOPPED),
    (P.STEP, Done): (P.STEP, N.NEXT_STEP),
    (P.STEP, Skip): (P.STEP, N.SKIPPED),
    (P.STEP, Back): (P.STEP, N.WENT_BACK),
    (P.STEP, StartTimer): (P.TIMER, N.TIMER_STARTED),
    (P.STEP, Hurts): (P.HURT_CHECK, N.HURT_ASKED),
    (P.STEP, SharpPain): (P.HURT_STOP, N.EXERCISE_STOPPED),
    (P.STEP, Tingling): (P.HURT_STOP, N.EXERCISE_STOPPED),
    (P.STEP, Pause): (P.PAUSED, N.PAUSED),
    (P.STEP, Stop): (P.CANCELLED, N.STOPPED),
    (P.TIMER, TimerFinished): (P.STEP, N.TIME_UP),
    (P.TIMER, Done): (P.STEP, N.NEXT_STEP),
    (P.TIMER, Skip): (P.STEP, N.SKIPPED),
    (P.TIMER, Back): (P.STEP, N.WENT_BACK),
    (P.TIMER, Hurts): (P.HURT_CHECK, N.HURT_ASKED),
    (P.TIMER, SharpPain): (P.HURT_STOP, N.EXERCISE_STOPPED),
    (P.TIMER, Tingling): (P.HURT_STOP, N.EXERCISE_STOPPED),
    (P.TIMER, Pause): (P.PAUSED, N.PAUSED),
    (P.TIMER, Stop): (P.CANCELLED, N.STOPPED),
    (P.HURT_CHECK, Pain): (P.STEP, N.HURT_OK),
    (P.HURT_CHECK, SharpPain): (P.HURT_STOP, N.EXERCISE_STOPPED),
    (P.HURT_CHECK, Tingling): (P.HURT_STOP, N.EXERCISE_STOPPED),
    (P.HURT_CHECK, Pause): (P.PAUSED, N.PAUSED),
    (P.HURT_CHECK, Stop): (P.CANCELLED, N.STOPPED),
    (P.HURT_STOP, UseEasier): (P.STEP, N.EASIER_CHOSEN),
    (P.HURT_STOP, Skip): (P.STEP, N.SKIPPED),
    (P.HURT_STOP, EndSession): (P.PAIN_AFTER, N.ENDING_EARLY),
    (P.HURT_STOP, Pause): (P.PAUSED, N.PAUSED),
    (P.HURT_STOP, Stop): (P.CANCELLED, N.STOPPED),
    (P.PAUSED, Resume): (P.STEP, N.RESUMED),
    (P.PAUSED, Stop): (P.CANCELLED, N.STOPPED),
    (P.PAIN_AFTER, Pain): (P.FINISHED, N.FINISHED),
    (P.PAIN_AFTER, Pause): (P.PAUSED, N.PAUSED),
    (P.PAIN_AFTER, Stop): (P.CANCELLED, N.STOPPED),
}

ALL_PAIRS = [(phase, etype) for phase in Phase for etype in EVENT_TYPES]


def test_the_table_covers_the_event_types() -> None:
    assert set(CANONICAL_EVENTS) == set(EVENT_TYPES)
    assert len(EVENT_TYPES) == 16
    assert len(Phase) == 11


@pytest.mark.parametrize(
    ("phase", "etype"), ALL_PAIRS, ids=[f"{p.name}-{e.__name__}" for p, e in ALL_PAIRS]
)
def test_every_phase_and_event(phase: Phase, etype: type) -> None:
    state = canonical_state(phase)
    assert state.phase == phase
    assert check_state(R3, state) == ()
    result = transition(R3, state, CANONICAL_EVENTS[etype], T0 + timedelta(minutes=5))
    expected = TABLE.get((phase, etype), (phase, Notice.NOT_NOW))
    assert (result.state.phase, result.notice) == expected
    assert check_state(R3, result.state) == ()
    if result.notice == Notice.NOT_NOW:
        assert result.state == state
        assert result.effects == ()
    # timers: a timer that is left is cancelled; only StartTimer schedules one
    left_timer = phase == Phase.TIMER and result.state.phase != Phase.TIMER
    cancelled = any(isinstance(e, CancelTimer) for e in result.effects)
    assert cancelled == (left_timer and etype is not TimerFinished)
    scheduled = [e for e in result.effects if isinstance(e, ScheduleTimer)]
    assert bool(scheduled) == (result.notice == Notice.TIMER_STARTED)
    # a session is recorded when it ends after the starting pain
    ended = [e for e in result.effects if isinstance(e, SessionEnded)]
    ends_now = result.state.phase in TERMINAL_PHASES and phase not in TERMINAL_PHASES
    assert bool(ended) == (ends_now and state.pain_before is not None)


def _md_rows() -> list[tuple[list[str], str, str, str]]:
    text = (ROOT / "bot" / "ROUTINE_STATES.md").read_text(encoding="utf-8")
    rows = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 6 or cells[0] in ("phase", "---"):
            continue
        phases, event, _condition, nxt, notice, _effects = cells
        rows.append(([p.strip() for p in phases.split(",")], event, nxt, notice))
    return rows


def test_routine_states_md_matches_the_table() -> None:
    rows = _md_rows()
    assert rows
    documented: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for phases, event, nxt, notice in rows:
        for phase in phases:
            assert phase in Phase.__members__, phase
            assert event in {e.__name__ for e in EVENT_TYPES}, event
            assert notice in Notice.__members__, notice
            documented.setdefault((phase, event), []).append((nxt, notice))
    table = {(p.name, e.__name__): (n.name, notice.name) for (p, e), (n, notice) in TABLE.items()}
    assert set(documented) == set(table)
    for pair, outcome in table.items():
        assert outcome in documented[pair], (pair, documented[pair])


# --------------------------------------------------------------------------- whole sessions


def test_start() -> None:
    beginner = BUNDLED["beginner"]
    state = start(beginner, "weeks-1-2", T0)
    assert state.phase == Phase.SAFETY_CHECK
    assert state.routine_id == "beginner"
    assert state.level_id == "weeks-1-2"
    assert state.started_at == T0
    assert state.pain_before is None
    assert state.walk_minutes is None
    assert current_step(beginner, state) is None
    assert check_state(beginner, state) == ()


def test_start_with_an_unknown_level_uses_the_first() -> None:
    state = start(BUNDLED["beginner"], "no-such-level", T0)
    assert state.level_id == "weeks-1-2"


def test_whole_beginner_routine() -> None:
    beginner = BUNDLED["beginner"]
    state = start(beginner, "weeks-1-2", T0)
    t = run(beginner, state, SafetyClear())
    assert t.notice == Notice.SAFETY_CLEARED and t.state.phase == Phase.PAIN_BEFORE
    t = run(beginner, t.state, Pain(4))
    assert t.notice == Notice.STARTED
    assert t.state.pain_before == 4
    assert step_position(beginner, t.state) == (1, 7)
    seen = []
    now = T0
    for n in range(1, 8):
        step = current_step(beginner, t.state)
        assert step is not None
        seen.append(step.id)
        assert step_position(beginner, t.state) == (n, 7)
        now += timedelta(minutes=2)
        t = transition(beginner, t.state, Done(), now)
        assert t.notice == (Notice.NEXT_STEP if n < 7 else Notice.STEPS_FINISHED)
    assert seen == [s.id for s in beginner.steps[:7]]
    assert t.state.phase == Phase.PAIN_AFTER
    assert current_step(beginner, t.state) is None
    end = now + timedelta(minutes=1)
    t = transition(beginner, t.state, Pain(2), end)
    assert t.notice == Notice.FINISHED
    assert t.state.phase == Phase.FINISHED
    assert t.effects == (
        SessionEnded(
            Summary(
                routine_id="beginner",
                level="weeks-1-2",
                started_at=T0,
                finished_at=end,
                pain_before=4,
                pain_after=2,
                steps_done=tuple(seen),
                steps_skipped=(),
                steps_easier=(),
                steps_total=7,
                completed=True,
            )
        ),
    )
    summary = t.effects[0].summary
    assert json.loads(json.dumps(summary.to_dict()))["steps_total"] == 7


def test_skip_and_back_are_recorded() -> None:
    state = at_step(R3, 0)
    t = run(R3, state, Skip())
    assert t.notice == Notice.SKIPPED and t.state.skipped == (0,)
    t = run(R3, t.state, Back())
    assert t.notice == Notice.WENT_BACK and t.state.step_index == 0
    t = run(R3, t.state, Done())
    assert t.state.done == (0,) and t.state.skipped == ()
    t = run(R3, t.state, Done(), Skip())
    assert t.notice == Notice.STEPS_FINISHED and t.state.phase == Phase.PAIN_AFTER
    t = run(R3, t.state, Pain(3))
    summary = t.effects[0].summary  # type: ignore[union-attr]
    assert summary.steps_done == ("a", "b")
    assert summary.steps_skipped == ("c",)
    assert summary.completed is True


def test_back_on_the_first_step_is_not_now() -> None:
    state = at_step(R3, 0)
    t = run(R3, state, Back())
    assert t.notice == Notice.NOT_NOW and t.state == state


def test_done_on_the_last_step_asks_pain_after() -> None:
    state = at_step(R3, 2)
    t = run(R3, state, Done())
    assert (t.state.phase, t.notice) == (Phase.PAIN_AFTER, Notice.STEPS_FINISHED)
    assert t.state.step_index == 2


# --------------------------------------------------------------------------- hurting


@pytest.mark.parametrize(
    ("before", "now_pain", "notice"),
    [
        (3, 3, Notice.HURT_OK),
        (3, 4, Notice.HURT_OK),
        (3, 5, Notice.HURT_OK),  # +2 carries on
        (3, 6, Notice.EXERCISE_STOPPED),  # +3 stops
        (0, 2, Notice.HURT_OK),
        (0, 3, Notice.EXERCISE_STOPPED),
        (8, 10, Notice.HURT_OK),
        (9, 10, Notice.HURT_OK),
        (5, 0, Notice.HURT_OK),
        (7, 10, Notice.EXERCISE_STOPPED),
    ],
)
def test_the_plus_two_rule(before: int, now_pain: int, notice: Notice) -> None:
    state = at_step(R3, 1, pain=before)
    t = run(R3, state, Hurts())
    assert t.notice == Notice.HURT_ASKED
    t = run(R3, t.state, Pain(now_pain))
    assert t.notice == notice
    assert t.state.step_index == 1
    assert t.state.phase == (Phase.STEP if notice == Notice.HURT_OK else Phase.HURT_STOP)
    assert t.state.pain_before == before


@pytest.mark.parametrize("event", [SharpPain(), Tingling()])
@pytest.mark.parametrize("via_check", [True, False])
def test_sharp_pain_and_tingling_stop_the_exercise(event: Event, via_check: bool) -> None:
    state = at_step(R3, 1)
    if via_check:
        state = run(R3, state, Hurts()).state
    t = run(R3, state, event)
    assert (t.state.phase, t.notice) == (Phase.HURT_STOP, Notice.EXERCISE_STOPPED)


def test_easier_variant_after_a_stop() -> None:
    state = at_step(R3, 1)
    t = run(R3, state, Hurts(), Pain(9))
    assert t.state.phase == Phase.HURT_STOP
    assert current_step(R3, t.state) == R3.steps[1]
    t = run(R3, t.state, UseEasier())
    assert t.notice == Notice.EASIER_CHOSEN
    assert (t.state.phase, t.state.step_index, t.state.easier) == (Phase.STEP, 1, (1,))
    view = step_view(R3, t.state)
    assert view is not None
    assert view.variant == "easier"
    assert view.name == "Easier b"
    assert view.dose == Dose(reps=4)
    assert view.easier is None and view.harder is None
    # hurting again on the easier variant: no easier one left; skip or end
    t = run(R3, t.state, SharpPain())
    assert t.state.phase == Phase.HURT_STOP
    t2 = run(R3, t.state, UseEasier())
    assert t2.notice == Notice.NOT_NOW and t2.state == t.state
    t3 = run(R3, t.state, Skip())
    assert (t3.state.phase, t3.state.step_index, t3.notice) == (Phase.STEP, 2, Notice.SKIPPED)
    assert t3.state.skipped == (1,)
    # the switch stays with that step when going back
    t4 = run(R3, t3.state, Back())
    view = step_view(R3, t4.state)
    assert view is not None and view.variant == "easier"


def test_end_session_after_a_stop() -> None:
    state = at_step(R3, 1)
    t = run(R3, state, Tingling(), EndSession())
    assert (t.state.phase, t.notice) == (Phase.PAIN_AFTER, Notice.ENDING_EARLY)
    t = run(R3, t.state, Pain(5))
    assert t.notice == Notice.FINISHED
    summary = t.effects[0].summary  # type: ignore[union-attr]
    assert summary.completed is False
    assert summary.pain_after == 5
    assert summary.steps_done == ("a",)


def test_skip_the_stopped_last_exercise() -> None:
    state = at_step(R3, 2)
    t = run(R3, state, SharpPain(), Skip())
    assert (t.state.phase, t.notice) == (Phase.PAIN_AFTER, Notice.STEPS_FINISHED)


# --------------------------------------------------------------------------- pain values


@pytest.mark.parametrize("value", [-1, 11, 100, True, False])
@pytest.mark.parametrize("phase", [Phase.PAIN_BEFORE, Phase.HURT_CHECK, Phase.PAIN_AFTER])
def test_invalid_pain_leaves_the_state(phase: Phase, value: int) -> None:
    state = canonical_state(phase)
    t = transition(R3, state, Pain(value), T0 + timedelta(minutes=1))
    assert t.notice == Notice.INVALID_PAIN
    assert t.state == state
    assert t.effects == ()


def test_pain_boundaries_are_valid() -> None:
    for value in (0, 10):
        state = canonical_state(Phase.PAIN_BEFORE)
        assert run(R3, state, Pain(value)).notice == Notice.STARTED


def test_pain_in_a_phase_without_a_question_is_not_now() -> None:
    state = at_step(R3, 1)
    assert run(R3, state, Pain(99)).notice == Notice.NOT_NOW


# --------------------------------------------------------------------------- timers


def test_timer_start_and_time_up() -> None:
    state = at_step(R3, 1)
    now = T0 + timedelta(minutes=3)
    t = transition(R3, state, StartTimer(), now)
    assert t.notice == Notice.TIMER_STARTED
    assert t.effects == (ScheduleTimer(seconds=5, step_index=1),)
    assert t.state.timer_step == 1
    assert t.state.timer_ends_at == now + timedelta(seconds=5)
    again = transition(R3, t.state, StartTimer(), now)
    assert again.notice == Notice.NOT_NOW
    t = transition(R3, t.state, TimerFinished(1), now + timedelta(seconds=5))
    assert (t.state.phase, t.notice, t.effects) == (Phase.STEP, Notice.TIME_UP, ())
    assert t.state.timer_step is None and t.state.timer_ends_at is None
    assert t.state.step_index == 1


def test_untimed_step_has_no_timer() -> None:
    state = at_step(R3, 0)
    t = run(R3, state, StartTimer())
    assert t.notice == Notice.NOT_NOW and t.state == state


def test_stale_timer_is_not_now() -> None:
    state = at_step(R3, 1)
    t = run(R3, state, StartTimer(), Done())
    assert t.effects == (CancelTimer(),)
    stale = run(R3, t.state, TimerFinished(1))
    assert stale.notice == Notice.NOT_NOW and stale.state == t.state
    # a timer for another step while this one runs
    running = run(R3, state, StartTimer()).state
    for index in (0, 2, -1, 99):
        other = run(R3, running, TimerFinished(index))
        assert other.notice == Notice.NOT_NOW and other.state == running
    # the timer that fired after the user left the timer phase at the same step
    left = run(R3, running, Hurts(), Pain(3)).state
    assert left.phase == Phase.STEP and left.step_index == 1
    assert run(R3, left, TimerFinished(1)).notice == Notice.NOT_NOW


def test_back_on_the_first_step_keeps_the_timer() -> None:
    routine = BUNDLED["desk-break"]  # its first step is a timed 1-minute walk
    state = at_step(routine, 0)
    running = run(routine, state, StartTimer())
    assert running.effects == (ScheduleTimer(60, 0),)
    t = run(routine, running.state, Back())
    assert t.notice == Notice.NOT_NOW and t.state == running.state


def test_pending_timer_after_a_restart() -> None:
    state = at_step(R3, 1)
    started = T0 + timedelta(minutes=1)
    running = transition(R3, state, StartTimer(), started).state
    restored = SessionState.from_json(running.to_json(), ROUTINES)
    assert restored == running
    assert restored is not None
    assert pending_timer(R3, restored, started + timedelta(seconds=2)) == ScheduleTimer(3, 1)
    assert pending_timer(R3, restored, started + timedelta(minutes=9)) == ScheduleTimer(0, 1)
    naive = started.replace(tzinfo=None)
    assert pending_timer(R3, restored, naive) == ScheduleTimer(5, 1)
    assert pending_timer(R3, state, started) is None


# --------------------------------------------------------------------------- pause, stop


def test_pause_and_resume_to_the_exact_step() -> None:
    state = at_step(R3, 2)
    t = run(R3, state, Pause())
    assert (t.state.phase, t.state.paused_phase, t.effects) == (Phase.PAUSED, Phase.STEP, ())
    assert current_step(R3, t.state) == R3.steps[2]
    for event in (Done(), Skip(), Back(), StartTimer(), Hurts(), Pause(), Pain(3)):
        assert run(R3, t.state, event).notice == Notice.NOT_NOW
    t = run(R3, t.state, Resume())
    assert t.notice == Notice.RESUMED
    assert t.state == state


def test_pause_in_the_timer_cancels_it_and_resumes_at_the_step() -> None:
    state = at_step(R3, 1)
    running = run(R3, state, StartTimer()).state
    t = run(R3, running, Pause())
    assert t.effects == (CancelTimer(),)
    assert t.state.paused_phase == Phase.TIMER
    assert t.state.timer_step is None
    t = run(R3, t.state, Resume())
    assert (t.state.phase, t.state.step_index) == (Phase.STEP, 1)
    assert run(R3, t.state, TimerFinished(1)).notice == Notice.NOT_NOW
    assert run(R3, t.state, StartTimer()).notice == Notice.TIMER_STARTED


@pytest.mark.parametrize("phase", sorted(PAUSABLE_PHASES))
def test_pause_and_resume_from_every_pausable_phase(phase: Phase) -> None:
    state = canonical_state(phase)
    paused = run(R3, state, Pause())
    assert paused.notice == Notice.PAUSED
    back = run(R3, paused.state, Resume()).state
    if phase == Phase.TIMER:
        assert back == replace(state, phase=Phase.STEP, timer_step=None, timer_ends_at=None)
    else:
        assert back == state


def test_stop_before_the_starting_pain_records_nothing() -> None:
    state = start(R3, "std", T0)
    for events in ((), (SafetyClear(),), (SafetyClear(), Pause())):
        s = run(R3, state, *events).state if events else state
        t = run(R3, s, Stop())
        assert (t.state.phase, t.notice, t.effects) == (Phase.CANCELLED, Notice.STOPPED, ())


def test_stop_after_the_starting_pain_records_the_session() -> None:
    state = at_step(R3, 1)
    now = T0 + timedelta(minutes=7)
    t = transition(R3, run(R3, state, Done()).state, Stop(), now)
    assert t.state.phase == Phase.CANCELLED
    (effect,) = t.effects
    assert isinstance(effect, SessionEnded)
    assert effect.summary.completed is False
    assert effect.summary.finished_at == now
    assert effect.summary.pain_after is None
    assert effect.summary.steps_done == ("a", "b")


def test_stop_in_the_timer_cancels_it_and_records() -> None:
    state = at_step(R3, 1)
    t = run(R3, state, StartTimer(), Stop())
    assert isinstance(t.effects[0], CancelTimer)
    assert isinstance(t.effects[1], SessionEnded)
    assert t.state.timer_step is None


@pytest.mark.parametrize("phase", sorted(TERMINAL_PHASES))
def test_final_phases_accept_nothing(phase: Phase) -> None:
    state = canonical_state(phase)
    assert phase not in ACTIVE_PHASES
    for event in CANONICAL_EVENTS.values():
        t = run(R3, state, event)
        assert t.notice == Notice.NOT_NOW and t.state == state and t.effects == ()


def test_safety_flag_ends_the_session() -> None:
    t = run(R3, start(R3, "std", T0), SafetyFlag())
    assert (t.state.phase, t.notice, t.effects) == (Phase.SAFETY_STOP, Notice.SAFETY_STOPPED, ())


# --------------------------------------------------------------------------- robustness


def test_event_on_a_state_of_another_routine_is_not_now() -> None:
    state = at_step(R3, 1)
    t = run(BUNDLED["beginner"], state, Done())
    assert t.notice == Notice.NOT_NOW and t.state == state


def test_unknown_event_object_is_not_now() -> None:
    state = at_step(R3, 1)
    t = transition(R3, state, "done", T0)  # type: ignore[arg-type]
    assert t.notice == Notice.NOT_NOW and t.state == state


def test_timer_finished_with_a_bad_index_is_not_now() -> None:
    running = run(R3, at_step(R3, 1), StartTimer()).state
    t = run(R3, running, TimerFinished("1"))  # type: ignore[arg-type]
    assert t.notice == Notice.NOT_NOW


@pytest.mark.parametrize(
    "change",
    [
        {"step_index": 3},
        {"step_index": -1},
        {"pain_before": 11},
        {"pain_before": None},
        {"pain_after": 2},
        {"paused_phase": Phase.STEP},
        {"timer_step": 1},
        {"done": (2, 0)},
        {"done": (0, 0)},
        {"done": (5,)},
        {"done": (0,), "skipped": (0,)},
        {"easier": (9,)},
        {"level_id": "nope"},
        {"routine_id": "beginner"},
        {"walk_minutes": 10},
        {"ended_early": True},
    ],
)
def test_check_state_finds_inconsistent_states(change: dict[str, Any]) -> None:
    state = replace(at_step(R3, 1), **change)
    assert check_state(R3, state)
    t = run(R3, state, Done())
    assert t.notice == Notice.NOT_NOW and t.state == state


# --------------------------------------------------------------------------- views


def test_harder_level_uses_harder_variants_for_earlier_steps() -> None:
    beginner = BUNDLED["beginner"]
    state = at_step(beginner, 0, level="from-week-3")
    assert step_position(beginner, state) == (1, 9)
    first = step_view(beginner, state)
    assert first is not None
    assert first.variant == "harder"
    assert first.name == beginner.steps[0].harder.name
    assert first.dose == beginner.steps[0].harder.dose
    assert first.easier == beginner.steps[0].easier and first.harder is None
    dead_bug = step_view(beginner, state, 2)
    assert dead_bug is not None
    assert dead_bug.variant == "harder"
    assert dead_bug.dose == beginner.steps[2].dose  # harder variant without its own dose
    cat_cow = step_view(beginner, state, 7)
    assert cat_cow is not None
    assert (cat_cow.variant, cat_cow.name) == ("standard", "Cat-cow")
    assert cat_cow.harder == beginner.steps[7].harder
    assert step_view(beginner, state, 9) is None
    assert step_view(beginner, state, -1) is None


def test_standard_level_view() -> None:
    beginner = BUNDLED["beginner"]
    state = at_step(beginner, 3)
    view = step_view(beginner, state)
    assert view is not None
    step = beginner.steps[3]
    assert (view.index, view.number, view.total, view.step_id) == (3, 4, 7, "glute-bridge")
    assert (view.name, view.how, view.dose, view.mistake) == (
        step.name,
        step.how,
        step.dose,
        step.mistake,
    )
    assert (view.easier, view.harder, view.variant) == (step.easier, step.harder, "standard")
    assert view.timer_seconds == 3


def test_harder_timer_uses_the_harder_dose() -> None:
    beginner = BUNDLED["beginner"]
    state = at_step(beginner, 4, level="from-week-3")  # bird dog: 10 s hold when harder
    t = run(beginner, state, StartTimer())
    assert t.effects == (ScheduleTimer(10, 4),)


def test_walk_session_uses_todays_minutes() -> None:
    walk = BUNDLED["walk"]
    state = start(walk, "plan", T0, walk_minutes=20)
    assert state.walk_minutes == 20
    state = run(walk, state, SafetyClear(), Pain(2)).state
    view = step_view(walk, state)
    assert view is not None
    assert view.dose.describe() == "20 min"
    t = run(walk, state, StartTimer())
    assert t.effects == (ScheduleTimer(1200, 0),)
    t = run(walk, t.state, TimerFinished(0), Done())
    assert t.state.phase == Phase.PAIN_AFTER
    assert start(walk, "plan", T0).walk_minutes == 10
    assert start(walk, "plan", T0, walk_minutes=0).walk_minutes == 1
    assert start(walk, "plan", T0, walk_minutes=10_000).walk_minutes == 180


# --------------------------------------------------------------------------- JSON


@pytest.mark.parametrize("phase", list(Phase))
def test_json_round_trip_in_every_phase(phase: Phase) -> None:
    state = canonical_state(phase)
    text = state.to_json()
    assert SessionState.from_json(text, ROUTINES) == state


def test_json_round_trip_of_a_rich_state() -> None:
    beginner = BUNDLED["beginner"]
    state = at_step(beginner, 3, level="from-week-3")
    state = run(beginner, state, Skip(), Hurts(), Pain(9), UseEasier(), Pause()).state
    assert SessionState.from_json(state.to_json(), ROUTINES) == state
    walk = BUNDLED["walk"]
    wstate = run(walk, start(walk, "plan", T0, 25), SafetyClear(), Pain(1), StartTimer()).state
    assert SessionState.from_json(wstate.to_json(), ROUTINES) == wstate


def _valid_json() -> dict[str, Any]:
    state = run(R3, at_step(R3, 1), Hurts()).state
    data: dict[str, Any] = json.loads(state.to_json())
    return data


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not json",
        "[]",
        "{}",
        "null",
        "42",
        '"text"',
        "{" * 5000,
        json.dumps(_valid_json())[:-5],
        json.dumps({**_valid_json(), "v": 2}),
        json.dumps({**_valid_json(), "routine_id": "gone"}),
        json.dumps({**_valid_json(), "level_id": "gone"}),
        json.dumps({**_valid_json(), "phase": "dancing"}),
        json.dumps({**_valid_json(), "phase": None}),
        json.dumps({**_valid_json(), "step_index": 3}),
        json.dumps({**_valid_json(), "step_index": -1}),
        json.dumps({**_valid_json(), "step_index": "1"}),
        json.dumps({**_valid_json(), "step_index": 1.0}),
        json.dumps({**_valid_json(), "step_index": True}),
        json.dumps({**_valid_json(), "pain_before": 11}),
        json.dumps({**_valid_json(), "pain_before": None}),
        json.dumps({**_valid_json(), "done": [7]}),
        json.dumps({**_valid_json(), "done": "0"}),
        json.dumps({**_valid_json(), "done": [0, 0]}),
        json.dumps({**_valid_json(), "started_at": "yesterday"}),
        json.dumps({**_valid_json(), "started_at": 5}),
        json.dumps({**_valid_json(), "ended_early": "no"}),
        json.dumps({**_valid_json(), "paused_phase": "step"}),
        json.dumps({**_valid_json(), "timer_step": 1}),
        json.dumps({k: v for k, v in _valid_json().items() if k != "routine_id"}),
    ],
)
def test_corrupt_json_gives_none(text: str) -> None:
    assert SessionState.from_json(text, ROUTINES) is None


def test_valid_json_fixture_is_valid() -> None:
    assert SessionState.from_json(json.dumps(_valid_json()), ROUTINES) is not None


def test_json_of_a_routine_that_changed_gives_none() -> None:
    beginner = BUNDLED["beginner"]
    state = at_step(beginner, 8, level="from-week-3")
    shorter = replace(beginner, steps=beginner.steps[:7])
    assert SessionState.from_json(state.to_json(), {"beginner": shorter}) is None


# --------------------------------------------------------------------------- walking plan


def _daily(first: date, days: int) -> list[date]:
    return [first + timedelta(days=n) for n in range(days)]


D0 = date(2025, 1, 6)


@pytest.mark.parametrize(
    ("day", "week", "minutes"),
    [
        (0, 1, 10),
        (6, 1, 10),
        (7, 2, 15),
        (13, 2, 15),
        (14, 3, 15),
        (20, 3, 15),
        (21, 4, 20),
        (34, 5, 20),
        (35, 6, 25),
        (48, 7, 25),
        (49, 8, 30),
        (70, 11, 30),
        (200, 29, 30),
    ],
)
def test_walk_plan_numbers(day: int, week: int, minutes: int) -> None:
    history = _daily(D0, day)  # a walk every day before today
    today = D0 + timedelta(days=day)
    if day == 0:
        history = []
    assert plan_week(history, today) == (1 if day == 0 else week)
    assert walk_minutes(history, today) == (10 if day == 0 else minutes)


def test_walk_plan_counts_from_the_first_walk_of_three_a_week() -> None:
    history = [D0 + timedelta(days=d) for d in range(0, 60, 2)]
    assert walk_minutes(history, D0 + timedelta(days=8)) == 15
    assert walk_minutes(history, D0 + timedelta(days=60)) == 30


def test_walk_plan_empty_history() -> None:
    assert plan_week([], D0) == 1
    assert walk_minutes([], D0) == 10


def test_walk_plan_restarts_after_a_long_break() -> None:
    history = _daily(D0, 60)
    last = history[-1]
    assert walk_minutes(history, last + timedelta(days=14)) == 30
    assert walk_minutes(history, last + timedelta(days=15)) == 10
    assert plan_week(history, last + timedelta(days=15)) == 1
    # walking again after the break: the plan counts from the first walk after it
    again = [*history, last + timedelta(days=20), last + timedelta(days=28)]
    assert plan_week(again, last + timedelta(days=28)) == 2
    assert walk_minutes(again, last + timedelta(days=28)) == 15


def test_walk_plan_ignores_future_dates_and_accepts_datetimes() -> None:
    assert walk_minutes([D0 + timedelta(days=30)], D0) == 10
    stamps = [datetime(2025, 1, 6, 18, 30), datetime(2025, 1, 10, 7, 0)]
    assert plan_week(stamps, date(2025, 1, 14)) == 2


def test_walk_plan_follows_its_numbers() -> None:
    plan = WalkPlan(start_minutes=5, week2_minutes=8, add_minutes=4, every_weeks=1, max_minutes=20)
    history = _daily(D0, 40)
    assert walk_minutes([], D0, plan) == 5
    assert walk_minutes(history, D0 + timedelta(days=7), plan) == 8
    assert walk_minutes(history, D0 + timedelta(days=14), plan) == 12
    assert walk_minutes(history, D0 + timedelta(days=40), plan) == 20


# --------------------------------------------------------------------------- level proposal


def test_propose_level() -> None:
    beginner = BUNDLED["beginner"]
    first = date(2025, 1, 1)

    def sessions(*days: int, rid: str = "beginner") -> list[tuple[str, date]]:
        return [(rid, first + timedelta(days=d)) for d in days]

    today = first + timedelta(days=14)
    assert propose_level(beginner, [], today) == "weeks-1-2"
    assert propose_level(beginner, sessions(0, 2, 4, 7), today) == "from-week-3"
    assert propose_level(beginner, sessions(0, 2, 4), today) == "weeks-1-2"  # only 3 sessions
    assert propose_level(beginner, sessions(0, 2, 4, 7), today - timedelta(days=1)) == "weeks-1-2"
    assert propose_level(beginner, sessions(1, 2, 4, 7), today) == "weeks-1-2"  # 13 days old
    others = sessions(0, 2, 4, 7, rid="desk-break")
    assert propose_level(beginner, others, today) == "weeks-1-2"
    future = sessions(0, 1, 2, 30)
    assert propose_level(beginner, future, today) == "weeks-1-2"  # a future date is ignored
    assert propose_level(BUNDLED["desk-break"], others, today) == "standard"
