"""Messages out: text split under Telegram's limit, edits that fall back sensibly, and routine
cards, which are photo messages (the step's picture, the card as its caption) where the step
has a picture. Each picture is uploaded once; its file_id is kept in the store."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from pathlib import Path
from typing import Any

from telegram import InputMediaPhoto, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ExtBot

from bot.adapters.telegram.render import gone, harmless, markup, split_text
from bot.dialogue import messages as msg
from bot.dialogue.replies import Edit, Keyboard, Send
from bot.store import Store


def no_text(error: BadRequest) -> bool:
    """True when an edit of text met a photo message (it has a caption instead)."""
    return "no text in the message" in error.message.lower()


def bad_file(error: BadRequest) -> bool:
    """True when Telegram does not know a file_id (another bot, or a cleared file)."""
    return "file identifier" in error.message.lower() or "file_id" in error.message.lower()


async def send_text(bot: ExtBot[Any], chat_id: int, text: str, buttons: Keyboard) -> None:
    """A text message, split on paragraphs when longer than Telegram allows."""
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


async def edit_text(
    bot: ExtBot[Any],
    chat_id: int,
    message_id: int,
    text: str,
    buttons: Keyboard,
    *,
    photo: bool = False,
) -> None:
    """Edit a message's text (or, on a photo card, its caption); a new message when the old
    one is gone or the text no longer fits it. `photo`: the message is known to be a photo."""
    if len(split_text(text)) > 1:
        await send_text(bot, chat_id, text, buttons)
        return
    if photo and msg.visible_length(text) <= msg.CAPTION_LIMIT:
        await _edit_caption(bot, chat_id, message_id, text, buttons)
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
        if harmless(error):
            return
        if no_text(error) and msg.visible_length(text) <= msg.CAPTION_LIMIT:
            await _edit_caption(bot, chat_id, message_id, text, buttons)
        elif gone(error) or no_text(error):
            await send_text(bot, chat_id, text, buttons)
        else:
            raise


async def _edit_caption(
    bot: ExtBot[Any], chat_id: int, message_id: int, text: str, buttons: Keyboard
) -> None:
    try:
        await bot.edit_message_caption(
            chat_id=chat_id,
            message_id=message_id,
            caption=text,
            parse_mode=ParseMode.HTML,
            reply_markup=markup(buttons),
        )
    except BadRequest as error:
        if gone(error):  # as for a text card: the card comes as a new message
            await send_text(bot, chat_id, text, buttons)
        elif not harmless(error):
            raise


async def edit_buttons(bot: ExtBot[Any], chat_id: int, message_id: int, buttons: Keyboard) -> None:
    """Replace only the buttons of a message."""
    try:
        await bot.edit_message_reply_markup(
            chat_id=chat_id, message_id=message_id, reply_markup=markup(buttons)
        )
    except BadRequest as error:
        if not (harmless(error) or gone(error)):
            raise


# Photo cards remembered, so a later text edit goes to the caption without a failed try.
REMEMBERED_PHOTOS = 10_000


class PhotoCards:
    """Routine cards with their exercise picture: one photo message, edited in place."""

    def __init__(self, store: Store, pictures: dict[str, Path]) -> None:
        self.store = store
        self.pictures = pictures
        self._loaded: dict[str, tuple[bytes, str]] = {}
        self._photos: OrderedDict[tuple[int, int], None] = OrderedDict()

    def is_photo(self, chat_id: int, message_id: int) -> bool:
        """Whether this process showed that message as a photo card."""
        return (chat_id, message_id) in self._photos

    def _remember(self, chat_id: int, sent: Message | bool | None, card: Send | Edit) -> None:
        message_id = sent.message_id if isinstance(sent, Message) else None
        if message_id is None and isinstance(card, Edit):
            message_id = card.message_id
        if message_id is not None:
            self._photos[(chat_id, message_id)] = None
            self._photos.move_to_end((chat_id, message_id))
            while len(self._photos) > REMEMBERED_PHOTOS:
                self._photos.popitem(last=False)

    def _picture(self, name: str) -> tuple[bytes, str]:
        """The picture's bytes and their fingerprint (a redrawn picture is uploaded again)."""
        if name not in self._loaded:
            data = self.pictures[name].read_bytes()
            self._loaded[name] = (data, hashlib.sha256(data).hexdigest()[:16])
        return self._loaded[name]

    async def show(self, bot: ExtBot[Any], chat_id: int, card: Send | Edit, name: str) -> None:
        """Send the card as a photo, or edit the pressed card's photo and caption in place."""
        data, fingerprint = self._picture(name)
        file_id = await self.store.picture_file_id(name, fingerprint)
        try:
            sent = await self._put(bot, chat_id, card, file_id or data)
        except BadRequest as error:
            if file_id is None or not bad_file(error):
                raise
            file_id = None  # a file_id Telegram does not know: upload the picture again
            sent = await self._put(bot, chat_id, card, data)
        self._remember(chat_id, sent, card)
        if file_id is None and isinstance(sent, Message) and sent.photo:
            await self.store.save_picture_file_id(name, fingerprint, sent.photo[-1].file_id)

    @staticmethod
    async def _put(
        bot: ExtBot[Any], chat_id: int, card: Send | Edit, media: str | bytes
    ) -> Message | bool | None:
        reply_markup = markup(card.buttons)
        if isinstance(card, Edit):
            try:
                return await bot.edit_message_media(
                    media=InputMediaPhoto(media, caption=card.text, parse_mode=ParseMode.HTML),
                    chat_id=chat_id,
                    message_id=card.message_id,
                    reply_markup=reply_markup,
                )
            except BadRequest as error:
                if harmless(error):
                    return None
                if not gone(error):
                    raise
        return await bot.send_photo(
            chat_id,
            media,
            caption=card.text,
            parse_mode=ParseMode.HTML,
            reply_markup=reply_markup,
        )
