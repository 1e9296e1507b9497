"""One function builds the Application and registers every handler in a commented order;
`run` starts it with polling or a webhook."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from telegram import (
    BotCommand,
    Message,
    Update,
)
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
from bot.adapters.telegram.limits import ChatRateLimiter, PerUserUpdates
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

    async def post_init(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        await store.open()
        mentions.username = application.bot.username or ""
        await application.bot.set_my_commands(
            [BotCommand(name, description) for name, description in msg.COMMANDS]
        )
        jobs = application.job_queue
        assert jobs is not None
        # A timer that came due while the bot was down fires at the first sweep, at once.
        jobs.run_repeating(adapter.sweep_timers, interval=TIMER_SWEEP_SECONDS, first=0.1)
        jobs.run_repeating(adapter.sweep_reminders, interval=REMINDER_SWEEP_SECONDS, first=1)

    async def post_shutdown(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        await store.close()

    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{settings.api_base_url}/bot")
        .base_file_url(f"{settings.api_base_url}/file/bot")
        .concurrent_updates(PerUserUpdates())
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    if rate_limiter:
        builder.rate_limiter(ChatRateLimiter())
    application = builder.build()
    application.bot_data["dialogue"] = dialogue
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
    """`hipbot run`: long polling, or a webhook when WEBHOOK_URL is set."""
    if settings.webhook_url and not settings.webhook_secret:
        raise ConfigError("WEBHOOK_SECRET must be set when WEBHOOK_URL is set")
    configure_logging(settings)
    application = build_application(settings, kb)
    if settings.webhook_url:
        path = urlsplit(settings.webhook_url).path.lstrip("/")
        log.info("starting the webhook on port %s", settings.port)
        application.run_webhook(
            listen=settings.webhook_listen,
            port=settings.port,
            url_path=path,
            webhook_url=settings.webhook_url,
            secret_token=settings.webhook_secret,
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        log.info("starting long polling")
        application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0
