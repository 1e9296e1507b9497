"""/progress: sessions done, the streak, the walk plan's week, and a pain chart."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from bot.core import routine as rt
from bot.dialogue import messages as msg
from bot.dialogue.chart import Point
from bot.dialogue.context import HISTORY_LIMIT, Ctx, Services, zone
from bot.dialogue.replies import Reply, Send

CHART_SESSIONS = 30


class Progress:
    """Shows a user's progress; the chart is drawn after the commit."""

    def __init__(self, services: Services) -> None:
        self.s = services

    async def command(self, ctx: Ctx, args: str) -> list[Reply]:
        """/progress."""
        routines = self.s.kb.routines
        user = await ctx.tx.get_user()
        tz = zone(user.timezone if user else "UTC") or ZoneInfo("UTC")
        sessions = await ctx.tx.finished_sessions(limit=HISTORY_LIMIT)
        today = ctx.now.astimezone(tz).date()
        days = sorted({s.finished_at.astimezone(tz).date() for s in sessions if s.completed})
        rows = [
            msg.progress_row(
                s.finished_at.astimezone(tz).strftime("%d %b"),
                routines[s.routine_id].title if s.routine_id in routines else s.routine_id,
                s.pain_before,
                s.pain_after,
                s.completed,
            )
            for s in sessions[:7]
        ]
        walks = [
            s.finished_at.astimezone(tz).date()
            for s in sessions
            if s.routine_id in routines and routines[s.routine_id].kind == "walk"
        ]
        walk = next((r for r in routines.values() if r.kind == "walk"), None)
        week = minutes = None
        if walk is not None and walks:
            plan = walk.walk or rt.DEFAULT_WALK_PLAN
            week = rt.plan_week(walks, today, plan)
            minutes = rt.walk_minutes(walks, today, plan)
        done = sum(1 for s in sessions if s.completed)
        current = streak(days, today)
        if sessions:
            points = [
                Point(s.finished_at.astimezone(tz), s.pain_before, s.pain_after)
                for s in sessions[:CHART_SESSIONS]
            ]
            ctx.chart = (points, current)
        return [Send(msg.progress(done, current, rows, week, minutes))]


def streak(days: Sequence[date], today: date) -> int:
    """Consecutive days with a finished session, ending today (or yesterday)."""
    have = set(days)
    day = today if today in have else today - timedelta(days=1)
    count = 0
    while day in have:
        count += 1
        day -= timedelta(days=1)
    return count
