"""`hipbot chat` as a real process, driven through its pipes like a person at a terminal.

A reader thread collects standard output; each step waits (with a timeout, never a fixed
sleep) for the text it expects, and buttons are pressed by typing the number printed next to
their label, read from the last choices line the chat printed.
"""

from __future__ import annotations

import contextlib
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.dialogue import messages as msg

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 20.0
_CHOICES = re.compile(r"^  \[\d+\] .*$", re.MULTILINE)
_ENV_DROPPED = ("TELEGRAM_BOT_TOKEN", "DATABASE_URL", "HIPBOT_KNOWLEDGE_DIR", "WEBHOOK_URL")


class ChatProcess:
    """A running `python -m bot ...` with a line reader on its output."""

    def __init__(self, db: Path, cwd: Path, *args: str) -> None:
        env = {k: v for k, v in os.environ.items() if k not in _ENV_DROPPED}
        env.update(
            HIPBOT_DB=str(db),
            HIPBOT_TIMER_SCALE="0.01",
            PYTHONIOENCODING="utf-8",
            PYTHONPATH=str(ROOT),
        )
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,  # no .env from the repository
            env=env,
            text=True,
            encoding="utf-8",
            bufsize=1,
        )
        self.output = ""
        self.mark = 0  # everything before this has been matched by a step
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._stderr: list[str] = []
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read_stdout(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        self._stderr.extend(self.proc.stderr)

    @property
    def stderr(self) -> str:
        return "".join(self._stderr)

    def type(self, line: str) -> None:
        """Type one line."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def expect(self, text: str, timeout: float = TIMEOUT) -> str:
        """Wait for `text` after what earlier steps matched; the output up to its line's end."""
        deadline = time.monotonic() + timeout
        ended = False
        while True:
            at = self.output.find(text, self.mark)
            if at >= 0:
                end = self.output.find("\n", at)
                if end >= 0:
                    chunk, self.mark = self.output[self.mark : end + 1], end + 1
                    return chunk
            left = deadline - time.monotonic()
            if left <= 0 or ended:
                pytest.fail(
                    f"no {text!r} within {timeout} s; output since the last step:\n"
                    f"{self.output[self.mark :]}\nstderr:\n{self.stderr}",
                    pytrace=False,
                )
            try:
                line = self._lines.get(timeout=left)
            except queue.Empty:
                continue
            if line is None:
                ended = True
            else:
                self.output += line

    def expect_choices(self) -> str:
        """Wait for the next line of numbered choices."""
        return self.expect("  [")

    def screen(self, text: str) -> str:
        """Wait for a message with buttons: its text, then its choices line."""
        return self.expect(text) + self.expect_choices()

    def press(self, label: str) -> None:
        """Type the number of the button `label` on the last choices line shown."""
        lines = _CHOICES.findall(self.output[: self.mark])
        assert lines, f"no choices shown yet:\n{self.output}"
        found = re.search(r"\[(\d+)\] [^\[]*?" + re.escape(label), lines[-1])
        assert found, f"no button {label!r} on the last choices line {lines[-1]!r}"
        self.type(found.group(1))

    def close(self) -> None:
        """End the process if it still runs: end of input first, as Ctrl-D would (so it exits
        normally, and a coverage run keeps what it measured), then SIGKILL if it is stuck."""
        if self.proc.poll() is None and self.proc.stdin is not None:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=TIMEOUT / 4)
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=TIMEOUT)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture
def chats(tmp_path: Path) -> Iterator[list[ChatProcess]]:
    """Processes started by a test; any still running at the end is killed."""
    started: list[ChatProcess] = []
    yield started
    for chat in started:
        chat.close()


StartChat = Callable[..., ChatProcess]


@pytest.fixture
def start_chat(tmp_path: Path, chats: list[ChatProcess]) -> StartChat:
    """Start `python -m bot chat` (or other arguments) on this test's database."""

    def start(*args: str) -> ChatProcess:
        chat = ChatProcess(tmp_path / "hipbot.sqlite3", tmp_path, *(args or ("chat",)))
        chats.append(chat)
        chat.expect("Hip & Back Coach in your terminal")
        return chat

    return start


def begin_beginner_routine(chat: ChatProcess, pain: int) -> None:
    """From /routine to step 1 of the beginner routine at "Weeks 1-2"."""
    chat.type("/routine")
    chat.screen("Guided routines")
    chat.press("Beginner hip and back routine")
    chat.screen("Which level?")
    chat.press("Weeks 1-2")
    chat.screen("quick safety check")
    chat.press(msg.SAFE_LABEL)
    chat.screen("How much does your back hurt right now?")
    chat.type(str(pain))
    chat.screen("Step 1 of 7")


