"""The Telegram side's guards, each on its own: one user's updates never overlap while other
users' run meanwhile; every kind of message the bot shows, edits included, keeps to the
per-chat send budget; the token never reaches a log line, not even inside a traceback; and
the HTTP client's request lines (which quote the token) are not logged at all."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from telegram import Chat, Message, Update, User

from bot.adapters.telegram import limits
from bot.adapters.telegram.limits import ChatRateLimiter, PerUserUpdates
from bot.adapters.telegram.logs import TokenFilter

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456789:AAEexampleexampleexampleexample_-x"
SECRET = "webhook-secret-42"


def _update(update_id: int, user_id: int) -> Update:
    user = User(user_id, "Ann", False)
    message = Message(update_id, datetime.now(UTC), Chat(user_id, "private"), user, text="hi")
    return Update(update_id, message=message)


async def test_one_users_updates_wait_for_each_other_while_another_users_run() -> None:
    processor = PerUserUpdates()
    log: list[str] = []
    release_first = asyncio.Event()

    async def handle(name: str, wait: asyncio.Event | None = None) -> None:
        log.append(f"{name} starts")
        if wait is not None:
            await wait.wait()
        log.append(f"{name} ends")

    first = asyncio.create_task(
        processor.do_process_update(_update(1, 7), handle("ann-1", release_first))
    )
    second = asyncio.create_task(processor.do_process_update(_update(2, 7), handle("ann-2")))
    other = asyncio.create_task(processor.do_process_update(_update(3, 8), handle("bob-1")))
    await asyncio.wait_for(other, timeout=5)
    for _ in range(5):
        await asyncio.sleep(0)
    # Bob's update is done while Ann's first still runs; Ann's second has not begun.
    assert log == ["ann-1 starts", "bob-1 starts", "bob-1 ends"]
    release_first.set()
    await asyncio.wait_for(asyncio.gather(first, second), timeout=5)
    assert log[3:] == ["ann-1 ends", "ann-2 starts", "ann-2 ends"]


@pytest.mark.parametrize(
    "endpoint",
    [
        "sendMessage",
        "sendPhoto",
        "editMessageText",
        "editMessageReplyMarkup",
        "editMessageCaption",
        "editMessageMedia",
    ],
)
async def test_every_kind_of_message_shown_keeps_to_the_per_chat_burst(endpoint: str) -> None:
    limiter = ChatRateLimiter()
    sent: list[int] = []

    async def send(number: int) -> bool:
        sent.append(number)
        return True

    def request(number: int) -> asyncio.Task[Any]:
        return asyncio.create_task(
            limiter.process_request(send, (number,), {}, endpoint, {"chat_id": 42}, None)
        )

    burst = limits.CHAT_BURST
    tasks = [request(n) for n in range(burst + 2)]
    for _ in range(20):
        await asyncio.sleep(0)
    # The burst went out; the rest wait for the chat's budget (counts, not timings).
    assert sent == list(range(burst))
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def test_requests_to_other_chats_are_not_held_by_one_chats_budget() -> None:
    limiter = ChatRateLimiter()
    sent: list[int] = []

    async def send(chat_id: int) -> bool:
        sent.append(chat_id)
        return True

    tasks = [
        asyncio.create_task(
            limiter.process_request(send, (c,), {}, "editMessageText", {"chat_id": c}, None)
        )
        for c in [42] * (limits.CHAT_BURST + 1) + [43]
    ]
    for _ in range(20):
        await asyncio.sleep(0)
    assert sent.count(42) == limits.CHAT_BURST
    assert 43 in sent
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def _formatted(record: logging.LogRecord, *filters: logging.Filter) -> str:
    stream = StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    for f in filters:
        handler.addFilter(f)
    handler.handle(record)
    return stream.getvalue()


def _record_with_traceback(message: str, *args: object) -> logging.LogRecord:
    try:
        raise RuntimeError(f"request to https://api.telegram.org/bot{TOKEN}/getMe failed")
    except RuntimeError:
        return logging.getLogger("hipbot.test").makeRecord(
            "hipbot.test", logging.ERROR, __file__, 1, message, args, sys.exc_info()
        )


def test_the_token_is_scrubbed_from_a_traceback_and_the_traceback_kept() -> None:
    record = _record_with_traceback("error while handling an update")
    text = _formatted(record, TokenFilter(TOKEN, SECRET))
    assert TOKEN not in text
    assert "Traceback (most recent call last)" in text
    assert "bot<secret>/getMe failed" in text


def test_the_token_and_the_webhook_secret_are_scrubbed_from_the_message() -> None:
    record = _record_with_traceback("url %s with %s", f"/bot{TOKEN}/x", SECRET)
    text = _formatted(record, TokenFilter(TOKEN, SECRET))
    assert TOKEN not in text and SECRET not in text
    assert "url /bot<secret>/x with <secret>" in text


def test_a_record_without_secrets_is_left_as_it_is() -> None:
    record = logging.getLogger("x").makeRecord("x", logging.INFO, __file__, 1, "%d", (5,), None)
    TokenFilter(TOKEN).filter(record)
    assert (record.msg, record.args) == ("%d", (5,))


# The bot's real logging set-up in a process of its own, making a real HTTP request with the
# token in its URL (as PTB does) and logging a traceback that quotes it.
_PROGRAM = """
import http.server, logging, threading
import httpx
from bot.adapters.telegram.logs import configure_logging
from bot.config import load_settings

class Ok(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.end_headers(); self.wfile.write(b"{}")
    def log_message(self, *args):
        pass

server = http.server.HTTPServer(("127.0.0.1", 0), Ok)
threading.Thread(target=server.serve_forever, daemon=True).start()
settings = load_settings()
configure_logging(settings)
httpx.get(f"http://127.0.0.1:{server.server_port}/bot{settings.token}/getMe")
try:
    raise RuntimeError(f"failed: /bot{settings.token}/getMe")
except RuntimeError:
    logging.getLogger("hipbot").exception("error while handling an update")
logging.getLogger("hipbot").info("done")
server.shutdown()
"""


def test_the_bots_log_set_up_silences_request_lines_and_scrubs_tracebacks(tmp_path: Path) -> None:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "LOG_LEVEL": "DEBUG",
        **{k: v for k, v in os.environ.items() if k.startswith("COVERAGE")},
    }
    run = subprocess.run(
        [sys.executable, "-c", _PROGRAM],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "INFO hipbot: done" in run.stderr  # INFO lines of the bot's own are shown
    assert "ERROR hipbot: error while handling an update" in run.stderr
    assert "Traceback (most recent call last)" in run.stderr
    assert TOKEN not in run.stderr
    assert TOKEN.split(":", 1)[1] not in run.stderr
    assert "failed: /bot<secret>/getMe" in run.stderr
    assert " httpx: " not in run.stderr  # no request line, not even a scrubbed one
