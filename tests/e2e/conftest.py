"""End-to-end fixtures: the real Application polling the fake Bot API server over HTTP.

`app` runs the bot's Application as `hipbot run` does (see `tests.e2e.harness`); `chat(user)`
talks to it. Every test also checks that the bot logged no ERROR, and that no log line of the
bot or of python-telegram-bot (at DEBUG) holds the token.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bot.adapters.telegram import build_application
from bot.adapters.telegram import limits as telegram_limits
from bot.adapters.telegram.logs import TokenFilter
from bot.config import Settings, load_settings
from bot.core.answering import Answerer
from bot.core.knowledge import KnowledgeBase
from bot.core.loader import load_knowledge
from bot.store import Store
from tests.e2e.checks import assert_no_secret_logged
from tests.e2e.harness import TOKEN, AnyApplication, Chat, HandledUpdates, StartApp, running
from tests.e2e.processes import bot_env, start_bot, workdir  # noqa: F401 (fixtures)
from tests.fakes import FakeBotApi, FakeUser


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge()


@pytest.fixture(scope="session")
def answerer(kb: KnowledgeBase) -> Answerer:
    return Answerer(kb)


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    with FakeBotApi(token=TOKEN) as server:
        yield server
    assert not server.internal_errors


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
def handled() -> HandledUpdates:
    return HandledUpdates()


@pytest.fixture
def start_app(settings: Settings, kb: KnowledgeBase, handled: HandledUpdates) -> StartApp:
    """`async with start_app(kb=..., store=...) as app:` for tests that build their own."""

    @asynccontextmanager
    async def start(
        kb: KnowledgeBase = kb, store: Store | None = None
    ) -> AsyncIterator[AnyApplication]:
        application = build_application(settings, kb, store)
        handled.attach(application)
        async with running(application, settings) as started:
            yield started

    return start


@pytest.fixture
async def app(start_app: StartApp) -> AsyncIterator[AnyApplication]:
    async with start_app() as application:
        yield application


@pytest.fixture
def hipbot_errors(caplog: pytest.LogCaptureFixture) -> Callable[[], list[logging.LogRecord]]:
    """Records at ERROR or above from the bot's own loggers (`hipbot...`), in every phase of
    the test so far (setup, call, teardown)."""
    caplog.set_level(logging.INFO, logger="hipbot")

    def errors() -> list[logging.LogRecord]:
        records = {
            id(r): r for phase in ("setup", "call", "teardown") for r in caplog.get_records(phase)
        }
        return [
            r
            for r in records.values()
            if r.name.startswith("hipbot") and r.levelno >= logging.ERROR
        ]

    return errors


@pytest.fixture(autouse=True)
def _no_errors_logged(hipbot_errors: Callable[[], list[logging.LogRecord]]) -> Iterator[None]:
    """No e2e test may leave an ERROR in the bot's logs."""
    yield
    assert [r.getMessage() for r in hipbot_errors()] == []


@pytest.fixture(autouse=True)
def _no_token_logged(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """No e2e test may log the token, at any level, in the bot's or PTB's loggers: the log
    lines are checked as `hipbot run` writes them (through its filter)."""
    caplog.set_level(logging.DEBUG, logger="telegram")
    token_filter = TokenFilter(TOKEN)
    caplog.handler.addFilter(token_filter)
    yield
    caplog.handler.removeFilter(token_filter)
    records = [r for phase in ("setup", "call", "teardown") for r in caplog.get_records(phase)]
    assert_no_secret_logged(records, TOKEN, TOKEN.split(":", 1)[1])


@pytest.fixture
def unthrottled_chats(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lift the per-chat send limit (a burst of 3, then one a second) for tests of long
    conversations; test_delivery and the process tests keep it."""
    monkeypatch.setattr(telegram_limits, "CHAT_BURST", 1_000)


@pytest.fixture
def chat(fake: FakeBotApi, handled: HandledUpdates) -> Callable[..., Chat]:
    """`chat(user)` (their private chat) or `chat(user, group_id)`."""

    def make(user: FakeUser, chat_id: int | None = None) -> Chat:
        return Chat(fake, handled, user, user.id if chat_id is None else chat_id)

    return make


@pytest.fixture
def alice(fake: FakeBotApi) -> FakeUser:
    return fake.new_user(1001, "Alice")


@pytest.fixture
def bob(fake: FakeBotApi) -> FakeUser:
    return fake.new_user(1002, "Bob")
