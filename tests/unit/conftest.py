"""Shared fixtures: the bundled knowledge base (loaded once), and a dialogue with a real SQLite
store, a fixed clock and a chat for each of two users."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.core.answering import Answerer
from bot.core.knowledge import KnowledgeBase
from bot.core.loader import load_knowledge
from bot.dialogue import Dialogue, Who
from bot.store import Store, open_store
from tests.unit.dialogue_chat import OTHER, START, USER, Chat, Clock


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge()


@pytest.fixture(scope="session")
def answerer(kb: KnowledgeBase) -> Answerer:
    return Answerer(kb)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    store = open_store(database_url=None, sqlite_path=tmp_path / "hipbot.sqlite3")
    await store.open()
    yield store
    await store.close()


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def dialogue(kb: KnowledgeBase, answerer: Answerer, store: Store, clock: Clock) -> Dialogue:
    return Dialogue(kb, store, answerer, clock=clock)


@pytest.fixture
def chat(dialogue: Dialogue) -> Iterator[Chat]:
    chat = Chat(dialogue, Who(USER, USER, "Ann"))
    yield chat
    chat.check_everything_shown()


@pytest.fixture
def other(dialogue: Dialogue) -> Iterator[Chat]:
    chat = Chat(dialogue, Who(OTHER, OTHER, "Bo"))
    yield chat
    chat.check_everything_shown()
