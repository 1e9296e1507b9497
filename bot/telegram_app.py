"""The Telegram adapter: python-telegram-bot handlers that turn updates into dialogue events
and dialogue replies into Bot API calls. Nothing here decides what to say."""

from __future__ import annotations

import contextlib
import logging
import re
from collections import OrderedDict
from collections.abc import Callable, Coroutine, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from aiolimiter import AsyncLimiter
from telegram import (
    BotCommand,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ChatType, MessageLimit, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackContext,
    CallbackQueryHandler,
    ChatMemberHandler,
    ContextTypes,
    ExtBot,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import messages as msg
from bot.answering import Answerer
from bot.config import ConfigError, Settings
from bot.dialogue import ButtonIn, CommandIn, Dialogue, Event, OtherIn, TextIn, Who
from bot.knowledge import KnowledgeBase
from bot.replies import Edit, EditButtons, Keyboard, Photo, Reply, Send, Toast, WakeAt
from bot.store import Store, open_store

log = logging.getLogger("hipbot.telegram")

TIMER_SWEEP_SECONDS = 5.0
REMINDER_SWEEP_SECONDS = 30.0
SEND_ENDPOINTS = frozenset(
    {"sendMessage", "sendPhoto", "editMessageText", "editMessageReplyMarkup", "sendChatAction"}
)
# Telegram asks for no more than one message a second per chat; a short burst is tolerated.
CHAT_BURST = 3
MAX_TRACKED_CHATS = 10_000


class ChatRateLimiter(AIORateLimiter):
    """PTB's rate limiter (30/s overall, 20/min per group, retries on 429) plus a per-chat
    limit for private chats: a burst of three, then one message a second."""

    def __init__(self, max_retries: int = 5) -> None:
        super().__init__(max_retries=max_retries)
        self._chats: OrderedDict[int, AsyncLimiter] = OrderedDict()

    def _limiter(self, chat_id: int) -> AsyncLimiter:
        limiter = self._chats.pop(chat_id, None) or AsyncLimiter(CHAT_BURST, CHAT_BURST)
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
        """Wait for the chat's budget, then PTB's limits and retries."""
        chat_id = data.get("chat_id")
        if endpoint in SEND_ENDPOINTS and isinstance(chat_id, int) and chat_id > 0:
            async with self._limiter(chat_id):
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )


class TokenFilter(logging.Filter):
    """Removes the bot token from every log record, whatever logger wrote it."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message now, with the token replaced."""
        if self.token:
            text = record.getMessage()
            if self.token in text:
                record.msg, record.args = text.replace(self.token, "<token>"), None
            if record.exc_info and record.exc_info[1] is not None:
                formatted = logging.Formatter().formatException(record.exc_info)
                if self.token in formatted:
                    record.exc_info = None
                    record.exc_text = formatted.replace(self.token, "<token>")
        return True


