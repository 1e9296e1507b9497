"""Database schema of the store: versioned migrations and the table catalogue.

Every statement here is portable between SQLite and PostgreSQL: only BIGINT, INTEGER,
DOUBLE PRECISION and TEXT columns, timestamps as fixed-width ISO-8601 UTC text (so text
order is time order), `?` placeholders (translated for psycopg by `to_pyformat`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

SCHEMA_VERSION_DDL = (
    "CREATE TABLE IF NOT EXISTS schema_version ("
    " version INTEGER PRIMARY KEY,"
    " applied_at TEXT NOT NULL)"
)

# Append new steps; never edit a step that has shipped. Step N (1-based) is schema version N.
MIGRATIONS: list[list[str]] = [
    [
        "CREATE TABLE users ("
        " user_id BIGINT PRIMARY KEY,"
        " chat_id BIGINT NOT NULL,"
        " timezone TEXT NOT NULL,"
        " created_at TEXT NOT NULL)",
        # One row per user that has acted; PostgreSQL locks it (FOR UPDATE) per user action.
        "CREATE TABLE user_locks (user_id BIGINT PRIMARY KEY)",
        "CREATE TABLE active_sessions ("
        " user_id BIGINT PRIMARY KEY,"
        " data TEXT NOT NULL,"
        " updated_at TEXT NOT NULL)",
        "CREATE TABLE user_state ("
        " user_id BIGINT NOT NULL,"
        " key TEXT NOT NULL,"
        " value TEXT NOT NULL,"
        " PRIMARY KEY (user_id, key))",
        "CREATE TABLE finished_sessions ("
        " user_id BIGINT NOT NULL,"
        " started_at TEXT NOT NULL,"
        " routine_id TEXT NOT NULL,"
        " level TEXT NOT NULL,"
        " finished_at TEXT NOT NULL,"
        " pain_before INTEGER,"
        " pain_after INTEGER,"
        " steps_done INTEGER NOT NULL,"
        " steps_skipped INTEGER NOT NULL,"
        " completed INTEGER NOT NULL,"
        " PRIMARY KEY (user_id, started_at))",
        "CREATE INDEX finished_sessions_finished_at ON finished_sessions (finished_at)",
        "CREATE TABLE reminders ("
        " user_id BIGINT PRIMARY KEY,"
        " chat_id BIGINT NOT NULL,"
        " time TEXT NOT NULL,"
        " timezone TEXT NOT NULL,"
        " last_sent_on TEXT)",
        "CREATE TABLE feedback ("
        " user_id BIGINT NOT NULL,"
        " entry_id TEXT NOT NULL,"
        " helpful INTEGER NOT NULL,"
        " created_at TEXT NOT NULL,"
        " PRIMARY KEY (user_id, entry_id))",
        "CREATE INDEX feedback_entry_id ON feedback (entry_id)",
        "CREATE TABLE timers ("
        " timer_id TEXT PRIMARY KEY,"
        " user_id BIGINT NOT NULL,"
        " chat_id BIGINT NOT NULL,"
        " due_at TEXT NOT NULL,"
        " payload TEXT NOT NULL)",
        "CREATE INDEX timers_due_at ON timers (due_at)",
        "CREATE INDEX timers_user_id ON timers (user_id)",
        # Anonymous logs: deliberately no user or chat id.
        "CREATE TABLE question_log ("
        " id TEXT PRIMARY KEY,"
        " kind TEXT NOT NULL,"
        " entry_id TEXT,"
        " score DOUBLE PRECISION NOT NULL,"
        " asked_at TEXT NOT NULL)",
        "CREATE TABLE unanswered ("
        " id TEXT PRIMARY KEY,"
        " text TEXT NOT NULL,"
        " asked_at TEXT NOT NULL)",
        "CREATE INDEX unanswered_asked_at ON unanswered (asked_at)",
    ],
    # 2: answers marked "not helpful" are kept for review beside unanswered questions.
    [
        "ALTER TABLE unanswered ADD COLUMN reason TEXT NOT NULL DEFAULT 'unanswered'",
        "ALTER TABLE unanswered ADD COLUMN entry_id TEXT",
    ],
    # 3: ids of the updates already handled, shared by every process on the database, so an
    # update Telegram delivers twice is handled once. No user id: kept for a day, then pruned.
    [
        "CREATE TABLE seen_updates (update_id BIGINT PRIMARY KEY, seen_at TEXT NOT NULL)",
        "CREATE INDEX seen_updates_seen_at ON seen_updates (seen_at)",
    ],
    # 4: Telegram's file_id of each exercise picture once uploaded, so later cards reuse it.
    # Not about a user; a picture drawn again (another fingerprint) is uploaded again.
    [
        "CREATE TABLE picture_files (name TEXT PRIMARY KEY, fingerprint TEXT NOT NULL,"
        " file_id TEXT NOT NULL, saved_at TEXT NOT NULL)",
    ],
]


@dataclass(frozen=True)
class Table:
    """A data table of the current schema: its columns in order and its primary key."""

    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]
    per_user: bool

    def select_sql(self) -> str:
        """Return a SELECT of every column in primary-key order."""
        return f"SELECT {', '.join(self.columns)} FROM {self.name} ORDER BY {', '.join(self.key)}"

    def insert_ignore_sql(self) -> str:
        """Return an INSERT of one row that skips a row whose key already exists."""
        marks = ", ".join("?" for _ in self.columns)
        return (
            f"INSERT INTO {self.name} ({', '.join(self.columns)}) VALUES ({marks})"
            f" ON CONFLICT ({', '.join(self.key)}) DO NOTHING"
        )


# Must match MIGRATIONS applied in full; the contract tests compare it with the live catalogue.
TABLES: tuple[Table, ...] = (
    Table("users", ("user_id", "chat_id", "timezone", "created_at"), ("user_id",), True),
    Table("user_locks", ("user_id",), ("user_id",), True),
    Table("active_sessions", ("user_id", "data", "updated_at"), ("user_id",), True),
    Table("user_state", ("user_id", "key", "value"), ("user_id", "key"), True),
    Table(
        "finished_sessions",
        (
            "user_id",
            "started_at",
            "routine_id",
            "level",
            "finished_at",
            "pain_before",
            "pain_after",
            "steps_done",
            "steps_skipped",
            "completed",
        ),
        ("user_id", "started_at"),
        True,
    ),
    Table(
        "reminders",
        ("user_id", "chat_id", "time", "timezone", "last_sent_on"),
        ("user_id",),
        True,
    ),
    Table(
        "feedback", ("user_id", "entry_id", "helpful", "created_at"), ("user_id", "entry_id"), True
    ),
    Table("timers", ("timer_id", "user_id", "chat_id", "due_at", "payload"), ("timer_id",), True),
    Table("question_log", ("id", "kind", "entry_id", "score", "asked_at"), ("id",), False),
    Table("unanswered", ("id", "text", "asked_at", "reason", "entry_id"), ("id",), False),
    Table("seen_updates", ("update_id", "seen_at"), ("update_id",), False),
    Table("picture_files", ("name", "fingerprint", "file_id", "saved_at"), ("name",), False),
)

TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}
USER_TABLES: tuple[str, ...] = tuple(t.name for t in TABLES if t.per_user)


@functools.lru_cache(maxsize=256)
def to_pyformat(query: str) -> str:
    """Translate a `?`-placeholder statement to psycopg's `%s` style."""
    return query.replace("%", "%%").replace("?", "%s")
