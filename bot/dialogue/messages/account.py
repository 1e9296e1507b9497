"""Progress, reminders and time zones, /forget, /cancel, inline results, admin replies."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from bot.core.knowledge import Entry


def progress(
    done: int, streak: int, rows: Sequence[str], walk_week: int | None, walk_minutes: int | None
) -> str:
    """The /progress text."""
    if done == 0 and not rows:
        return (
            "No sessions yet. Start your first one with /routine; I'll keep track of your "
            "sessions, streak and pain here."
        )
    lines = [
        "<b>Your progress</b>",
        f"Sessions finished: {done}",
        f"Current streak: {streak} day{'s' if streak != 1 else ''}",
    ]
    if walk_week is not None and walk_minutes is not None:
        lines.append(f"Walking plan: week {walk_week}, about {walk_minutes} min per walk")
    if rows:
        lines += ["", "<b>Pain before → after, latest first</b>", *rows]
    return "\n".join(lines)


def progress_row(
    day: str, title: str, before: int | None, after: int | None, completed: bool
) -> str:
    """One session in /progress."""
    pain = f"{'-' if before is None else before} → {'-' if after is None else after}"
    mark = "" if completed else " (ended early)"
    return f"{escape(day)} · {escape(title)}: {pain}{mark}"


def reminder_set(time: str, timezone: str) -> str:
    """Confirmation of /reminder HH:MM."""
    return (
        f"Done: I'll remind you every day at {escape(time)} ({escape(timezone)}). "
        "Change the time zone with /timezone, stop with /reminder off."
    )


def reminder_off() -> str:
    """Confirmation of /reminder off."""
    return "Daily reminder switched off."


def reminder_usage(current: str | None) -> str:
    """/reminder without a valid time."""
    now = f"Your reminder is set for {escape(current)}. " if current else ""
    return f"{now}Send /reminder HH:MM (for example /reminder 08:00), or /reminder off."


def reminder_nudge() -> str:
    """The daily reminder."""
    return "👋 Time for your routine! A few minutes of movement today keeps your back happy."


def timezone_set(timezone: str) -> str:
    """Confirmation of /timezone."""
    return f"Time zone set to {escape(timezone)}."


def timezone_usage(current: str) -> str:
    """/timezone without a valid zone."""
    return (
        f"Your time zone is {escape(current)}. To change it, send /timezone Area/City, "
        "for example /timezone Europe/London or /timezone America/New_York."
    )


def forget_question() -> str:
    """/forget asks first."""
    return (
        "This deletes everything I have stored about you: sessions, progress, reminders, "
        "settings and feedback. It cannot be undone. Delete it all?"
    )


FORGET_YES_LABEL = "🗑 Yes, delete everything"
FORGET_NO_LABEL = "No, keep it"


def forgotten() -> str:
    """After /forget."""
    return "Done: everything stored about you is deleted. /start begins afresh."


def forget_cancelled() -> str:
    """/forget answered no."""
    return "Nothing deleted."


def cancelled(anything: bool) -> str:
    """/cancel."""
    return "OK, cancelled." if anything else "There's nothing to cancel."


# ------------------------------------------------------------------ chart, inline, admin


def chart_caption() -> str:
    """Under the /progress chart."""
    return "Pain before (red) and after (green) each session."


def inline_description(entry: Entry) -> str:
    """The first words of an answer and its sources, for an inline result (plain text)."""
    words = entry.answer.split()
    start = " ".join(words[:24]) + ("…" if len(words) > 24 else "")
    sources = "; ".join(s.code for s in entry.sources)
    return f"{start} [{sources}]"


OPEN_IN_BOT_LABEL = "Open in Hip & Back Coach"


def reload_unavailable() -> str:
    """/reload where the bot cannot reload."""
    return "Reloading is not available here."


def reload_failed(problems: Sequence[str]) -> str:
    """/reload of an invalid knowledge base: the old one keeps running."""
    shown = "\n".join(f"• {escape(p)}" for p in problems[:30])
    more = f"\n… and {len(problems) - 30} more" if len(problems) > 30 else ""
    return (
        f"The knowledge base has {len(problems)} problem(s); I kept the one that is running."
        f"\n\n{shown}{more}"
    )


def reloaded(entries: int, routines: int) -> str:
    """/reload done."""
    return f"Reloaded: {entries} entries and {routines} routines."
