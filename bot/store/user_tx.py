"""One user's transaction in SQL: everything a user action reads or writes."""

from __future__ import annotations

from bot.store.model import (
    TIME_RE,
    Db,
    FinishedSession,
    Reminder,
    Timer,
    User,
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
)
from bot.store.schema import TABLES


class SqlUserTx:
    """`UserTx` over a `Db`; valid only inside its `user_action` block."""

    def __init__(self, user_id: int, db: Db) -> None:
        self.user_id = user_id
        self._db: Db | None = db
        self.forgot = False

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
            (self.user_id, data, encode_ts(utcnow())),
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
            f"INSERT INTO finished_sessions ({SESSION_COLS})"
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
            f"SELECT {SESSION_COLS} FROM finished_sessions WHERE user_id = ?"
            " ORDER BY finished_at DESC, started_at DESC LIMIT ?",
            (self.user_id, limit),
        )
        return [session_from_row(r) for r in rows]

    async def set_reminder(self, chat_id: int, time: str | None, timezone: str) -> None:
        """Set the daily reminder ("HH:MM" local); None deletes it; `last_sent_on` is kept."""
        if time is None:
            await self._conn().execute("DELETE FROM reminders WHERE user_id = ?", (self.user_id,))
            return
        if not TIME_RE.fullmatch(time):
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
            f"SELECT {REMINDER_COLS} FROM reminders WHERE user_id = ?", (self.user_id,)
        )
        return None if r is None else reminder_from_row(r)

    async def add_feedback(self, entry_id: str, helpful: bool) -> None:
        """Record the user's vote on an answer; a later vote replaces an earlier one."""
        await self._conn().execute(
            "INSERT INTO feedback (user_id, entry_id, helpful, created_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (user_id, entry_id) DO UPDATE"
            " SET helpful = excluded.helpful, created_at = excluded.created_at",
            (self.user_id, entry_id, int(helpful), encode_ts(utcnow())),
        )

    async def upsert_timer(self, timer: Timer) -> None:
        """Create or replace one of the user's timers."""
        self._check_owner(timer.user_id, "Timer")
        # The WHERE keeps a timer id that belongs to another user from being taken over.
        changed = await self._conn().execute(
            f"INSERT INTO timers ({TIMER_COLS}) VALUES (?, ?, ?, ?, ?)"
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

    async def claim_update(self, update_id: int) -> bool:
        """Remember that the update with this id is handled here; False if it already was."""
        changed = await self._conn().execute(
            "INSERT INTO seen_updates (update_id, seen_at) VALUES (?, ?)"
            " ON CONFLICT (update_id) DO NOTHING",
            (update_id, encode_ts(utcnow())),
        )
        return changed == 1

    async def forget(self) -> None:
        """Delete every row about the user in every table."""
        db = self._conn()
        for table in TABLES:
            if table.per_user:
                await db.execute(f"DELETE FROM {table.name} WHERE user_id = ?", (self.user_id,))
        self.forgot = True
