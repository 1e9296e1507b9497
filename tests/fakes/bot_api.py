"""A fake Telegram Bot API server for end-to-end tests.

`FakeBotApi` is a small HTTP server (standard library only) that speaks enough of the
Telegram Bot API for the *real* python-telegram-bot ``Bot``/``Application`` to run against
it.  It listens on ``127.0.0.1`` on a free port, in background threads, so it works while the
test's own asyncio loop drives the bot::

    with FakeBotApi() as fake:
        bot = telegram.Bot("123456:TEST-token", base_url=fake.api_url,
                           base_file_url=fake.file_url)
        # or: ApplicationBuilder().token(...).base_url(fake.api_url)
        #                                      .base_file_url(fake.file_url)
        alice = fake.new_user(1001, "Alice")
        fake.send_text(alice, "/start")           # queued for getUpdates
        call = await fake.wait_for_async("sendMessage")
        assert "Welcome" in fake.last_sent_message(alice.id).rendered_text

URLs: ``POST {base_url}/bot<token>/<method>`` (form-urlencoded, multipart/form-data or
JSON bodies, also GET with a query string) and ``GET {base_url}/file/bot<token>/<file_path>``.
Answers follow Telegram: ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": N,
"description": "...", "parameters": {"retry_after": N}}`` with the HTTP status ``N``.

Implemented methods: getMe, getUpdates (long polling with offset/limit/timeout/
allowed_updates, 409 on a concurrent poll or an active webhook), sendMessage, sendPhoto,
sendDocument, editMessageText, editMessageReplyMarkup, deleteMessage, answerCallbackQuery,
answerInlineQuery, sendChatAction, getFile, setMyCommands/getMyCommands/deleteMyCommands,
setMyName/Description/ShortDescription (+ getters), setChatMenuButton, setWebhook/
deleteWebhook/getWebhookInfo, close, logOut.  Anything else answers 404
``"Not Found: method not found"``.

Validation mirrors Telegram's answers: empty / over-long text and captions, HTML parse mode
(tdlib's parser: allowed tags, balanced tags, bare ``<``; a bare ``&`` is rejected too unless
``strict_ampersand=False`` -- real Telegram keeps it literally), inline keyboards
(``BUTTON_DATA_INVALID``, more than 100 buttons), "message is not modified", "message to edit
not found", stale or repeated callback query answers.  MarkdownV2 is stored, not validated.
``editMessageText`` without ``reply_markup`` removes the inline keyboard, as Telegram does.

Inspection: `FakeBotApi.calls` (every request as a `Call`), `calls_to`, `sent_messages`,
`last_sent_message`, `message`, `callback_answer`, `inline_answer`, `commands`, `file_bytes`,
`max_rate` / `max_rate_per_chat` (sliding-window send rates), `clear_calls`.
Waiting: `wait_for` / `wait_for_async`, `wait_for_message` / `wait_for_message_async`,
`wait_until` / `wait_until_async`.
Simulated users: `new_user`, `send_text`, `send_group_text`, `send_channel_post`,
`send_photo`, `send_sticker`, `send_voice`, `send_location`, `send_user_message`,
`edit_user_message`, `press_button`, `send_inline_query`, `send_my_chat_member`,
`push_update` -- each returns the new update_id; `update(update_id)` gives the update back.
Webhooks: `deliver_webhook` / `deliver_webhook_async`, `deliver_raw_webhook` (any bytes),
`flush_webhook` / `flush_webhook_async`.
Faults: `inject_fault` (429/400/403/500..., slow answers, dropped connections),
`clear_faults`, `block_user` / `unblock_user`, `revoke_token` (every request answers 401, as
after @BotFather's /revoke), `refuse_connections` / `accept_connections` (the host is down:
connections are refused, open ones closed).

The bot token is taken from the request path and only a SHA-256 digest of it is kept, to
check that every request uses the same token (a different one answers 401).  Request lines
are never logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import email.message
import email.utils
import hashlib
import hmac
import itertools
import json
import logging
import re
import socket
import socketserver
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Final, Literal, Self, cast
from urllib.parse import parse_qsl, unquote, urlsplit

__all__ = [
    "BAD_HTML_PREFIX",
    "BUTTON_DATA_INVALID",
    "DEFAULT_TOKEN",
    "MESSAGE_NOT_MODIFIED",
    "MESSAGE_TEXT_EMPTY",
    "MESSAGE_TOO_LONG",
    "MESSAGE_TO_EDIT_NOT_FOUND",
    "QUERY_TOO_OLD",
    "SEND_METHODS",
    "Call",
    "ChatType",
    "FakeBotApi",
    "FakeChat",
    "FakeUser",
    "HtmlParseError",
    "StoredMessage",
    "UploadedFile",
    "parse_telegram_html",
]

JsonDict = dict[str, Any]
ChatType = Literal["private", "group", "supergroup", "channel"]
CallMatcher = str | Callable[["Call"], bool]

_LOG = logging.getLogger(__name__)

DEFAULT_TOKEN: Final = "123456:TEST-token"

MAX_TEXT_LENGTH: Final = 4096
MAX_CAPTION_LENGTH: Final = 1024
MAX_CALLBACK_DATA_BYTES: Final = 64
MAX_INLINE_BUTTONS: Final = 100
MAX_INLINE_RESULTS: Final = 50

MESSAGE_NOT_MODIFIED: Final = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a content and reply markup of the current message"
)
MESSAGE_TO_EDIT_NOT_FOUND: Final = "Bad Request: message to edit not found"
MESSAGE_TOO_LONG: Final = "Bad Request: message is too long"
MESSAGE_TEXT_EMPTY: Final = "Bad Request: message text is empty"
BAD_HTML_PREFIX: Final = "Bad Request: can't parse entities: "
BUTTON_DATA_INVALID: Final = "Bad Request: BUTTON_DATA_INVALID"
REPLY_MARKUP_TOO_LONG: Final = "Bad Request: reply markup is too long"
QUERY_TOO_OLD: Final = (
    "Bad Request: query is too old and response timeout expired or query ID is invalid"
)
METHOD_NOT_FOUND: Final = "Not Found: method not found"

#: Methods counted by the rate helpers by default (everything that posts a new message).
SEND_METHODS: Final = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendAudio",
        "sendVideo",
        "sendVoice",
        "sendVideoNote",
        "sendAnimation",
        "sendSticker",
        "sendLocation",
        "sendVenue",
        "sendContact",
        "sendPoll",
        "sendDice",
        "sendMediaGroup",
        "copyMessage",
        "forwardMessage",
    }
)

_DEFAULT_ERROR_DESCRIPTIONS: Final[Mapping[int, str]] = {
    400: "Bad Request: injected fault",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
}

# Update types Telegram leaves out when allowed_updates is empty / never set.
_NOT_DELIVERED_BY_DEFAULT: Final = frozenset(
    {"chat_member", "message_reaction", "message_reaction_count"}
)

# Form fields that are strings even when they look like JSON (numbers, true, ...).
_STRING_FIELDS: Final = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "inline_query_id",
        "inline_message_id",
        "url",
        "secret_token",
        "ip_address",
        "action",
        "language_code",
        "next_offset",
        "switch_pm_text",
        "switch_pm_parameter",
        "name",
        "description",
        "short_description",
        "file_id",
        "photo",
        "document",
        "emoji",
        "title",
        "query",
    }
)

_CHAT_ACTIONS: Final = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

_INLINE_BUTTON_ACTIONS: Final = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)

_API_PATH: Final = re.compile(r"/bot(?P<token>[^/]+)/(?P<method>[A-Za-z0-9_]+)/?")
_FILE_PATH: Final = re.compile(r"/file/bot(?P<token>[^/]+)/(?P<path>.+)")
_TOKEN_SHAPE: Final = re.compile(r"\d+:[A-Za-z0-9_-]+")
_BOT_COMMAND: Final = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![^\s])")
_COMMAND_NAME: Final = re.compile(r"[a-z0-9_]{1,32}")
_SECRET_TOKEN: Final = re.compile(r"[A-Za-z0-9_-]{1,256}")


# --------------------------------------------------------------------------------------------
# Public data classes
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UploadedFile:
    """One file part of a multipart/form-data request."""

    field_name: str
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass
class Call:
    """One request received by the fake (read-only for tests).

    ``time`` is ``time.monotonic()`` at arrival; ``status`` is the HTTP status of the answer
    (``None`` while the request is still being handled or when the connection was dropped);
    ``result`` is the ``result`` of a successful answer, ``error`` the ``description`` of a
    failed one.  File parts of multipart requests are in ``files``, not in ``params``.
    """

    method: str
    params: JsonDict
    time: float
    files: dict[str, UploadedFile] = field(default_factory=dict)
    status: int | None = None
    result: Any = None
    error: str | None = None
    answered: bool = False
    answered_at: float | None = None
    dropped: bool = False

    @property
    def ok(self) -> bool:
        return self.answered and self.status == 200

    @property
    def chat_id(self) -> int | str | None:
        return _normalize_chat_id(self.params.get("chat_id"))


@dataclass(frozen=True)
class FakeUser:
    """A simulated Telegram user."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "en"
    is_bot: bool = False
    is_premium: bool | None = None

    def to_dict(self) -> JsonDict:
        data: JsonDict = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name is not None:
            data["last_name"] = self.last_name
        if self.username is not None:
            data["username"] = self.username
        if self.language_code is not None:
            data["language_code"] = self.language_code
        if self.is_premium is not None:
            data["is_premium"] = self.is_premium
        return data


@dataclass(frozen=True)
class FakeChat:
    """A chat known to the fake (private chats use the user's id)."""

    id: int
    type: ChatType
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None

    def to_dict(self) -> JsonDict:
        data: JsonDict = {"id": self.id, "type": self.type}
        for key in ("title", "username", "first_name", "last_name"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data


@dataclass
class StoredMessage:
    """A message in a chat, sent by the bot (``from_bot``) or by a simulated user.

    ``text``, ``parse_mode``, ``entities`` and ``raw_reply_markup`` are as the bot sent them;
    ``rendered_text`` / ``rendered_entities`` are what Telegram shows (HTML tags parsed away;
    for media the caption); ``reply_markup`` is the inline keyboard Telegram returns, if any.
    """

    chat_id: int
    message_id: int
    date: int
    from_bot: bool
    kind: str = "text"
    text: str | None = None
    parse_mode: str | None = None
    entities: list[JsonDict] | None = None
    caption: str | None = None
    rendered_text: str | None = None
    rendered_entities: list[JsonDict] = field(default_factory=list)
    reply_markup: JsonDict | None = None
    raw_reply_markup: JsonDict | None = None
    sender: JsonDict | None = None
    sender_chat: JsonDict | None = None
    content: JsonDict = field(default_factory=dict)
    file_id: str | None = None
    file_bytes: bytes | None = None
    reply_to_message_id: int | None = None
    deleted: bool = False
    edit_count: int = 0
    edit_date: int | None = None
    history: list[str | None] = field(default_factory=list)
    sent_at: float = field(default_factory=time.monotonic)

    @property
    def buttons(self) -> list[JsonDict]:
        """The inline keyboard buttons, row by row, flattened."""
        if not self.reply_markup:
            return []
        return [b for row in self.reply_markup.get("inline_keyboard", []) for b in row]

    @property
    def callback_data(self) -> list[str]:
        return [b["callback_data"] for b in self.buttons if "callback_data" in b]


class HtmlParseError(ValueError):
    """Raised by `parse_telegram_html` with tdlib's wording (without the API prefix)."""


class _ApiError(Exception):
    def __init__(self, status: int, description: str, parameters: JsonDict | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


@dataclass
class _Fault:
    method: str
    status: int | None
    description: str | None
    retry_after: int | None
    remaining: int
    delay: float
    drop_connection: bool
    chat_id: int | str | None


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes | None
    file_path: str | None
    mime_type: str | None = None
    file_name: str | None = None


@dataclass
class _Query:
    issued_at: float
    answered: bool = False
    answer: JsonDict | None = None


# --------------------------------------------------------------------------------------------
# HTML parse mode (a port of tdlib's parse_html, the parser behind the Bot API)
# --------------------------------------------------------------------------------------------

_HTML_SPACES: Final = frozenset(" \t\r\n\v\0")
_HTML_TAGS: Final = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "tg-spoiler",
        "span",
        "code",
        "pre",
        "blockquote",
    }
)
_HTML_NAMED_ENTITIES: Final[Mapping[str, str]] = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SIMPLE_ENTITY_TYPES: Final[Mapping[str, str]] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _decode_html_entity(text: str, pos: int) -> tuple[str, int] | None:
    """Decodes the character entity at ``text[pos] == '&'``; returns (char, next_pos)."""
    n = len(text)
    end = pos + 1
    if end < n and text[end] == "#":
        end += 1
        if end < n and text[end] == "x":
            end += 1
            start = end
            while end < n and text[end] in "0123456789abcdefABCDEF":
                end += 1
            base = 16
        else:
            start = end
            while end < n and text[end] in "0123456789":
                end += 1
            base = 10
        digits = text[start:end]
        if not digits or end - pos >= 10:
            return None
        code = int(digits, base)
        if code == 0 or code >= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return None
        char = chr(code)
    else:
        while end < n and text[end].isascii() and text[end].isalpha():
            end += 1
        named = _HTML_NAMED_ENTITIES.get(text[pos + 1 : end])
        if named is None:
            return None
        char = named
    if end < n and text[end] == ";":
        end += 1
    return char, end


