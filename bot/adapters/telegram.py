"""The Telegram adapter: python-telegram-bot handlers that turn updates into dialogue events
and dialogue replies into Bot API calls. Nothing here decides what to say."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from aiolimiter import AsyncLimiter
from telegram import (
    BotCommand,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Message,
    Update,
)
from telegram.constants import ChatType, MessageLimit, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    BaseUpdateProcessor,
    CallbackContext,
    CallbackQueryHandler,
    ChatMemberHandler,
    ContextTypes,
    ExtBot,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.config import ConfigError, Settings
from bot.core.answering import Answerer
from bot.core.knowledge import KnowledgeBase, load_knowledge
from bot.dialogue import ButtonIn, CommandIn, Dialogue, Event, OtherIn, TextIn, Who
from bot.dialogue import messages as msg
from bot.dialogue.replies import Edit, EditButtons, Keyboard, Photo, Reply, Send, Toast, WakeAt
from bot.store import Store, open_store

log = logging.getLogger("hipbot.telegram")

TIMER_SWEEP_SECONDS = 5.0
REMINDER_SWEEP_SECONDS = 30.0
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
    # The JobQueue's scheduler logs two INFO lines per job run: every few seconds for the sweeps.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
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
                cut = _hard_cut(piece, limit)
            chunks.append(piece[:cut])
            piece = piece[cut:].lstrip("\n ")
        current = piece
    if current:
        chunks.append(current)
    return _balance_tags(chunks)


def _hard_cut(piece: str, limit: int) -> int:
    """Where to cut a run without spaces: at `limit`, or before a tag or an entity (`&amp;`)
    that the cut would break in two."""
    cut = limit
    for opener, closer in (("<", ">"), ("&", ";")):
        start = piece.rfind(opener, 0, cut)
        if start > 0 and closer not in piece[start:cut]:
            cut = start
    return cut


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
        if re.sub(r"</?(b|i)>", "", chunk).strip():  # not just tags: Telegram refuses empty text
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
        head, *rest = message.text[1:].split(maxsplit=1) or [""]
        name, _, addressee = head.partition("@")
        args = rest[0] if rest else ""
        if addressee and addressee.lower() != (context.bot.username or "").lower():
            return  # /help@SomeOtherBot in a group is for that bot
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

    async def on_inline(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """`@bot psoas` typed in any chat: matching entries, each with a link into the bot."""
        query = update.inline_query
        if query is None:
            return
        username = context.bot.username
        results = [
            InlineQueryResultArticle(
                id=item.entry_id,
                title=item.title,
                description=item.description,
                input_message_content=InputTextMessageContent(
                    split_text(item.text)[0], parse_mode=ParseMode.HTML
                ),
                reply_markup=InlineKeyboardMarkup(
                    [
                        [
                            InlineKeyboardButton(
                                msg.OPEN_IN_BOT_LABEL,
                                url=f"https://t.me/{username}?start={item.start_payload}",
                            )
                        ]
                    ]
                ),
            )
            for item in self.dialogue.inline(query.query)
        ]
        try:
            await query.answer(results, cache_time=300, is_personal=False)
        except BadRequest as error:
            if not _harmless(error):
                raise

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
