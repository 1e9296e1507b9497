"""Persistent per-user state: public types, the Store interface and the shared SQL logic.

One `Store.user_action` is one transaction, committed before the bot replies, so a crash
loses at most the action in flight. SQLite (`bot.store_sqlite`) is the default backend;
PostgreSQL (`bot.store_postgres`) is used when DATABASE_URL is set. Both run the same
portable SQL written here with `?` placeholders.
"""

from __future__ import annotations

import re
import uuid
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Protocol

from bot.store_schema import MIGRATIONS, SCHEMA_VERSION_DDL, TABLES

QUESTION_KINDS = frozenset({"answer", "clarify", "fallback", "urgent", "smalltalk"})
UNANSWERED_MAX_CHARS = 1000
_TIME_RE = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d")

Row = tuple[Any, ...]


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class User:
    """A bot user and the chat the bot talks to them in."""

    user_id: int
    chat_id: int
    timezone: str = "UTC"
    created_at: datetime = field(default_factory=_utcnow)


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


REVIEW_REASONS = ("unanswered", "not-helpful")


@dataclass(frozen=True)
class ReviewQuestion:
    """A question kept for the curators: unanswered, or answered but marked not helpful."""

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

    async def forget(self) -> None:
        """Delete every row about the user in every table."""
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


