"""One function builds the Application and registers every handler in a commented order;
`run` starts it with polling or a webhook (see lifecycle.py) and turns how it ended into the
exit status."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from telegram import (
    BotCommand,
    Message,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.adapters.telegram.adapter import TelegramAdapter, log
from bot.adapters.telegram.lifecycle import (
    Health,
    TokenRejected,
    Unreachable,
    WatchedRequest,
    serve,
)
from bot.adapters.telegram.limits import ChatRateLimiter, PerUserUpdates, describe
from bot.adapters.telegram.logs import configure_logging
from bot.config import ConfigError, Settings
from bot.core.answering import Answerer
from bot.core.knowledge import KnowledgeBase
from bot.core.loader import load_knowledge
from bot.dialogue import Dialogue
from bot.dialogue import messages as msg
from bot.store import Store, open_store

TIMER_SWEEP_SECONDS = 5.0
REMINDER_SWEEP_SECONDS = 30.0
PRUNE_UPDATES_SECONDS = 3600.0
TOKEN_CHECK_SECONDS = 300.0
"""A webhook process asks Telegram who it is this often, to learn of a revoked token."""
READ_TIMEOUT = 10.0
"""Seconds to wait for Telegram's answer to a request (PTB's default is 5)."""
STARTUP_RETRY_SECONDS = 120.0
"""How long `hipbot run` keeps trying to reach the Bot API at start before it gives up."""
TOKEN_REJECTED = "Telegram rejected the token: check TELEGRAM_BOT_TOKEN"


class _MentionsBot(filters.MessageFilter):
    """A group message that mentions the bot or replies to it."""

    def __init__(self) -> None:
        super().__init__(name="mentions_bot")
        self.username = ""

    def filter(self, message: Message) -> bool:
        reply = message.reply_to_message
        if reply is not None and reply.from_user is not None and reply.from_user.is_bot:
            return bool(self.username) and reply.from_user.username == self.username
        text = (message.text or "").lower()
        return bool(self.username) and f"@{self.username.lower()}" in text


def build_application(
    settings: Settings,
    kb: KnowledgeBase,
    store: Store | None = None,
    *,
    rate_limiter: bool = True,
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The Application with every handler registered, in the order they are tried.

    `rate_limiter=False` leaves out Telegram's flood limits (and the retries on 429): for
    benchmarks against a fake server only."""
    token = settings.require_token()
    store = store or open_store(database_url=settings.database_url, sqlite_path=settings.db_path)
    dialogue = Dialogue(
        kb,
        store,
        Answerer(kb),
        timer_scale=settings.timer_scale,
        admin_ids=settings.admin_ids,
        reload=lambda: load_knowledge(settings.knowledge_dir),
    )
    adapter = TelegramAdapter(dialogue)
    mentions = _MentionsBot()
    health = Health()

    async def post_init(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        await store.open()
        mentions.username = application.bot.username or ""
        try:
            await application.bot.set_my_commands(
                [BotCommand(name, description) for name, description in msg.COMMANDS]
            )
        except TelegramError as error:  # the menu of commands can wait for the next start
            log.warning("could not set the bot's commands (%s)", describe(error))
        jobs = application.job_queue
        assert jobs is not None
        # A timer that came due while the bot was down fires at the first sweep, at once.
        jobs.run_repeating(adapter.sweep_timers, interval=TIMER_SWEEP_SECONDS, first=0.1)
        jobs.run_repeating(adapter.sweep_reminders, interval=REMINDER_SWEEP_SECONDS, first=1)
        jobs.run_repeating(adapter.prune_handled_updates, interval=PRUNE_UPDATES_SECONDS, first=60)
        if settings.webhook_url:
            jobs.run_repeating(adapter.check_token, interval=TOKEN_CHECK_SECONDS)

    async def post_shutdown(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        await store.close()

    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{settings.api_base_url}/bot")
        .base_file_url(f"{settings.api_base_url}/file/bot")
        # Every answer is watched for a 401: a token revoked while running ends the process.
        .request(
            WatchedRequest(health.reject_token, connection_pool_size=256, read_timeout=READ_TIMEOUT)
        )
        .get_updates_request(WatchedRequest(health.reject_token, connection_pool_size=1))
        .concurrent_updates(PerUserUpdates())
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    if rate_limiter:
        builder.rate_limiter(ChatRateLimiter())
    application = builder.build()
    application.bot_data["dialogue"] = dialogue
    application.bot_data["health"] = health
    application.bot_data["conflicts"] = adapter.conflicts
    private = filters.ChatType.PRIVATE
    groups = filters.ChatType.GROUPS

    # 1. Channel posts and edited messages: not conversations with a user; stop here.
    application.add_handler(
        MessageHandler(filters.UpdateType.CHANNEL_POSTS | filters.UpdateType.EDITED, adapter.ignore)
    )
    # 2. Commands, in private chats and (addressed or not) in groups; unknown ones too.
    application.add_handler(
        MessageHandler(filters.COMMAND & (private | groups), adapter.on_command)
    )
    # 3. Inline buttons.
    application.add_handler(CallbackQueryHandler(adapter.on_button))
    # 4. Typed questions: every text in a private chat, only mentions and replies in groups.
    application.add_handler(MessageHandler(filters.TEXT & private, adapter.on_text))
    application.add_handler(MessageHandler(filters.TEXT & groups & mentions, adapter.on_text))
    # 5. Anything else a user sends privately: stickers, photos, voice, locations.
    application.add_handler(MessageHandler(private & ~filters.TEXT, adapter.on_other))
    # 6. Inline mode: "@bot psoas" in any chat offers matching entries.
    application.add_handler(InlineQueryHandler(adapter.on_inline))
    # 7. The user blocked or unblocked the bot.
    application.add_handler(ChatMemberHandler(adapter.on_blocked, ChatMemberHandler.MY_CHAT_MEMBER))
    # 8. Anything else (group chatter, service messages): deliberately ignored.
    application.add_handler(TypeHandler(Update, adapter.ignore), group=1)
    application.add_error_handler(adapter.on_error)
    return application


def run(settings: Settings, kb: KnowledgeBase) -> int:
    """`hipbot run`: long polling, or a webhook when WEBHOOK_URL is set, until SIGTERM (0).
    A token Telegram rejects, at start or later, is one line and status 2; a Bot API that
    cannot be reached for STARTUP_RETRY_SECONDS is one line and status 1."""
    if settings.webhook_url and not settings.webhook_secret:
        raise ConfigError("WEBHOOK_SECRET must be set when WEBHOOK_URL is set")
    configure_logging(settings)
    application = build_application(settings, kb)
    health: Health = application.bot_data["health"]
    try:
        asyncio.run(
            serve(
                application,
                settings,
                health,
                application.bot_data["conflicts"],
                retry_for=STARTUP_RETRY_SECONDS,
            )
        )
    except TokenRejected:
        print(f"hipbot: {TOKEN_REJECTED}", file=sys.stderr)
        return 2
    except Unreachable as error:
        print(f"hipbot: {error}", file=sys.stderr)
        return 1
    return 0
