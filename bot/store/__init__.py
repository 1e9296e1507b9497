"""Persistent per-user state: the interface, its SQLite (default) and PostgreSQL backends.

`open_store` picks the backend; everything else imports the types from here.
"""

from __future__ import annotations

from pathlib import Path

from bot.store.model import (
    FinishedSession,
    Reminder,
    ReviewQuestion,
    Row,
    Store,
    Timer,
    User,
    UserTx,
)

__all__ = [
    "FinishedSession",
    "Reminder",
    "ReviewQuestion",
    "Row",
    "Store",
    "Timer",
    "User",
    "UserTx",
    "open_store",
]


def open_store(*, database_url: str | None, sqlite_path: Path) -> Store:
    """Return an unopened PostgresStore for a postgres URL, else a SqliteStore at the path."""
    if database_url and database_url.startswith(("postgres://", "postgresql://")):
        try:
            from bot.store.postgres import PostgresStore
        except ImportError as exc:
            raise RuntimeError(
                "DATABASE_URL names PostgreSQL but psycopg is not installed;"
                " install the 'postgres' extra (psycopg[binary,pool])"
            ) from exc
        return PostgresStore(database_url)
    from bot.store.sqlite import SqliteStore

    sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteStore(sqlite_path)
