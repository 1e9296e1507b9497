"""The handlers: updates become dialogue events, dialogue replies become Bot API calls.

Nothing here decides what to say. A reply Telegram could not take (after the retries in
limits.py) is logged and dropped, never apologised for: the apology is for the bot's own
failures. A routine card that could not be delivered takes its change back."""

from __future__ import annotations

import contextlib
import logging
import re
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Message,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, TelegramError
from telegram.ext import (
    Application,
    CallbackContext,
    ContextTypes,
    ExtBot,
)

from bot.adapters.telegram.limits import describe, may_have_arrived
from bot.adapters.telegram.outgoing import PhotoCards, edit_buttons, edit_text, send_text
from bot.adapters.telegram.render import harmless, split_text
from bot.dialogue import ButtonIn, CommandIn, Dialogue, Event, OtherIn, TextIn, Who
from bot.dialogue import messages as msg
from bot.dialogue.replies import Edit, EditButtons, Photo, Reply, Send, Toast, WakeAt

log = logging.getLogger("hipbot.telegram")
CONFLICT_QUIET_SECONDS = 600.0
"""After a 409 Conflict is logged, further ones are logged at DEBUG for this long."""


class Conflicts:
    """409 Conflict (another process polls with the token, or a webhook is set): one clear
    line, not one per retry."""

    def __init__(self) -> None:
        self._logged_at: float | None = None

    def seen(self) -> None:
        """Log the conflict, unless it was logged a moment ago."""
        now = time.monotonic()
        quiet = self._logged_at is not None and now - self._logged_at < CONFLICT_QUIET_SECONDS
        log.log(
            logging.DEBUG if quiet else logging.WARNING,
            "Telegram answered 409 Conflict: another process is getting updates with this"
            " token, or a webhook is set; only one may run (retrying)",
        )
        if not quiet:
            self._logged_at = now


class TelegramAdapter:
    """Renders dialogue replies with the Bot API and feeds updates to the dialogue."""

    def __init__(self, dialogue: Dialogue) -> None:
        self.dialogue = dialogue
        self.conflicts = Conflicts()
        self.photo_cards = PhotoCards(dialogue.store, dict(dialogue.kb.pictures))

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
            if not harmless(error):
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
        """Run the dialogue, then send its replies (state is already committed). An update
        handled before (Telegram delivered it twice) is left alone."""
        replies = await self.dialogue.handle_once(event, update.update_id)
        if replies is None:
            log.debug("update %s was handled already", update.update_id)
            return
        await self.deliver(context.application, event.who, replies, query)

    # ------------------------------------------------------------------ replies out

    async def deliver(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        who: Who,
        replies: Sequence[Reply],
        query: CallbackQuery | None = None,
    ) -> None:
        """Send the replies in order; every callback query gets exactly one answer. When one
        cannot be delivered, the rest is dropped (and a routine card's change taken back)."""
        bot = application.bot
        chat_id = who.chat_id
        answered = False
        reply: Reply | None = None
        try:
            for reply in replies:
                match reply:
                    case Toast(text):
                        if query is not None and not answered:
                            answered = True
                            await self._answer(query, text)
                    case Send() | Edit() if reply.card:
                        await self._show_card(bot, chat_id, reply)
                    case Send(text, buttons):
                        await send_text(bot, chat_id, text, buttons)
                    case Edit(message_id, text, buttons):
                        await edit_text(bot, chat_id, message_id, text, buttons)
                    case EditButtons(message_id, buttons):
                        await edit_buttons(bot, chat_id, message_id, buttons)
                    case Photo(png, caption):
                        await bot.send_photo(
                            chat_id, png, caption=caption, parse_mode=ParseMode.HTML
                        )
                    case WakeAt(due):
                        self.wake_at(application, due)
        except Forbidden:
            log.info("chat %s has blocked the bot; replies dropped", chat_id)
        except TelegramError as error:
            await self._undelivered(application, who, reply, error)
        finally:
            if query is not None and not answered:
                await self._answer(query, "")

    async def _undelivered(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        who: Who,
        reply: Reply | None,
        error: TelegramError,
    ) -> None:
        """One line about a reply Telegram did not take; a card's change is taken back unless
        Telegram may have shown it after all (a timeout: the next press shows the step)."""
        undo = reply.undo if isinstance(reply, Send | Edit) else None
        taken_back = False
        if undo is not None and not may_have_arrived(error):
            later = await self.dialogue.undo(who, undo)
            for timer in later or []:
                if isinstance(timer, WakeAt):
                    self.wake_at(application, timer.due_at)
            taken_back = later is not None
        log.warning(
            "chat %s: a reply could not be delivered (%s); %s",
            who.chat_id,
            describe(error),
            "the routine step it showed is taken back" if taken_back else "the rest is dropped",
        )

    @staticmethod
    async def _answer(query: CallbackQuery, text: str) -> None:
        try:
            await query.answer(text or None)
        except BadRequest as error:
            if not harmless(error):
                log.warning("a button press could not be answered (%s)", describe(error))
        except TelegramError as error:
            log.warning("a button press could not be answered (%s)", describe(error))

    async def _show_card(self, bot: ExtBot[Any], chat_id: int, card: Send | Edit) -> None:
        """A routine session's card: every one goes out here (a new message, or the pressed
        card edited in place); a step with a picture is a photo with the card as caption."""
        if card.picture is not None and card.picture in self.photo_cards.pictures:
            await self.photo_cards.show(bot, chat_id, card, card.picture)
        elif isinstance(card, Edit):
            photo = self.photo_cards.is_photo(chat_id, card.message_id)
            await edit_text(bot, chat_id, card.message_id, card.text, card.buttons, photo=photo)
        else:
            await send_text(bot, chat_id, card.text, card.buttons)

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
            await self.deliver(context.application, who, replies)

    async def sweep_reminders(self, context: CallbackContext[Any, Any, Any, Any]) -> None:
        """Send the daily reminders that are due now."""
        for who, replies in await self.dialogue.due_reminders():
            await self.deliver(context.application, who, replies)

    async def prune_handled_updates(self, context: CallbackContext[Any, Any, Any, Any]) -> None:
        """Forget the ids of updates handled more than a day ago."""
        await self.dialogue.forget_handled_updates()

    async def check_token(self, context: CallbackContext[Any, Any, Any, Any]) -> None:
        """Ask Telegram who the bot is: a revoked token answers 401, which ends the process
        (a webhook process would otherwise never hear of it)."""
        with contextlib.suppress(TelegramError):
            await context.bot.get_me()

    # ------------------------------------------------------------------ errors

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Telegram's refusals in one line each; a failure of the bot's own code with its
        traceback, and an apology to the user (if there is one)."""
        error = context.error
        if isinstance(error, Conflict):
            self.conflicts.seen()
            return
        if isinstance(error, InvalidToken):
            log.debug("Telegram rejected the token (the process ends)")
            return
        if isinstance(error, TelegramError):
            log.warning("Telegram API problem: %s", describe(error))
            return
        log.error("error while handling an update", exc_info=error)
        if isinstance(update, Update) and update.effective_chat is not None:
            if update.effective_chat.type == ChatType.CHANNEL:
                return
            with contextlib.suppress(TelegramError):
                await context.bot.send_message(update.effective_chat.id, msg.something_went_wrong())
            if update.callback_query is not None:
                with contextlib.suppress(TelegramError):
                    await update.callback_query.answer()
