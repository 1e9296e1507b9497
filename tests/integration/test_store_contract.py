"""Contract tests of the Store, run against SQLite and PostgreSQL alike."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.store import (
    FinishedSession,
    Reminder,
    Store,
    Timer,
    User,
    open_store,
)
from bot.store.rows import decode_ts, encode_ts
from bot.store.schema import MIGRATIONS, TABLES, USER_TABLES
from bot.store.sqlite import SqliteStore
from tests.integration.conftest import PostgresFactory, SqliteFactory, StoreFactory

T0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
ANONYMOUS_TABLES = {"schema_version", "question_log", "unanswered", "seen_updates", "picture_files"}


def session(user_id: int, minutes: int, *, completed: bool = True) -> FinishedSession:
    """Return a finished session that started `minutes` after T0 and lasted ten minutes."""
    start = T0 + timedelta(minutes=minutes)
    return FinishedSession(
        user_id=user_id,
        routine_id=f"routine-{minutes}",
        level="gentle",
        started_at=start,
        finished_at=start + timedelta(minutes=10),
        pain_before=4 if completed else None,
        pain_after=2 if completed else None,
        steps_done=6,
        steps_skipped=1,
        completed=completed,
    )


async def populate(store: Store, user_id: int, chat_id: int) -> None:
    """Write a row about the user in every per-user table, and some anonymous logs."""
    async with store.user_action(user_id) as tx:
        await tx.save_user(User(user_id, chat_id, "Europe/Berlin", T0))
        await tx.save_active_session('{"routine": "hips", "step": 3}')
        await tx.set_state("pending", "ask_pain")
        await tx.add_finished_session(session(user_id, 0))
        await tx.add_finished_session(session(user_id, 60, completed=False))
        await tx.set_reminder(chat_id, "07:30", "Europe/Berlin")
        await tx.add_feedback("psoas-stretch", True)
        await tx.add_feedback(f"entry-{user_id}", False)
        await tx.upsert_timer(
            Timer(f"t-{user_id}", user_id, chat_id, T0 + timedelta(hours=1), '{"step": 1}')
        )
    await store.claim_reminder(user_id, date(2024, 5, 1))
    await store.record_question("answer", "psoas-stretch", 0.875)
    await store.record_question("fallback", None, 0.1)
    await store.record_unanswered(f"why does my hip click ({user_id})?")


# --- users, sessions, state -------------------------------------------------------------


async def test_user_upsert_and_get(store: Store) -> None:
    async with store.user_action(1) as tx:
        assert await tx.get_user() is None
        await tx.save_user(User(1, 100, "UTC", T0))
    async with store.user_action(1) as tx:
        await tx.save_user(User(1, 101, "Asia/Kolkata", T0 + timedelta(days=3)))
    async with store.user_action(1) as tx:
        user = await tx.get_user()
    # created_at is kept from the first save.
    assert user == User(1, 101, "Asia/Kolkata", T0)
    assert user.created_at.tzinfo is not None and user.created_at.utcoffset() == timedelta(0)
    assert await store.user_count() == 1


async def test_user_default_created_at_is_aware_utc(store: Store) -> None:
    async with store.user_action(2) as tx:
        await tx.save_user(User(2, 200))
        user = await tx.get_user()
    assert user is not None and user.timezone == "UTC"
    assert user.created_at.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - user.created_at) < timedelta(minutes=1)


async def test_rows_of_another_user_are_refused(store: Store) -> None:
    async with store.user_action(1) as tx:
        with pytest.raises(ValueError):
            await tx.save_user(User(2, 200))
        with pytest.raises(ValueError):
            await tx.add_finished_session(session(2, 0))
        with pytest.raises(ValueError):
            await tx.upsert_timer(Timer("x", 2, 200, T0, "{}"))
        await tx.upsert_timer(Timer("shared", 1, 100, T0, "{}"))
    async with store.user_action(2) as tx:
        with pytest.raises(ValueError):
            await tx.upsert_timer(Timer("shared", 2, 200, T0, "{}"))
    assert [t.user_id for t in await store.all_timers()] == [1]


async def test_naive_datetimes_are_refused(store: Store) -> None:
    async with store.user_action(1) as tx:
        with pytest.raises(ValueError):
            await tx.save_user(User(1, 100, "UTC", datetime(2024, 1, 1)))
    with pytest.raises(ValueError):
        await store.claim_due_timers(datetime(2024, 1, 1))


async def test_active_session_and_state_survive_close_and_reopen(
    store_factory: StoreFactory, store: Store
) -> None:
    async with store.user_action(5) as tx:
        await tx.save_user(User(5, 500))
        await tx.save_active_session('{"routine": "back", "step": 2}')
        await tx.set_state("pending", "pain_after")
    await store.close()
    reopened = await store_factory.open_new()
    async with reopened.user_action(5) as tx:
        assert await tx.get_active_session() == '{"routine": "back", "step": 2}'
        assert await tx.get_state("pending") == "pain_after"
        assert (await tx.get_user()) is not None
    assert await reopened.active_session_count() == 1


async def test_active_session_and_state_clear(store: Store) -> None:
    async with store.user_action(5) as tx:
        await tx.save_active_session("{}")
        await tx.save_active_session('{"step": 1}')
        await tx.set_state("a", "1")
        await tx.set_state("a", "2")
        await tx.set_state("b", "x")
    async with store.user_action(5) as tx:
        assert await tx.get_active_session() == '{"step": 1}'
        assert await tx.get_state("a") == "2"
        await tx.save_active_session(None)
        await tx.set_state("a", None)
    async with store.user_action(5) as tx:
        assert await tx.get_active_session() is None
        assert await tx.get_state("a") is None
        assert await tx.get_state("b") == "x"
    assert await store.active_session_count() == 0


# --- transactions ------------------------------------------------------------------------


class Boom(Exception):
    """Raised inside a user action to make it fail."""


async def test_user_action_that_raises_rolls_back(store: Store) -> None:
    with pytest.raises(Boom):
        async with store.user_action(1) as tx:
            await tx.save_user(User(1, 100))
            await tx.save_active_session("{}")
            await tx.set_state("k", "v")
            await tx.upsert_timer(Timer("t", 1, 100, T0, "{}"))
            raise Boom
    async with store.user_action(1) as tx:
        assert await tx.get_user() is None
        assert await tx.get_active_session() is None
        assert await tx.get_state("k") is None
    assert await store.user_count() == 0
    assert await store.all_timers() == []


async def test_cancelled_user_action_rolls_back(store: Store) -> None:
    inside = asyncio.Event()

    async def slow_action() -> None:
        async with store.user_action(1) as tx:
            await tx.set_state("k", "v")
            inside.set()
            await asyncio.sleep(30)

    task = asyncio.create_task(slow_action())
    await inside.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    async with store.user_action(1) as tx:
        assert await tx.get_state("k") is None


async def test_store_calls_inside_a_user_action_are_refused(store: Store) -> None:
    async with store.user_action(1) as tx:
        with pytest.raises(RuntimeError):
            await store.user_count()
        with pytest.raises(RuntimeError):
            async with store.user_action(2):
                pass
        await tx.set_state("k", "v")
    with pytest.raises(RuntimeError):
        await tx.get_state("k")
    assert await store.user_count() == 0


async def test_a_store_that_is_not_open_refuses_actions(store_factory: StoreFactory) -> None:
    store = store_factory.new()
    with pytest.raises(RuntimeError, match="not open"):
        async with store.user_action(1):
            pass
    await store.open()
    await store.close()
    with pytest.raises(RuntimeError, match="not open"):
        await store.user_count()


async def test_user_actions_serialise_across_store_instances(store_factory: StoreFactory) -> None:
    a = await store_factory.open_new()
    b = await store_factory.open_new()
    running = 0
    most_running = 0

    async def bump(store: Store) -> None:
        nonlocal running, most_running
        async with store.user_action(7) as tx:
            running += 1
            most_running = max(most_running, running)
            n = int(await tx.get_state("counter") or "0")
            await asyncio.sleep(0.002)
            await tx.set_state("counter", str(n + 1))
            running -= 1

    await asyncio.gather(*(bump(a if i % 2 else b) for i in range(20)))
    async with a.user_action(7) as tx:
        assert await tx.get_state("counter") == "20"
    assert most_running == 1


# --- finished sessions -------------------------------------------------------------------


async def test_finished_sessions_newest_first(store: Store) -> None:
    async with store.user_action(1) as tx:
        for minutes in (30, 0, 90, 60):
            await tx.add_finished_session(session(1, minutes, completed=minutes != 60))
    async with store.user_action(2) as tx:
        await tx.add_finished_session(session(2, 45))
    async with store.user_action(1) as tx:
        mine = await tx.finished_sessions()
        last_two = await tx.finished_sessions(limit=2)
    assert [s.started_at for s in mine] == [T0 + timedelta(minutes=m) for m in (90, 60, 30, 0)]
    assert mine[1] == session(1, 60, completed=False)
    assert mine[1].pain_before is None and mine[1].completed is False
    assert last_two == mine[:2]
    everyone = await store.all_finished_sessions()
    assert [(s.user_id, s.routine_id) for s in everyone] == [
        (1, "routine-90"),
        (1, "routine-60"),
        (2, "routine-45"),
        (1, "routine-30"),
        (1, "routine-0"),
    ]
    assert len(await store.all_finished_sessions(limit=3)) == 3
    assert all(s.finished_at.utcoffset() == timedelta(0) for s in everyone)


# --- reminders ---------------------------------------------------------------------------


async def test_reminder_set_update_claim_delete(store: Store) -> None:
    async with store.user_action(1) as tx:
        assert await tx.get_reminder() is None
        await tx.set_reminder(100, "07:30", "Europe/Berlin")
        with pytest.raises(ValueError):
            await tx.set_reminder(100, "25:00", "UTC")
    day = date(2024, 5, 1)
    assert await store.claim_reminder(1, day) is True
    assert await store.claim_reminder(1, day) is False
    assert await store.claim_reminder(1, day - timedelta(days=1)) is False
    async with store.user_action(1) as tx:
        await tx.set_reminder(101, "20:00", "Asia/Tokyo")
        reminder = await tx.get_reminder()
    # Changing the time keeps the day's claim, so today's reminder is not sent twice.
    assert reminder == Reminder(1, 101, "20:00", "Asia/Tokyo", day)
    assert await store.claim_reminder(1, day) is False
    assert await store.claim_reminder(1, day + timedelta(days=1)) is True
    assert await store.all_reminders() == [
        Reminder(1, 101, "20:00", "Asia/Tokyo", day + timedelta(days=1))
    ]
    async with store.user_action(1) as tx:
        await tx.set_reminder(101, None, "Asia/Tokyo")
        assert await tx.get_reminder() is None
    assert await store.all_reminders() == []
    assert await store.claim_reminder(1, day + timedelta(days=2)) is False


async def test_reminder_claimed_once_across_store_instances(store_factory: StoreFactory) -> None:
    a = await store_factory.open_new()
    b = await store_factory.open_new()
    async with a.user_action(3) as tx:
        await tx.set_reminder(300, "09:00", "UTC")
    results = await asyncio.gather(
        *(s.claim_reminder(3, date(2024, 6, 1)) for s in (a, b, a, b, a, b))
    )
    assert sorted(results) == [False] * 5 + [True]


# --- timers ------------------------------------------------------------------------------


async def test_timers_upsert_delete_and_claim(store: Store) -> None:
    assert await store.next_timer_due() is None
    async with store.user_action(1) as tx:
        await tx.upsert_timer(Timer("a", 1, 100, T0 + timedelta(minutes=5), '{"n": 1}'))
        await tx.upsert_timer(Timer("b", 1, 100, T0 + timedelta(minutes=1), '{"n": 2}'))
        await tx.upsert_timer(Timer("c", 1, 100, T0 + timedelta(minutes=9), '{"n": 3}'))
        # Re-arming replaces the timer.
        await tx.upsert_timer(Timer("a", 1, 100, T0 + timedelta(minutes=2), '{"n": 4}'))
        await tx.delete_timer("c")
    async with store.user_action(2) as tx:
        await tx.delete_timer("a")  # not user 2's timer: nothing happens
    assert await store.next_timer_due() == T0 + timedelta(minutes=1)
    assert [t.timer_id for t in await store.all_timers()] == ["b", "a"]

    assert await store.claim_due_timers(T0) == []
    claimed = await store.claim_due_timers(T0 + timedelta(minutes=1, seconds=30))
    assert claimed == [Timer("b", 1, 100, T0 + timedelta(minutes=1), '{"n": 2}')]
    assert claimed[0].due_at.utcoffset() == timedelta(0)
    later = datetime(2024, 5, 1, 10, 0, tzinfo=timezone(timedelta(hours=2)))  # = T0 in UTC+2
    assert await store.claim_due_timers(later + timedelta(minutes=3)) == [
        Timer("a", 1, 100, T0 + timedelta(minutes=2), '{"n": 4}')
    ]
    assert await store.claim_due_timers(T0 + timedelta(days=1)) == []
    assert await store.next_timer_due() is None


async def test_due_timers_are_claimed_once_across_store_instances(
    store_factory: StoreFactory,
) -> None:
    a = await store_factory.open_new()
    b = await store_factory.open_new()
    due_ids = set()
    for user_id in range(1, 7):
        async with a.user_action(user_id) as tx:
            for i in range(10):
                timer_id = f"u{user_id}-{i}"
                due_ids.add(timer_id)
                await tx.upsert_timer(
                    Timer(timer_id, user_id, user_id, T0 + timedelta(seconds=i), "")
                )
            await tx.upsert_timer(
                Timer(f"u{user_id}-future", user_id, user_id, T0 + timedelta(1), "")
            )
    now = T0 + timedelta(minutes=1)

    async def drain(store: Store) -> list[Timer]:
        got: list[Timer] = []
        while batch := await store.claim_due_timers(now, limit=7):
            got += batch
        return got

    results = await asyncio.gather(drain(a), drain(b), drain(a), drain(b))
    claimed = [t.timer_id for batch in results for t in batch]
    assert len(claimed) == len(set(claimed))
    assert set(claimed) == due_ids
    assert sorted(t.timer_id for t in await a.all_timers()) == [f"u{u}-future" for u in range(1, 7)]


# --- anonymous logs and feedback ---------------------------------------------------------


async def test_questions_unanswered_and_feedback(store_factory: StoreFactory, store: Store) -> None:
    for kind in ("answer", "answer", "clarify", "urgent", "smalltalk", "fallback"):
        await store.record_question(kind, "e1" if kind == "answer" else None, 0.5)
    with pytest.raises(ValueError):
        await store.record_question("gossip", None, 0.0)
    assert await store.question_counts() == {
        "answer": 2,
        "clarify": 1,
        "urgent": 1,
        "smalltalk": 1,
        "fallback": 1,
    }

    await store.record_unanswered("first")
    await store.record_unanswered("x" * 5000)
    texts = await store.unanswered()
    assert [t for t, _ in texts] == ["x" * 1000, "first"]
    assert all(when.utcoffset() == timedelta(0) for _, when in texts)
    assert len(await store.unanswered(limit=1)) == 1

    for user_id, entry, helpful in [(1, "e1", True), (2, "e1", False), (3, "e1", True)]:
        async with store.user_action(user_id) as tx:
            await tx.add_feedback(entry, helpful)
    async with store.user_action(2) as tx:
        await tx.add_feedback("e2", False)
        await tx.add_feedback("e1", True)  # changed their mind: replaces the earlier vote
    assert await store.feedback_counts() == {"e1": (3, 0), "e2": (0, 1)}

    columns = await store_factory.table_columns()
    for table in ("unanswered", "question_log"):
        assert not {"user_id", "chat_id"} & set(columns[table])


# --- forget ------------------------------------------------------------------------------


async def test_forget_leaves_no_row_about_the_user(
    store_factory: StoreFactory, store: Store
) -> None:
    await populate(store, 1, 100)
    await populate(store, 2, 200)
    columns = await store_factory.table_columns()
    user_tables = {t for t, cols in columns.items() if "user_id" in cols}
    # Every table is either keyed by user or anonymous; a new table must be one or the other.
    assert set(columns) == user_tables | ANONYMOUS_TABLES
    assert user_tables == set(USER_TABLES)

    async def rows_of(user_id: int) -> dict[str, list[tuple[object, ...]]]:
        return {
            t: await store_factory.query(f"SELECT * FROM {t} WHERE user_id = ?", (user_id,))
            for t in sorted(user_tables)
        }

    before = await rows_of(1)
    assert all(before[t] for t in user_tables if t != "user_locks")
    others = await rows_of(2)

    async with store.user_action(1) as tx:
        await tx.forget()

    assert await rows_of(1) == {t: [] for t in sorted(user_tables)}
    for table, cols in columns.items():
        if "chat_id" in cols:
            assert await store_factory.query(f"SELECT * FROM {table} WHERE chat_id = 100") == []
    assert await rows_of(2) == others
    assert await store.user_count() == 1
    # The user can come back afterwards.
    async with store.user_action(1) as tx:
        assert await tx.get_user() is None
        await tx.save_user(User(1, 100))
    assert await store.user_count() == 2


async def test_forget_on_sqlite_leaves_the_words_in_neither_the_file_nor_its_wal(
    sqlite_factory: SqliteFactory,
) -> None:
    store = await sqlite_factory.open_new()
    words = "my quokka-shaped backache"
    for user_id in (1, 2):
        async with store.user_action(user_id) as tx:
            await tx.save_user(User(user_id, user_id))
            await tx.set_state("answered:heat-or-ice", f"{words} ({user_id})")
            await tx.save_active_session(f'{{"note": "{words}"}}')
    files = [sqlite_factory.path, Path(f"{sqlite_factory.path}-wal")]

    def readable(text: str) -> bool:
        return any(text.encode() in p.read_bytes() for p in files if p.exists())

    assert readable(f"{words} (1)")
    async with store.user_action(1) as tx:
        await tx.forget()

    assert not readable(f"{words} (1)")
    assert await sqlite_factory.query("SELECT value FROM user_state") == [(f"{words} (2)",)]


# --- handled updates ---------------------------------------------------------------------


async def test_an_update_id_is_claimed_once_across_store_instances(
    store_factory: StoreFactory,
) -> None:
    first, second = await store_factory.open_new(), await store_factory.open_new()

    async def claim(store: Store, update_id: int) -> bool:
        async with store.user_action(7) as tx:
            return await tx.claim_update(update_id)

    assert await claim(first, 41) is True
    assert await claim(second, 41) is False
    assert await claim(first, 41) is False
    results = await asyncio.gather(*(claim(s, 42) for s in (first, second, first, second)))
    assert sorted(results) == [False, False, False, True]


async def test_a_claim_is_undone_with_its_action(store: Store) -> None:
    with pytest.raises(RuntimeError):
        async with store.user_action(7) as tx:
            assert await tx.claim_update(43)
            raise RuntimeError("the handler failed")

    async with store.user_action(7) as tx:
        assert await tx.claim_update(43)  # not handled yet: it may be handled on redelivery


async def test_seen_updates_are_pruned_by_age(store_factory: StoreFactory, store: Store) -> None:
    async with store.user_action(7) as tx:
        await tx.claim_update(44)
        await tx.claim_update(45)

    assert await store.prune_seen_updates(datetime.now(UTC) - timedelta(hours=1)) == 0
    assert await store.prune_seen_updates(datetime.now(UTC) + timedelta(seconds=1)) == 2
    assert await store_factory.query("SELECT * FROM seen_updates") == []
    async with store.user_action(7) as tx:
        assert await tx.claim_update(44)


# --- schema and migrations ---------------------------------------------------------------


async def test_schema_matches_the_table_catalogue(
    store_factory: StoreFactory, store: Store
) -> None:
    expected = {t.name: list(t.columns) for t in TABLES}
    expected["schema_version"] = ["version", "applied_at"]
    assert await store_factory.table_columns() == expected


async def test_migrations_are_idempotent(store_factory: StoreFactory) -> None:
    first = await store_factory.open_new()
    async with first.user_action(1) as tx:
        await tx.save_user(User(1, 100))
    await first.close()
    second = await store_factory.open_new()
    await second.open()  # opening an open store is a no-op
    versions = await store_factory.query("SELECT version FROM schema_version ORDER BY version")
    assert versions == [(v,) for v in range(1, len(MIGRATIONS) + 1)]
    assert await second.user_count() == 1


async def test_concurrent_opens_migrate_once(store_factory: StoreFactory) -> None:
    stores = [store_factory.new() for _ in range(3)]
    await asyncio.gather(*(s.open() for s in stores))
    versions = await store_factory.query("SELECT version FROM schema_version ORDER BY version")
    assert versions == [(v,) for v in range(1, len(MIGRATIONS) + 1)]
    for i, s in enumerate(stores):
        async with s.user_action(i) as tx:
            await tx.save_user(User(i, i))
    assert await stores[0].user_count() == 3


async def test_newer_schema_is_refused(store_factory: StoreFactory, store: Store) -> None:
    await store.close()
    await store_factory.query(
        "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
        (len(MIGRATIONS) + 1, encode_ts(T0)),
    )
    with pytest.raises(RuntimeError, match="newer"):
        await store_factory.new().open()


# --- copy between stores -----------------------------------------------------------------


async def test_copy_from_sqlite_preserves_everything(
    tmp_path: Path, store_factory: StoreFactory, store: Store
) -> None:
    source_factory = SqliteFactory(tmp_path / "source.sqlite3")
    try:
        source = await source_factory.open_new()
        await populate(source, 1, 100)
        await populate(source, 2, 200)
        async with source.user_action(3) as tx:
            await tx.save_user(User(3, 300, "America/New_York", T0 - timedelta(days=400)))
        await populate(store, 9, 900)  # the target's own rows stay

        counts = await store.copy_from(source)
        source_rows = await source.export_rows()
        assert counts == {t: len(rows) for t, rows in source_rows.items()}
        assert counts["users"] == 3 and counts["timers"] == 2 and counts["unanswered"] == 2

        target_rows = await store.export_rows()
        for table in TABLES:
            assert set(source_rows[table.name]) <= set(target_rows[table.name]), table.name
        for user_id in (1, 2, 3):
            async with source.user_action(user_id) as stx:
                expected = (
                    await stx.get_user(),
                    await stx.get_active_session(),
                    await stx.get_state("pending"),
                    await stx.finished_sessions(),
                    await stx.get_reminder(),
                )
            async with store.user_action(user_id) as ttx:
                got = (
                    await ttx.get_user(),
                    await ttx.get_active_session(),
                    await ttx.get_state("pending"),
                    await ttx.finished_sessions(),
                    await ttx.get_reminder(),
                )
            assert got == expected
        assert await store.user_count() == 4
        assert {t.timer_id for t in await store.all_timers()} == {"t-1", "t-2", "t-9"}
        assert await store.question_counts() == {"answer": 3, "fallback": 3}
        assert await store.feedback_counts() == {
            "psoas-stretch": (3, 0),
            "entry-1": (0, 1),
            "entry-2": (0, 1),
            "entry-9": (0, 1),
        }
        assert len(await store.unanswered()) == 3

        # A second run copies nothing new.
        before = await store.export_rows()
        assert await store.copy_from(source) == counts
        assert await store.export_rows() == before
    finally:
        await source_factory.aclose()


# --- backend selection and hygiene -------------------------------------------------------


def test_open_store_picks_the_backend(tmp_path: Path) -> None:
    from bot.store.postgres import PostgresStore
    from bot.store.sqlite import SqliteStore

    path = tmp_path / "a" / "b" / "bot.sqlite3"
    assert isinstance(open_store(database_url=None, sqlite_path=path), SqliteStore)
    assert path.parent.is_dir()
    assert isinstance(open_store(database_url="", sqlite_path=path), SqliteStore)
    for url in ("postgres://u@db.invalid/x", "postgresql://u@db.invalid/x"):
        assert isinstance(open_store(database_url=url, sqlite_path=path), PostgresStore)


def test_a_postgres_url_without_psycopg_installed_names_the_extra_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "bot.store.postgres", None)  # as if psycopg were missing
    with pytest.raises(RuntimeError, match=r"install the 'postgres' extra"):
        open_store(database_url="postgresql://u@db.invalid/x", sqlite_path=tmp_path / "x")


async def test_a_postgres_that_does_not_answer_is_a_connection_error_without_the_url() -> None:
    from bot.store.postgres import PostgresStore

    url = "postgresql://hipbot:Secret-pw-9@127.0.0.1:1/test"  # nothing listens on port 1
    store = PostgresStore(url, open_timeout=0.5)
    with pytest.raises(ConnectionError) as raised:
        await store.open()
    assert isinstance(raised.value, OSError)
    assert "Secret-pw-9" not in str(raised.value)
    with pytest.raises(RuntimeError, match="not open"):
        await store.user_count()


def test_importing_the_store_loads_no_backend_or_telegram() -> None:
    code = (
        "import sys, bot.store\n"
        "heavy = {'telegram', 'psycopg', 'psycopg_pool', 'aiosqlite'}\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in heavy)\n"
        "assert not loaded, loaded\n"
    )
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], cwd=root, check=True)


@pytest.mark.postgres
async def test_postgres_schema_from_url_options(postgres_factory: PostgresFactory) -> None:
    from bot.store.postgres import PostgresStore

    first = await postgres_factory.open_new()
    async with first.user_action(1) as tx:
        await tx.save_user(User(1, 100))
    sep = "&" if "?" in postgres_factory.dsn else "?"
    schema = postgres_factory.schema
    via_url = PostgresStore(f"{postgres_factory.dsn}{sep}options=-csearch_path%3D{schema}")
    try:
        await via_url.open()
        assert await via_url.user_count() == 1
    finally:
        await via_url.close()


@given(
    st.lists(
        st.datetimes(
            min_value=datetime(1001, 1, 1),
            max_value=datetime(9998, 12, 31),
            timezones=st.sampled_from(
                [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))]
            ),
        ),
        min_size=2,
        max_size=5,
    )
)
def test_encoded_timestamps_round_trip_and_sort_in_time_order(moments: list[datetime]) -> None:
    encoded = [encode_ts(m) for m in moments]
    assert [decode_ts(e) for e in encoded] == moments
    assert sorted(encoded) == [encode_ts(m) for m in sorted(moments)]


async def test_a_picture_s_file_id_is_kept_per_fingerprint(store: Store) -> None:
    assert await store.picture_file_id("beginner--lying-march", "abc") is None
    await store.save_picture_file_id("beginner--lying-march", "abc", "FILE-1")
    assert await store.picture_file_id("beginner--lying-march", "abc") == "FILE-1"
    # The picture was drawn again: the old file_id no longer counts, and is replaced.
    assert await store.picture_file_id("beginner--lying-march", "def") is None
    await store.save_picture_file_id("beginner--lying-march", "def", "FILE-2")
    assert await store.picture_file_id("beginner--lying-march", "def") == "FILE-2"
    assert await store.picture_file_id("beginner--lying-march", "abc") is None


async def test_a_file_that_is_not_a_sqlite_database_is_refused_at_open(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    path.write_bytes(b"not a database " * 100)
    store = SqliteStore(path)
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        await store.open()
    with pytest.raises(RuntimeError, match="not open"):  # left closed, not half open
        await store.user_count()
    assert path.read_bytes() == b"not a database " * 100


async def test_a_sqlite_file_locked_by_another_process_fails_at_open_after_the_busy_timeout(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bot.sqlite3"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        other.execute("BEGIN EXCLUSIVE")
        other.execute("CREATE TABLE theirs (x)")
        store = SqliteStore(path, busy_timeout_ms=300)
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            await store.open()
        assert 0.25 <= loop.time() - started < 5  # waited, then gave up
        other.execute("COMMIT")
    finally:
        other.close()
    await store.open()  # the lock is gone: the same store opens and migrates
    try:
        assert await store.user_count() == 0
    finally:
        await store.close()
