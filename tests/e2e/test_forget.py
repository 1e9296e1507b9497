"""/forget: only the confirmation button of the latest question deletes (an old or forged one
asks again), and in SQLite the user's words are gone from the database file and its WAL."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from bot.config import Settings
from bot.dialogue import messages as msg
from tests.e2e.harness import AnyApplication, Chat, button, shown, texts
from tests.fakes import FakeBotApi, FakeUser

MARKER = "Quokka"
QUESTION = f"Should I use heat or ice on my back? ({MARKER})"


def users(settings: Settings, user_id: int) -> int:
    with sqlite3.connect(f"file:{settings.db_path}?mode=ro", uri=True) as db:
        (count,) = db.execute("SELECT COUNT(*) FROM users WHERE user_id = ?", (user_id,)).fetchone()
    return int(count)


def files_of(db_path: Path) -> list[Path]:
    """The database file and its write-ahead log (when there is one)."""
    return [p for p in (db_path, Path(f"{db_path}-wal")) if p.exists()]


def holds(db_path: Path, word: str) -> bool:
    return any(word.encode() in path.read_bytes() for path in files_of(db_path))


async def test_an_old_or_forged_forget_confirmation_asks_again(
    app: AnyApplication,
    fake: FakeBotApi,
    settings: Settings,
    alice: FakeUser,
    chat: Callable[..., Chat],
) -> None:
    alices = chat(alice)
    await alices.say("/reminder 08:30")
    first = await alices.say_one("/forget")
    second = await alices.say_one("/forget")
    old_yes = button(first, msg.FORGET_YES_LABEL)

    for data in (old_yes, "fg:yes", "fg:yes:forged-nonce"):
        pressed = await alices.press(first.message_id, data, check_button=False)
        assert pressed.toast == msg.stale_button(), data
        assert texts(pressed.new) == [shown(msg.forget_question())], data
        assert shown(msg.forgotten()) not in texts(fake.sent_messages(alice.id))
        assert users(settings, alice.id) == 1, data

    assert old_yes != button(second, msg.FORGET_YES_LABEL)
    latest = fake.last_sent_message(alice.id)
    done = await alices.tap(latest.message_id, msg.FORGET_YES_LABEL)
    assert done.message.rendered_text == shown(msg.forgotten())
    assert users(settings, alice.id) == 0

    again = await alices.press(latest.message_id, button(latest, msg.FORGET_YES_LABEL),
                               check_button=False)  # fmt: skip
    assert again.toast == msg.stale_button()  # a one-time button: used up


async def test_forgotten_words_are_gone_from_the_sqlite_file_and_its_wal(
    app: AnyApplication,
    fake: FakeBotApi,
    settings: Settings,
    alice: FakeUser,
    bob: FakeUser,
    chat: Callable[..., Chat],
) -> None:
    alices = chat(alice)
    answer = await alices.say(QUESTION)
    assert "Sources" in texts(answer)[-1]  # answered: the question is kept for the feedback
    assert holds(settings.db_path, MARKER)
    await chat(bob).say("/reminder 09:00")

    ask = await alices.say_one("/forget")
    done = await alices.tap(ask.message_id, msg.FORGET_YES_LABEL)

    assert done.message.rendered_text == shown(msg.forgotten())
    assert files_of(settings.db_path)
    assert not holds(settings.db_path, MARKER)
    assert await chat(bob).say_one("/reminder")  # the store still works for everyone else
