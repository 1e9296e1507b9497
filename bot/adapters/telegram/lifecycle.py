"""Starting and stopping `hipbot run`: connect to the Bot API (retrying while it is down),
poll or serve the webhook, and end the process when Telegram rejects the token, at start or
while running."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

from telegram import Update
from telegram.error import (
    BadRequest,
    Conflict,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import Application
from telegram.request import HTTPXRequest

from bot.adapters.telegram.adapter import Conflicts
from bot.adapters.telegram.limits import describe, flood_seconds
from bot.adapters.telegram.webhook import WebhookServer
from bot.config import Settings

log = logging.getLogger("hipbot.telegram")

AnyApplication = Application[Any, Any, Any, Any, Any, Any]
STARTUP_DELAYS = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0)
"""Pauses between tries while the Bot API cannot be reached at start (then 30 s each)."""
POLL_TIMEOUT = 10.0
"""Seconds a getUpdates long poll waits for updates."""


class TokenRejected(Exception):
    """Telegram does not accept the bot token (401 Unauthorized, or 404 for a token of no bot).

    Deliberately without the token: PTB's own exception for this quotes it."""


class Unreachable(Exception):
    """The Bot API could not be reached for the whole start-up retry time."""


class Health:
    """What ends the process early: Telegram rejecting the token, also while running (every
    request is watched, see `WatchedRequest`), or a stop signal."""

    def __init__(self) -> None:
        self.token_rejected = False
        self.stopping = asyncio.Event()

    def reject_token(self) -> None:
        """Telegram answered 401: stop, the token is no good any more."""
        self.token_rejected = True
        self.stopping.set()


class WatchedRequest(HTTPXRequest):
    """PTB's HTTP client, telling `on_unauthorized` of every 401 answer (a revoked token),
    whichever part of PTB made the request and whatever it does with the error."""

    def __init__(self, on_unauthorized: Callable[[], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._on_unauthorized = on_unauthorized

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        """Make the request; note a 401."""
        code, payload = await super().do_request(*args, **kwargs)
        if code == HTTPStatus.UNAUTHORIZED:
            self._on_unauthorized()
        return code, payload


async def retrying(action: Callable[[], Awaitable[object]], what: str, retry_for: float) -> None:
    """Run `action` until it succeeds, pausing longer each time the Bot API cannot be reached
    or is in trouble (one log line per failed try), for at most `retry_for` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + retry_for
    for attempt in itertools.count(1):
        try:
            await action()
            return
        except InvalidToken:
            raise TokenRejected() from None
        except RetryAfter as error:
            pause, problem = flood_seconds(error), "flood control"
        except BadRequest:
            raise
        except NetworkError as error:  # also timeouts and 5xx answers
            pause, problem = STARTUP_DELAYS[min(attempt, len(STARTUP_DELAYS)) - 1], describe(error)
        remaining = deadline - loop.time()
        if remaining <= 0:
            log.warning(
                "Telegram Bot API not reachable while %s (%s), try %d: giving up",
                what,
                problem,
                attempt,
            )
            raise Unreachable(f"Telegram Bot API unreachable for {retry_for:.0f} s: giving up")
        pause = min(pause, remaining)
        log.warning(
            "Telegram Bot API not reachable while %s (%s), try %d; next in %.0f s",
            what,
            problem,
            attempt,
            pause,
        )
        await asyncio.sleep(pause)


def _polling_errors(conflicts: Conflicts) -> Callable[[TelegramError], None]:
    """What the updater reports while polling, in one line each (never a traceback)."""

    def report(error: TelegramError) -> None:
        if isinstance(error, Conflict):
            conflicts.seen()
        else:
            log.warning("getting updates failed (%s); retrying", describe(error))

    return report


@asynccontextmanager
async def started(
    application: AnyApplication,
    settings: Settings,
    conflicts: Conflicts,
    *,
    retry_for: float,
    poll_timeout: float = POLL_TIMEOUT,
) -> AsyncIterator[None]:
    """The Application connected, initialised, getting updates (long polling, or a webhook
    when WEBHOOK_URL is set) and started; everything stopped again on the way out."""
    await retrying(application.initialize, "connecting", retry_for)
    server: WebhookServer | None = None
    try:
        if application.post_init is not None:
            await application.post_init(application)
        if settings.webhook_url:
            assert settings.webhook_secret is not None
            server = WebhookServer(
                application,
                urlsplit(settings.webhook_url).path,
                settings.webhook_secret,
                settings.webhook_listen,
                settings.port,
            )
            await server.start()
            url, secret = settings.webhook_url, settings.webhook_secret

            async def set_webhook() -> None:
                await application.bot.set_webhook(
                    url, allowed_updates=Update.ALL_TYPES, secret_token=secret
                )

            await retrying(set_webhook, "setting the webhook", retry_for)
            log.info("serving the webhook on port %s", settings.port)
        else:
            assert application.updater is not None
            await retrying(application.bot.delete_webhook, "deleting the webhook", retry_for)
            await application.updater.start_polling(
                poll_interval=0,
                timeout=int(poll_timeout),
                allowed_updates=Update.ALL_TYPES,
                error_callback=_polling_errors(conflicts),
            )
            log.info("long polling started")
        await application.start()
        yield
    finally:
        if server is not None:
            await server.stop()
        if application.updater is not None and application.updater.running:
            # After a 401 its polling task has ended with InvalidToken: nothing to stop.
            with contextlib.suppress(TelegramError):
                await application.updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


async def serve(
    application: AnyApplication,
    settings: Settings,
    health: Health,
    conflicts: Conflicts,
    *,
    retry_for: float,
) -> None:
    """Run until SIGINT or SIGTERM, or until Telegram rejects the token."""
    loop = asyncio.get_running_loop()
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(stop_signal, health.stopping.set)
    async with started(application, settings, conflicts, retry_for=retry_for):
        await health.stopping.wait()
        if health.token_rejected:
            await asyncio.sleep(0.1)  # PTB's updater gets to see the 401 and end its polling
    if health.token_rejected:
        raise TokenRejected()