def encode_ts(dt: datetime) -> str:
    """Encode an aware datetime as fixed-width ISO-8601 UTC text (text order = time order)."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"naive datetime {dt!r}: the store needs timezone-aware datetimes")
    return dt.astimezone(UTC).isoformat(timespec="microseconds")


def decode_ts(text: str) -> datetime:
    """Decode text written by `encode_ts` to an aware UTC datetime."""
    return datetime.fromisoformat(text).astimezone(UTC)


def _session_from_row(r: Row) -> FinishedSession:
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


def _reminder_from_row(r: Row) -> Reminder:
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


_SESSION_COLS = (
    "user_id, started_at, routine_id, level, finished_at,"
    " pain_before, pain_after, steps_done, steps_skipped, completed"
)
_TIMER_COLS = "timer_id, user_id, chat_id, due_at, payload"
_REMINDER_COLS = "user_id, chat_id, time, timezone, last_sent_on"


class SqlUserTx:
    """`UserTx` over a `Db`; valid only inside its `user_action` block."""

    def __init__(self, user_id: int, db: Db) -> None:
        self.user_id = user_id
        self._db: Db | None = db

    def _conn(self) -> Db:
        if self._db is None:
            raise RuntimeError("UserTx used after its user_action block ended")
        return self._db

    def _close(self) -> None:
        self._db = None

    def _check_owner(self, user_id: int, what: str) -> None:
        if user_id != self.user_id:
            raise ValueError(f"{what} of user {user_id} in an action of user {self.user_id}")

    async def get_user(self) -> User | None:
        """Return the user's row, or None."""
        r = await self._conn().fetchone(
            "SELECT user_id, chat_id, timezone, created_at FROM users WHERE user_id = ?",
            (self.user_id,),
        )
        if r is None:
            return None
        return User(int(r[0]), int(r[1]), r[2], decode_ts(r[3]))

    async def save_user(self, user: User) -> None:
        """Insert or update the user; an existing `created_at` is kept."""
        self._check_owner(user.user_id, "User")
        await self._conn().execute(
            "INSERT INTO users (user_id, chat_id, timezone, created_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (user_id) DO UPDATE"
            " SET chat_id = excluded.chat_id, timezone = excluded.timezone",
            (user.user_id, user.chat_id, user.timezone, encode_ts(user.created_at)),
        )

    async def get_active_session(self) -> str | None:
        """Return the JSON text of the routine in progress, or None."""
        r = await self._conn().fetchone(
            "SELECT data FROM active_sessions WHERE user_id = ?", (self.user_id,)
        )
        return None if r is None else str(r[0])

    async def save_active_session(self, data: str | None) -> None:
        """Store the routine in progress; None clears it."""
        if data is None:
            await self._conn().execute(
                "DELETE FROM active_sessions WHERE user_id = ?", (self.user_id,)
            )
            return
        await self._conn().execute(
            "INSERT INTO active_sessions (user_id, data, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT (user_id) DO UPDATE"
            " SET data = excluded.data, updated_at = excluded.updated_at",
            (self.user_id, data, encode_ts(_utcnow())),
        )

    async def get_state(self, key: str) -> str | None:
        """Return a small per-user value, or None."""
        r = await self._conn().fetchone(
            "SELECT value FROM user_state WHERE user_id = ? AND key = ?", (self.user_id, key)
        )
        return None if r is None else str(r[0])

    async def set_state(self, key: str, value: str | None) -> None:
        """Set a small per-user value; None deletes it."""
        if value is None:
            await self._conn().execute(
                "DELETE FROM user_state WHERE user_id = ? AND key = ?", (self.user_id, key)
            )
            return
        await self._conn().execute(
            "INSERT INTO user_state (user_id, key, value) VALUES (?, ?, ?)"
            " ON CONFLICT (user_id, key) DO UPDATE SET value = excluded.value",
            (self.user_id, key, value),
        )

    async def add_finished_session(self, s: FinishedSession) -> None:
        """Record a finished session; one with the same start time replaces it."""
        self._check_owner(s.user_id, "FinishedSession")
        await self._conn().execute(
            f"INSERT INTO finished_sessions ({_SESSION_COLS})"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (user_id, started_at) DO UPDATE SET"
            " routine_id = excluded.routine_id, level = excluded.level,"
            " finished_at = excluded.finished_at, pain_before = excluded.pain_before,"
            " pain_after = excluded.pain_after, steps_done = excluded.steps_done,"
            " steps_skipped = excluded.steps_skipped, completed = excluded.completed",
            (
                s.user_id,
                encode_ts(s.started_at),
                s.routine_id,
                s.level,
                encode_ts(s.finished_at),
                s.pain_before,
                s.pain_after,
                s.steps_done,
                s.steps_skipped,
                int(s.completed),
            ),
        )

    async def finished_sessions(self, limit: int = 30) -> list[FinishedSession]:
        """Return the user's finished sessions, newest first."""
        rows = await self._conn().fetchall(
            f"SELECT {_SESSION_COLS} FROM finished_sessions WHERE user_id = ?"
            " ORDER BY finished_at DESC, started_at DESC LIMIT ?",
            (self.user_id, limit),
        )
        return [_session_from_row(r) for r in rows]

    async def set_reminder(self, chat_id: int, time: str | None, timezone: str) -> None:
        """Set the daily reminder ("HH:MM" local); None deletes it; `last_sent_on` is kept."""
        if time is None:
            await self._conn().execute("DELETE FROM reminders WHERE user_id = ?", (self.user_id,))
            return
        if not _TIME_RE.fullmatch(time):
            raise ValueError(f"reminder time must be HH:MM, got {time!r}")
        await self._conn().execute(
            "INSERT INTO reminders (user_id, chat_id, time, timezone, last_sent_on)"
            " VALUES (?, ?, ?, ?, NULL)"
            " ON CONFLICT (user_id) DO UPDATE SET chat_id = excluded.chat_id,"
            " time = excluded.time, timezone = excluded.timezone",
            (self.user_id, chat_id, time, timezone),
        )

    async def get_reminder(self) -> Reminder | None:
        """Return the user's reminder, or None."""
        r = await self._conn().fetchone(
            f"SELECT {_REMINDER_COLS} FROM reminders WHERE user_id = ?", (self.user_id,)
        )
        return None if r is None else _reminder_from_row(r)

    async def add_feedback(self, entry_id: str, helpful: bool) -> None:
        """Record the user's vote on an answer; a later vote replaces an earlier one."""
        await self._conn().execute(
            "INSERT INTO feedback (user_id, entry_id, helpful, created_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (user_id, entry_id) DO UPDATE"
            " SET helpful = excluded.helpful, created_at = excluded.created_at",
            (self.user_id, entry_id, int(helpful), encode_ts(_utcnow())),
        )

    async def upsert_timer(self, timer: Timer) -> None:
        """Create or replace one of the user's timers."""
        self._check_owner(timer.user_id, "Timer")
        # The WHERE keeps a timer id that belongs to another user from being taken over.
        changed = await self._conn().execute(
            f"INSERT INTO timers ({_TIMER_COLS}) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (timer_id) DO UPDATE SET chat_id = excluded.chat_id,"
            " due_at = excluded.due_at, payload = excluded.payload"
            " WHERE timers.user_id = excluded.user_id",
            (timer.timer_id, timer.user_id, timer.chat_id, encode_ts(timer.due_at), timer.payload),
        )
        if changed == 0:
            raise ValueError(f"timer id {timer.timer_id!r} belongs to another user")

    async def delete_timer(self, timer_id: str) -> None:
        """Delete one of the user's timers if it exists."""
        await self._conn().execute(
            "DELETE FROM timers WHERE timer_id = ? AND user_id = ?", (timer_id, self.user_id)
        )

    async def forget(self) -> None:
        """Delete every row about the user in every table."""
        db = self._conn()
        for table in TABLES:
            if table.per_user:
                await db.execute(f"DELETE FROM {table.name} WHERE user_id = ?", (self.user_id,))


