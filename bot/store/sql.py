"""The backend-independent SQL behind a `Store`, written once with `?` placeholders.

One `Store.user_action` is one transaction, committed before the bot replies, so a crash
loses at most the action in flight. SQLite (`bot.store.sqlite`) and PostgreSQL
(`bot.store.postgres`) both run these statements.
"""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from contextvars import ContextVar
from datetime import date, datetime

from bot.store.model import (
    QUESTION_KINDS,
    REVIEW_REASONS,
    UNANSWERED_MAX_CHARS,
    Db,
    FinishedSession,
    Reminder,
    ReviewQuestion,
    Row,
    Store,
    Timer,
    UserTx,
    utcnow,
)
from bot.store.rows import (
    REMINDER_COLS,
    SESSION_COLS,
    TIMER_COLS,
    decode_ts,
    encode_ts,
    reminder_from_row,
    session_from_row,
    timer_from_row,
)
from bot.store.schema import MIGRATIONS, SCHEMA_VERSION_DDL, TABLES
from bot.store.user_tx import SqlUserTx


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

    @abstractmethod
    async def _erase_deleted(self) -> None:
        """After a committed `forget`: make the deleted rows unreadable where the backend can."""

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
                (version, encode_ts(utcnow())),
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
        if tx.forgot:
            await self._erase_deleted()

    async def record_question(self, kind: str, entry_id: str | None, score: float) -> None:
        """Log a question anonymously by how it was handled."""
        if kind not in QUESTION_KINDS:
            raise ValueError(f"unknown question kind {kind!r}; expected one of {QUESTION_KINDS}")
        async with self._transaction(write=True) as db:
            await db.execute(
                "INSERT INTO question_log (id, kind, entry_id, score, asked_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (uuid.uuid4().hex, kind, entry_id, float(score), encode_ts(utcnow())),
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
                    encode_ts(utcnow()),
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
                f"SELECT {SESSION_COLS} FROM finished_sessions"
                " ORDER BY finished_at DESC, started_at DESC, user_id LIMIT ?",
                (limit,),
            )
        return [session_from_row(r) for r in rows]

    async def next_timer_due(self) -> datetime | None:
        """Return the earliest due time of any timer, or None."""
        async with self._transaction(write=False) as db:
            r = await db.fetchone("SELECT MIN(due_at) FROM timers")
        return None if r is None or r[0] is None else decode_ts(r[0])

    async def all_timers(self) -> list[Timer]:
        """Return every timer, earliest first."""
        async with self._transaction(write=False) as db:
            rows = await db.fetchall(f"SELECT {TIMER_COLS} FROM timers ORDER BY due_at, timer_id")
        return [timer_from_row(r) for r in rows]

    async def all_reminders(self) -> list[Reminder]:
        """Return every reminder."""
        async with self._transaction(write=False) as db:
            rows = await db.fetchall(f"SELECT {REMINDER_COLS} FROM reminders ORDER BY user_id")
        return [reminder_from_row(r) for r in rows]

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

    async def prune_seen_updates(self, before: datetime) -> int:
        """Forget the ids of updates handled before `before`; how many were forgotten."""
        async with self._transaction(write=True) as db:
            return await db.execute(
                "DELETE FROM seen_updates WHERE seen_at < ?", (encode_ts(before),)
            )

    async def picture_file_id(self, name: str, fingerprint: str) -> str | None:
        """Telegram's file_id for this picture as it is now (same fingerprint), if uploaded."""
        async with self._transaction(write=False) as db:
            row = await db.fetchone(
                "SELECT file_id FROM picture_files WHERE name = ? AND fingerprint = ?",
                (name, fingerprint),
            )
        return str(row[0]) if row else None

    async def save_picture_file_id(self, name: str, fingerprint: str, file_id: str) -> None:
        """Remember Telegram's file_id for this picture."""
        async with self._transaction(write=True) as db:
            await db.execute(
                "INSERT INTO picture_files (name, fingerprint, file_id, saved_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET"
                " fingerprint = excluded.fingerprint, file_id = excluded.file_id,"
                " saved_at = excluded.saved_at",
                (name, fingerprint, file_id, encode_ts(utcnow())),
            )

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
