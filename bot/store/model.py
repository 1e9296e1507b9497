"""The store's public types and its interface: `Store`, one `UserTx` per user action, `Db`."""

from __future__ import annotations

import re
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol

QUESTION_KINDS = frozenset({"answer", "clarify", "fallback", "urgent", "smalltalk"})
UNANSWERED_MAX_CHARS = 1000
TIME_RE = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d")

Row = tuple[Any, ...]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class User:
    """A bot user and the chat the bot talks to them in."""

    user_id: int
    chat_id: int
    timezone: str = "UTC"
    created_at: datetime = field(default_factory=utcnow)


@dataclass(frozen=True)
class FinishedSession:
    """A routine the user finished or stopped early (`completed` is False then)."""

    user_id: int
    routine_id: str
    level: str
    started_at: datetime
    finished_at: datetime
    pain_before: int | None
    pain_after: int | None
    steps_done: int
    steps_skipped: int
    completed: bool


@dataclass(frozen=True)
class Reminder:
    """A daily reminder at local time `time` ("HH:MM") in `timezone`."""

    user_id: int
    chat_id: int
    time: str
    timezone: str
    last_sent_on: date | None


# "chosen": a user picked this entry from a "did you mean" (a phrasing to add).
REVIEW_REASONS = ("unanswered", "not-helpful", "chosen")


@dataclass(frozen=True)
class ReviewQuestion:
    """A question kept for the curators: unanswered, not helpful, or a "did you mean" choice."""

    text: str
    reason: str
    entry_id: str | None
    asked_at: datetime


@dataclass(frozen=True)
class Timer:
    """A persisted timer; `payload` is JSON text owned by the caller."""

    timer_id: str
    user_id: int
    chat_id: int
    due_at: datetime
    payload: str


class UserTx(Protocol):
    """One user action inside one transaction, with the user serialised against others."""

    user_id: int

    async def get_user(self) -> User | None:
        """Return the user's row, or None."""
        ...

    async def save_user(self, user: User) -> None:
        """Insert or update the user; an existing `created_at` is kept."""
        ...

    async def get_active_session(self) -> str | None:
        """Return the JSON text of the routine in progress, or None."""
        ...

    async def save_active_session(self, data: str | None) -> None:
        """Store the routine in progress; None clears it."""
        ...

    async def get_state(self, key: str) -> str | None:
        """Return a small per-user value, or None."""
        ...

    async def set_state(self, key: str, value: str | None) -> None:
        """Set a small per-user value; None deletes it."""
        ...

    async def add_finished_session(self, s: FinishedSession) -> None:
        """Record a finished session; one with the same start time replaces it."""
        ...

    async def finished_sessions(self, limit: int = 30) -> list[FinishedSession]:
        """Return the user's finished sessions, newest first."""
        ...

    async def set_reminder(self, chat_id: int, time: str | None, timezone: str) -> None:
        """Set the daily reminder ("HH:MM" local); None deletes it."""
        ...

    async def get_reminder(self) -> Reminder | None:
        """Return the user's reminder, or None."""
        ...

    async def add_feedback(self, entry_id: str, helpful: bool) -> None:
        """Record the user's vote on an answer; a later vote replaces an earlier one."""
        ...

    async def upsert_timer(self, timer: Timer) -> None:
        """Create or replace one of the user's timers."""
        ...

    async def delete_timer(self, timer_id: str) -> None:
        """Delete one of the user's timers if it exists."""
        ...

    async def claim_update(self, update_id: int) -> bool:
        """Remember that the update with this id is handled here; False if it already was
        (by this process or another one on the same database)."""
        ...

    async def forget(self) -> None:
        """Delete every row about the user in every table (SQLite: so that the deleted words
        are gone from the database file and its WAL once the action commits)."""
        ...


class Store(Protocol):
    """Persistent state of the bot; see the module docstring."""

    async def open(self) -> None:
        """Connect and apply pending migrations."""
        ...

    async def close(self) -> None:
        """Release connections; safe to call twice."""
        ...

    def user_action(self, user_id: int) -> AbstractAsyncContextManager[UserTx]:
        """Run one user action in one transaction: commit on exit, roll back on error."""
        ...

    async def record_question(self, kind: str, entry_id: str | None, score: float) -> None:
        """Log a question anonymously by how it was handled."""
        ...

    async def record_unanswered(
        self, text: str, reason: str = "unanswered", entry_id: str | None = None
    ) -> None:
        """Log a question the bot could not answer, or whose answer was not helpful (no
        user id)."""
        ...

    async def review_questions(self, limit: int = 5000) -> list[ReviewQuestion]:
        """Questions kept for the curators, newest first."""
        ...

    async def unanswered(self, limit: int = 1000) -> list[tuple[str, datetime]]:
        """Return unanswered questions with their time, newest first."""
        ...

    async def feedback_counts(self) -> dict[str, tuple[int, int]]:
        """Return entry_id -> (helpful, not helpful) vote counts."""
        ...

    async def question_counts(self) -> dict[str, int]:
        """Return kind -> number of questions logged."""
        ...

    async def user_count(self) -> int:
        """Return the number of saved users."""
        ...

    async def all_finished_sessions(self, limit: int = 10000) -> list[FinishedSession]:
        """Return finished sessions of all users, newest first."""
        ...

    async def active_session_count(self) -> int:
        """Return the number of routines in progress."""
        ...

    async def claim_due_timers(self, now: datetime, limit: int = 50) -> list[Timer]:
        """Remove and return timers due at `now`, each to exactly one caller."""
        ...

    async def next_timer_due(self) -> datetime | None:
        """Return the earliest due time of any timer, or None."""
        ...

    async def all_timers(self) -> list[Timer]:
        """Return every timer, earliest first."""
        ...

    async def all_reminders(self) -> list[Reminder]:
        """Return every reminder."""
        ...

    async def claim_reminder(self, user_id: int, local_date: date) -> bool:
        """Mark the reminder sent for `local_date`; True only for the first caller."""
        ...

    async def prune_seen_updates(self, before: datetime) -> int:
        """Forget the ids of updates handled before `before`; how many were forgotten."""
        ...

    async def picture_file_id(self, name: str, fingerprint: str) -> str | None:
        """Telegram's file_id for this picture as it is now (same fingerprint), if uploaded."""
        ...

    async def save_picture_file_id(self, name: str, fingerprint: str, file_id: str) -> None:
        """Remember Telegram's file_id for this picture."""
        ...

    async def export_rows(self) -> dict[str, list[Row]]:
        """Return every data table's rows as stored, read in one transaction."""
        ...

    async def copy_from(self, other: Store) -> dict[str, int]:
        """Copy every table's rows from `other`, skipping existing keys; rows read per table."""
        ...


class Db(Protocol):
    """An open transaction on either backend; statements use `?` placeholders."""

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run a statement and return its row count."""
        ...

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run a statement once per parameter row."""
        ...

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Run a query and return all rows."""
        ...

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        """Run a query and return its first row, or None."""
        ...
