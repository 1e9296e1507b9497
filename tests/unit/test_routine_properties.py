"""Property tests: random event sequences, random routine data and random saved states."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.progression import plan_week, propose_level, walk_minutes
from bot.core.routine import (
    CancelTimer,
    ScheduleTimer,
    SessionEnded,
    Transition,
    start,
    step_view,
    transition,
)
from bot.core.routine_events import (
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
from bot.core.routine_parse import parse_routine
from bot.core.routine_state import (
    PAUSABLE_PHASES,
    STEP_PHASES,
    TERMINAL_PHASES,
    Phase,
    SessionState,
    check_state,
    current_step,
    level_steps,
    valid_pain,
)

ROOT = Path(__file__).resolve().parents[2]
RAW_FILES = {
    p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))
    for p in sorted((ROOT / "knowledge" / "routines").glob("*.yaml"))
}


def _parse(raw: object) -> Routine:
    routine, problems = parse_routine(raw)
    assert routine is not None, problems
    return routine


ROUTINES = {rid: _parse(raw) for rid, raw in RAW_FILES.items()}
T0 = datetime(2025, 5, 1, 8, 0, tzinfo=UTC)

# The events the buttons send, with pain scores and timer indices in and out of range;
# the frequent ones repeated so that sessions get far.
_BUTTONS: list[Event] = [
    SafetyClear(),
    SafetyFlag(),
    Done(),
    Done(),
    Done(),
    Done(),
    Skip(),
    Skip(),
    Back(),
    Back(),
    StartTimer(),
    StartTimer(),
    StartTimer(),
    Hurts(),
    Hurts(),
    SharpPain(),
    Tingling(),
    UseEasier(),
    UseEasier(),
    EndSession(),
    Pause(),
    Pause(),
    Resume(),
    Resume(),
    Stop(),
]
CURRENT_TIMER = TimerFinished(-99)
"""Stands for the TimerFinished of the running timer (the driver substitutes it)."""
_ODD: list[Event] = [
    CURRENT_TIMER,
    CURRENT_TIMER,
    CURRENT_TIMER,
    TimerFinished(-1),
    TimerFinished(0),
    TimerFinished(1),
    TimerFinished(9),
    Pain(-1),
    Pain(11),
    Pain(True),
]
likely_events: st.SearchStrategy[Event] = st.one_of(
    st.sampled_from(_BUTTONS + _ODD),
    st.builds(Pain, st.integers(min_value=0, max_value=10)),
    st.sampled_from(_BUTTONS),
)


def _assert_valid(routine: Routine, state: SessionState) -> None:
    assert check_state(routine, state) == ()
    n = len(level_steps(routine, state))
    assert 0 <= state.step_index < n
    for pain in (state.pain_before, state.pain_after):
        assert pain is None or (isinstance(pain, int) and 0 <= pain <= 10)
    effective = state.paused_phase if state.phase == Phase.PAUSED else state.phase
    assert (current_step(routine, state) is not None) == (effective in STEP_PHASES)
    assert step_view(routine, state) is not None
    assert SessionState.from_json(state.to_json(), ROUTINES) == state


@settings(max_examples=300, deadline=None)
@given(
    routine_id=st.sampled_from(sorted(ROUTINES)),
    level_pick=st.integers(min_value=0, max_value=5),
    walk=st.one_of(st.none(), st.integers(min_value=-5, max_value=500)),
    begun=st.one_of(st.none(), st.integers(min_value=0, max_value=10)),
    seq=st.lists(st.tuples(likely_events, st.integers(0, 600)), max_size=60),
)
def test_random_event_sequences_keep_a_valid_state(
    routine_id: str,
    level_pick: int,
    walk: int | None,
    begun: int | None,
    seq: list[tuple[Event, int]],
) -> None:
    routine = ROUTINES[routine_id]
    level = routine.levels[level_pick % len(routine.levels)]
    now = T0
    state = start(routine, level.id, now, walk_minutes=walk)
    _assert_valid(routine, state)
    if begun is not None:  # most real sessions get past the safety check and the pain score
        seq = [(SafetyClear(), 5), (Pain(begun), 5), *seq]
    timer_running = False
    ended = 0
    for event, seconds in seq:
        now += timedelta(seconds=seconds)
        if event == CURRENT_TIMER:
            event = TimerFinished(state.timer_step if state.timer_step is not None else 0)
        if state.phase in TERMINAL_PHASES:
            # a final state takes nothing; then the user starts the next session
            assert transition(routine, state, event, now) == Transition(state, Notice.NOT_NOW)
            assert ended == (
                state.pain_before is not None and state.phase in (Phase.FINISHED, Phase.CANCELLED)
            )
            state = start(routine, level.id, now, walk_minutes=walk)
            state = transition(routine, state, SafetyClear(), now).state
            timer_running, ended = False, 0
            continue
        result = transition(routine, state, event, now)
        new = result.state
        _assert_valid(routine, new)
        if result.notice in (Notice.NOT_NOW, Notice.INVALID_PAIN):
            assert new == state
            assert result.effects == ()
        if isinstance(event, Pain) and not valid_pain(event.value):
            assert result.notice in (Notice.NOT_NOW, Notice.INVALID_PAIN)
        # the phase and the notice agree
        if new.phase != state.phase or new.step_index != state.step_index:
            assert result.notice not in (Notice.NOT_NOW, Notice.INVALID_PAIN)
        if new.phase == Phase.PAUSED and state.phase != Phase.PAUSED:
            assert result.notice == Notice.PAUSED
            assert new.paused_phase == state.phase
            assert state.phase in PAUSABLE_PHASES
        if result.notice == Notice.HURT_OK:
            assert isinstance(event, Pain) and state.pain_before is not None
            assert event.value - state.pain_before <= 2
        if result.notice == Notice.EXERCISE_STOPPED and isinstance(event, Pain):
            assert state.pain_before is not None and event.value - state.pain_before > 2
        # timers: one at a time, scheduled on TIMER_STARTED, cancelled whenever TIMER is left
        for effect in result.effects:
            if isinstance(effect, ScheduleTimer):
                assert not timer_running
                assert result.notice == Notice.TIMER_STARTED
                assert effect.step_index == new.step_index and effect.seconds > 0
                timer_running = True
            elif isinstance(effect, CancelTimer):
                assert timer_running
                timer_running = False
            elif isinstance(effect, SessionEnded):
                ended += 1
                assert new.phase in (Phase.FINISHED, Phase.CANCELLED)
                summary = effect.summary
                assert summary.routine_id == routine.id
                assert summary.pain_before is not None
                assert summary.finished_at == now
                assert summary.completed == (new.phase == Phase.FINISHED and not new.ended_early)
                assert len(summary.steps_done) + len(summary.steps_skipped) <= summary.steps_total
        if result.notice == Notice.TIME_UP:
            timer_running = False
        assert timer_running == (new.phase == Phase.TIMER)
        assert ended <= 1
        state = new


# --------------------------------------------------------------------------- parse_routine

json_like = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-5, 5000),
        st.floats(allow_nan=False),
        st.text(max_size=30),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=12), children, max_size=5),
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(raw=json_like)
def test_parse_routine_never_raises_on_any_data(raw: object) -> None:
    routine, problems = parse_routine(raw)
    assert routine is None
    assert problems
    assert all(isinstance(w, str) and isinstance(m, str) for w, m in problems)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            out.extend(_paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out.extend(_paths(value, (*prefix, i)))
    return out


@settings(max_examples=300, deadline=None)
@given(data=st.data(), routine_id=st.sampled_from(sorted(RAW_FILES)), junk=json_like)
def test_parse_routine_reports_a_damaged_file(
    data: st.DataObject, routine_id: str, junk: object
) -> None:
    raw = json.loads(json.dumps(RAW_FILES[routine_id]))
    path = data.draw(st.sampled_from(_paths(raw)))
    target = raw
    for key in path[:-1]:
        target = target[key]
    if data.draw(st.booleans()) and isinstance(target, dict):
        del target[path[-1]]
    else:
        target[path[-1]] = junk
    routine, problems = parse_routine(raw)
    assert (routine is None) == bool(problems)
    for where, message in problems:
        assert where and message


# --------------------------------------------------------------------------- from_json


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=200))
def test_from_json_never_raises_on_text(text: str) -> None:
    state = SessionState.from_json(text, ROUTINES)
    assert state is None or check_state(ROUTINES[state.routine_id], state) == ()


@settings(max_examples=300, deadline=None)
@given(data=st.data(), seq=st.lists(likely_events, max_size=25), junk=json_like)
def test_from_json_of_a_damaged_state_is_none_or_valid(
    data: st.DataObject, seq: list[Event], junk: object
) -> None:
    routine = ROUTINES["beginner"]
    state = start(routine, "from-week-3", T0)
    seq = [SafetyClear(), Pain(3), *seq]
    for event in seq:
        if event == CURRENT_TIMER:
            event = TimerFinished(state.timer_step or 0)
        state = transition(routine, state, event, T0).state
    saved = json.loads(state.to_json())
    key = data.draw(st.sampled_from(sorted(saved)))
    if data.draw(st.booleans()):
        del saved[key]
    else:
        saved[key] = junk
    restored = SessionState.from_json(json.dumps(saved), ROUTINES)
    if restored is not None:
        assert check_state(ROUTINES[restored.routine_id], restored) == ()


# --------------------------------------------------------------------------- plans


@settings(max_examples=200, deadline=None)
@given(
    offsets=st.lists(st.integers(min_value=-400, max_value=30), max_size=40),
    today_offset=st.integers(min_value=0, max_value=400),
)
def test_walk_minutes_stay_in_the_plan(offsets: list[int], today_offset: int) -> None:
    base = date(2024, 1, 1)
    today = base + timedelta(days=today_offset)
    history = [today + timedelta(days=o) for o in offsets]
    minutes = walk_minutes(history, today)
    assert minutes in (10, 15, 20, 25, 30)
    assert plan_week(history, today) >= 1
    assert minutes == walk_minutes(sorted(set(history)), today)


@settings(max_examples=100, deadline=None)
@given(gaps=st.lists(st.integers(min_value=1, max_value=14), min_size=1, max_size=60))
def test_walk_minutes_never_drop_while_walking_regularly(gaps: list[int]) -> None:
    day = date(2024, 1, 1)
    history: list[date] = []
    last = 0
    for gap in gaps:
        minutes = walk_minutes(history, day)
        assert minutes >= last
        last = minutes
        history.append(day)
        day += timedelta(days=gap)


@settings(max_examples=100, deadline=None)
@given(
    offsets=st.lists(st.integers(min_value=0, max_value=60), max_size=12),
    routine_id=st.sampled_from(sorted(ROUTINES)),
)
def test_propose_level_is_a_level(offsets: list[int], routine_id: str) -> None:
    routine = ROUTINES[routine_id]
    today = date(2025, 3, 1)
    finished = [(routine_id, today - timedelta(days=o)) for o in offsets]
    level_id = propose_level(routine, finished, today)
    assert routine.level_by_id(level_id) is not None