def configure_logging(settings: Settings) -> None:
    """Log lines to stderr, httpx quiet (it logs request URLs, which hold the token)."""
    logging.basicConfig(
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        level=getattr(logging, settings.log_level, logging.INFO),
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    if settings.token:
        token_filter = TokenFilter(settings.token)
        for handler in logging.getLogger().handlers:
            handler.addFilter(token_filter)


def split_text(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Split a message on paragraph boundaries (then lines, then words) to fit `limit`."""
    if len(text) <= limit:
        return [text]
    # Leave room for tags closed and reopened across a cut.
    limit -= 16
    chunks: list[str] = []
    current = ""
    for piece in text.split("\n\n"):
        candidate = f"{current}\n\n{piece}" if current else piece
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            chunks.append(current)
        while len(piece) > limit:
            cut = piece.rfind("\n", 0, limit)
            if cut <= 0:
                cut = piece.rfind(" ", 0, limit)
            if cut <= 0:
                cut = limit
            chunks.append(piece[:cut])
            piece = piece[cut:].lstrip("\n ")
        current = piece
    if current:
        chunks.append(current)
    return _balance_tags(chunks)


def _balance_tags(chunks: list[str]) -> list[str]:
    """Close a <b> or <i> left open at the end of a chunk and reopen it in the next."""
    out = []
    carry = ""
    for chunk in chunks:
        chunk = carry + chunk
        open_tags: list[str] = []
        for match in re.finditer(r"</?(b|i)>", chunk):
            if match.group(0).startswith("</"):
                if open_tags and open_tags[-1] == match.group(1):
                    open_tags.pop()
            else:
                open_tags.append(match.group(1))
        chunk += "".join(f"</{t}>" for t in reversed(open_tags))
        carry = "".join(f"<{t}>" for t in open_tags)
        out.append(chunk)
    return out


def markup(keyboard: Keyboard) -> InlineKeyboardMarkup | None:
    """An inline keyboard, or None for no buttons."""
    if not keyboard:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in keyboard]
    )


def _harmless(error: BadRequest) -> bool:
    text = error.message.lower()
    return "message is not modified" in text or "query is too old" in text


def _gone(error: BadRequest) -> bool:
    text = error.message.lower()
    return "message to edit not found" in text or "message can't be edited" in text


class TelegramAdapter:
    """Renders dialogue replies with the Bot API and feeds updates to the dialogue."""

    def __init__(self, dialogue: Dialogue) -> None:
        self.dialogue = dialogue

    # ------------------------------------------------------------------ updates in

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A /command."""
        message = update.effective_message
        if message is None or message.text is None or update.effective_user is None:
            return
        name, _, args = message.text[1:].partition(" ")
        name = name.split("@", 1)[0]
        await self.dispatch(update, context, CommandIn(self._who(update), name, args))

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A typed message (in a group: one that mentions the bot)."""
        message = update.effective_message
        if message is None or message.text is None or update.effective_user is None:
            return
        text = message.text
        if context.bot.username:
            text = re.sub(rf"@{re.escape(context.bot.username)}\b", " ", text, flags=re.I)
        await self.dispatch(update, context, TextIn(self._who(update), text.strip()))

    async def on_other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A sticker, photo, voice note, location or other message without text."""
        message = update.effective_message
        if message is None or update.effective_user is None:
            return
        kind = next(
            (
                k
                for k in ("sticker", "photo", "voice", "location", "video", "document")
                if getattr(message, k, None)
            ),
            "other",
        )
        await self.dispatch(update, context, OtherIn(self._who(update), kind))

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A pressed inline button."""
        query = update.callback_query
        if query is None:
            return
        message = query.message if isinstance(query.message, Message) else None
        chat_id = message.chat_id if message else query.from_user.id
        who = Who(query.from_user.id, chat_id, query.from_user.first_name or "")
        event = ButtonIn(who, query.data or "", message.message_id if message else None)
        await self.dispatch(update, context, event, query=query)

    async def on_blocked(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The user blocked or unblocked the bot: nothing to send, just note it."""
        change = update.my_chat_member
        if change is not None:
            log.info("chat %s: bot is now %s", change.chat.id, change.new_chat_member.status)

    async def ignore(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Updates the bot deliberately does not answer (channel posts, edits)."""

    @staticmethod
    def _who(update: Update) -> Who:
        user = update.effective_user
        chat = update.effective_chat
        assert user is not None
        return Who(user.id, chat.id if chat else user.id, user.first_name or "")

    async def dispatch(
        self,
        update: Update,
        context: ContextTypes.DEFAULT_TYPE,
        event: Event,
        query: CallbackQuery | None = None,
    ) -> None:
        """Run the dialogue, then send its replies (state is already committed)."""
        replies = await self.dialogue.handle(event)
        await self.deliver(context.application, event.who.chat_id, replies, query)

    # ------------------------------------------------------------------ replies out

    async def deliver(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int,
        replies: Sequence[Reply],
        query: CallbackQuery | None = None,
    ) -> None:
        """Send the replies in order; every callback query gets exactly one answer."""
        bot = application.bot
        answered = False
        try:
            for reply in replies:
                match reply:
                    case Toast(text):
                        if query is not None and not answered:
                            answered = True
                            await self._answer(query, text)
                    case Send(text, buttons):
                        await self._send(bot, chat_id, text, buttons)
                    case Edit(message_id, text, buttons):
                        await self._edit(bot, chat_id, message_id, text, buttons)
                    case EditButtons(message_id, buttons):
                        await self._edit_buttons(bot, chat_id, message_id, buttons)
                    case Photo(png, caption):
                        await bot.send_photo(
                            chat_id, png, caption=caption, parse_mode=ParseMode.HTML
                        )
                    case WakeAt(due):
                        self.wake_at(application, due)
        except Forbidden:
            log.info("chat %s has blocked the bot; replies dropped", chat_id)
        finally:
            if query is not None and not answered:
                await self._answer(query, "")

    @staticmethod
    async def _answer(query: CallbackQuery, text: str) -> None:
        try:
            await query.answer(text or None)
        except BadRequest as error:
            if not _harmless(error):
                raise

    @staticmethod
    async def _send(bot: ExtBot[Any], chat_id: int, text: str, buttons: Keyboard) -> None:
        chunks = split_text(text)
        for index, chunk in enumerate(chunks):
            last = index == len(chunks) - 1
            await bot.send_message(
                chat_id,
                chunk,
                parse_mode=ParseMode.HTML,
                reply_markup=markup(buttons) if last else None,
                link_preview_options=None,
            )

    async def _edit(
        self, bot: ExtBot[Any], chat_id: int, message_id: int, text: str, buttons: Keyboard
    ) -> None:
        chunks = split_text(text)
        if len(chunks) > 1:
            await self._send(bot, chat_id, text, buttons)
            return
        try:
            await bot.edit_message_text(
                text,
                chat_id=chat_id,
                message_id=message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=markup(buttons),
            )
        except BadRequest as error:
            if _harmless(error):
                return
            if not _gone(error):
                raise
            await self._send(bot, chat_id, text, buttons)

    @staticmethod
    async def _edit_buttons(
        bot: ExtBot[Any], chat_id: int, message_id: int, buttons: Keyboard
    ) -> None:
        try:
            await bot.edit_message_reply_markup(
                chat_id=chat_id, message_id=message_id, reply_markup=markup(buttons)
            )
        except BadRequest as error:
            if not (_harmless(error) or _gone(error)):
                raise

    # ------------------------------------------------------------------ timers, reminders

    def wake_at(
        self, application: Application[Any, Any, Any, Any, Any, Any], due: datetime
    ) -> None:
        """Check for due timers at `due` (the regular sweep is the safety net)."""
        if application.job_queue is not None:
            application.job_queue.run_once(self.sweep_timers, when=due, name="timer-due")

    async def sweep_timers(self, context: CallbackContext[Any, Any, Any, Any]) -> None:
        """Fire every due timer; each is claimed in the store so it fires once."""
        for who, replies in await self.dialogue.fire_due_timers():
            await self._deliver_quietly(context.application, who.chat_id, replies)

    async def sweep_reminders(self, context: CallbackContext[Any, Any, Any, Any]) -> None:
        """Send the daily reminders that are due now."""
        for who, replies in await self.dialogue.due_reminders():
            await self._deliver_quietly(context.application, who.chat_id, replies)

    async def _deliver_quietly(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int,
        replies: Sequence[Reply],
    ) -> None:
        try:
            await self.deliver(application, chat_id, replies)
        except (TelegramError, OSError):
            log.exception("could not deliver a timer or reminder to chat %s", chat_id)

    # ------------------------------------------------------------------ errors

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log the error; tell the user something went wrong (if there is a user)."""
        error = context.error
        if isinstance(error, (NetworkError, RetryAfter)) and not isinstance(error, BadRequest):
            log.warning("Telegram API problem: %s", type(error).__name__)
        else:
            log.error("error while handling an update", exc_info=error)
        if isinstance(update, Update) and update.effective_chat is not None:
            if update.effective_chat.type == ChatType.CHANNEL:
                return
            with contextlib.suppress(TelegramError):
                await context.bot.send_message(update.effective_chat.id, msg.something_went_wrong())
            if update.callback_query is not None:
                with contextlib.suppress(TelegramError):
                    await update.callback_query.answer()


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
    settings: Settings, kb: KnowledgeBase, store: Store | None = None
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The Application with every handler registered, in the order they are tried."""
    token = settings.require_token()
    store = store or open_store(database_url=settings.database_url, sqlite_path=settings.db_path)
    dialogue = Dialogue(kb, store, Answerer(kb), timer_scale=settings.timer_scale)
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

    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{settings.api_base_url}/bot")
        .base_file_url(f"{settings.api_base_url}/file/bot")
        .rate_limiter(ChatRateLimiter())
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
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
    # 6. The user blocked or unblocked the bot.
    application.add_handler(ChatMemberHandler(adapter.on_blocked, ChatMemberHandler.MY_CHAT_MEMBER))
    # 7. Anything else (group chatter, service messages): deliberately ignored.
    application.add_handler(TypeHandler(Update, adapter.ignore), group=1)
    application.add_error_handler(adapter.on_error)
    return application


def run(settings: Settings, kb: KnowledgeBase) -> int:
    """`hipbot run`: long polling, or a webhook when WEBHOOK_URL is set."""
    configure_logging(settings)
    application = build_application(settings, kb)
    if settings.webhook_url:
        if not settings.webhook_secret:
            raise ConfigError("WEBHOOK_SECRET must be set when WEBHOOK_URL is set")
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
