"""`hipbot run` as a real process against the fake Bot API server: a routine survives SIGKILL
and a restart, the token never leaks, and webhook mode checks its secret."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable

import pytest

from tests.e2e.harness import TIMEOUT, TOKEN
from tests.e2e.processes import BotProcess, free_port, wait_for_port
from tests.fakes import FakeBotApi, FakeUser, StoredMessage

pytestmark = pytest.mark.slow


def press(fake: FakeBotApi, user: FakeUser, message_id: int, data: str, expect: str) -> str:
    """Press a button and wait until the message shows `expect`; its text. A routine card's
    button is found by its action ("rt:done"): its data also names the session and step."""
    fake.press_button(user.id, user, message_id, card_button(fake, user.id, message_id, data))

    def shows() -> bool:
        return expect in (fake.message(user.id, message_id).rendered_text or "")

    fake.wait_until(shows, TIMEOUT)
    return fake.message(user.id, message_id).rendered_text or ""


def card_button(fake: FakeBotApi, chat_id: int, message_id: int, data: str) -> str:
    """The data of the message's button that is `data`, or `data` bound to a session."""
    on_card = fake.message(chat_id, message_id).callback_data
    return next((d for d in on_card if d == data or d.startswith(f"{data}:")), data)


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
    last = fake.press_button(alice.id, alice, card, card_button(fake, alice.id, card, "rt:done"))
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


def _users(db: str, user_id: int) -> int:
    with sqlite3.connect(db) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        if "users" not in tables:
            return 0
        query = "SELECT COUNT(*) FROM users WHERE user_id = ?"
        (count,) = conn.execute(query, (user_id,)).fetchone()
    return int(count)


def test_webhook_mode_registers_its_secret_and_refuses_updates_without_it(
    fake: FakeBotApi,
    alice: FakeUser,
    bob: FakeUser,
    bot_env: dict[str, str],
    start_bot: Callable[[dict[str, str]], BotProcess],
) -> None:
    port = free_port()
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
    wait_for_port(port)

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
    bot = start_bot({**bot_env, "WEBHOOK_URL": f"http://127.0.0.1:{free_port()}/hook"})

    assert bot.process.wait(TIMEOUT) != 0
    lines = bot.stderr.read_text().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("hipbot: ") and "WEBHOOK_SECRET" in lines[0]
    assert TOKEN not in bot.output
    assert fake.calls == []  # it stopped before talking to Telegram