class SqlStore(ABC):
    """The backend-independent part of a `Store`; subclasses supply transactions."""

    def __init__(self) -> None:
        self._in_action: ContextVar[bool] = ContextVar(f"store_in_action_{id(self)}", default=False)

    @abstractmethod
    async def open(self) -> None:
        """Connect and apply pending migrations."""

    @abstractmethod
    async def close(self) -> None:
        """Release connections; safe to call twice."""

    @abstractmethod
    def _begin(self, *, write: bool) -> AbstractAsyncContextManager[Db]:
        """Open a transaction that commits on normal exit and rolls back on error."""

    @abstractmethod
    async def claim_due_timers(self, now: datetime, limit: int = 50) -> list[Timer]:
        """Remove and return timers due at `now`, each to exactly one caller."""

    @abstractmethod
    async def _lock_user(self, db: Db, user_id: int) -> None:
        """Serialise actions of `user_id` across processes inside the open transaction."""

    def _transaction(self, *, write: bool) -> AbstractAsyncContextManager[Db]:
        # A store call inside a user_action would wait for the action's own lock forever.
        if self._in_action.get():
            raise RuntimeError("store called inside a user_action of the same store")
        return self._begin(write=write)

    async def _migrate(self, db: Db) -> None:
        """Apply pending migrations; the caller holds the migration lock."""
        await db.execute(SCHEMA_VERSION_DDL)
        r = await db.fetchone("SELECT MAX(version) FROM schema_version")
        current = int(r[0]) if r is not None and r[0] is not None else 0
        if current > len(MIGRATIONS):
            raise RuntimeError(
                f"database schema version {current} is newer than this code"
                f" ({len(MIGRATIONS)}); upgrade the bot"
            )
        for version in range(current + 1, len(MIGRATIONS) + 1):
            for statement in MIGRATIONS[version - 1]:
                await db.execute(statement)
            await db.execute(
                "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                (version, encode_ts(_utcnow())),
            )

    @asynccontextmanager
    async def user_action(self, user_id: int) -> AsyncIterator[UserTx]:
        """Run one user action in one transaction: commit on exit, roll back on error."""
        async with self._transaction(write=True) as db:
            await self._lock_user(db, user_id)
            tx = SqlUserTx(user_id, db)
            token = self._in_action.set(True)
            try:
                yield tx
            finally:
                self._in_action.reset(token)
                tx._close()

    async def record_question(self, kind: str, entry_id: str | None, score: float) -> None:
        """Log a question anonymously by how it was handled."""
        if kind not in QUESTION_KINDS:
            raise ValueError(f"unknown question kind {kind!r}; expected one of {QUESTION_KINDS}")
        async with self._transaction(write=True) as db:
            await db.execute(
                "INSERT INTO question_log (id, kind, entry_id, score, asked_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (uuid.uuid4().hex, kind, entry_id, float(score), encode_ts(_utcnow())),
            )

    async def record_unanswered(
        self, text: str, reason: str = "unanswered", entry_id: str | None = None
    ) -> None:
        """Log a question the bot could not answer, or whose answer was not helpful (no
        user id)."""
        if reason not in REVIEW_REASONS:
            raise ValueError(f"unknown reason {reason!r}")
        async with self._transaction(write=True) as db:
            await db.execute(
                "INSERT INTO unanswered (id, text, asked_at, reason, entry_id)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    uuid.uuid4().hex,
                    text[:UNANSWERED_MAX_CHARS],
                    encode_ts(_utcnow()),
                    reason,
                    entry_id,
                ),
            )

    async def review_questions(self, limit: int = 5000) -> list[ReviewQuestion]:
        """Questions kept for the curators, newest first."""
        async with self._transaction(write=False) as db:
            rows = await db.fetchall(
                "SELECT text, reason, entry_id, asked_at FROM unanswered"
                " ORDER BY asked_at DESC, id LIMIT ?",
                (limit,),
            )
        return [
            ReviewQuestion(
                str(r[0]), str(r[1]), None if r[2] is None else str(r[2]), decode_ts(r[3])
            )
            for r in rows
        ]

    async def unanswered(self, limit: int = 1000) -> list[tuple[str, datetime]]:
        """Return unanswered questions with their time, newest first."""
        async with self._transaction(write=False) as db:
            rows = await db.fetchall(
                "SELECT text, asked_at FROM unanswered ORDER BY asked_at DESC, id LIMIT ?",
                (limit,),
            )
        return [(str(r[0]), decode_ts(r[1])) for r in rows]

    async def feedback_counts(self) -> dict[str, tuple[int, int]]:
        """Return entry_id -> (helpful, not helpful) vote counts."""
        async with self._transaction(write=False) as db:
            rows = await db.fetchall(
                "SELECT entry_id, SUM(helpful), COUNT(*) - SUM(helpful)"
                " FROM feedback GROUP BY entry_id"
            )
        return {str(r[0]): (int(r[1]), int(r[2])) for r in rows}

    async def question_counts(self) -> dict[str, int]:
        """Return kind -> number of questions logged."""
        async with self._transaction(write=False) as db:
            rows = await db.fetchall("SELECT kind, COUNT(*) FROM question_log GROUP BY kind")
        return {str(r[0]): int(r[1]) for r in rows}

    async def _count(self, table: str) -> int:
        async with self._transaction(write=False) as db:
            r = await db.fetchone(f"SELECT COUNT(*) FROM {table}")
        return 0 if r is None else int(r[0])

    async def user_count(self) -> int:
        """Return the number of saved users."""
        return await self._count("users")

    async def active_session_count(self) -> int:
        """Return the number of routines in progress."""
        return await self._count("active_sessions")

    async def all_finished_sessions(self, limit: int = 10000) -> list[FinishedSession]:
        """Return finished sessions of all users, newest first."""
        async with self._transaction(write=False) as db:
            rows = await db.fetchall(
                f"SELECT {_SESSION_COLS} FROM finished_sessions"
                " ORDER BY finished_at DESC, started_at DESC, user_id LIMIT ?",
                (limit,),
            )
        return [_session_from_row(r) for r in rows]

    async def next_timer_due(self) -> datetime | None:
        """Return the earliest due time of any timer, or None."""
        async with self._transaction(write=False) as db:
            r = await db.fetchone("SELECT MIN(due_at) FROM timers")
        return None if r is None or r[0] is None else decode_ts(r[0])

    async def all_timers(self) -> list[Timer]:
        """Return every timer, earliest first."""
        async with self._transaction(write=False) as db:
            rows = await db.fetchall(f"SELECT {_TIMER_COLS} FROM timers ORDER BY due_at, timer_id")
        return [timer_from_row(r) for r in rows]

    async def all_reminders(self) -> list[Reminder]:
        """Return every reminder."""
        async with self._transaction(write=False) as db:
            rows = await db.fetchall(f"SELECT {_REMINDER_COLS} FROM reminders ORDER BY user_id")
        return [_reminder_from_row(r) for r in rows]

    async def claim_reminder(self, user_id: int, local_date: date) -> bool:
        """Mark the reminder sent for `local_date`; True only for the first caller."""
        day = local_date.isoformat()
        # `<` rather than `<>`: after a timezone change moves the local date back, no resend.
        async with self._transaction(write=True) as db:
            changed = await db.execute(
                "UPDATE reminders SET last_sent_on = ?"
                " WHERE user_id = ? AND (last_sent_on IS NULL OR last_sent_on < ?)",
                (day, user_id, day),
            )
        return changed == 1

    async def export_rows(self) -> dict[str, list[Row]]:
        """Return every data table's rows as stored, read in one transaction."""
        async with self._transaction(write=False) as db:
            return {t.name: await db.fetchall(t.select_sql()) for t in TABLES}

    async def copy_from(self, other: Store) -> dict[str, int]:
        """Copy every table's rows from `other`, skipping existing keys; rows read per table."""
        rows = await other.export_rows()
        async with self._transaction(write=True) as db:
            for table in TABLES:
                if rows.get(table.name):
                    await db.executemany(table.insert_ignore_sql(), rows[table.name])
        return {t.name: len(rows.get(t.name, [])) for t in TABLES}


def open_store(*, database_url: str | None, sqlite_path: Path) -> Store:
    """Return an unopened PostgresStore for a postgres URL, else a SqliteStore at the path."""
    if database_url and database_url.startswith(("postgres://", "postgresql://")):
        try:
            from bot.store_postgres import PostgresStore
        except ImportError as exc:
            raise RuntimeError(
                "DATABASE_URL names PostgreSQL but psycopg is not installed;"
                " install the 'postgres' extra (psycopg[binary,pool])"
            ) from exc
        return PostgresStore(database_url)
    from bot.store_sqlite import SqliteStore

    sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteStore(sqlite_path)
