"""A session's saved JSON: compact and stable text, every field kept, damaged parts refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.core.routine_model import Dose, Level, Step, Variant
from bot.core.routine_state import Phase, SessionState
from tests.unit.routine_data import make_routine

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
VARIANT = Variant("Other", "Do it.")
ROUTINE = make_routine(
    "r2",
    "Two steps",
    steps=tuple(
        Step(sid, sid, "Do. It.", Dose(hold_seconds=5), "Rushing.", VARIANT, VARIANT)
        for sid in ("a", "b")
    ),
    levels=(Level("std", "Standard", 1, False),),
)
ROUTINES = {"r2": ROUTINE}

ENDED = SessionState(
    "r2",
    "std",
    Phase.PAIN_AFTER,
    T0,
    step_index=1,
    pain_before=4,
    done=(0,),
    skipped=(1,),
    easier=(0, 1),
    ended_early=True,
)
TIMER = SessionState(
    "r2",
    "std",
    Phase.TIMER,
    T0,
    step_index=1,
    pain_before=2,
    timer_step=1,
    timer_ends_at=T0 + timedelta(seconds=5),
)


def test_the_json_text_is_compact_with_sorted_keys() -> None:
    text = ENDED.to_json()
    assert " " not in text
    keys = list(json.loads(text))
    assert keys == sorted(keys)
    assert text.startswith('{"done":[0],"easier":[0,1],"ended_early":true,')


def test_every_field_is_written() -> None:
    assert json.loads(TIMER.to_json()) == {
        "v": 1,
        "routine_id": "r2",
        "level_id": "std",
        "phase": "timer",
        "started_at": "2025-03-03T09:00:00+00:00",
        "step_index": 1,
        "pain_before": 2,
        "pain_after": None,
        "done": [],
        "skipped": [],
        "easier": [],
        "paused_phase": None,
        "timer_step": 1,
        "timer_ends_at": "2025-03-03T09:00:05+00:00",
        "walk_minutes": None,
        "ended_early": False,
    }


@pytest.mark.parametrize(
    "state",
    [
        ENDED,
        TIMER,
        SessionState("r2", "std", Phase.PAUSED, T0, pain_before=0, paused_phase=Phase.HURT_STOP),
        SessionState("r2", "std", Phase.FINISHED, T0, pain_before=10, pain_after=9, done=(0, 1)),
    ],
)
def test_a_state_comes_back_unchanged(state: SessionState) -> None:
    assert SessionState.from_json(state.to_json(), ROUTINES) == state


def _saved(**change: Any) -> str:
    data = json.loads(ENDED.to_json())
    data.update(change)
    return json.dumps(data)


@pytest.mark.parametrize(
    "change",
    [
        {"step_index": None},
        {"started_at": None},
        {"routine_id": None},
        {"phase": 3},
        {"done": {}},
        {"done": ""},
        {"done": None},
        {"skipped": [0.0]},
        {"easier": [True]},
        {"pain_before": "4"},
        {"timer_step": "1"},
        {"timer_ends_at": 5},
        {"walk_minutes": 2.5},
        {"ended_early": None},
        {"ended_early": 1},
        {"paused_phase": "later"},
        {"paused_phase": 1},
    ],
)
def test_a_damaged_field_gives_no_state(change: dict[str, Any]) -> None:
    assert SessionState.from_json(_saved(**change), ROUTINES) is None


def test_optional_fields_may_be_left_out() -> None:
    data = json.loads(TIMER.to_json())
    del data["pain_after"], data["walk_minutes"], data["paused_phase"]
    assert SessionState.from_json(json.dumps(data), ROUTINES) == TIMER
