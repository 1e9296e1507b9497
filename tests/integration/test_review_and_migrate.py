"""`hipbot kb review` on a filled store, and `hipbot db migrate-to` from SQLite to PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import yaml

from bot.core.answering import Answerer
from bot.core.loader import load_knowledge
from bot.curation.review import export_yaml, group_questions
from bot.store import FinishedSession, ReviewQuestion, User
from bot.store.sqlite import SqliteStore
from tests.integration.conftest import PostgresFactory
from tests.integration.test_cli import hipbot

KNEE = [
    "why does my knee click when I squat",
    "my knee clicks when I squat, why?",
    "knee clicking during squats",
    "Why does my knee keep clicking when i squat down",
]
SHOES = ["which running shoes are best for flat feet", "best running shoes for flat feet?"]


async def _fill(path: Path) -> None:
    store = SqliteStore(path)
    await store.open()
    try:
        for text in [*SHOES, *KNEE, "what is the capital of peru"]:
            await store.record_unanswered(text)
        await store.record_unanswered("should I stretch", "not-helpful", "should-i-stretch")
        for _ in range(2):
            await store.record_unanswered("sofa hours and my hips", "chosen", "sitting")
        async with store.user_action(7) as tx:
            await tx.save_user(User(7, 7, "Europe/Berlin"))
            await tx.add_finished_session(
                FinishedSession(
                    7,
                    "beginner",
                    "weeks-1-2",
                    datetime(2026, 1, 5, 8, tzinfo=UTC),
                    datetime(2026, 1, 5, 8, 20, tzinfo=UTC),
                    4,
                    2,
                    7,
                    0,
                    True,
                )
            )
    finally:
        await store.close()


def test_review_groups_paraphrases_and_puts_the_largest_group_first(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    asyncio.run(_fill(db))
    export = tmp_path / "review.yaml"
    result = hipbot("kb", "review", "--export", str(export), env={"HIPBOT_DB": str(db)})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "8 questions in 4 groups, largest first:"
    assert lines[1].startswith("1. 4 x [unanswered]")
    assert all(q.lower()[:10] in result.stdout.lower() for q in KNEE[:3])
    assert lines[5].startswith("2. 2 x [unanswered]")
    assert "(answer marked not helpful: should-i-stretch)" in result.stdout
    assert '1 phrasings to add: users picked the entry from a "did you mean":' in lines
    assert any(line.startswith("  sitting: 'sofa hours and my hips' (2 x") for line in lines)
    cases = yaml.safe_load(export.read_text())
    assert {"q", "expect"} == set(cases[0]) and cases[0]["expect"] == ""
    assert cases[0]["q"] in KNEE
    assert {"q": "sofa hours and my hips", "expect": "sitting"} in cases


def test_grouping_keeps_unrelated_questions_apart() -> None:
    matcher = Answerer(load_knowledge()).matcher
    now = datetime.now(UTC)
    items = [ReviewQuestion(t, "unanswered", None, now) for t in [*KNEE, *SHOES]]
    groups = group_questions(items, matcher)
    assert [g.size for g in groups] == [4, 2]
    assert 'expect: ""' in export_yaml(groups)


def test_an_empty_store_has_nothing_to_review(tmp_path: Path) -> None:
    result = hipbot("kb", "review", env={"HIPBOT_DB": str(tmp_path / "empty.sqlite3")})
    assert result.returncode == 0
    assert "Nothing to review" in result.stdout


async def test_migrate_to_copies_a_sqlite_store_into_postgres(
    tmp_path: Path, postgres_factory: PostgresFactory
) -> None:
    db = tmp_path / "bot.sqlite3"
    await _fill(db)
    await postgres_factory.open_new()
    url = f"{postgres_factory.dsn}?options=-csearch_path%3D{postgres_factory.schema}"
    result = await asyncio.to_thread(hipbot, "db", "migrate-to", url, env={"HIPBOT_DB": str(db)})
    assert result.returncode == 0, result.stderr
    assert "finished_sessions: 1 rows" in result.stdout
    assert await postgres_factory.query(
        "SELECT pain_before, pain_after FROM finished_sessions"
    ) == [(4, 2)]
    assert len(await postgres_factory.query("SELECT text FROM unanswered")) == 10
    again = await asyncio.to_thread(hipbot, "db", "migrate-to", url, env={"HIPBOT_DB": str(db)})
    assert again.returncode == 0
    assert len(await postgres_factory.query("SELECT text FROM unanswered")) == 10


def test_migrate_to_refuses_a_url_that_is_not_postgres(tmp_path: Path) -> None:
    result = hipbot("db", "migrate-to", "mysql://x", env={"HIPBOT_DB": str(tmp_path / "x")})
    assert result.returncode == 2
    assert "postgres" in result.stderr


def test_migrate_to_without_a_sqlite_store_is_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "none.sqlite3"
    result = hipbot("db", "migrate-to", "postgresql://postgres@127.0.0.1/test",
                    env={"HIPBOT_DB": str(missing)})  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"hipbot: no SQLite store at {missing}"]
    assert not missing.exists()


async def test_migrate_to_a_database_that_does_not_answer_ends_with_one_line_not_a_traceback(
    tmp_path: Path,
) -> None:
    db = tmp_path / "bot.sqlite3"
    await _fill(db)
    url = "postgresql://hipbot:Secret-pw-9@127.0.0.1:1/test"  # nothing listens on port 1
    result = await asyncio.to_thread(hipbot, "db", "migrate-to", url, env={"HIPBOT_DB": str(db)})
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        "hipbot: cannot reach the target database: ConnectionError"
    )  # after the pool's own warnings about each failed try
    assert "Traceback" not in result.stderr
    assert "Secret-pw-9" not in result.stderr + result.stdout
