"""Dialogue replies in Telegram's terms: HTML split under the length limit, inline keyboards,
and which Bot API errors are harmless."""

from __future__ import annotations

import re

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)
from telegram.constants import MessageLimit
from telegram.error import BadRequest

from bot.dialogue.replies import Keyboard


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


def harmless(error: BadRequest) -> bool:
    text = error.message.lower()
    return "message is not modified" in text or "query is too old" in text


def gone(error: BadRequest) -> bool:
    text = error.message.lower()
    return "message to edit not found" in text or "message can't be edited" in text
