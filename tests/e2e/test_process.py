"""`hipbot run` as a real process against the fake Bot API server: a routine survives SIGKILL
and a restart, the token never leaks, and webhook mode checks its secret."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.harness import TIMEOUT, TOKEN
from tests.fakes import FakeBotApi, FakeUser, StoredMessage

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
# Settings the bot reads: none may leak in from the environment the tests run in.
BOT_SETTINGS = (
    "TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE_URL", "HIPBOT_DB", "DATABASE_URL",
    "HIPBOT_KNOWLEDGE_DIR", "WEBHOOK_URL", "WEBHOOK_SECRET", "WEBHOOK_LISTEN", "PORT",
    "ADMIN_IDS", "LOG_LEVEL", "HIPBOT_TIMER_SCALE",
)  # fmt: skip


class BotProcess:
    """`python -m bot run` with its output captured in files."""

    def __init__(self, workdir: Path, env: dict[str, str], name: str) -> None:
        self.stdout = workdir / f"{name}.stdout"
        self.stderr = workdir / f"{name}.stderr"
        with self.stdout.open("wb") as out, self.stderr.open("wb") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", "run"],
                cwd=workdir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
            )

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(TIMEOUT)

    def stop(self) -> int:
        """SIGTERM, as a process manager stops it; the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(TIMEOUT)

    @property
    def output(self) -> str:
        return self.stdout.read_text(errors="replace") + self.stderr.read_text(errors="replace")


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """The bot's working directory: no .env, its own data/."""
    path = tmp_path / "bot"
    path.mkdir()
    return path


@pytest.fixture
def bot_env(fake: FakeBotApi, workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in BOT_SETTINGS}
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=fake.base_url,
        HIPBOT_DB=str(workdir / "bot.sqlite3"),
        HIPBOT_TIMER_SCALE="0.01",
        LOG_LEVEL="DEBUG",
        PYTHONPATH=str(REPO),
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest.fixture
def start_bot(workdir: Path) -> Iterator[Callable[[dict[str, str]], BotProcess]]:
    started: list[BotProcess] = []

    def start(env: dict[str, str]) -> BotProcess:
        bot = BotProcess(workdir, env, f"run{len(started) + 1}")
        started.append(bot)
        return bot

    yield start
    for bot in started:
        if bot.process.poll() is None:
            bot.kill()


def press(fake: FakeBotApi, user: FakeUser, message_id: int, data: str, expect: str) -> str:
    """Press a button and wait until the message shows `expect`; its text."""
    fake.press_button(user.id, user, message_id, data)

    def shows() -> bool:
        return expect in (fake.message(user.id, message_id).rendered_text or "")

    fake.wait_until(shows, TIMEOUT)
    return fake.message(user.id, message_id).rendered_text or ""


def say(fake: FakeBotApi, user: FakeUser, text: str, expect: str) -> StoredMessage:
    """Send text and wait for a new message that shows `expect`."""
    after = max((m.message_id for m in fake.messages(user.id)), default=0)
    fake.send_text(user, text)
    return fake.wait_for_message(user.id, expect, TIMEOUT, after_message_id=after)


def assert_token_not_in_requests(fake: FakeBotApi) -> None:
    secret = TOKEN.split(":", 1)[1]
    for call in fake.calls:
        recorded = json.dumps(call.params, default=str) + repr(call.files) + repr(call.result)
        assert secret not in recorded, f"the token is in a {call.method} request"


