"""Rows to the store's types and back: timestamps as sortable text, the column lists."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.store.model import FinishedSession, Reminder, Row, Timer


def encode_ts(dt: datetime) -> str:
    """Encode an aware datetime as fixed-width ISO-8601 UTC text (text order = time order)."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"naive datetime {dt!r}: the store needs timezone-aware datetimes")
    return dt.astimezone(UTC).isoformat(timespec="microseconds")


def decode_ts(text: str) -> datetime:
    """Decode text written by `encode_ts` to an aware UTC datetime."""
    return datetime.fromisoformat(text).astimezone(UTC)


def session_from_row(r: Row) -> FinishedSession:
    return FinishedSession(
        user_id=int(r[0]),
        started_at=decode_ts(r[1]),
        routine_id=r[2],
        level=r[3],
        finished_at=decode_ts(r[4]),
        pain_before=r[5],
        pain_after=r[6],
        steps_done=int(r[7]),
        steps_skipped=int(r[8]),
        completed=bool(r[9]),
    )


def reminder_from_row(r: Row) -> Reminder:
    return Reminder(
        user_id=int(r[0]),
        chat_id=int(r[1]),
        time=r[2],
        timezone=r[3],
        last_sent_on=date.fromisoformat(r[4]) if r[4] is not None else None,
    )


def timer_from_row(r: Row) -> Timer:
    """Build a Timer from a `timers` row (columns in table order)."""
    return Timer(
        timer_id=r[0], user_id=int(r[1]), chat_id=int(r[2]), due_at=decode_ts(r[3]), payload=r[4]
    )


SESSION_COLS = (
    "user_id, started_at, routine_id, level, finished_at,"
    " pain_before, pain_after, steps_done, steps_skipped, completed"
)
TIMER_COLS = "timer_id, user_id, chat_id, due_at, payload"
REMINDER_COLS = "user_id, chat_id, time, timezone, last_sent_on"
