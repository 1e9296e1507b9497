"""Telegram's limits, kept: messages per second overall, per chat and per group, and one
user's updates handled in order while different users run side by side."""

from __future__ import annotations

import asyncio
import contextlib
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Coroutine
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any

from aiolimiter import AsyncLimiter
from telegram import (
    Update,
)
from telegram.ext import (
    AIORateLimiter,
    BaseUpdateProcessor,
)

SEND_ENDPOINTS = frozenset(
    {"sendMessage", "sendPhoto", "editMessageText", "editMessageReplyMarkup", "sendChatAction"}
)
# Telegram's flood limits: about 30 messages a second in all, 20 a minute in one group, and
# one a second in one chat (a short burst is tolerated).
OVERALL_PER_SECOND = 30
GROUP_PER_MINUTE = 20
CHAT_BURST = 3
# Every period is 10% longer than Telegram's: a request that leaves a little late, or the next
# one a little early, still keeps to the limit where Telegram measures it.
MARGIN = 1.1
MAX_TRACKED_CHATS = 10_000


class SlidingWindow:
    """At most `limit` requests in any `period` seconds (PTB's token buckets, full at the
    start, let up to twice their rate through in one period)."""

    def __init__(self, limit: int, period: float) -> None:
        self.period = period
        self._times: deque[float] = deque(maxlen=limit)
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> None:
        async with self._lock:  # first come, first served
            loop = asyncio.get_running_loop()
            if len(self._times) == self._times.maxlen:
                await asyncio.sleep(self._times[0] + self.period - loop.time())
            self._times.append(loop.time())

    async def __aexit__(self, *exc_info: object) -> None:
        """Nothing to release: a request counts from the moment it is let through."""


class ChatRateLimiter(AIORateLimiter):
    """Telegram's flood limits, taken right before each request goes out (also before each
    retry): 30 a second overall, 20 a minute per group, and per private chat a burst of three,
    then one a second. PTB's AIORateLimiter is used for its retries on 429 only."""

    def __init__(self, max_retries: int = 5) -> None:
        super().__init__(overall_max_rate=0, group_max_rate=0, max_retries=max_retries)
        self._overall = SlidingWindow(OVERALL_PER_SECOND, MARGIN)
        self._chats: OrderedDict[int, AsyncLimiter | SlidingWindow] = OrderedDict()

    def _limiter(self, chat_id: int) -> AsyncLimiter | SlidingWindow:
        limiter = self._chats.pop(chat_id, None) or (
            SlidingWindow(GROUP_PER_MINUTE, 60 * MARGIN)
            if chat_id < 0
            else AsyncLimiter(CHAT_BURST, CHAT_BURST * MARGIN)
        )
        self._chats[chat_id] = limiter
        while len(self._chats) > MAX_TRACKED_CHATS:
            self._chats.popitem(last=False)
        return limiter

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """PTB's retries around the request; the chat's and the overall budget inside them,
        so a request waits for them after any flood wait, right before it is sent."""
        chat_id = data.get("chat_id")
        chat: AbstractAsyncContextManager[None] = contextlib.nullcontext()
        if endpoint in SEND_ENDPOINTS and isinstance(chat_id, int):
            chat = self._limiter(chat_id)
        overall = self._overall if chat_id is not None else contextlib.nullcontext()

        async def limited(
            *call_args: Any, **call_kwargs: Any
        ) -> bool | dict[str, Any] | list[dict[str, Any]]:
            async with chat, overall:
                return await callback(*call_args, **call_kwargs)

        return await super().process_request(limited, args, kwargs, endpoint, data, rate_limit_args)


@dataclass
class _Turns:
    """One user's updates: the one being handled holds the lock, the others wait for it."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    waiting: int = 0


class PerUserUpdates(BaseUpdateProcessor):
    """Updates of different users are handled at the same time, each user's one after the
    other, in the order they came: one user waiting for their chat's send budget (or a slow
    reply) does not hold up everyone else, and nobody's taps overtake each other."""

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._turns: dict[int | None, _Turns] = {}  # by user id (or chat id, for channels)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the user's earlier updates, then handle this one."""
        key = None
        if isinstance(update, Update):
            who = update.effective_user or update.effective_chat
            key = who.id if who else None
        turns = self._turns.setdefault(key, _Turns())
        turns.waiting += 1
        try:
            async with turns.lock:
                await coroutine
        finally:
            turns.waiting -= 1
            if not turns.waiting:
                del self._turns[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""
