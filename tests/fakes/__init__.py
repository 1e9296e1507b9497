"""Test doubles for end-to-end tests (see `tests.fakes.bot_api`)."""

from tests.fakes.bot_api import (
    DEFAULT_TOKEN,
    SEND_METHODS,
    Call,
    FakeBotApi,
    FakeChat,
    FakeUser,
    HtmlParseError,
    StoredMessage,
    UploadedFile,
    parse_telegram_html,
)

__all__ = [
    "DEFAULT_TOKEN",
    "SEND_METHODS",
    "Call",
    "FakeBotApi",
    "FakeChat",
    "FakeUser",
    "HtmlParseError",
    "StoredMessage",
    "UploadedFile",
    "parse_telegram_html",
]
