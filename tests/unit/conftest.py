"""Shared fixtures for the pure-core tests: the bundled knowledge base, loaded once."""

from __future__ import annotations

import pytest

from bot.core.answering import Answerer
from bot.core.knowledge import KnowledgeBase
from bot.core.loader import load_knowledge


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge()


@pytest.fixture(scope="session")
def answerer(kb: KnowledgeBase) -> Answerer:
    return Answerer(kb)
