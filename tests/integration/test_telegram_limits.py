"""Which failed Bot API requests are tried again: never a send that Telegram may have acted on
(it has no idempotency key to ask), always one that never reached it or that it refused with a
5xx; edits and answers, which are harmless twice, in every case."""

from __future__ import annotations

import httpx
import pytest
from telegram.error import BadRequest, NetworkError, TelegramError, TimedOut

from bot.adapters.telegram.limits import describe, may_have_arrived, retryable


def raised(error: TelegramError, cause: BaseException | None) -> TelegramError:
    """`error` as PTB raises it: `raise error from cause`."""
    error.__cause__ = cause
    return error


REQUEST = httpx.Request("POST", "http://127.0.0.1/bot123:secret/sendMessage")
NEVER_SENT = [
    raised(NetworkError("httpx.ConnectError"), httpx.ConnectError("refused", request=REQUEST)),
    raised(TimedOut(), httpx.ConnectTimeout("slow", request=REQUEST)),
    raised(TimedOut("Pool timeout"), httpx.PoolTimeout("busy", request=REQUEST)),
]
MAYBE_ARRIVED = [
    raised(TimedOut(), httpx.ReadTimeout("slow", request=REQUEST)),
    raised(NetworkError("gone"), httpx.RemoteProtocolError("closed", request=REQUEST)),
    raised(NetworkError("Unknown error in HTTP implementation"), RuntimeError("?")),
]
REFUSED: list[TelegramError] = [NetworkError("Internal Server Error"), NetworkError("Bad Gateway")]


@pytest.mark.parametrize("error", NEVER_SENT + REFUSED, ids=repr)
def test_a_request_telegram_never_acted_on_is_retried_even_when_it_sends(
    error: TelegramError,
) -> None:
    assert not may_have_arrived(error)
    assert retryable(error, "sendMessage")


@pytest.mark.parametrize("error", MAYBE_ARRIVED, ids=repr)
def test_a_send_telegram_may_have_acted_on_is_not_repeated(error: TelegramError) -> None:
    assert may_have_arrived(error)
    assert not retryable(error, "sendMessage")
    assert retryable(error, "editMessageText")
    assert retryable(error, "answerCallbackQuery")


def test_a_bad_request_is_never_retried() -> None:
    assert not retryable(BadRequest("message is too long"), "editMessageText")


def test_describe_names_the_kind_and_never_the_url() -> None:
    text = describe(NEVER_SENT[0]) + describe(MAYBE_ARRIVED[0]) + describe(REFUSED[0])
    assert "ConnectError" in text and "ReadTimeout" in text and "Internal Server Error" in text
    assert "secret" not in text