@dataclass
class _OpenTag:
    name: str
    argument: str
    utf16_offset: int
    text_start: int
    attributes: dict[str, str]


def parse_telegram_html(text: str, *, strict_ampersand: bool = True) -> tuple[str, list[JsonDict]]:
    """Parses Bot API HTML the way Telegram (tdlib) does.

    Returns the plain text and its entities (offsets/lengths in UTF-16 code units).  Raises
    `HtmlParseError` with Telegram's message, e.g. ``Unsupported start tag "p" at byte offset
    0``.  With ``strict_ampersand`` a ``&`` that does not start a character entity is an error
    (Telegram itself keeps it literally).
    """

    def byte_offset(index: int) -> int:
        return len(text[:index].encode("utf-8"))

    n = len(text)
    out: list[str] = []
    out_len = 0  # characters in ``out``
    utf16 = 0
    entities: list[JsonDict] = []
    stack: list[_OpenTag] = []
    i = 0
    while i < n:
        char = text[i]
        if char == "&":
            decoded = _decode_html_entity(text, i)
            if decoded is not None:
                out.append(decoded[0])
                out_len += 1
                utf16 += _utf16_len(decoded[0])
                i = decoded[1]
                continue
            if strict_ampersand:
                raise HtmlParseError(
                    f'Unexpected "&" at byte offset {byte_offset(i)}; escape it as "&amp;"'
                )
        if char != "<":
            out.append(char)
            out_len += 1
            utf16 += _utf16_len(char)
            i += 1
            continue

        begin = i
        i += 1
        if i >= n or text[i] != "/":
            # Start tag.
            while i < n and text[i] not in _HTML_SPACES and text[i] != ">":
                i += 1
            if i >= n:
                raise HtmlParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
            tag = text[begin + 1 : i].lower()
            if tag not in _HTML_TAGS:
                raise HtmlParseError(
                    f'Unsupported start tag "{tag}" at byte offset {byte_offset(begin)}'
                )
            attributes: dict[str, str] = {}
            while i < n and text[i] != ">":
                while i < n and text[i] in _HTML_SPACES:
                    i += 1
                if i >= n or text[i] == ">":
                    break
                attr_begin = i
                while i < n and text[i] not in _HTML_SPACES and text[i] not in "=>":
                    i += 1
                attr_name = text[attr_begin:i].lower()
                if not attr_name:
                    raise HtmlParseError(
                        f'Empty attribute name in the tag "{tag}" at byte offset '
                        f"{byte_offset(begin)}"
                    )
                while i < n and text[i] in _HTML_SPACES:
                    i += 1
                if i < n and text[i] != "=":
                    # Value-less attribute, e.g. <blockquote expandable>.
                    attributes[attr_name] = ""
                    continue
                i += 1
                while i < n and text[i] in _HTML_SPACES:
                    i += 1
                if i >= n:
                    raise HtmlParseError(
                        f'Unclosed start tag "{tag}" at byte offset {byte_offset(begin)}'
                    )
                if text[i] not in "'\"":
                    token_begin = i
                    while i < n and ((text[i].isascii() and text[i].isalnum()) or text[i] in ".-"):
                        i += 1
                    value = text[token_begin:i].lower()
                    if i < n and text[i] not in _HTML_SPACES and text[i] != ">":
                        raise HtmlParseError(
                            f"Unexpected end of name token at byte offset "
                            f"{byte_offset(token_begin)}"
                        )
                else:
                    quote = text[i]
                    i += 1
                    parts: list[str] = []
                    while i < n and text[i] != quote:
                        if text[i] == "&":
                            decoded = _decode_html_entity(text, i)
                            if decoded is not None:
                                parts.append(decoded[0])
                                i = decoded[1]
                                continue
                        parts.append(text[i])
                        i += 1
                    if i < n:
                        i += 1
                    value = "".join(parts)
                if i >= n:
                    raise HtmlParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
                attributes[attr_name] = value
            if i >= n:
                raise HtmlParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
            i += 1  # '>'
            argument = ""
            if tag == "a":
                argument = attributes.get("href", "")
            elif tag == "code" and attributes.get("class", "").startswith("language-"):
                argument = attributes["class"][len("language-") :]
            elif tag == "span":
                if attributes.get("class") != "tg-spoiler":
                    raise HtmlParseError(
                        f'Tag "span" must have class "tg-spoiler" at byte offset '
                        f"{byte_offset(begin)}"
                    )
                argument = "spoiler"
            stack.append(_OpenTag(tag, argument, utf16, out_len, attributes))
            continue

        # End tag.
        if not stack:
            raise HtmlParseError(f"Unexpected end tag at byte offset {byte_offset(begin)}")
        i += 1  # '/'
        name_begin = i
        while i < n and text[i] not in _HTML_SPACES and text[i] != ">":
            i += 1
        end_name = text[name_begin:i].lower()
        while i < n and text[i] in _HTML_SPACES:
            i += 1
        if i >= n or text[i] != ">":
            raise HtmlParseError(f"Unclosed end tag at byte offset {byte_offset(begin)}")
        i += 1
        opened = stack[-1]
        if end_name and end_name != opened.name:
            raise HtmlParseError(
                f"Unmatched end tag at byte offset {byte_offset(begin)}, expected "
                f'"</{opened.name}>", found "</{end_name}>"'
            )
        stack.pop()
        length = utf16 - opened.utf16_offset
        if length <= 0:
            continue
        offset = opened.utf16_offset
        entity: JsonDict | None
        if opened.name in _SIMPLE_ENTITY_TYPES:
            entity = {"type": _SIMPLE_ENTITY_TYPES[opened.name]}
        elif opened.name == "a":
            url = opened.argument or "".join(out)[opened.text_start :]
            entity = {"type": "text_link", "url": url} if url.strip() else None
        elif opened.name == "code":
            entity = {"type": "code"}
            if opened.argument:
                entity["_language"] = opened.argument
        elif opened.name == "pre":
            entity = {"type": "pre"}
            last = entities[-1] if entities else None
            if (
                last is not None
                and last["type"] == "code"
                and last["offset"] == offset
                and last["length"] == length
            ):
                entities.pop()
                if "_language" in last:
                    entity["language"] = last["_language"]
        else:  # blockquote
            expandable = "expandable" in opened.attributes
            entity = {"type": "expandable_blockquote" if expandable else "blockquote"}
        if entity is not None:
            entity["offset"] = offset
            entity["length"] = length
            entities.append(entity)
    if stack:
        raise HtmlParseError(f"Can't find end tag corresponding to start tag {stack[-1].name}")
    for entity in entities:
        entity.pop("_language", None)
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


# --------------------------------------------------------------------------------------------
# Request parsing helpers
# --------------------------------------------------------------------------------------------


def _decode_form_value(name: str, value: str) -> Any:
    """PTB sends strings raw and everything else JSON-encoded; undo that."""
    if name in _STRING_FIELDS:
        return value
    try:
        decoded = json.loads(value)
    except ValueError:
        return value
    if isinstance(decoded, dict | list | bool | int | float):
        return decoded
    return value


def _header_param(header_value: str, param: str, header: str) -> str | None:
    msg = email.message.Message()
    msg[header] = header_value
    value = msg.get_param(param, header=header)
    if value is None:
        return None
    if isinstance(value, tuple):
        return email.utils.collapse_rfc2231_value(value)
    return str(value)


def _parse_multipart(
    body: bytes, content_type: str
) -> tuple[dict[str, str], dict[str, UploadedFile]]:
    boundary = _header_param(content_type, "boundary", "content-type")
    if not boundary:
        raise _ApiError(400, "Bad Request: multipart boundary is missing")
    fields: dict[str, str] = {}
    files: dict[str, UploadedFile] = {}
    delimiter = b"--" + boundary.encode("latin-1")
    for raw_part in body.split(delimiter)[1:]:
        if raw_part.startswith(b"--"):
            break
        part = raw_part.removeprefix(b"\r\n").removesuffix(b"\r\n")
        head, _, content = part.partition(b"\r\n\r\n")
        headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, sep, value = line.partition(":")
            if sep:
                headers[key.strip().lower()] = value.strip()
        disposition = headers.get("content-disposition", "")
        name = _header_param(disposition, "name", "content-disposition")
        if name is None:
            continue
        filename = _header_param(disposition, "filename", "content-disposition")
        if filename is not None or "content-type" in headers:
            files[name] = UploadedFile(name, filename, headers.get("content-type"), content)
        else:
            fields[name] = content.decode("utf-8", "replace")
    return fields, files


def _normalize_chat_id(value: Any) -> int | str | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return value
    return None


def _int_param(params: Mapping[str, Any], name: str, default: int | None = None) -> int | None:
    value = params.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _ApiError(400, f'Bad Request: field "{name}" must be an Integer') from None


def _update_type(update: Mapping[str, Any]) -> str:
    return next((key for key in update if key != "update_id"), "")


def _bot_commands(text: str) -> list[JsonDict]:
    return [
        {
            "type": "bot_command",
            "offset": _utf16_len(text[: match.start()]),
            "length": _utf16_len(match.group()),
        }
        for match in _BOT_COMMAND.finditer(text)
    ]


