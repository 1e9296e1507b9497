"""PostgreSQL backend of the store: psycopg 3 async with a connection pool."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from psycopg import AsyncConnection, sql
from psycopg.rows import TupleRow
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from bot.store.model import Db, Row, Timer
from bot.store.rows import encode_ts, timer_from_row
from bot.store.schema import to_pyformat
from bot.store.sql import SqlStore

_Pool = AsyncConnectionPool[AsyncConnection[TupleRow]]


class _PgDb:
    """`Db` over a psycopg async connection, translating `?` placeholders."""

    def __init__(self, conn: AsyncConnection[TupleRow]) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run a statement and return its row count."""
        async with self._conn.cursor() as cur:
            await cur.execute(to_pyformat(sql), tuple(params))
            return cur.rowcount

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run a statement once per parameter row."""
        async with self._conn.cursor() as cur:
            await cur.executemany(to_pyformat(sql), rows)

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Run a query and return all rows."""
        async with self._conn.cursor() as cur:
            await cur.execute(to_pyformat(sql), tuple(params))
            return await cur.fetchall()

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        """Run a query and return its first row, or None."""
        async with self._conn.cursor() as cur:
            await cur.execute(to_pyformat(sql), tuple(params))
            return await cur.fetchone()


class PostgresStore(SqlStore):
    """Store in PostgreSQL for many processes; tables in `schema` or the URL's search_path."""

    def __init__(
        self,
        database_url: str,
        *,
        schema: str | None = None,
        min_size: int = 1,
        max_size: int = 5,
        open_timeout: float = 10.0,
    ) -> None:
        super().__init__()
        self._url = database_url
        self.schema = schema
        self._min_size = min_size
        self._max_size = max_size
        self._open_timeout = open_timeout
        self._pool: _Pool | None = None

    async def _configure(self, conn: AsyncConnection[TupleRow]) -> None:
        if self.schema is not None:
            await conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(self.schema)))

    async def open(self) -> None:
        """Open the pool and apply pending migrations under an advisory lock."""
        if self._pool is not None:
            return
        pool: _Pool = AsyncConnectionPool(
            self._url,
            min_size=self._min_size,
            max_size=self._max_size,
            open=False,
            kwargs={"autocommit": True},
            configure=self._configure,
            # Finds connections the server dropped (e.g. on restart) before an action uses them.
            check=AsyncConnectionPool.check_connection,
            name="hipbot-store",
        )
        try:
            await pool.open(wait=True, timeout=self._open_timeout)
        except PoolTimeout as error:
            await pool.close()
            # An OSError, as for any server that cannot be reached (the URL may hold a password).
            raise ConnectionError(
                f"PostgreSQL did not accept a connection within {self._open_timeout:.0f} s"
            ) from error
        except BaseException:
            await pool.close()
            raise
        self._pool = pool
        try:
            async with pool.connection() as conn, conn.transaction():
                # Two processes starting at once: the second waits here, then finds no work.
                await conn.execute(
                    "SELECT pg_advisory_xact_lock(hashtext('hipbot-store-migrate'), hashtext(%s))",
                    (self.schema or "",),
                )
                if self.schema is not None:
                    await conn.execute(
                        sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
                            sql.Identifier(self.schema)
                        )
                    )
                await self._migrate(_PgDb(conn))
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        """Close the pool; safe to call twice."""
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()

    @asynccontextmanager
    async def _begin(self, *, write: bool) -> AsyncIterator[Db]:
        """Open a transaction on a pooled connection (read-only snapshot when not writing)."""
        if self._pool is None:
            raise RuntimeError("PostgresStore is not open")
        async with self._pool.connection() as conn, conn.transaction():
            if not write:
                await conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield _PgDb(conn)

    async def _lock_user(self, db: Db, user_id: int) -> None:
        """Lock the user's `user_locks` row, creating it if needed."""
        while True:
            await db.execute(
                "INSERT INTO user_locks (user_id) VALUES (?) ON CONFLICT (user_id) DO NOTHING",
                (user_id,),
            )
            # No row means a concurrent `forget` deleted it while we waited: insert it again.
            if await db.fetchone(
                "SELECT user_id FROM user_locks WHERE user_id = ? FOR UPDATE", (user_id,)
            ):
                return

    async def _erase_deleted(self) -> None:
        """Nothing here can: deleted rows stay in the table files as dead tuples until VACUUM
        reclaims the space, and in the WAL and backups until they are recycled (README)."""

    async def claim_due_timers(self, now: datetime, limit: int = 50) -> list[Timer]:
        """Remove and return timers due at `now`, each to exactly one caller."""
        async with self._transaction(write=True) as db:
            rows = await db.fetchall(
                "DELETE FROM timers WHERE timer_id IN ("
                " SELECT timer_id FROM timers WHERE due_at <= ?"
                " ORDER BY due_at, timer_id LIMIT ? FOR UPDATE SKIP LOCKED)"
                " RETURNING timer_id, user_id, chat_id, due_at, payload",
                (encode_ts(now), limit),
            )
        return sorted((timer_from_row(r) for r in rows), key=lambda t: (t.due_at, t.timer_id))
