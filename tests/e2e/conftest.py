"""End-to-end fixtures: the real Application polling the fake Bot API server over HTTP."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import Application

from bot.config import Settings, load_settings
from bot.knowledge import KnowledgeBase, load_knowledge
from bot.telegram_app import build_application
from tests.fakes import FakeBotApi, FakeUser

TOKEN = "123456:TEST-token-not-a-secret-000000000"


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge()


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    with FakeBotApi(token=TOKEN) as server:
        yield server


@pytest.fixture
def settings(fake: FakeBotApi, tmp_path: Path) -> Settings:
    base = load_settings(environ={}, cwd=tmp_path)
    return dataclasses.replace(
        base,
        token=TOKEN,
        api_base_url=fake.base_url,
        db_path=tmp_path / "bot.sqlite3",
        timer_scale=0.01,
    )


@pytest.fixture
async def app(
    settings: Settings, kb: KnowledgeBase
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    application = build_application(settings, kb)
    # The same steps, in the same order, as Application.run_polling.
    await application.initialize()
    assert application.post_init is not None and application.post_shutdown is not None
    await application.post_init(application)
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=1)
    await application.start()
    try:
        yield application
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
        await application.post_shutdown(application)


@pytest.fixture
def alice(fake: FakeBotApi) -> FakeUser:
    return fake.new_user(1001, "Alice")
