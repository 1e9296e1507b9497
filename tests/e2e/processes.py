"""`hipbot run` as a real process for the end-to-end tests: `BotProcess` with its output
captured in files, the fixtures that start it (`bot_env`, `start_bot`), and ports."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.harness import TIMEOUT, TOKEN
from tests.fakes import FakeBotApi

REPO = Path(__file__).resolve().parents[2]
# Settings the bot reads: none may leak in from the environment the tests run in.
BOT_SETTINGS = (
    "TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE_URL", "HIPBOT_DB", "DATABASE_URL",
    "HIPBOT_KNOWLEDGE_DIR", "WEBHOOK_URL", "WEBHOOK_SECRET", "WEBHOOK_LISTEN", "PORT",
    "ADMIN_IDS", "LOG_LEVEL", "HIPBOT_TIMER_SCALE",
)  # fmt: skip


class BotProcess:
    """`python -m bot run` with its output captured in files."""

    def __init__(
        self, workdir: Path, env: dict[str, str], name: str, argv: list[str] | None = None
    ) -> None:
        self.stdout = workdir / f"{name}.stdout"
        self.stderr = workdir / f"{name}.stderr"
        with self.stdout.open("wb") as out, self.stderr.open("wb") as err:
            self.process = subprocess.Popen(
                [sys.executable, *(argv or ["-m", "bot", "run"])],
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

    def wait_for_output(self, pattern: str, count: int = 1) -> None:
        """Until `pattern` shows up `count` times in the output (or the process ends)."""
        deadline = time.monotonic() + TIMEOUT
        while self.output.count(pattern) < count:
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise AssertionError(f"{pattern!r} x{count} not in the output: {self.output}")
            time.sleep(0.05)


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
def start_bot(workdir: Path) -> Iterator[Callable[..., BotProcess]]:
    """`start_bot(env)` runs `python -m bot run`; `start_bot(env, argv)` other arguments."""
    started: list[BotProcess] = []

    def start(env: dict[str, str], argv: list[str] | None = None) -> BotProcess:
        bot = BotProcess(workdir, env, f"run{len(started) + 1}", argv)
        started.append(bot)
        return bot

    yield start
    for bot in started:
        if bot.process.poll() is None:
            # SIGTERM first: the process ends as it does in production, and a coverage run
            # keeps what it measured in it; SIGKILL only if it does not end.
            bot.process.send_signal(signal.SIGTERM)
            try:
                bot.process.wait(TIMEOUT / 2)
            except subprocess.TimeoutExpired:
                bot.kill()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int) -> None:
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
