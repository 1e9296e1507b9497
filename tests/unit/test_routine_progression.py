"""The walking plan's week and minutes, and the proposed level: boundaries and chains of walks."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.core.progression import plan_week, propose_level, walk_minutes
from bot.core.routine_model import Dose, Level, Step, Variant, WalkPlan
from tests.unit.routine_data import make_routine

TODAY = date(2025, 3, 31)


def ago(*days: int) -> list[date]:
    return [TODAY - timedelta(days=d) for d in days]


def test_a_single_recent_walk_starts_the_plan_on_its_day() -> None:
    assert plan_week(ago(10), TODAY) == 2
    assert plan_week(ago(6), TODAY) == 1
    assert plan_week(ago(7), TODAY) == 2


def test_the_run_of_walks_starts_after_the_last_long_gap() -> None:
    # 40 and 30 days ago belong to an older run: 20 days lie between 30 and 10 days ago
    assert plan_week(ago(40, 30, 10), TODAY) == 2
    assert plan_week(ago(10, 30, 40), TODAY) == 2
    assert walk_minutes(ago(40, 30, 10), TODAY) == 15


def test_a_gap_of_exactly_the_restart_days_keeps_the_run() -> None:
    # 14 days between the two walks: still one run, counted from the first walk
    assert plan_week(ago(20, 6), TODAY) == 3
    # 15 days between them: the run starts again at the later walk
    assert plan_week(ago(21, 6), TODAY) == 1


def test_the_last_walk_exactly_the_restart_days_ago_still_counts() -> None:
    assert plan_week(ago(14), TODAY) == 3
    assert plan_week(ago(15), TODAY) == 1


def test_a_long_chain_of_short_gaps_is_one_run() -> None:
    history = ago(56, 43, 30, 17, 4)  # 13 days apart
    assert plan_week(history, TODAY) == 9
    assert walk_minutes(history, TODAY) == 30


def test_the_restart_days_come_from_the_plan_given() -> None:
    short_breaks = WalkPlan(restart_after_days=3)
    assert plan_week(ago(10), TODAY, short_breaks) == 1
    assert walk_minutes(ago(10), TODAY, short_breaks) == 10
    assert walk_minutes(ago(10), TODAY) == 15
    # 5 days between the walks breaks the run for this plan only
    assert plan_week(ago(12, 7, 2), TODAY, short_breaks) == 1
    assert plan_week(ago(12, 7, 2), TODAY) == 2


def test_minutes_grow_by_the_plans_step_every_few_weeks() -> None:
    plan = WalkPlan(start_minutes=7, week2_minutes=9, add_minutes=3, every_weeks=3, max_minutes=100)

    # a walk every 4 days from the first walk on
    def history(weeks_old: int) -> list[date]:
        return ago(*range(weeks_old * 7, 0, -4))

    assert walk_minutes([], TODAY, plan) == 7
    assert walk_minutes(history(1), TODAY, plan) == 9  # week 2
    assert walk_minutes(history(3), TODAY, plan) == 9  # week 4: (4-2)//3 = 0 steps
    assert walk_minutes(history(4), TODAY, plan) == 12  # week 5: one step
    assert walk_minutes(history(7), TODAY, plan) == 15  # week 8: two steps


def test_minutes_never_pass_the_plans_maximum() -> None:
    small = WalkPlan(start_minutes=12, week2_minutes=15, max_minutes=8)
    assert walk_minutes([], TODAY, small) == 8
    assert walk_minutes(ago(8), TODAY, small) == 8
    capped = WalkPlan(
        start_minutes=5, week2_minutes=6, add_minutes=10, every_weeks=1, max_minutes=21
    )
    assert walk_minutes(ago(21, 14, 7), TODAY, capped) == 21  # week 4: 6 + 20 capped at 21


def test_walk_dates_given_as_datetimes_count_by_their_day() -> None:
    late = datetime(2025, 3, 17, 23, 59)
    assert plan_week([late], TODAY) == 3
    assert plan_week([late], datetime(2025, 3, 31, 0, 1)) == 3


def _step(sid: str) -> Step:
    variant = Variant("Other", "Do it.")
    return Step(sid, "Name", "Do it. Slowly.", Dose(reps=5), "Rushing.", variant, variant)


ROUTINE = make_routine(
    "grow",
    "Grow",
    steps=(_step("a"),),
    levels=(
        Level("first", "First", 1, False),
        Level("second", "Second", 2, True, min_sessions=2),
        Level("third", "Third", 4, True, min_sessions=5),
    ),
)


def done(*days: int, rid: str = "grow") -> list[tuple[str, date]]:
    return [(rid, TODAY - timedelta(days=d)) for d in days]


def test_a_session_finished_today_counts_towards_the_next_level() -> None:
    assert propose_level(ROUTINE, done(8, 0), TODAY) == "second"
    assert propose_level(ROUTINE, done(8), TODAY) == "first"


def test_the_level_week_is_reached_on_its_first_day() -> None:
    assert propose_level(ROUTINE, done(7, 3), TODAY) == "second"
    assert propose_level(ROUTINE, done(6, 3), TODAY) == "first"


def test_the_latest_reached_level_is_proposed() -> None:
    assert propose_level(ROUTINE, done(21, 20, 15, 10, 5), TODAY) == "third"
    assert propose_level(ROUTINE, done(20, 15, 10, 5, 1), TODAY) == "second"  # week 3
    assert propose_level(ROUTINE, done(21, 20, 15, 10), TODAY) == "second"  # 4 sessions


def test_the_age_counts_from_the_first_session() -> None:
    # the first of these, not the last, decides the age
    assert propose_level(ROUTINE, done(1, 9), TODAY) == "second"
    assert propose_level(ROUTINE, done(9, 1), TODAY) == "second"


def test_sessions_of_other_routines_and_future_ones_do_not_count() -> None:
    mixed = done(30, 20, rid="other") + done(3)
    assert propose_level(ROUTINE, mixed, TODAY) == "first"
    future = [*done(10), ("grow", TODAY + timedelta(days=1))]
    assert propose_level(ROUTINE, future, TODAY) == "first"


def test_session_times_may_be_datetimes() -> None:
    stamps = [("grow", datetime(2025, 3, 24, 22, 0)), ("grow", datetime(2025, 3, 30, 8, 0))]
    assert propose_level(ROUTINE, stamps, datetime(2025, 3, 31, 6, 0)) == "second"