# --------------------------------------------------------------------------------------------
# HTTP plumbing
# --------------------------------------------------------------------------------------------


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], fake: FakeBotApi) -> None:
        self.fake = fake
        self.conn_lock = threading.Lock()
        self.closing = False
        self.connections: dict[socket.socket, bool] = {}  # socket -> busy
        self.conn_threads: set[threading.Thread] = set()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind() calls socket.getfqdn(), which may block on DNS.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self._run_connection,
            args=(request, client_address),
            name="fake-bot-api-conn",
            daemon=True,
        )
        with self.conn_lock:
            if self.closing:
                self.shutdown_request(request)
                return
            self.conn_threads.add(thread)
            self.connections[request] = False
        thread.start()

    def _run_connection(self, request: socket.socket, client_address: Any) -> None:
        try:
            self.process_request_thread(request, client_address)
        finally:
            with self.conn_lock:
                self.connections.pop(request, None)
                self.conn_threads.discard(threading.current_thread())

    def set_busy(self, sock: socket.socket, busy: bool) -> bool:
        """Marks a connection busy/idle; returns False when it must close (stopping)."""
        with self.conn_lock:
            if sock in self.connections:
                self.connections[sock] = busy
            return not self.closing

    def begin_close(self) -> list[threading.Thread]:
        with self.conn_lock:
            self.closing = True
            idle = [sock for sock, busy in self.connections.items() if not busy]
            threads = list(self.conn_threads)
        for sock in idle:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        return threads

    def force_close(self) -> None:
        with self.conn_lock:
            socks = list(self.connections)
        for sock in socks:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        _LOG.debug("fake Bot API connection error", exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Answer in one segment without Nagle delays (else ~40 ms per request with delayed ACKs).
    disable_nagle_algorithm = True
    wbufsize = -1
    server_version = "FakeTelegramBotAPI/1.0"
    sys_version = ""

    @property
    def _server(self) -> _HttpServer:
        return cast(_HttpServer, self.server)

    def log_message(self, format: str, *args: Any) -> None:
        # Never log request lines: the path contains the bot token.
        return

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        server = self._server
        server.set_busy(self.connection, True)
        try:
            server.fake._handle_http(self)
        finally:
            if not server.set_busy(self.connection, False):
                self.close_connection = True

    def read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            while True:
                size_line = self.rfile.readline(65537)
                size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline(3)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def send_bytes(self, status: int, body: bytes, content_type: str) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
        except OSError:
            self.close_connection = True

    def send_json(self, status: int, payload: JsonDict) -> None:
        self.send_bytes(status, json.dumps(payload).encode("utf-8"), "application/json")

    def drop(self) -> None:
        """Closes the connection without answering."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)


def _error_payload(error: _ApiError) -> JsonDict:
    payload: JsonDict = {
        "ok": False,
        "error_code": error.status,
        "description": error.description,
    }
    if error.parameters:
        payload["parameters"] = error.parameters
    return payload


# --------------------------------------------------------------------------------------------
# The fake
# --------------------------------------------------------------------------------------------


class FakeBotApi:
    """Fake Telegram Bot API server; see the module docstring."""

    def __init__(
        self,
        *,
        token: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_id: int | None = None,
        bot_username: str = "HipBackCoachBot",
        bot_first_name: str = "Hip & Back Coach",
        strict_chats: bool = False,
        strict_ampersand: bool = True,
        callback_query_ttl: float | None = None,
        require_https_webhook: bool = False,
    ) -> None:
        """Creates (does not start) the fake.

        ``token``: if given, only this token is accepted; otherwise the first request's
        token is. ``strict_chats``: sending to a chat the fake never saw answers 400 "chat not
        found" (default: the chat is created on the fly). ``callback_query_ttl``: seconds after
        which answering a callback query fails like Telegram's 15 s expiry (default: never).
        """
        self._host = host
        self._requested_port = port
        self._bot_id = bot_id
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.strict_chats = strict_chats
        self.strict_ampersand = strict_ampersand
        self.callback_query_ttl = callback_query_ttl
        self.require_https_webhook = require_https_webhook

        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._stop_event = threading.Event()
        self._server: _HttpServer | None = None
        self._thread: threading.Thread | None = None
        self._started = False
        self._stopped = False

        self._token_digest: bytes | None = None
        self._token_revoked = False
        if token is not None:
            self._accept_token(token)

        self._calls: list[Call] = []
        self._faults: list[_Fault] = []
        self._blocked: set[int] = set()
        self._users: dict[int, FakeUser] = {}
        self._chats: dict[int, FakeChat] = {}
        self._messages: dict[int, dict[int, StoredMessage]] = {}
        self._next_message_id: dict[int, int] = {}
        self._files: dict[str, _StoredFile] = {}
        self._file_seq = itertools.count(1)
        self._query_seq = itertools.count(1)

        self._updates: list[JsonDict] = []  # pending (unconfirmed) updates
        self._all_updates: dict[int, JsonDict] = {}
        self._next_update_id = 1
        self._confirmed_offset = 0
        self._delivered: set[int] = set()
        self._allowed_updates: list[str] | None = None
        self._poll_generation = 0
        self._waiting_pollers = 0

        self._callback_queries: dict[str, _Query] = {}
        self._inline_queries: dict[str, _Query] = {}
        self._commands: dict[tuple[str, str], list[JsonDict]] = {}
        self._bot_texts: dict[tuple[str, str], str] = {}
        self._menu_buttons: dict[int | None, JsonDict] = {}
        self._webhook: JsonDict | None = None
        self.internal_errors: list[BaseException] = []

        self._handlers: dict[str, tuple[str, Callable[[JsonDict, dict[str, UploadedFile]], Any]]]
        self._handlers = {
            name.lower(): (name, handler)
            for name, handler in {
                "getMe": self._api_get_me,
                "getUpdates": self._api_get_updates,
                "sendMessage": self._api_send_message,
                "sendPhoto": self._api_send_photo,
                "sendDocument": self._api_send_document,
                "editMessageText": self._api_edit_message_text,
                "editMessageReplyMarkup": self._api_edit_message_reply_markup,
                "editMessageMedia": self._api_edit_message_media,
                "editMessageCaption": self._api_edit_message_caption,
                "deleteMessage": self._api_delete_message,
                "answerCallbackQuery": self._api_answer_callback_query,
                "answerInlineQuery": self._api_answer_inline_query,
                "sendChatAction": self._api_send_chat_action,
                "getFile": self._api_get_file,
                "setMyCommands": self._api_set_my_commands,
                "getMyCommands": self._api_get_my_commands,
                "deleteMyCommands": self._api_delete_my_commands,
                "setMyName": self._bot_text_setter("name"),
                "getMyName": self._bot_text_getter("name"),
                "setMyDescription": self._bot_text_setter("description"),
                "getMyDescription": self._bot_text_getter("description"),
                "setMyShortDescription": self._bot_text_setter("short_description"),
                "getMyShortDescription": self._bot_text_getter("short_description"),
                "setChatMenuButton": self._api_set_chat_menu_button,
                "getChatMenuButton": self._api_get_chat_menu_button,
                "setWebhook": self._api_set_webhook,
                "deleteWebhook": self._api_delete_webhook,
                "getWebhookInfo": self._api_get_webhook_info,
                "close": self._api_true,
                "logOut": self._api_true,
            }.items()
        }

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> Self:
        """Binds 127.0.0.1 (free port by default) and serves in a daemon thread."""
        with self._lock:
            if self._started:
                raise RuntimeError("FakeBotApi can only be started once")
            self._started = True
        self._server = _HttpServer((self._host, self._requested_port), self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-bot-api",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Wakes long polls and slow answers, closes every connection, joins all threads."""
        with self._cond:
            if not self._started or self._stopped:
                return
            self._stopped = True
            self._cond.notify_all()
        self._stop_event.set()
        server, thread = self._server, self._thread
        assert server is not None and thread is not None
        server.shutdown()
        server.server_close()
        thread.join(timeout)
        threads = server.begin_close()
        deadline = time.monotonic() + timeout
        for conn_thread in threads:
            conn_thread.join(max(0.0, deadline - time.monotonic()))
        leftover = [t for t in threads if t.is_alive()]
        if leftover:
            server.force_close()
            for conn_thread in leftover:
                conn_thread.join(1.0)
            if any(t.is_alive() for t in leftover):
                _LOG.warning("fake Bot API: %d connection thread(s) did not stop", len(leftover))

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<FakeBotApi {self.base_url if self._server else '(not started)'}>"

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeBotApi is not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{self._host}:{self.port}"

    @property
    def api_url(self) -> str:
        """Pass as PTB ``base_url``: ``{base_url}/bot``."""
        return f"{self.base_url}/bot"

    @property
    def file_url(self) -> str:
        """Pass as PTB ``base_file_url``: ``{base_url}/file/bot``."""
        return f"{self.base_url}/file/bot"

    @property
    def running(self) -> bool:
        return self._started and not self._stopped

    # ---------------------------------------------------------------- bot identity

    @property
    def bot_id(self) -> int:
        return self._bot_id if self._bot_id is not None else 123456

    @property
    def bot_user(self) -> JsonDict:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def _accept_token(self, token: str) -> None:
        self._token_digest = hashlib.sha256(token.encode("utf-8")).digest()
        if self._bot_id is None:
            prefix = token.split(":", 1)[0]
            if prefix.isdigit():
                self._bot_id = int(prefix)

    def _check_token(self, token: str) -> _ApiError | None:
        if not _TOKEN_SHAPE.fullmatch(token):
            return _ApiError(404, "Not Found")
        digest = hashlib.sha256(token.encode("utf-8")).digest()
        with self._lock:
            if self._token_revoked:
                return _ApiError(401, "Unauthorized")
            if self._token_digest is None:
                self._accept_token(token)
                return None
            if not hmac.compare_digest(self._token_digest, digest):
                return _ApiError(401, "Unauthorized")
        return None

    # ---------------------------------------------------------------- HTTP entry point

    def _handle_http(self, handler: _Handler) -> None:
        split = urlsplit(handler.path)
        path = unquote(split.path)  # PTB percent-encodes file URLs (":" -> "%3A")
        api_match = _API_PATH.fullmatch(path)
        try:
            body = handler.read_body()
        except (OSError, ValueError):
            handler.close_connection = True
            handler.send_json(400, {"ok": False, "error_code": 400, "description": "Bad Request"})
            return
        if api_match is None:
            file_match = _FILE_PATH.fullmatch(path)
            if file_match is not None and handler.command == "GET":
                self._serve_file(handler, file_match.group("token"), file_match.group("path"))
            else:
                handler.send_json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return

        raw_method = api_match.group("method")
        canonical, api_handler = self._handlers.get(raw_method.lower(), (raw_method, None))
        try:
            params, files = self._parse_params(handler, split.query, body)
        except _ApiError as error:
            params, files = {}, {}
            parse_error: _ApiError | None = error
        else:
            parse_error = None
        call = self._record_call(canonical, params, files)

        token_error = self._check_token(api_match.group("token"))
        if token_error is not None:
            self._answer(handler, call, token_error)
            return
        if parse_error is not None:
            self._answer(handler, call, parse_error)
            return

        fault = self._take_fault(canonical, params)
        if fault is not None:
            if fault.delay > 0:
                self._stop_event.wait(fault.delay)
            if fault.drop_connection:
                with self._cond:
                    call.dropped = True
                    call.answered = True
                    call.answered_at = time.monotonic()
                    call.error = "connection dropped"
                    self._cond.notify_all()
                handler.drop()
                return
            if fault.status is not None:
                self._answer(handler, call, self._fault_error(fault))
                return

        try:
            if api_handler is None:
                raise _ApiError(404, METHOD_NOT_FOUND)
            self._check_blocked(params)
            result = api_handler(params, files)
        except _ApiError as error:
            self._answer(handler, call, error)
        except Exception as exc:  # a bug in the fake: surface it, don't hang the bot
            _LOG.exception("fake Bot API failed handling %s", canonical)
            with self._lock:
                self.internal_errors.append(exc)
            self._answer(
                handler, call, _ApiError(500, f"Internal Server Error: fake Bot API bug: {exc!r}")
            )
        else:
            self._answer(handler, call, None, result)

    def _parse_params(
        self, handler: _Handler, query: str, body: bytes
    ) -> tuple[JsonDict, dict[str, UploadedFile]]:
        params: JsonDict = {}
        files: dict[str, UploadedFile] = {}
        for key, value in parse_qsl(query, keep_blank_values=True):
            params[key] = _decode_form_value(key, value)
        content_type = handler.headers.get("Content-Type", "")
        media_type = content_type.split(";", 1)[0].strip().lower()
        if not body:
            return params, files
        if media_type == "application/json":
            try:
                decoded = json.loads(body)
            except ValueError:
                raise _ApiError(400, "Bad Request: can't parse JSON request body") from None
            if not isinstance(decoded, dict):
                raise _ApiError(400, "Bad Request: JSON request body must be an object")
            params.update(decoded)
        elif media_type == "multipart/form-data":
            fields, files = _parse_multipart(body, content_type)
            for key, value in fields.items():
                params[key] = _decode_form_value(key, value)
        else:
            for key, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
                params[key] = _decode_form_value(key, value)
        return params, files

    def _record_call(self, method: str, params: JsonDict, files: dict[str, UploadedFile]) -> Call:
        call = Call(method=method, params=params, time=time.monotonic(), files=files)
        with self._cond:
            self._calls.append(call)
            self._cond.notify_all()
        return call

    def _answer(
        self, handler: _Handler, call: Call, error: _ApiError | None, result: Any = None
    ) -> None:
        if error is None:
            status, payload = 200, {"ok": True, "result": result}
        else:
            status, payload = error.status, _error_payload(error)
        with self._cond:
            call.status = status
            call.result = result if error is None else None
            call.error = None if error is None else error.description
            call.answered = True
            call.answered_at = time.monotonic()
            self._cond.notify_all()
        handler.send_json(status, payload)

    def _serve_file(self, handler: _Handler, token: str, file_path: str) -> None:
        error = self._check_token(token)
        if error is not None:
            handler.send_json(error.status, _error_payload(error))
            return
        with self._lock:
            stored = next(
                (f for f in self._files.values() if f.file_path == file_path and f.data), None
            )
        if stored is None or stored.data is None:
            handler.send_json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        handler.send_bytes(200, stored.data, stored.mime_type or "application/octet-stream")

    # ---------------------------------------------------------------- faults

    def inject_fault(
        self,
        method: str,
        *,
        status: int | None = 429,
        retry_after: int | None = None,
        description: str | None = None,
        times: int = 1,
        delay: float = 0.0,
        drop_connection: bool = False,
        chat_id: int | str | None = None,
    ) -> None:
        """Makes the next ``times`` calls of ``method`` ("*" = any method) misbehave.

        Each affected call first waits ``delay`` seconds, then is dropped without an answer
        (``drop_connection``), answered with error ``status`` (429 -> "Too Many Requests: retry
        after N" with ``parameters.retry_after``; 403 -> "Forbidden: bot was blocked by the
        user"; 400, 500, ...), or -- with ``status=None`` -- handled normally (slow answer).
        ``chat_id`` restricts the fault to requests for that chat.  Faults are consumed in the
        order they were injected.
        """
        if times < 1:
            raise ValueError("times must be >= 1")
        with self._lock:
            self._faults.append(
                _Fault(
                    method=method.lower(),
                    status=status,
                    description=description,
                    retry_after=retry_after,
                    remaining=times,
                    delay=delay,
                    drop_connection=drop_connection,
                    chat_id=_normalize_chat_id(chat_id),
                )
            )

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _take_fault(self, method: str, params: Mapping[str, Any]) -> _Fault | None:
        chat_id = _normalize_chat_id(params.get("chat_id"))
        with self._lock:
            for fault in self._faults:
                if fault.method not in ("*", method.lower()):
                    continue
                if fault.chat_id is not None and fault.chat_id != chat_id:
                    continue
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    @staticmethod
    def _fault_error(fault: _Fault) -> _ApiError:
        status = fault.status if fault.status is not None else 500
        retry_after = fault.retry_after
        if status == 429 and retry_after is None:
            retry_after = 1
        if fault.description is not None:
            description = fault.description
        elif status == 429:
            description = f"Too Many Requests: retry after {retry_after}"
        else:
            description = _DEFAULT_ERROR_DESCRIPTIONS.get(status, f"Error {status}")
        parameters = {"retry_after": retry_after} if retry_after is not None else None
        return _ApiError(status, description, parameters)

    def revoke_token(self) -> None:
        """From now on every request answers 401 Unauthorized, as after /revoke in @BotFather."""
        with self._cond:
            self._token_revoked = True
            self._cond.notify_all()

    def refuse_connections(self) -> None:
        """The Bot API host goes down: the port stops listening (new connections are refused)
        and every open connection is closed.  `accept_connections` listens on it again."""
        server, thread = self._server, self._thread
        if server is None or thread is None or not self.running:
            raise RuntimeError("FakeBotApi is not running")
        with self._cond:
            self._cond.notify_all()
        server.shutdown()
        server.server_close()
        thread.join(5.0)
        server.begin_close()
        server.force_close()

    def accept_connections(self) -> None:
        """The host is back: listen again on the same port."""
        old = self._server
        if old is None or not self.running:
            raise RuntimeError("FakeBotApi is not running")
        port = int(old.server_address[1])
        self._server = _HttpServer((self._host, port), self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-bot-api",
            daemon=True,
        )
        self._thread.start()

    def block_user(self, chat_id: int) -> None:
        """Every request for this chat answers 403 (user blocked the bot / bot kicked)."""
        with self._lock:
            self._blocked.add(chat_id)

    def unblock_user(self, chat_id: int) -> None:
        with self._lock:
            self._blocked.discard(chat_id)

    def _check_blocked(self, params: Mapping[str, Any]) -> None:
        chat_id = _normalize_chat_id(params.get("chat_id"))
        if not isinstance(chat_id, int):
            return
        with self._lock:
            if chat_id not in self._blocked:
                return
            chat = self._chats.get(chat_id)
        chat_type = chat.type if chat else ("private" if chat_id > 0 else "group")
        description = {
            "private": "Forbidden: bot was blocked by the user",
            "group": "Forbidden: bot was kicked from the group chat",
            "supergroup": "Forbidden: bot was kicked from the supergroup chat",
            "channel": "Forbidden: bot is not a member of the channel chat",
        }[chat_type]
        raise _ApiError(403, description)

    # ---------------------------------------------------------------- call log

    @property
    def calls(self) -> list[Call]:
        """A snapshot of every request so far, in arrival order."""
        with self._lock:
            return list(self._calls)

    @property
    def call_count(self) -> int:
        """Length of the call log; pass as ``since=`` to only wait for later calls."""
        with self._lock:
            return len(self._calls)

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self._calls if c.method.lower() == method.lower()]

    def clear_calls(self) -> None:
        with self._cond:
            self._calls.clear()
            self._cond.notify_all()

    @staticmethod
    def _matcher(match: CallMatcher) -> Callable[[Call], bool]:
        if isinstance(match, str):
            wanted = match.lower()
            return lambda call: call.method.lower() == wanted
        return match

    def _find_call(
        self, match: Callable[[Call], bool], count: int, since: int, answered: bool
    ) -> Call | None:
        with self._lock:
            found = 0
            for call in self._calls[since:]:
                if answered and not call.answered:
                    continue
                if match(call):
                    found += 1
                    if found >= count:
                        return call
        return None

    def _timeout_message(self, what: str, timeout: float) -> str:
        with self._lock:
            recent = [f"{c.method}:{c.status}" for c in self._calls[-15:]]
        return f"{what} did not happen within {timeout}s; recent calls: {recent}"

    def wait_for(
        self,
        match: CallMatcher,
        timeout: float = 5.0,
        *,
        count: int = 1,
        since: int = 0,
        answered: bool = True,
    ) -> Call:
        """Blocks until the ``count``-th call (from index ``since``) matching ``match`` (a
        method name or a predicate on `Call`) exists -- by default once it was answered.
        Raises `TimeoutError`.  Do not call it from the event loop running the bot: use
        `wait_for_async` there."""
        predicate = self._matcher(match)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                call = self._find_call(predicate, count, since, answered)
                if call is not None:
                    return call
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(self._timeout_message(f"call {match!r}", timeout))
                self._cond.wait(remaining)

    async def wait_for_async(
        self,
        match: CallMatcher,
        timeout: float = 5.0,  # noqa: ASYNC109 - mirrors wait_for()
        *,
        count: int = 1,
        since: int = 0,
        answered: bool = True,
        poll_interval: float = 0.01,
    ) -> Call:
        """`wait_for` for coroutines: polls with ``asyncio.sleep`` so the bot keeps running."""
        predicate = self._matcher(match)
        deadline = time.monotonic() + timeout
        while True:
            call = self._find_call(predicate, count, since, answered)
            if call is not None:
                return call
            if time.monotonic() >= deadline:
                raise TimeoutError(self._timeout_message(f"call {match!r}", timeout))
            await asyncio.sleep(poll_interval)

    def wait_until(self, condition: Callable[[], bool], timeout: float = 5.0) -> None:
        """Blocks until ``condition()`` is true (re-checked on every state change)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not condition():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(self._timeout_message("condition", timeout))
                self._cond.wait(remaining)

    async def wait_until_async(
        self,
        condition: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 - mirrors wait_until()
        poll_interval: float = 0.01,
    ) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() >= deadline:
                raise TimeoutError(self._timeout_message("condition", timeout))
            await asyncio.sleep(poll_interval)

    def _find_message(
        self,
        chat_id: int,
        match: str | Callable[[StoredMessage], bool] | None,
        after_message_id: int,
    ) -> StoredMessage | None:
        for msg in self.sent_messages(chat_id):
            if msg.message_id <= after_message_id:
                continue
            if match is None:
                return msg
            if isinstance(match, str):
                if match in (msg.rendered_text or ""):
                    return msg
            elif match(msg):
                return msg
        return None

    def wait_for_message(
        self,
        chat_id: int,
        match: str | Callable[[StoredMessage], bool] | None = None,
        timeout: float = 5.0,
        *,
        after_message_id: int = 0,
    ) -> StoredMessage:
        """Blocks until the bot sent ``chat_id`` a message (with id > ``after_message_id``)
        whose rendered text contains ``match`` (or satisfying the predicate)."""
        found: list[StoredMessage] = []

        def condition() -> bool:
            msg = self._find_message(chat_id, match, after_message_id)
            if msg is not None:
                found.append(msg)
            return msg is not None

        self.wait_until(condition, timeout)
        return found[-1]

    async def wait_for_message_async(
        self,
        chat_id: int,
        match: str | Callable[[StoredMessage], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - mirrors wait_for_message()
        *,
        after_message_id: int = 0,
    ) -> StoredMessage:
        deadline = time.monotonic() + timeout
        while True:
            msg = self._find_message(chat_id, match, after_message_id)
            if msg is not None:
                return msg
            if time.monotonic() >= deadline:
                raise TimeoutError(self._timeout_message(f"message to {chat_id}", timeout))
            await asyncio.sleep(0.01)

    # ---------------------------------------------------------------- rates

    def call_times(
        self,
        *,
        methods: Iterable[str] | None = SEND_METHODS,
        chat_id: int | str | None = None,
        ok_only: bool = False,
    ) -> list[float]:
        """Arrival times (monotonic) of matching calls; ``methods=None`` means all."""
        wanted = None if methods is None else {m.lower() for m in methods}
        target = _normalize_chat_id(chat_id)
        with self._lock:
            return sorted(
                c.time
                for c in self._calls
                if (wanted is None or c.method.lower() in wanted)
                and (target is None or c.chat_id == target)
                and (not ok_only or c.ok)
            )

    @staticmethod
    def _max_in_window(times: list[float], window: float) -> int:
        best = 0
        start = 0
        for end, t in enumerate(times):
            while t - times[start] >= window:
                start += 1
            best = max(best, end - start + 1)
        return best

    def max_rate(
        self,
        chat_id: int | str | None = None,
        *,
        window: float = 1.0,
        methods: Iterable[str] | None = SEND_METHODS,
        ok_only: bool = False,
    ) -> int:
        """Most matching requests seen within any ``window`` seconds (one chat or overall)."""
        times = self.call_times(methods=methods, chat_id=chat_id, ok_only=ok_only)
        return self._max_in_window(times, window)

    def max_rate_per_chat(
        self,
        *,
        window: float = 1.0,
        methods: Iterable[str] | None = SEND_METHODS,
        ok_only: bool = False,
    ) -> dict[int | str, int]:
        with self._lock:
            chats = {c.chat_id for c in self._calls if c.chat_id is not None}
        rates = {
            chat: self.max_rate(chat, window=window, methods=methods, ok_only=ok_only)
            for chat in chats
        }
        return {chat: rate for chat, rate in rates.items() if rate}

    # ---------------------------------------------------------------- chats & messages

    def new_user(
        self,
        user_id: int,
        first_name: str = "Test",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
        is_premium: bool | None = None,
    ) -> FakeUser:
        """Registers a user and their private chat (chat id == user id)."""
        if user_id <= 0:
            raise ValueError("user ids are positive")
        user = FakeUser(
            id=user_id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
            is_premium=is_premium,
        )
        with self._cond:
            self._users[user_id] = user
            self._chats[user_id] = FakeChat(
                id=user_id,
                type="private",
                username=username,
                first_name=first_name,
                last_name=last_name,
            )
            self._cond.notify_all()
        return user

    def _user(self, user: FakeUser | int) -> FakeUser:
        if isinstance(user, FakeUser):
            with self._lock:
                self._users.setdefault(user.id, user)
                if user.id not in self._chats:
                    self._chats[user.id] = FakeChat(
                        id=user.id,
                        type="private",
                        username=user.username,
                        first_name=user.first_name,
                        last_name=user.last_name,
                    )
            return user
        with self._lock:
            known = self._users.get(user)
        return known if known is not None else self.new_user(user, f"User{user}")

    def _ensure_chat(self, chat_id: int, chat_type: ChatType, title: str | None = None) -> FakeChat:
        if chat_type == "private":
            if chat_id <= 0:
                raise ValueError("private chat ids are positive")
            self._user(chat_id)
            with self._lock:
                return self._chats[chat_id]
        if chat_id >= 0:
            raise ValueError(f"{chat_type} chat ids are negative")
        default_titles = {"group": "Test Group", "supergroup": "Test Supergroup"}
        with self._lock:
            chat = self._chats.get(chat_id)
            if chat is None or chat.type != chat_type or (title and chat.title != title):
                old_title = chat.title if chat is not None else None
                chat = FakeChat(
                    id=chat_id,
                    type=chat_type,
                    title=title or old_title or default_titles.get(chat_type, "Test Channel"),
                )
                self._chats[chat_id] = chat
            return chat

    def _resolve_chat(self, params: Mapping[str, Any]) -> FakeChat:
        raw = params.get("chat_id")
        chat_id = _normalize_chat_id(raw)
        if chat_id is None or chat_id == "":
            raise _ApiError(400, "Bad Request: chat_id is empty")
        with self._lock:
            if isinstance(chat_id, str):
                name = chat_id.removeprefix("@").lower()
                for candidate in self._chats.values():
                    if candidate.username and candidate.username.lower() == name:
                        return candidate
                raise _ApiError(400, "Bad Request: chat not found")
            chat = self._chats.get(chat_id)
            if chat is not None:
                return chat
            if self.strict_chats:
                raise _ApiError(400, "Bad Request: chat not found")
        if chat_id > 0:
            return self._ensure_chat(chat_id, "private")
        chat_type: ChatType = "supergroup" if str(chat_id).startswith("-100") else "group"
        return self._ensure_chat(chat_id, chat_type)

    def _store_message(self, msg: StoredMessage) -> StoredMessage:
        with self._cond:
            msg.message_id = self._next_message_id.get(msg.chat_id, 1)
            self._next_message_id[msg.chat_id] = msg.message_id + 1
            self._messages.setdefault(msg.chat_id, {})[msg.message_id] = msg
            self._cond.notify_all()
        return msg

    def _message_json(self, msg: StoredMessage, *, with_reply: bool = True) -> JsonDict:
        with self._lock:
            chat = self._chats.get(msg.chat_id) or FakeChat(
                msg.chat_id, "private" if msg.chat_id > 0 else "group"
            )
            reply = None
            if with_reply and msg.reply_to_message_id is not None:
                reply = self._messages.get(msg.chat_id, {}).get(msg.reply_to_message_id)
        data: JsonDict = {"message_id": msg.message_id, "date": msg.date}
        if msg.from_bot:
            data["from"] = self.bot_user
        elif msg.sender is not None:
            data["from"] = dict(msg.sender)
        if msg.sender_chat is not None:
            data["sender_chat"] = dict(msg.sender_chat)
        data["chat"] = chat.to_dict()
        if msg.edit_date is not None:
            data["edit_date"] = msg.edit_date
        if reply is not None:
            data["reply_to_message"] = self._message_json(reply, with_reply=False)
        if msg.kind == "text":
            data["text"] = msg.rendered_text if msg.rendered_text is not None else msg.text
            if msg.rendered_entities:
                data["entities"] = copy.deepcopy(msg.rendered_entities)
        else:
            if msg.rendered_text:
                data["caption"] = msg.rendered_text
                if msg.rendered_entities:
                    data["caption_entities"] = copy.deepcopy(msg.rendered_entities)
        data.update(copy.deepcopy(msg.content))
        if msg.reply_markup is not None:
            data["reply_markup"] = copy.deepcopy(msg.reply_markup)
        return data

    def _copy_message(self, msg: StoredMessage) -> StoredMessage:
        return copy.deepcopy(msg)

    def messages(self, chat_id: int) -> list[StoredMessage]:
        """Every message of the chat (bot and users), oldest first, as copies."""
        with self._lock:
            return [self._copy_message(m) for m in self._messages.get(chat_id, {}).values()]

    def sent_messages(self, chat_id: int, *, include_deleted: bool = False) -> list[StoredMessage]:
        """The messages the bot sent to ``chat_id`` (current state after edits), as copies."""
        with self._lock:
            return [
                self._copy_message(m)
                for m in self._messages.get(chat_id, {}).values()
                if m.from_bot and (include_deleted or not m.deleted)
            ]

    def last_sent_message(self, chat_id: int) -> StoredMessage:
        sent = self.sent_messages(chat_id)
        if not sent:
            raise LookupError(f"the bot sent no message to chat {chat_id}")
        return sent[-1]

    def message(self, chat_id: int, message_id: int) -> StoredMessage:
        with self._lock:
            return self._copy_message(self._messages[chat_id][message_id])

    def file_bytes(self, file_id: str) -> bytes:
        with self._lock:
            data = self._files[file_id].data
        if data is None:
            raise LookupError(f"file {file_id} has no content (sent by URL?)")
        return data

    def _new_file(
        self,
        data: bytes | None,
        *,
        kind: str,
        mime_type: str | None = None,
        file_name: str | None = None,
    ) -> _StoredFile:
        number = next(self._file_seq)
        file_id = f"fake-{kind}-{number:06d}"
        extension = {"photo": "jpg", "voice": "oga", "sticker": "webp"}.get(kind, "bin")
        stored = _StoredFile(
            file_id=file_id,
            file_unique_id=f"u{kind[:3]}{number:06d}",
            data=data,
            file_path=f"{kind}s/file_{number}.{extension}" if data is not None else None,
            mime_type=mime_type,
            file_name=file_name,
        )
        with self._lock:
            self._files[file_id] = stored
        return stored

    # ---------------------------------------------------------------- validation helpers

    def _render(self, text: str, parse_mode: Any, entities: Any) -> tuple[str, list[JsonDict]]:
        if parse_mode in (None, ""):
            return text, [dict(e) for e in entities] if isinstance(entities, list) else []
        mode = str(parse_mode).lower()
        if mode == "html":
            try:
                return parse_telegram_html(text, strict_ampersand=self.strict_ampersand)
            except HtmlParseError as exc:
                raise _ApiError(400, f"{BAD_HTML_PREFIX}{exc}") from None
        if mode in ("markdown", "markdownv2"):
            return text, [dict(e) for e in entities] if isinstance(entities, list) else []
        raise _ApiError(400, "Bad Request: unsupported parse_mode")

    def _render_text(self, params: Mapping[str, Any]) -> tuple[str, str, list[JsonDict]]:
        text = params.get("text")
        if text is None or (isinstance(text, str) and not text.strip()):
            raise _ApiError(400, MESSAGE_TEXT_EMPTY)
        text = str(text)
        rendered, entities = self._render(text, params.get("parse_mode"), params.get("entities"))
        if not rendered.strip():
            raise _ApiError(400, MESSAGE_TEXT_EMPTY)
        if len(rendered) > MAX_TEXT_LENGTH:
            raise _ApiError(400, MESSAGE_TOO_LONG)
        return text, rendered, entities

    def _render_caption(self, params: Mapping[str, Any]) -> tuple[str | None, str, list[JsonDict]]:
        caption = params.get("caption")
        if caption is None or caption == "":
            return None, "", []
        caption = str(caption)
        rendered, entities = self._render(
            caption, params.get("parse_mode"), params.get("caption_entities")
        )
        if len(rendered) > MAX_CAPTION_LENGTH:
            raise _ApiError(400, "Bad Request: message caption is too long")
        return caption, rendered, entities

    @staticmethod
    def _validate_reply_markup(markup: Any) -> tuple[JsonDict | None, JsonDict | None]:
        """Returns (inline keyboard as Telegram echoes it or None, markup as given)."""
        if markup is None or markup == "":
            return None, None
        if not isinstance(markup, dict):
            raise _ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise _ApiError(
                    400,
                    'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup '
                    "should be an Array of Arrays",
                )
            buttons = [button for row in rows for button in row]
            if len(buttons) > MAX_INLINE_BUTTONS:
                raise _ApiError(400, REPLY_MARKUP_TOO_LONG)
            for button in buttons:
                if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                    raise _ApiError(
                        400,
                        "Bad Request: can't parse inline keyboard button: "
                        'Field "text" must be of type String',
                    )
                if not any(key in button for key in _INLINE_BUTTON_ACTIONS):
                    raise _ApiError(
                        400,
                        "Bad Request: can't parse inline keyboard button: "
                        "Text buttons are unallowed in the inline keyboard",
                    )
                if "callback_data" in button:
                    data = button["callback_data"]
                    size = len(str(data).encode("utf-8"))
                    if not isinstance(data, str) or not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
                        raise _ApiError(400, BUTTON_DATA_INVALID)
            if not buttons:
                return None, markup
            return copy.deepcopy(markup), markup
        if "keyboard" in markup or "remove_keyboard" in markup or "force_reply" in markup:
            return None, markup
        raise _ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")

    def _reply_to(self, params: Mapping[str, Any], chat_id: int) -> int | None:
        reply_id = _int_param(params, "reply_to_message_id")
        parameters = params.get("reply_parameters")
        if reply_id is None and isinstance(parameters, dict):
            reply_id = _int_param(parameters, "message_id")
        if reply_id is None:
            return None
        with self._lock:
            exists = reply_id in self._messages.get(chat_id, {})
        if not exists:
            allow = isinstance(parameters, dict) and parameters.get("allow_sending_without_reply")
            if not allow:
                raise _ApiError(400, "Bad Request: message to be replied not found")
            return None
        return reply_id

    def _editable_message(self, params: Mapping[str, Any]) -> StoredMessage:
        chat = self._resolve_chat(params)
        message_id = _int_param(params, "message_id")
        if message_id is None:
            raise _ApiError(400, "Bad Request: message identifier is not specified")
        with self._lock:
            msg = self._messages.get(chat.id, {}).get(message_id)
        if msg is None or msg.deleted:
            raise _ApiError(400, MESSAGE_TO_EDIT_NOT_FOUND)
        if not msg.from_bot:
            raise _ApiError(400, "Bad Request: message can't be edited")
        return msg

    # ---------------------------------------------------------------- API methods

    def _api_true(self, params: JsonDict, files: dict[str, UploadedFile]) -> bool:
        return True

    def _api_get_me(self, params: JsonDict, files: dict[str, UploadedFile]) -> JsonDict:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _api_send_message(self, params: JsonDict, files: dict[str, UploadedFile]) -> JsonDict:
        chat = self._resolve_chat(params)
        text, rendered, entities = self._render_text(params)
        inline_markup, raw_markup = self._validate_reply_markup(params.get("reply_markup"))
        reply_to = self._reply_to(params, chat.id)
        given_entities = params.get("entities")
        msg = self._store_message(
            StoredMessage(
                chat_id=chat.id,
                message_id=0,
                date=int(time.time()),
                from_bot=True,
                text=text,
                parse_mode=params.get("parse_mode"),
                entities=given_entities if isinstance(given_entities, list) else None,
                rendered_text=rendered,
                rendered_entities=entities,
                reply_markup=inline_markup,
                raw_reply_markup=raw_markup,
                reply_to_message_id=reply_to,
                history=[text],
            )
        )
        return self._message_json(msg)

    def _send_media(
        self, params: JsonDict, files: dict[str, UploadedFile], kind: Literal["photo", "document"]
    ) -> JsonDict:
        chat = self._resolve_chat(params)
        value = params.get(kind)
        upload: UploadedFile | None = None
        if isinstance(value, str) and value.startswith("attach://"):
            upload = files.get(value.removeprefix("attach://"))
        elif kind in files:
            upload = files[kind]
        stored: _StoredFile | None
        if upload is not None:
            if not upload.data:
                raise _ApiError(400, "Bad Request: file must be non-empty")
            stored = self._new_file(
                upload.data, kind=kind, mime_type=upload.content_type, file_name=upload.filename
            )
        elif isinstance(value, str) and value:
            with self._lock:
                stored = self._files.get(value)
            if stored is None:
                if not value.startswith(("http://", "https://")):
                    raise _ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
                stored = self._new_file(None, kind=kind, file_name=value)
        else:
            raise _ApiError(400, f"Bad Request: there is no {kind} in the request")
        caption, rendered, entities = self._render_caption(params)
        inline_markup, raw_markup = self._validate_reply_markup(params.get("reply_markup"))
        reply_to = self._reply_to(params, chat.id)
        size = len(stored.data) if stored.data is not None else 0
        if kind == "photo":
            content: JsonDict = {
                "photo": [
                    {
                        "file_id": stored.file_id,
                        "file_unique_id": stored.file_unique_id,
                        "width": 512,
                        "height": 512,
                        "file_size": size,
                    }
                ]
            }
        else:
            content = {
                "document": {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "file_name": stored.file_name or "file",
                    "mime_type": stored.mime_type or "application/octet-stream",
                    "file_size": size,
                }
            }
        msg = self._store_message(
            StoredMessage(
                chat_id=chat.id,
                message_id=0,
                date=int(time.time()),
                from_bot=True,
                kind=kind,
                caption=caption,
                parse_mode=params.get("parse_mode"),
                rendered_text=rendered or None,
                rendered_entities=entities,
                reply_markup=inline_markup,
                raw_reply_markup=raw_markup,
                content=content,
                file_id=stored.file_id,
                file_bytes=stored.data,
                reply_to_message_id=reply_to,
                history=[caption],
            )
        )
        return self._message_json(msg)

    def _api_send_photo(self, params: JsonDict, files: dict[str, UploadedFile]) -> JsonDict:
        return self._send_media(params, files, "photo")

    def _api_send_document(self, params: JsonDict, files: dict[str, UploadedFile]) -> JsonDict:
        return self._send_media(params, files, "document")

    def _api_edit_message_text(
        self, params: JsonDict, files: dict[str, UploadedFile]
    ) -> JsonDict | bool:
        if params.get("inline_message_id"):
            self._render_text(params)
            self._validate_reply_markup(params.get("reply_markup"))
            return True
        msg = self._editable_message(params)
        text, rendered, entities = self._render_text(params)
        inline_markup, raw_markup = self._validate_reply_markup(params.get("reply_markup"))
        with self._cond:
            if msg.kind != "text":
                raise _ApiError(400, "Bad Request: there is no text in the message to edit")
            if (
                rendered == msg.rendered_text
                and entities == msg.rendered_entities
                and inline_markup == msg.reply_markup
            ):
                raise _ApiError(400, MESSAGE_NOT_MODIFIED)
            given_entities = params.get("entities")
            msg.text = text
            msg.parse_mode = params.get("parse_mode")
            msg.entities = given_entities if isinstance(given_entities, list) else None
            msg.rendered_text = rendered
            msg.rendered_entities = entities
            msg.reply_markup = inline_markup  # no reply_markup removes the keyboard
            msg.raw_reply_markup = raw_markup
            msg.edit_count += 1
            msg.edit_date = int(time.time())
            msg.history.append(text)
            self._cond.notify_all()
        return self._message_json(msg)

    def _api_edit_message_media(self, params: JsonDict, files: dict[str, UploadedFile]) -> JsonDict:
        """As Telegram: a text or photo message becomes this photo, with the media's caption."""
        msg = self._editable_message(params)
        media = params.get("media")
        if isinstance(media, str):
            try:
                media = json.loads(media)
            except ValueError:
                media = None
        if not isinstance(media, dict) or media.get("type") != "photo":
            raise _ApiError(400, "Bad Request: can't parse InputMedia: media type is invalid")
        value = media.get("media")
        stored: _StoredFile | None = None
        if isinstance(value, str) and value.startswith("attach://"):
            upload = files.get(value.removeprefix("attach://"))
            if upload is None or not upload.data:
                raise _ApiError(400, "Bad Request: can't parse InputMedia: media not found")
            stored = self._new_file(
                upload.data, kind="photo", mime_type=upload.content_type, file_name=upload.filename
            )
        elif isinstance(value, str) and value:
            with self._lock:
                stored = self._files.get(value)
            if stored is None:
                raise _ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        else:
            raise _ApiError(400, "Bad Request: can't parse InputMedia: media is not specified")
        caption, rendered, entities = self._render_caption(media)
        inline_markup, raw_markup = self._validate_reply_markup(params.get("reply_markup"))
        with self._cond:
            if (
                msg.kind == "photo"
                and msg.file_id == stored.file_id
                and rendered == (msg.rendered_text or "")
                and inline_markup == msg.reply_markup
            ):
                raise _ApiError(400, MESSAGE_NOT_MODIFIED)
            msg.kind = "photo"
            msg.text = None
            msg.caption = caption
            msg.parse_mode = media.get("parse_mode")
            msg.rendered_text = rendered or None
            msg.rendered_entities = entities
            msg.reply_markup = inline_markup
            msg.raw_reply_markup = raw_markup
            msg.content = {"photo": [self._photo_size(stored)]}
            msg.file_id = stored.file_id
            msg.file_bytes = stored.data
            msg.edit_count += 1
            msg.edit_date = int(time.time())
            msg.history.append(caption)
            self._cond.notify_all()
        return self._message_json(msg)

    def _api_edit_message_caption(
        self, params: JsonDict, files: dict[str, UploadedFile]
    ) -> JsonDict:
        msg = self._editable_message(params)
        caption, rendered, entities = self._render_caption(params)
        inline_markup, raw_markup = self._validate_reply_markup(params.get("reply_markup"))
        with self._cond:
            if msg.kind == "text":
                raise _ApiError(400, "Bad Request: there is no caption in the message to edit")
            if rendered == (msg.rendered_text or "") and inline_markup == msg.reply_markup:
                raise _ApiError(400, MESSAGE_NOT_MODIFIED)
            msg.caption = caption
            msg.parse_mode = params.get("parse_mode")
            msg.rendered_text = rendered or None
            msg.rendered_entities = entities
            msg.reply_markup = inline_markup
            msg.raw_reply_markup = raw_markup
            msg.edit_count += 1
            msg.edit_date = int(time.time())
            msg.history.append(caption)
            self._cond.notify_all()
        return self._message_json(msg)

    @staticmethod
    def _photo_size(stored: _StoredFile) -> JsonDict:
        size = len(stored.data) if stored.data is not None else 0
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "width": 512,
            "height": 512,
            "file_size": size,
        }

    def _api_edit_message_reply_markup(
        self, params: JsonDict, files: dict[str, UploadedFile]
    ) -> JsonDict | bool:
        if params.get("inline_message_id"):
            self._validate_reply_markup(params.get("reply_markup"))
            return True
        msg = self._editable_message(params)
        inline_markup, raw_markup = self._validate_reply_markup(params.get("reply_markup"))
        with self._cond:
            if inline_markup == msg.reply_markup:
                raise _ApiError(400, MESSAGE_NOT_MODIFIED)
            msg.reply_markup = inline_markup
            msg.raw_reply_markup = raw_markup
            msg.edit_count += 1
            msg.edit_date = int(time.time())
            self._cond.notify_all()
        return self._message_json(msg)

    def _api_delete_message(self, params: JsonDict, files: dict[str, UploadedFile]) -> bool:
        chat = self._resolve_chat(params)
        message_id = _int_param(params, "message_id")
        with self._cond:
            msg = self._messages.get(chat.id, {}).get(message_id or 0)
            if msg is None or msg.deleted:
                raise _ApiError(400, "Bad Request: message to delete not found")
            msg.deleted = True
            self._cond.notify_all()
        return True

    def _api_answer_callback_query(self, params: JsonDict, files: dict[str, UploadedFile]) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        text = params.get("text")
        if isinstance(text, str) and len(text) > 200:
            raise _ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self._answer_query(self._callback_queries, query_id, params)
        return True

    def _answer_query(self, queries: dict[str, _Query], query_id: str, params: JsonDict) -> None:
        with self._cond:
            query = queries.get(query_id)
            expired = (
                query is not None
                and self.callback_query_ttl is not None
                and time.monotonic() - query.issued_at > self.callback_query_ttl
            )
            if query is None or query.answered or expired:
                raise _ApiError(400, QUERY_TOO_OLD)
            query.answered = True
            query.answer = dict(params)
            self._cond.notify_all()

    def _api_answer_inline_query(self, params: JsonDict, files: dict[str, UploadedFile]) -> bool:
        results = params.get("results")
        if not isinstance(results, list):
            raise _ApiError(400, 'Bad Request: parameter "results" is required')
        if len(results) > MAX_INLINE_RESULTS:
            raise _ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        ids = [r.get("id") for r in results if isinstance(r, dict)]
        if len(ids) != len(set(ids)):
            raise _ApiError(400, "Bad Request: RESULT_ID_DUPLICATE")
        self._answer_query(self._inline_queries, str(params.get("inline_query_id") or ""), params)
        return True

    def _api_send_chat_action(self, params: JsonDict, files: dict[str, UploadedFile]) -> bool:
        self._resolve_chat(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise _ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    def _api_get_file(self, params: JsonDict, files: dict[str, UploadedFile]) -> JsonDict:
        with self._lock:
            stored = self._files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise _ApiError(400, "Bad Request: invalid file_id")
        result: JsonDict = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
        }
        if stored.data is not None:
            result["file_size"] = len(stored.data)
            result["file_path"] = stored.file_path
        return result

    @staticmethod
    def _commands_key(params: Mapping[str, Any]) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    def _api_set_my_commands(self, params: JsonDict, files: dict[str, UploadedFile]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _ApiError(400, 'Bad Request: parameter "commands" is required')
        if len(commands) > 100:
            raise _ApiError(400, "Bad Request: BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            if not isinstance(command, dict):
                raise _ApiError(400, "Bad Request: can't parse BotCommand")
            name = command.get("command")
            if not isinstance(name, str) or not _COMMAND_NAME.fullmatch(name.removeprefix("/")):
                raise _ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            description = command.get("description")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise _ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._commands_key(params)
        with self._cond:
            if commands:
                self._commands[key] = [
                    {"command": c["command"].removeprefix("/"), "description": c["description"]}
                    for c in commands
                ]
            else:
                self._commands.pop(key, None)
            self._cond.notify_all()
        return True

    def _api_get_my_commands(
        self, params: JsonDict, files: dict[str, UploadedFile]
    ) -> list[JsonDict]:
        with self._lock:
            return copy.deepcopy(self._commands.get(self._commands_key(params), []))

    def _api_delete_my_commands(self, params: JsonDict, files: dict[str, UploadedFile]) -> bool:
        with self._cond:
            self._commands.pop(self._commands_key(params), None)
            self._cond.notify_all()
        return True

    def commands(
        self, scope: Mapping[str, Any] | None = None, language_code: str = ""
    ) -> list[JsonDict]:
        """The commands currently set for ``scope`` (default scope) and language."""
        key = self._commands_key(
            {"scope": dict(scope) if scope else None, "language_code": language_code}
        )
        with self._lock:
            return copy.deepcopy(self._commands.get(key, []))

    def _bot_text_setter(
        self, field_name: str
    ) -> Callable[[JsonDict, dict[str, UploadedFile]], bool]:
        def setter(params: JsonDict, files: dict[str, UploadedFile]) -> bool:
            key = (field_name, str(params.get("language_code") or ""))
            with self._lock:
                self._bot_texts[key] = str(params.get(field_name) or "")
            return True

        return setter

    def _bot_text_getter(
        self, field_name: str
    ) -> Callable[[JsonDict, dict[str, UploadedFile]], JsonDict]:
        def getter(params: JsonDict, files: dict[str, UploadedFile]) -> JsonDict:
            key = (field_name, str(params.get("language_code") or ""))
            with self._lock:
                default = self.bot_first_name if field_name == "name" else ""
                value = self._bot_texts.get(key, default)
            return {field_name: value}

        return getter

    def _api_set_chat_menu_button(self, params: JsonDict, files: dict[str, UploadedFile]) -> bool:
        chat_id = _int_param(params, "chat_id")
        button = params.get("menu_button") or {"type": "default"}
        with self._lock:
            self._menu_buttons[chat_id] = button if isinstance(button, dict) else {}
        return True

    def _api_get_chat_menu_button(
        self, params: JsonDict, files: dict[str, UploadedFile]
    ) -> JsonDict:
        chat_id = _int_param(params, "chat_id")
        with self._lock:
            button = self._menu_buttons.get(chat_id) or self._menu_buttons.get(None)
        return copy.deepcopy(button) if button else {"type": "commands"}

    def _api_set_webhook(self, params: JsonDict, files: dict[str, UploadedFile]) -> bool:
        url = str(params.get("url") or "")
        if not url:
            self._delete_webhook(bool(params.get("drop_pending_updates")))
            return True
        scheme = urlsplit(url).scheme.lower()
        if scheme != "https" and (self.require_https_webhook or scheme != "http"):
            raise _ApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        secret = params.get("secret_token")
        if secret is not None and not _SECRET_TOKEN.fullmatch(str(secret)):
            raise _ApiError(400, "Bad Request: secret token contains unallowed characters")
        allowed = params.get("allowed_updates")
        with self._cond:
            self._webhook = {
                "url": url,
                "secret_token": None if secret is None else str(secret),
                "max_connections": _int_param(params, "max_connections", 40),
            }
            if isinstance(allowed, list):
                self._allowed_updates = [str(a) for a in allowed]
            if params.get("drop_pending_updates"):
                self._updates.clear()
            self._poll_generation += 1  # a running getUpdates gets a 409
            self._cond.notify_all()
        return True

    def _delete_webhook(self, drop_pending_updates: bool) -> None:
        with self._cond:
            self._webhook = None
            if drop_pending_updates:
                self._updates.clear()
            self._cond.notify_all()

    def _api_delete_webhook(self, params: JsonDict, files: dict[str, UploadedFile]) -> bool:
        self._delete_webhook(bool(params.get("drop_pending_updates")))
        return True

    def _api_get_webhook_info(self, params: JsonDict, files: dict[str, UploadedFile]) -> JsonDict:
        with self._lock:
            info: JsonDict = {
                "url": self._webhook["url"] if self._webhook else "",
                "has_custom_certificate": False,
                "pending_update_count": len(self._updates),
            }
            if self._webhook:
                info["max_connections"] = self._webhook["max_connections"]
                if self._allowed_updates:
                    info["allowed_updates"] = list(self._allowed_updates)
        return info

    @property
    def webhook(self) -> JsonDict | None:
        """``{"url", "secret_token", "max_connections"}`` as set by the bot, or None."""
        with self._lock:
            return dict(self._webhook) if self._webhook else None

    # ---------------------------------------------------------------- getUpdates

    def _is_allowed(self, update: Mapping[str, Any]) -> bool:
        update_type = _update_type(update)
        if self._allowed_updates:
            return update_type in self._allowed_updates
        return update_type not in _NOT_DELIVERED_BY_DEFAULT

    def _confirm(self, offset: int) -> None:
        if offset < 0:
            keep = -offset
            self._updates = self._updates[-keep:] if keep else []
            if self._updates:
                self._confirmed_offset = max(self._confirmed_offset, self._updates[0]["update_id"])
            return
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        self._confirmed_offset = max(self._confirmed_offset, offset)

    def _api_get_updates(self, params: JsonDict, files: dict[str, UploadedFile]) -> list[JsonDict]:
        offset = _int_param(params, "offset")
        limit = min(max(_int_param(params, "limit", 100) or 100, 1), 100)
        try:
            timeout = max(float(params.get("timeout") or 0), 0.0)
        except (TypeError, ValueError):
            raise _ApiError(400, 'Bad Request: field "timeout" must be a Number') from None
        allowed = params.get("allowed_updates")
        deadline = time.monotonic() + timeout
        with self._cond:
            if self._webhook is not None:
                raise _ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to delete the webhook first",
                )
            self._poll_generation += 1
            generation = self._poll_generation
            self._cond.notify_all()  # an older long poll ends with 409, as on Telegram
            if isinstance(allowed, list):
                self._allowed_updates = [str(a) for a in allowed]
            if offset is not None and offset != 0:
                self._confirm(offset)
            self._updates = [u for u in self._updates if self._is_allowed(u)]
            self._waiting_pollers += 1
            try:
                while True:
                    if generation != self._poll_generation:
                        raise _ApiError(409, _DEFAULT_ERROR_DESCRIPTIONS[409])
                    if self._token_revoked:  # a long poll in progress ends too
                        raise _ApiError(401, "Unauthorized")
                    self._updates = [u for u in self._updates if self._is_allowed(u)]
                    ready = self._updates[:limit]
                    if ready or self._stopped:
                        break
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        break
                    self._cond.wait(remaining)
            finally:
                self._waiting_pollers -= 1
            for update in ready:
                self._delivered.add(update["update_id"])
            self._cond.notify_all()
            return copy.deepcopy(ready)

    @property
    def waiting_pollers(self) -> int:
        """How many getUpdates requests are blocked in a long poll right now."""
        with self._lock:
            return self._waiting_pollers

    @property
    def pending_updates(self) -> list[JsonDict]:
        """Updates not yet confirmed by an offset (copies)."""
        with self._lock:
            return copy.deepcopy(self._updates)

    @property
    def confirmed_offset(self) -> int:
        """Highest offset the bot confirmed (every update_id below it is gone)."""
        with self._lock:
            return self._confirmed_offset

    def was_delivered(self, update_id: int) -> bool:
        """Whether getUpdates returned the update at least once."""
        with self._lock:
            return update_id in self._delivered

    def update(self, update_id: int) -> JsonDict:
        """A pushed update (still pending or not), as a copy."""
        with self._lock:
            return copy.deepcopy(self._all_updates[update_id])

    # ---------------------------------------------------------------- simulated updates

    def push_update(self, update: Mapping[str, Any]) -> int:
        """Queues a raw update (``update_id`` is assigned when missing); returns its id."""
        data = copy.deepcopy(dict(update))
        with self._cond:
            if "update_id" in data:
                update_id = int(data["update_id"])
                if update_id < self._next_update_id:
                    raise ValueError(
                        f"update_id {update_id} is not above the last one "
                        f"({self._next_update_id - 1})"
                    )
            else:
                update_id = self._next_update_id
                data = {"update_id": update_id, **data}
            self._next_update_id = update_id + 1
            self._updates.append(data)
            self._all_updates[update_id] = copy.deepcopy(data)
            self._cond.notify_all()
        return update_id

    def pop_update(self, update_id: int) -> JsonDict:
        """Removes a pending update from the getUpdates queue (e.g. to deliver it by webhook)."""
        with self._cond:
            for index, update in enumerate(self._updates):
                if update["update_id"] == update_id:
                    del self._updates[index]
                    self._cond.notify_all()
                    return update
        raise LookupError(f"update {update_id} is not pending")

    def _sender(
        self,
        chat: int | FakeUser,
        chat_type: ChatType,
        user: FakeUser | int | None,
        title: str | None,
    ) -> tuple[FakeChat, FakeUser | None]:
        if isinstance(chat, FakeUser):
            sender = self._user(chat)
            return self._ensure_chat(sender.id, "private"), self._user(user or sender)
        fake_chat = self._ensure_chat(chat, chat_type, title)
        if chat_type == "private":
            return fake_chat, self._user(user if user is not None else chat)
        if chat_type == "channel":
            return fake_chat, None
        if user is None:
            raise ValueError(f"user= is required for {chat_type} messages")
        return fake_chat, self._user(user)

    def send_user_message(
        self,
        chat: int | FakeUser,
        content: Mapping[str, Any],
        *,
        user: FakeUser | int | None = None,
        chat_type: ChatType = "private",
        title: str | None = None,
        reply_to_message_id: int | None = None,
        kind: str = "text",
        update_type: str | None = None,
    ) -> int:
        """Queues a user message with arbitrary content fields (e.g. ``{"contact": {...}}``).

        ``chat`` is a `FakeUser` (their private chat) or a chat id of type ``chat_type``;
        groups need ``user``.  Returns the update_id.
        """
        fake_chat, sender = self._sender(chat, chat_type, user, title)
        text = content.get("text")
        msg = StoredMessage(
            chat_id=fake_chat.id,
            message_id=0,
            date=int(time.time()),
            from_bot=False,
            kind=kind,
            text=text if isinstance(text, str) else None,
            rendered_text=text if isinstance(text, str) else None,
            sender=sender.to_dict() if sender is not None else None,
            sender_chat=fake_chat.to_dict() if chat_type == "channel" else None,
            content={k: v for k, v in content.items() if k != "text"},
            reply_to_message_id=reply_to_message_id,
        )
        if isinstance(text, str):
            msg.rendered_entities = _bot_commands(text)
        if reply_to_message_id is not None:
            with self._lock:
                if reply_to_message_id not in self._messages.get(fake_chat.id, {}):
                    raise LookupError(f"no message {reply_to_message_id} in chat {fake_chat.id}")
        self._store_message(msg)
        if update_type is None:
            update_type = "channel_post" if chat_type == "channel" else "message"
        return self.push_update({update_type: self._message_json(msg)})

    def send_text(
        self,
        chat: int | FakeUser,
        text: str,
        chat_type: ChatType = "private",
        *,
        user: FakeUser | int | None = None,
        title: str | None = None,
        reply_to_message_id: int | None = None,
    ) -> int:
        """Queues a text message; /commands get ``bot_command`` entities."""
        return self.send_user_message(
            chat,
            {"text": text},
            user=user,
            chat_type=chat_type,
            title=title,
            reply_to_message_id=reply_to_message_id,
        )

    def send_group_text(
        self,
        chat_id: int,
        user: FakeUser | int,
        text: str,
        *,
        title: str | None = None,
        supergroup: bool = False,
    ) -> int:
        """A message from ``user`` in a group (negative ``chat_id``)."""
        return self.send_text(
            chat_id, text, "supergroup" if supergroup else "group", user=user, title=title
        )

    def send_channel_post(self, chat_id: int, text: str, *, title: str | None = None) -> int:
        """A ``channel_post`` update (no ``from``; ``sender_chat`` is the channel)."""
        return self.send_text(chat_id, text, "channel", title=title)

    def send_photo(
        self,
        chat: int | FakeUser,
        data: bytes = b"\xff\xd8\xff\xe0fake-jpeg",
        *,
        caption: str | None = None,
        user: FakeUser | int | None = None,
        chat_type: ChatType = "private",
    ) -> int:
        stored = self._new_file(data, kind="photo", mime_type="image/jpeg")
        sizes = [
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "width": 1280,
                "height": 960,
                "file_size": len(data),
            }
        ]
        content: JsonDict = {"photo": sizes}
        if caption is not None:
            content["caption"] = caption
        return self.send_user_message(chat, content, user=user, chat_type=chat_type, kind="photo")

    def send_sticker(
        self,
        chat: int | FakeUser,
        *,
        emoji: str = "👍",
        user: FakeUser | int | None = None,
        chat_type: ChatType = "private",
    ) -> int:
        stored = self._new_file(b"RIFF fake webp", kind="sticker", mime_type="image/webp")
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": 14,
        }
        return self.send_user_message(
            chat, {"sticker": sticker}, user=user, chat_type=chat_type, kind="sticker"
        )

    def send_voice(
        self,
        chat: int | FakeUser,
        data: bytes = b"OggS fake voice",
        *,
        duration: int = 2,
        user: FakeUser | int | None = None,
        chat_type: ChatType = "private",
    ) -> int:
        stored = self._new_file(data, kind="voice", mime_type="audio/ogg")
        voice = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": len(data),
        }
        return self.send_user_message(
            chat, {"voice": voice}, user=user, chat_type=chat_type, kind="voice"
        )

    def send_location(
        self,
        chat: int | FakeUser,
        latitude: float,
        longitude: float,
        *,
        user: FakeUser | int | None = None,
        chat_type: ChatType = "private",
    ) -> int:
        return self.send_user_message(
            chat,
            {"location": {"latitude": latitude, "longitude": longitude}},
            user=user,
            chat_type=chat_type,
            kind="location",
        )

    def edit_user_message(self, chat_id: int, message_id: int, text: str) -> int:
        """The user edits their earlier text message: an ``edited_message`` update."""
        with self._cond:
            msg = self._messages.get(chat_id, {}).get(message_id)
            if msg is None or msg.from_bot or msg.kind != "text":
                raise LookupError(f"no user text message {message_id} in chat {chat_id}")
            msg.history.append(msg.text)
            msg.text = msg.rendered_text = text
            msg.rendered_entities = _bot_commands(text)
            msg.edit_count += 1
            msg.edit_date = int(time.time())
            with self._lock:
                chat = self._chats.get(chat_id)
            is_channel = chat is not None and chat.type == "channel"
            update_type = "edited_channel_post" if is_channel else "edited_message"
            payload = self._message_json(msg)
        return self.push_update({update_type: payload})

    def press_button(
        self,
        chat_id: int | FakeUser,
        user_id: int | FakeUser,
        message_id: int,
        data: str,
        *,
        check_button: bool = True,
    ) -> int:
        """The user presses an inline button of bot message ``message_id``: a
        ``callback_query`` update.  With ``check_button`` the message must carry a button
        with this ``callback_data`` (ValueError otherwise)."""
        chat = chat_id.id if isinstance(chat_id, FakeUser) else chat_id
        user = self._user(user_id)
        with self._lock:
            msg = self._messages.get(chat, {}).get(message_id)
            if msg is None or msg.deleted:
                raise LookupError(f"no message {message_id} in chat {chat}")
            if check_button and data not in msg.callback_data:
                raise ValueError(
                    f"message {message_id} has no button with callback_data {data!r}; "
                    f"it has {msg.callback_data}"
                )
            query_id = f"{self.bot_id}{next(self._query_seq):08d}"
            self._callback_queries[query_id] = _Query(issued_at=time.monotonic())
            payload = self._message_json(msg)
        return self.push_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": user.to_dict(),
                    "message": payload,
                    "chat_instance": f"-{abs(chat) * 7919 % 10**12}",
                    "data": data,
                }
            }
        )

    def callback_answer(self, query_id: str) -> JsonDict | None:
        """The answerCallbackQuery parameters for ``query_id`` (None if unanswered)."""
        with self._lock:
            query = self._callback_queries.get(query_id)
            return dict(query.answer) if query and query.answer else None

    def send_inline_query(
        self, user: FakeUser | int, query: str, *, offset: str = "", chat_type: str = "sender"
    ) -> int:
        sender = self._user(user)
        with self._lock:
            query_id = f"{self.bot_id}{next(self._query_seq):08d}"
            self._inline_queries[query_id] = _Query(issued_at=time.monotonic())
        return self.push_update(
            {
                "inline_query": {
                    "id": query_id,
                    "from": sender.to_dict(),
                    "query": query,
                    "offset": offset,
                    "chat_type": chat_type,
                }
            }
        )

    def inline_answer(self, query_id: str) -> JsonDict | None:
        """The answerInlineQuery parameters for ``query_id`` (None if unanswered)."""
        with self._lock:
            query = self._inline_queries.get(query_id)
            return copy.deepcopy(query.answer) if query and query.answer else None

    def send_my_chat_member(
        self,
        user: FakeUser | int,
        *,
        new_status: str = "kicked",
        old_status: str = "member",
        chat_id: int | None = None,
        chat_type: ChatType = "private",
    ) -> int:
        """A ``my_chat_member`` update: by default the user blocked the bot, which also makes
        further sends to the private chat answer 403 (``new_status="member"`` unblocks)."""
        sender = self._user(user)
        chat = self._ensure_chat(chat_id if chat_id is not None else sender.id, chat_type)
        now = int(time.time())

        def member(status: str) -> JsonDict:
            data: JsonDict = {"user": self.bot_user, "status": status}
            if status == "kicked":
                data["until_date"] = 0
            return data

        if new_status in ("kicked", "left"):
            self.block_user(chat.id)
        elif new_status in ("member", "administrator"):
            self.unblock_user(chat.id)
        return self.push_update(
            {
                "my_chat_member": {
                    "chat": chat.to_dict(),
                    "from": sender.to_dict(),
                    "date": now,
                    "old_chat_member": member(old_status),
                    "new_chat_member": member(new_status),
                }
            }
        )

    # ---------------------------------------------------------------- webhooks

    @staticmethod
    def deliver_webhook(
        url: str,
        update: Mapping[str, Any],
        secret_token: str | None = None,
        *,
        timeout: float = 10.0,
    ) -> tuple[int, bytes]:
        """POSTs ``update`` as JSON to the bot's webhook like Telegram (blocking).

        Sends ``X-Telegram-Bot-Api-Secret-Token`` when ``secret_token`` is given; returns
        (HTTP status, body).  Never call it from the loop that runs the bot's webhook server:
        use `deliver_webhook_async` there.
        """
        body = json.dumps(dict(update)).encode("utf-8")
        return FakeBotApi.deliver_raw_webhook(url, body, secret_token, timeout=timeout)

    @staticmethod
    def deliver_raw_webhook(
        url: str,
        body: bytes,
        secret_token: str | None = None,
        *,
        content_type: str = "application/json",
        timeout: float = 10.0,
    ) -> tuple[int, bytes]:
        """POSTs any ``body`` to a webhook, as a broken proxy or an attacker might (blocking);
        returns (HTTP status, body)."""
        request = urllib.request.Request(url, data=body, method="POST")
        request.add_header("Content-Type", content_type)
        if secret_token is not None:
            request.add_header("X-Telegram-Bot-Api-Secret-Token", secret_token)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=timeout) as response:
                return int(response.status), bytes(response.read())
        except urllib.error.HTTPError as error:
            with error:
                return int(error.code), bytes(error.read())

    async def deliver_webhook_async(
        self,
        url: str,
        update: Mapping[str, Any],
        secret_token: str | None = None,
        *,
        timeout: float = 10.0,  # noqa: ASYNC109 - the HTTP timeout, as in deliver_webhook()
    ) -> tuple[int, bytes]:
        return await asyncio.to_thread(
            self.deliver_webhook, url, update, secret_token, timeout=timeout
        )

    def flush_webhook(
        self, url: str | None = None, *, timeout: float = 10.0
    ) -> list[tuple[int, int, bytes]]:
        """Delivers every pending update to the webhook the bot set (or to ``url``), with the
        bot's secret token; updates answered 2xx leave the queue.  Returns
        ``[(update_id, status, body), ...]``."""
        with self._lock:
            webhook = dict(self._webhook) if self._webhook else None
            pending = [u for u in self._updates if self._is_allowed(u)]
        target = url or (webhook["url"] if webhook else None)
        if target is None:
            raise RuntimeError("no webhook set and no url given")
        secret = webhook["secret_token"] if webhook else None
        results: list[tuple[int, int, bytes]] = []
        for update in pending:
            status, body = self.deliver_webhook(target, update, secret, timeout=timeout)
            update_id = int(update["update_id"])
            results.append((update_id, status, body))
            if 200 <= status < 300:
                with self._cond:
                    self._updates = [u for u in self._updates if u["update_id"] != update_id]
                    self._delivered.add(update_id)
                    self._cond.notify_all()
        return results

    async def flush_webhook_async(
        self,
        url: str | None = None,
        *,
        timeout: float = 10.0,  # noqa: ASYNC109 - the HTTP timeout, as in flush_webhook()
    ) -> list[tuple[int, int, bytes]]:
        return await asyncio.to_thread(self.flush_webhook, url, timeout=timeout)
