"""How routines grow over the weeks: the walk plan's week and minutes, and the proposed level."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from bot.core.routine_model import Routine, WalkPlan

DEFAULT_WALK_PLAN = WalkPlan()


def _as_date(day: date) -> date:
    return day.date() if isinstance(day, datetime) else day


def _walk_start(history: Sequence[date], today: date, plan: WalkPlan) -> date | None:
    """The first walk of the current run of walks (None: no walks, or a long break)."""
    today = _as_date(today)
    days = sorted({d for d in (_as_date(x) for x in history) if d <= today})
    if not days or (today - days[-1]).days > plan.restart_after_days:
        return None
    start = days[-1]
    for earlier in reversed(days[:-1]):
        if (start - earlier).days > plan.restart_after_days:
            break
        start = earlier
    return start


def plan_week(history: Sequence[date], today: date, plan: WalkPlan = DEFAULT_WALK_PLAN) -> int:
    """The week of the walking plan, 1-based, counted from the first walk of the current run."""
    start = _walk_start(history, today, plan)
    if start is None:
        return 1
    return (_as_date(today) - start).days // 7 + 1


def walk_minutes(history: Sequence[date], today: date, plan: WalkPlan = DEFAULT_WALK_PLAN) -> int:
    """Minutes of today's walk from the dates of finished walks (10, 15, then +5 every 2 weeks)."""
    week = plan_week(history, today, plan)
    if week <= 1:
        return min(plan.start_minutes, plan.max_minutes)
    added = plan.add_minutes * ((week - 2) // plan.every_weeks)
    return min(plan.week2_minutes + added, plan.max_minutes)


def propose_level(routine: Routine, finished: Sequence[tuple[str, date]], today: date) -> str:
    """The level to offer: the latest one whose week and session count the user has reached."""
    today = _as_date(today)
    days = sorted(
        d for d in (_as_date(day) for rid, day in finished if rid == routine.id) if d <= today
    )
    chosen = routine.first_level
    if not days:
        return chosen.id
    age = (today - days[0]).days
    for level in routine.levels[1:]:
        if age >= (level.from_week - 1) * 7 and len(days) >= level.min_sessions:
            chosen = level
    return chosen.id
