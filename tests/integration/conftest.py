"""Store fixtures: every contract test runs against SQLite and against PostgreSQL.

PostgreSQL comes from HIPBOT_TEST_PG_DSN (default postgresql://postgres@127.0.0.1:5432/test);
each test gets a fresh schema, dropped afterwards. An unreachable server skips the postgres
cases, unless HIPBOT_REQUIRE_POSTGRES=1 (as in CI), which makes them fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import aiosqlite
import pytest

from bot.store import Store
from bot.store.schema import to_pyformat
from bot.store.sqlite import SqliteStore

PG_DSN = os.environ.get("HIPBOT_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_POSTGRES = os.environ.get("HIPBOT_REQUIRE_POSTGRES") == "1"


class StoreFactory:
    """Makes store instances on one test database and queries that database directly."""

    kind = ""

    def __init__(self) -> None:
        self._stores: list[Store] = []

    def _make(self) -> Store:
        raise NotImplementedError

    def new(self) -> Store:
        """Return a new, unopened store on this database (closed at teardown)."""
        store = self._make()
        self._stores.append(store)
        return store

    async def open_new(self) -> Store:
        """Return a new, opened store on this database."""
        store = self.new()
        await store.open()
        return store

    async def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run `sql` (with `?` placeholders) on a separate connection and return its rows."""
        raise NotImplementedError

    async def table_columns(self) -> dict[str, list[str]]:
        """Return every table of the store's schema with its columns in order."""
        raise NotImplementedError

    async def aclose(self) -> None:
        """Close every store made here."""
        for store in self._stores:
            await store.close()


class SqliteFactory(StoreFactory):
    """Stores on one SQLite file."""

    kind = "sqlite"

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    def _make(self) -> Store:
        return SqliteStore(self.path)

    async def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run `sql` on a separate connection and return its rows."""
        async with aiosqlite.connect(self.path, isolation_level=None) as conn:
            return [tuple(r) for r in await conn.execute_fetchall(sql, params)]

    async def table_columns(self) -> dict[str, list[str]]:
        """Return every table with its columns in order."""
        tables = await self.query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
        out: dict[str, list[str]] = {}
        for (name,) in tables:
            out[name] = [r[1] for r in await self.query(f"PRAGMA table_info({name})")]
        return out


class PostgresFactory(StoreFactory):
    """Stores in one fresh PostgreSQL schema."""

    kind = "postgres"

    def __init__(self, dsn: str) -> None:
        super().__init__()
        self.dsn = dsn
        self.schema = f"hipbot_test_{uuid.uuid4().hex[:12]}"

    def _make(self) -> Store:
        from bot.store.postgres import PostgresStore

        return PostgresStore(self.dsn, schema=self.schema)

    async def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run `sql` on a separate connection in the test schema and return its rows."""
        import psycopg

        async with await psycopg.AsyncConnection.connect(self.dsn, autocommit=True) as conn:
            await conn.execute(
                psycopg.sql.SQL("SET search_path TO {}").format(psycopg.sql.Identifier(self.schema))
            )
            cur = await conn.execute(to_pyformat(sql), tuple(params))
            return await cur.fetchall() if cur.description is not None else []

    async def table_columns(self) -> dict[str, list[str]]:
        """Return every table of the test schema with its columns in order."""
        rows = await self.query(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = ? ORDER BY table_name, ordinal_position",
            (self.schema,),
        )
        out: dict[str, list[str]] = {}
        for table, column in rows:
            out.setdefault(table, []).append(column)
        return out

    async def aclose(self) -> None:
        """Close every store and drop the test schema."""
        import psycopg

        await super().aclose()
        async with await psycopg.AsyncConnection.connect(self.dsn, autocommit=True) as conn:
            await conn.execute(
                psycopg.sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                    psycopg.sql.Identifier(self.schema)
                )
            )


def _describe(dsn: str) -> str:
    """Return the DSN without its password, for messages."""
    try:
        from psycopg.conninfo import conninfo_to_dict

        parts = conninfo_to_dict(dsn)
    except Exception:
        return "the configured DSN"
    parts.pop("password", None)
    return " ".join(f"{k}={v}" for k, v in parts.items())


@pytest.fixture(scope="session")
def pg_dsn() -> str:
    """Return the test PostgreSQL DSN, or skip (fail under HIPBOT_REQUIRE_POSTGRES=1)."""
    reason = ""
    try:
        import psycopg

        with psycopg.connect(PG_DSN, connect_timeout=3):
            pass
    except ImportError as exc:
        reason = f"psycopg is not installed: {exc}"
    except Exception as exc:
        reason = f"PostgreSQL not reachable at {_describe(PG_DSN)}: {' '.join(str(exc).split())}"
    if reason:
        if REQUIRE_POSTGRES:
            pytest.fail(f"{reason} (HIPBOT_REQUIRE_POSTGRES=1)", pytrace=False)
        pytest.skip(reason)
    return PG_DSN


@pytest.fixture
async def sqlite_factory(tmp_path: Path) -> AsyncIterator[SqliteFactory]:
    """Stores on a SQLite file in tmp_path."""
    factory = SqliteFactory(tmp_path / "store.sqlite3")
    yield factory
    await factory.aclose()


@pytest.fixture
async def postgres_factory(pg_dsn: str) -> AsyncIterator[PostgresFactory]:
    """Stores in a fresh PostgreSQL schema, dropped afterwards."""
    factory = PostgresFactory(pg_dsn)
    yield factory
    await factory.aclose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_factory(request: pytest.FixtureRequest) -> StoreFactory:
    """A factory for each backend."""
    factory: StoreFactory = request.getfixturevalue(f"{request.param}_factory")
    return factory


@pytest.fixture
async def store(store_factory: StoreFactory) -> Store:
    """An opened store on each backend."""
    return await store_factory.open_new()
