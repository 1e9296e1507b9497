"""SQLite backend of the store: one aiosqlite connection, WAL, one transaction at a time."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import aiosqlite

from bot.store.model import Db, Row, Timer
from bot.store.rows import encode_ts, timer_from_row
from bot.store.sql import SqlStore


class _SqliteDb:
    """`Db` over an aiosqlite connection."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run a statement and return its row count."""
        async with self._conn.execute(sql, params) as cur:
            return cur.rowcount

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run a statement once per parameter row."""
        await self._conn.executemany(sql, rows)

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Run a query and return all rows."""
        return [tuple(r) for r in await self._conn.execute_fetchall(sql, params)]

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        """Run a query and return its first row, or None."""
        async with self._conn.execute(sql, params) as cur:
            r = await cur.fetchone()
        return None if r is None else tuple(r)


class SqliteStore(SqlStore):
    """Store in a SQLite file; several processes may share the file (WAL, busy timeout)."""

    def __init__(self, path: Path, *, busy_timeout_ms: int = 5000) -> None:
        super().__init__()
        self.path = path
        self._busy_timeout_ms = busy_timeout_ms
        self._conn: aiosqlite.Connection | None = None
        # One connection cannot interleave transactions, so they take turns.
        self._lock = asyncio.Lock()

    async def _enable_wal(self, conn: aiosqlite.Connection) -> None:
        """Switch the file to WAL. SQLite does not wait on its busy timeout for this when
        another process is switching a new file at the same moment, so retry until then."""
        deadline = asyncio.get_running_loop().time() + self._busy_timeout_ms / 1000
        while True:
            try:
                await conn.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or asyncio.get_running_loop().time() > deadline:
                    raise
                await asyncio.sleep(0.02)

    async def open(self) -> None:
        """Connect, set the pragmas and apply pending migrations."""
        if self._conn is not None:
            return
        await asyncio.to_thread(self.path.parent.mkdir, parents=True, exist_ok=True)
        # isolation_level=None: the sqlite3 module issues no implicit BEGIN; we do our own.
        conn = await aiosqlite.connect(self.path, isolation_level=None)
        try:
            await conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")
            await self._enable_wal(conn)
            await conn.execute("PRAGMA synchronous = NORMAL")
            await conn.execute("PRAGMA foreign_keys = ON")
            # Deleted rows are overwritten with zeros, not just unlinked (see `forget`).
            await conn.execute("PRAGMA secure_delete = ON")
        except BaseException:
            await conn.close()
            raise
        self._conn = conn
        try:
            # BEGIN IMMEDIATE takes the write lock, so concurrent openers migrate one at a time.
            async with self._transaction(write=True) as db:
                await self._migrate(db)
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        """Close the connection; safe to call twice."""
        conn, self._conn = self._conn, None
        if conn is not None:
            async with self._lock:
                await conn.close()

    @asynccontextmanager
    async def _begin(self, *, write: bool) -> AsyncIterator[Db]:
        """Open a transaction (IMMEDIATE when writing) on the shared connection."""
        async with self._lock:
            conn = self._conn
            if conn is None:
                raise RuntimeError("SqliteStore is not open")
            if conn.in_transaction:
                # Left open by a commit or rollback that was itself interrupted.
                await conn.rollback()
            await conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield _SqliteDb(conn)
            except BaseException:
                await conn.rollback()
                raise
            await conn.commit()

    async def _lock_user(self, db: Db, user_id: int) -> None:
        """Nothing to do: BEGIN IMMEDIATE already serialises every writer of the file."""

    async def _erase_deleted(self) -> None:
        """Copy the WAL into the file and empty it: the deleted (zeroed) rows replace the old
        pages in the file, and no earlier copy of them stays behind in the WAL. A reader in
        another process can keep the WAL from being emptied; the next forget tries again."""
        async with self._lock:
            if self._conn is not None:
                await self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    async def claim_due_timers(self, now: datetime, limit: int = 50) -> list[Timer]:
        """Remove and return timers due at `now`, each to exactly one caller."""
        due = encode_ts(now)
        async with self._transaction(write=True) as db:
            rows = await db.fetchall(
                "SELECT timer_id, user_id, chat_id, due_at, payload FROM timers"
                " WHERE due_at <= ? ORDER BY due_at, timer_id LIMIT ?",
                (due, limit),
            )
            await db.executemany("DELETE FROM timers WHERE timer_id = ?", [(r[0],) for r in rows])
        return [timer_from_row(r) for r in rows]
