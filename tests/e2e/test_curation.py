"""Curation and insight through Telegram: admin commands only for ADMIN_IDS, the /progress
chart as a real photo upload, and inline mode."""

from __future__ import annotations

import dataclasses
import struct
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import Settings
from bot.dialogue import messages as msg
from bot.dialogue.chart import SIZE
from bot.store import FinishedSession
from bot.store.sqlite import SqliteStore
from tests.e2e.harness import Chat, StartApp
from tests.fakes import FakeBotApi, FakeUser

ADMIN_ID = 4242


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, admin_ids=frozenset({ADMIN_ID}))


async def _sessions(path: Path, user_id: int, count: int) -> None:
    store = SqliteStore(path)
    await store.open()
    try:
        now = datetime.now(UTC)
        async with store.user_action(user_id) as tx:
            for day in range(count):
                end = now - timedelta(days=day)
                await tx.add_finished_session(
                    FinishedSession(
                        user_id,
                        "beginner",
                        "weeks-1-2",
                        end - timedelta(minutes=15),
                        end,
                        6 - day,
                        3,
                        7,
                        0,
                        True,
                    )
                )
    finally:
        await store.close()


async def test_a_non_admin_sending_stats_or_reload_gets_the_unknown_command_reply(
    start_app: StartApp, fake: FakeBotApi, alice: FakeUser, chat: Callable[..., Chat]
) -> None:
    async with start_app():
        unknown = (await chat(alice).say_one("/whatever")).rendered_text
        assert (await chat(alice).say_one("/stats")).rendered_text == unknown
        assert (await chat(alice).say_one("/reload")).rendered_text == unknown
    assert unknown == msg.unknown_command()


async def test_an_admin_gets_statistics_and_can_reload(
    start_app: StartApp, fake: FakeBotApi, chat: Callable[..., Chat]
) -> None:
    admin = fake.new_user(ADMIN_ID, "Ada")
    async with start_app():
        await chat(admin).say("Should I use heat or ice on my back?")
        stats = (await chat(admin).say_one("/stats")).rendered_text or ""
        assert "Users: 1" in stats and "Questions asked: 1" in stats
        reloaded = (await chat(admin).say_one("/reload")).rendered_text or ""
        assert reloaded.startswith("Reloaded: 70 entries")


async def test_progress_sends_the_chart_as_a_png_photo(
    start_app: StartApp,
    settings: Settings,
    fake: FakeBotApi,
    alice: FakeUser,
    chat: Callable[..., Chat],
) -> None:
    pytest.importorskip("matplotlib")
    await _sessions(settings.db_path, alice.id, 3)
    async with start_app():
        replies = await chat(alice).say("/progress")
    assert "Current streak: 3 days" in (replies[0].rendered_text or "")
    photos = fake.calls_to("sendPhoto")
    assert len(photos) == 1
    png = next(iter(photos[0].files.values())).data
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == SIZE


async def test_progress_without_sessions_is_friendly_and_sends_no_photo(
    start_app: StartApp, fake: FakeBotApi, alice: FakeUser, chat: Callable[..., Chat]
) -> None:
    async with start_app():
        reply = await chat(alice).say_one("/progress")
    assert "No sessions yet" in (reply.rendered_text or "")
    assert not fake.calls_to("sendPhoto")


async def test_inline_mode_offers_matching_entries_with_a_button_into_the_bot(
    start_app: StartApp, fake: FakeBotApi, alice: FakeUser, chat: Callable[..., Chat]
) -> None:
    async with start_app():
        await chat(alice).push(lambda: fake.send_inline_query(alice, "psoas"))
        await chat(alice).push(lambda: fake.send_inline_query(alice, "banana bread recipe"))
    answers = fake.calls_to("answerInlineQuery")
    assert len(answers) == 2
    results = answers[0].params["results"]
    assert results and len(results) <= 10
    first = results[0]
    assert "psoas" in first["id"] or "psoas" in first["title"].lower()
    assert first["input_message_content"]["parse_mode"] == "HTML"
    assert "Sources" in first["input_message_content"]["message_text"]
    url = first["reply_markup"]["inline_keyboard"][0][0]["url"]
    assert url == f"https://t.me/{fake.bot_user['username']}?start=kb-{first['id']}"
    assert answers[1].params["results"] == []
