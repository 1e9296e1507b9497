"""Telegram's limits, kept: messages per second overall, per chat and per group; flood control
(429) waited out per chat; failed requests retried with a bounded backoff; and one user's
updates handled in order while different users run side by side."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Coroutine
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any

import httpx
from aiolimiter import AsyncLimiter
from telegram import Update
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import BaseRateLimiter, BaseUpdateProcessor

log = logging.getLogger("hipbot.telegram.limits")

SEND_ENDPOINTS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "editMessageText",
        "editMessageReplyMarkup",
        "editMessageCaption",
        "editMessageMedia",
        "sendChatAction",
    }
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

# Flood control: a 429 pauses the chat it names for its retry_after; 429s in this many chats
# within this many seconds mean the bot as a whole is over Telegram's limit: everyone waits.
FLOOD_RETRIES = 5
FLOOD_CHATS = 3
FLOOD_WINDOW = 10.0

# Requests that failed on the way (a 5xx answer, a network error, a timeout) are tried again
# after these pauses, then given up. Only what the bot sends to users is retried here: start-up
# and polling calls have their own retries (lifecycle.py, PTB's updater).
RETRY_DELAYS = (1.0, 2.0, 4.0)
RETRIED_ENDPOINTS = SEND_ENDPOINTS | {
    "sendDocument",
    "answerCallbackQuery",
    "answerInlineQuery",
    "deleteMessage",
    "setMyCommands",
}
# Sending one of these twice does no harm (an edit to the same content is "not modified", a
# second answer to a query is refused): safe to retry even when the first may have arrived.
IDEMPOTENT_ENDPOINTS = RETRIED_ENDPOINTS - {"sendMessage", "sendPhoto", "sendDocument"}
# Transport errors raised before a single byte of the request reached Telegram.
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def may_have_arrived(error: TelegramError) -> bool:
    """Whether Telegram may have acted on a request that failed with `error`: after a read
    timeout or a dropped connection it may have (Telegram has no idempotency key to ask); a
    connection never made, or an error answer (4xx, 5xx), means it did not."""
    cause = error.__cause__
    if isinstance(cause, _NEVER_SENT):
        return False
    if isinstance(error, TimedOut):
        return True
    return cause is not None and not isinstance(cause, TelegramError)


def retryable(error: TelegramError, endpoint: str) -> bool:
    """Whether a failed request may be sent again without risking a duplicate message."""
    if not isinstance(error, NetworkError) or isinstance(error, BadRequest):
        return False
    return endpoint in IDEMPOTENT_ENDPOINTS or not may_have_arrived(error)


def flood_seconds(error: RetryAfter) -> float:
    """How long Telegram asked to wait."""
    # The public `retry_after` warns about its type changing in PTB 23; this is what PTB reads.
    return error._retry_after.total_seconds()


def describe(error: BaseException) -> str:
    """A short, secret-free description of a failed request: the error's kind and, for
    errors Telegram answered, its description."""
    cause = error.__cause__
    if isinstance(cause, httpx.HTTPError):
        return f"{type(error).__name__}: {type(cause).__name__}"
    if isinstance(error, TelegramError) and not isinstance(error, TimedOut):
        return f"{type(error).__name__}: {error.message}"
    return type(error).__name__


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


class ChatRateLimiter(BaseRateLimiter[int]):
    """Every Bot API request but getUpdates passes here (PTB's ExtBot sends them through).

    Before a request goes out it waits for its chat's flood pause and for the send budgets
    (30 a second overall, 20 a minute per group, per private chat a burst of three, then one a
    second). A 429 pauses only the chat it names, unless several chats get one within a short
    window: then every request waits. PTB's AIORateLimiter, by contrast, halts *all* requests
    for one chat's retry_after. A failed send is retried with a bounded backoff when that
    cannot make a duplicate (`retryable`). `rate_limit_args` is a request's own limit on
    flood retries."""

    def __init__(self, max_retries: int = FLOOD_RETRIES) -> None:
        self._max_retries = max_retries
        self._overall = SlidingWindow(OVERALL_PER_SECOND, MARGIN)
        self._chats: OrderedDict[int, AsyncLimiter | SlidingWindow] = OrderedDict()
        self._paused_until: dict[int, float] = {}
        self._all_paused_until = 0.0
        self._floods: deque[tuple[float, int]] = deque()

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""

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

    async def _wait_for_pauses(self, chat_id: int | None, own_until: float) -> None:
        """Until the flood pauses this request is under are over (they may grow meanwhile)."""
        loop = asyncio.get_running_loop()
        while True:
            until = max(self._all_paused_until, own_until)
            if chat_id is not None:
                until = max(until, self._paused_until.get(chat_id, 0.0))
            if until <= loop.time():
                return
            await asyncio.sleep(until - loop.time())

    def _flood(self, chat_id: int | None, seconds: float) -> float:
        """Note a 429 for the chat: pause it (or everyone); when this request may go again."""
        now = asyncio.get_running_loop().time()
        until = now + seconds
        if chat_id is None:
            log.info("flood control on a request without a chat: it waits %.0f s", seconds)
            return until
        self._paused_until = {c: t for c, t in self._paused_until.items() if t > now}
        self._paused_until[chat_id] = max(self._paused_until.get(chat_id, 0.0), until)
        self._floods.append((now, chat_id))
        while self._floods and self._floods[0][0] < now - FLOOD_WINDOW:
            self._floods.popleft()
        chats = {chat for _, chat in self._floods}
        if len(chats) >= FLOOD_CHATS:
            self._all_paused_until = max(self._all_paused_until, until)
            log.warning(
                "flood control in %d chats within %.0f s: every chat waits %.0f s",
                len(chats),
                FLOOD_WINDOW,
                seconds,
            )
        else:
            log.info("flood control in chat %s: that chat waits %.0f s", chat_id, seconds)
        return until

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Send the request within the limits; wait out flood control, retry what failed."""
        raw_chat = data.get("chat_id")
        chat_id = raw_chat if isinstance(raw_chat, int) else None
        chat: AbstractAsyncContextManager[None] = contextlib.nullcontext()
        if endpoint in SEND_ENDPOINTS and chat_id is not None:
            chat = self._limiter(chat_id)
        overall = self._overall if raw_chat is not None else contextlib.nullcontext()
        max_floods = rate_limit_args if rate_limit_args is not None else self._max_retries
        floods = failures = 0
        own_until = 0.0
        while True:
            await self._wait_for_pauses(chat_id, own_until)
            try:
                async with chat, overall:
                    return await callback(*args, **kwargs)
            except RetryAfter as error:
                floods += 1
                if floods > max_floods:
                    raise
                own_until = self._flood(chat_id, flood_seconds(error))
            except NetworkError as error:
                retry = endpoint in RETRIED_ENDPOINTS and retryable(error, endpoint)
                if not retry or failures >= len(RETRY_DELAYS):
                    raise
                delay = RETRY_DELAYS[failures]
                failures += 1
                log.info(
                    "%s to chat %s failed (%s); try %d in %.0f s",
                    endpoint,
                    chat_id,
                    describe(error),
                    failures + 1,
                    delay,
                )
                await asyncio.sleep(delay)


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