def test_a_routine_survives_sigkill_and_resumes_at_the_same_step(
    fake: FakeBotApi,
    alice: FakeUser,
    bot_env: dict[str, str],
    start_bot: Callable[[dict[str, str]], BotProcess],
) -> None:
    first = start_bot(bot_env)
    card = say(fake, alice, "/routine", "Guided routines").message_id
    press(fake, alice, card, "rs:beginner", "Which level?")
    press(fake, alice, card, "rs:beginner:weeks-1-2", "safety check")
    press(fake, alice, card, "rt:safe", "How much does your back hurt")
    press(fake, alice, card, "pn:4", "Step 1 of 7")
    press(fake, alice, card, "rt:done", "Step 2 of 7")
    last = fake.press_button(alice.id, alice, card, "rt:done")
    fake.wait_until(lambda: "Step 3 of 7" in str(fake.message(alice.id, card).rendered_text))
    # Telegram has the last press confirmed, so the next process does not get it again.
    fake.wait_until(lambda: fake.confirmed_offset > last, TIMEOUT)
    first.kill()

    second = start_bot(bot_env)
    resumed = say(fake, alice, "/resume", "Step 3 of 7")
    assert "Welcome back" in (resumed.rendered_text or "")
    for number in range(4, 8):
        press(fake, alice, resumed.message_id, "rt:done", f"Step {number} of 7")
    press(fake, alice, resumed.message_id, "rt:done", "after the session")
    summary = press(fake, alice, resumed.message_id, "pn:3", "finished")
    assert second.stop() == 0

    assert "Exercises done: 7 of 7" in summary
    assert "Pain: 4 before, 3 after (lower)" in summary
    for bot in (first, second):
        assert TOKEN not in bot.output
        assert TOKEN.split(":", 1)[1] not in bot.output
    assert "DEBUG" in second.output  # the check above ran against debug logs
    assert_token_not_in_requests(fake)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _users(db: str, user_id: int) -> int:
    with sqlite3.connect(db) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        if "users" not in tables:
            return 0
        query = "SELECT COUNT(*) FROM users WHERE user_id = ?"
        (count,) = conn.execute(query, (user_id,)).fetchone()
    return int(count)


def _wait_for_port(port: int) -> None:
    """Until something listens on the port (PTB sets the webhook, then starts serving)."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def test_webhook_mode_registers_its_secret_and_refuses_updates_without_it(
    fake: FakeBotApi,
    alice: FakeUser,
    bob: FakeUser,
    bot_env: dict[str, str],
    start_bot: Callable[[dict[str, str]], BotProcess],
) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}/hook"
    secret = "hook-Secret_42"
    bot = start_bot(
        {
            **bot_env,
            "WEBHOOK_URL": url,
            "WEBHOOK_LISTEN": "127.0.0.1",
            "PORT": str(port),
            "WEBHOOK_SECRET": secret,
        }
    )
    fake.wait_for("setWebhook", TIMEOUT)
    assert fake.webhook is not None
    assert (fake.webhook["url"], fake.webhook["secret_token"]) == (url, secret)
    _wait_for_port(port)

    forged = fake.pop_update(fake.send_text(bob, "/start"))
    for wrong in (None, "wrong-secret", secret.lower()):
        status, _ = fake.deliver_webhook(url, forged, wrong)
        assert status == 403, wrong
    good = fake.pop_update(fake.send_text(alice, "/start"))
    assert fake.deliver_webhook(url, good, secret)[0] == 200
    fake.wait_for_message(alice.id, "Hello Alice", TIMEOUT)
    assert bot.stop() == 0

    assert fake.sent_messages(bob.id) == []
    assert _users(bot_env["HIPBOT_DB"], bob.id) == 0
    assert _users(bot_env["HIPBOT_DB"], alice.id) == 1
    assert TOKEN not in bot.output
    assert_token_not_in_requests(fake)


def test_a_webhook_url_without_a_secret_stops_with_a_one_line_error(
    fake: FakeBotApi,
    bot_env: dict[str, str],
    start_bot: Callable[[dict[str, str]], BotProcess],
) -> None:
    bot = start_bot({**bot_env, "WEBHOOK_URL": f"http://127.0.0.1:{_free_port()}/hook"})

    assert bot.process.wait(TIMEOUT) != 0
    lines = bot.stderr.read_text().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("hipbot: ") and "WEBHOOK_SECRET" in lines[0]
    assert TOKEN not in bot.output
    assert fake.calls == []  # it stopped before talking to Telegram