def test_chat_runs_a_whole_routine_with_a_timer_and_progress_shows_it(
    start_chat: StartChat,
) -> None:
    chat = start_chat()
    chat.type("/start")
    chat.screen("Hello")
    chat.type("heat or ice for my back?")
    answer = chat.screen("Sources")
    assert "Helpful" in answer

    begin_beginner_routine(chat, pain=4)
    for number in range(1, 8):
        if number > 1:
            step = chat.screen(f"Step {number} of 7")
            # The step's picture, as a path the user can open.
            assert "[picture: " in step and ".png]" in step
        if number == 4:  # the glute bridge holds 3 s (0.03 s at this timer scale)
            chat.press(msg.TIMER_LABEL)
            chat.expect("Timer started: 3 s")
            chat.expect("Time's up for Glute bridge")
        chat.press(msg.DONE_LABEL)
    chat.screen("How much does your back hurt now, after the session?")
    chat.type("2")
    summary = chat.expect("Pain: 4 before, 2 after (lower)")
    assert "Beginner hip and back routine: finished" in summary
    assert "Exercises done: 7 of 7" in summary

    chat.type("/progress")
    progress = chat.expect("Beginner hip and back routine: 4 → 2")
    assert "Sessions finished: 1" in progress
    assert "Current streak: 1 day" in progress


def test_routine_survives_a_killed_process_and_resumes_at_the_same_step(
    start_chat: StartChat,
) -> None:
    first = start_chat()
    begin_beginner_routine(first, pain=4)
    first.press(msg.DONE_LABEL)
    first.screen("Step 2 of 7")
    first.press(msg.DONE_LABEL)
    first.screen("Step 3 of 7")
    first.proc.send_signal(signal.SIGKILL)
    assert first.proc.wait(timeout=TIMEOUT) == -signal.SIGKILL

    second = start_chat()
    second.type("/resume")
    resumed = second.screen("Step 3 of 7")
    assert "Dead bug" in resumed
    assert msg.NOTE_RESUMED in resumed
    for number in range(3, 8):
        if number > 3:
            second.screen(f"Step {number} of 7")
        second.press(msg.DONE_LABEL)
    second.screen("after the session")
    second.type("2")
    summary = second.expect("Pain: 4 before, 2 after")
    assert "Exercises done: 7 of 7" in summary


def test_quit_ends_the_chat_while_the_terminal_stays_open(start_chat: StartChat) -> None:
    chat = start_chat()
    chat.type("/help")
    chat.expect("/forget")
    chat.type("/quit")  # standard input stays open, as in a terminal
    assert chat.proc.wait(timeout=TIMEOUT) == 0


def test_a_removed_keyboard_no_longer_answers_to_its_numbers(start_chat: StartChat) -> None:
    chat = start_chat()
    chat.type("/routine")
    chat.screen("Guided routines")
    chat.press("Gentle start")
    chat.screen("quick safety check")
    chat.press("Stop")
    chat.expect("Session stopped")
    chat.type("1")  # was "None of these" on the stopped message: now just text
    chat.expect("I don't have a good answer")  # a plain "1" is not a question it knows


def run_bot(tmp_path: Path, *args: str, stdin: bytes) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGS` with `stdin` as its whole input, to the end."""
    env = {k: v for k, v in os.environ.items() if k not in _ENV_DROPPED}
    env.update(
        HIPBOT_DB=str(tmp_path / "hipbot.sqlite3"), PYTHONIOENCODING="utf-8", PYTHONPATH=str(ROOT)
    )
    result = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
        check=False,
    )
    return subprocess.CompletedProcess(
        result.args, result.returncode, result.stdout.decode(), result.stderr.decode()
    )


def test_bytes_that_are_not_utf8_do_not_stop_the_chat(tmp_path: Path) -> None:
    result = run_bot(tmp_path, "chat", stdin=b"\xff\xfe caf\xe9\n/help\n")
    assert result.returncode == 0, result.stderr
    assert "/forget – Delete everything stored about you" in result.stdout


def test_python_m_bot_without_a_token_hints_on_stderr_and_starts_the_chat(tmp_path: Path) -> None:
    result = run_bot(tmp_path, stdin=b"/help\n")
    assert result.returncode == 0, result.stderr
    hint = result.stderr.splitlines()
    assert len(hint) == 1, result.stderr
    assert "TELEGRAM_BOT_TOKEN" in hint[0] and "terminal chat" in hint[0]
    assert "Hip & Back Coach in your terminal" in result.stdout
    assert "/routine – Start a guided exercise routine" in result.stdout
