"""`hipbot run` as a real process on an operator's bad day: a rejected or revoked token, the
Bot API unreachable at start, another process polling with the same token (409), junk posted
to the webhook, and Telegram delivering one update twice to two webhook processes that share
one database. No output line ever holds the token or the webhook secret."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.core.knowledge import KnowledgeBase
from bot.dialogue import messages as msg
from tests.e2e.checks import assert_card_matches_store, is_card_button, saved_state
from tests.e2e.harness import TIMEOUT, TOKEN, button
from tests.e2e.processes import BotProcess, free_port, wait_for_port
from tests.fakes import FakeBotApi, FakeUser

pytestmark = pytest.mark.slow
StartBot = Callable[..., BotProcess]
SECRET = "operator-Secret_77"
REJECTED = "hipbot: Telegram rejected the token: check TELEGRAM_BOT_TOKEN"
OTHER_TOKEN = "654321:ANOTHER-token-not-valid-here-0000"


def assert_no_secret(bot: BotProcess, *secrets: str) -> None:
    for secret in (TOKEN, TOKEN.split(":", 1)[1], SECRET, *secrets):
        assert secret not in bot.output, "a secret in the output"


def lines(bot: BotProcess, text: str) -> list[str]:
    return [line for line in bot.output.splitlines() if text in line]


def say(fake: FakeBotApi, user: FakeUser, text: str, expect: str) -> int:
    after = max((m.message_id for m in fake.messages(user.id)), default=0)
    fake.send_text(user, text)
    return fake.wait_for_message(user.id, expect, TIMEOUT, after_message_id=after).message_id


def tap(fake: FakeBotApi, user: FakeUser, card: int, label: str, expect: str) -> None:
    fake.press_button(user.id, user, card, button(fake.message(user.id, card), label))
    fake.wait_until(lambda: expect in (fake.message(user.id, card).rendered_text or ""), TIMEOUT)


def start_gentle(fake: FakeBotApi, user: FakeUser) -> int:
    """The gentle routine up to its first step, by polling; the card's message id."""
    card = say(fake, user, "/routine gentle-start", "safety check")
    tap(fake, user, card, msg.SAFE_LABEL, "hurt right now")
    tap(fake, user, card, "3", "Step 1 of 3")
    return card


# ------------------------------------------------------------------ start-up


@pytest.mark.parametrize("level", ["INFO", "DEBUG"])
def test_a_rejected_token_stops_with_one_line_and_status_2(
    level: str, fake: FakeBotApi, bot_env: dict[str, str], start_bot: StartBot
) -> None:
    bot = start_bot({**bot_env, "TELEGRAM_BOT_TOKEN": OTHER_TOKEN, "LOG_LEVEL": level})

    assert bot.process.wait(TIMEOUT) == 2
    errors = bot.stderr.read_text().splitlines()
    if level == "INFO":
        assert errors == [REJECTED]
    assert errors[-1] == REJECTED
    assert "Traceback" not in bot.output
    assert_no_secret(bot, OTHER_TOKEN, OTHER_TOKEN.split(":", 1)[1])


def test_an_unreachable_bot_api_is_retried_until_it_answers(
    fake: FakeBotApi, alice: FakeUser, bot_env: dict[str, str], start_bot: StartBot
) -> None:
    fake.refuse_connections()
    bot = start_bot(bot_env)
    bot.wait_for_output("not reachable", count=2)
    fake.accept_connections()

    say(fake, alice, "/start", "Hello Alice")
    assert bot.stop() == 0

    tries = lines(bot, "not reachable")
    assert len(tries) >= 2 and all("try" in line for line in tries)
    assert "Traceback" not in bot.output
    assert_no_secret(bot)


def test_a_bot_api_that_stays_unreachable_ends_the_process_after_a_bounded_time(
    fake: FakeBotApi, bot_env: dict[str, str], start_bot: StartBot
) -> None:
    fake.refuse_connections()
    shorter = (
        "import sys; from bot.adapters.telegram import wiring; wiring.STARTUP_RETRY_SECONDS = 3;"
        " from bot.cli import main; sys.exit(main(['run']))"
    )
    bot = start_bot({**bot_env, "LOG_LEVEL": "INFO"}, ["-c", shorter])

    assert bot.process.wait(TIMEOUT) == 1
    tries = lines(bot, "not reachable")
    assert len(tries) >= 2
    errors = bot.stderr.read_text().splitlines()
    assert errors[-1].startswith("hipbot: ") and "unreachable" in errors[-1]
    assert set(errors) == {*tries, errors[-1]}  # one line per try, then one to end
    assert "Traceback" not in bot.output
    assert_no_secret(bot)


# ------------------------------------------------------------------ while running


def test_a_token_revoked_while_polling_ends_the_process_with_status_2(
    fake: FakeBotApi,
    kb: KnowledgeBase,
    alice: FakeUser,
    bot_env: dict[str, str],
    start_bot: StartBot,
) -> None:
    bot = start_bot(bot_env)
    card = start_gentle(fake, alice)

    fake.revoke_token()

    assert bot.process.wait(TIMEOUT) == 2
    assert lines(bot, REJECTED) == [REJECTED]
    assert "Traceback" not in bot.output
    assert_no_secret(bot)
    assert "Step 1 of 3" in (fake.message(alice.id, card).rendered_text or "")
    assert_card_matches_store(fake, alice.id, alice.id, Path(bot_env["HIPBOT_DB"]), kb)


def test_a_token_revoked_while_serving_a_webhook_ends_the_process_with_status_2(
    fake: FakeBotApi, alice: FakeUser, bot_env: dict[str, str], start_bot: StartBot
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    bot = start_bot(webhook_env(bot_env, url, port))
    fake.wait_for("setWebhook", TIMEOUT)
    wait_for_port(port)

    fake.revoke_token()
    assert fake.deliver_webhook(url, fake.pop_update(fake.send_text(alice, "/start")), SECRET)
    # The reply fails with 401: that is how a webhook process learns of it.

    assert bot.process.wait(TIMEOUT) == 2
    assert lines(bot, REJECTED) == [REJECTED]
    assert "Traceback" not in bot.output
    assert_no_secret(bot)


def about_conflict(line: str) -> bool:
    """Whether a log line is about a 409 Conflict: not a time or a number that holds the digits
    409 (",409" milliseconds, "40.315409" microseconds in a logged SQL parameter)."""
    message = line.split(" ", 3)[-1]  # without the date, time and level
    return "onflict" in message or re.search(r"(?<![\d.,:])409(?!\d)", message) is not None


def test_another_process_polling_with_the_token_is_one_clear_line(
    fake: FakeBotApi,
    kb: KnowledgeBase,
    alice: FakeUser,
    bob: FakeUser,
    bot_env: dict[str, str],
    start_bot: StartBot,
) -> None:
    bot = start_bot(bot_env)
    start_gentle(fake, alice)
    fake.inject_fault("getUpdates", status=409, times=2)
    conflicts = fake.call_count
    fake.send_text(bob, "/help")  # ends the long poll in progress; the next two get 409
    fake.wait_for(lambda c: c.method == "getUpdates" and c.status == 409, TIMEOUT, count=2,
                  since=conflicts)  # fmt: skip

    say(fake, bob, "/start", "Hello Bob")  # polling goes on
    assert bot.stop() == 0

    conflict = [line for line in bot.output.splitlines() if about_conflict(line)]
    assert [line for line in conflict if " WARNING " in line] == conflict[:1], conflict
    assert len([line for line in conflict if " DEBUG " not in line]) == 1, conflict
    assert "Traceback" not in bot.output
    assert "error while handling an update" not in bot.output
    assert_no_secret(bot)
    assert_card_matches_store(fake, alice.id, alice.id, Path(bot_env["HIPBOT_DB"]), kb)


# ------------------------------------------------------------------ webhook


def webhook_env(bot_env: dict[str, str], url: str, port: int) -> dict[str, str]:
    return {
        **bot_env,
        "WEBHOOK_URL": url,
        "WEBHOOK_LISTEN": "127.0.0.1",
        "PORT": str(port),
        "WEBHOOK_SECRET": SECRET,
    }


JUNK: list[bytes] = [
    b"not json: Marmalade",
    b'["Marmalade"]',
    b'"Marmalade"',
    b'{"update_id": "Marmalade"}',
    b'{"update_id": 5, "message": "Marmalade"}',
    b'{"update_id": 6, "callback_query": {"id": "Marmalade"}}',
    b"\xff\xfe Marmalade \x00",
    b"",
]


def test_a_webhook_body_that_is_not_an_update_gets_400_and_one_line_without_its_content(
    fake: FakeBotApi,
    alice: FakeUser,
    bot_env: dict[str, str],
    start_bot: StartBot,
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    bot = start_bot(webhook_env(bot_env, url, port))
    fake.wait_for("setWebhook", TIMEOUT)
    wait_for_port(port)

    statuses = [fake.deliver_raw_webhook(url, body, SECRET)[0] for body in JUNK]
    good = fake.pop_update(fake.send_text(alice, "/start"))
    assert fake.deliver_webhook(url, good, SECRET)[0] == 200
    fake.wait_for_message(alice.id, "Hello Alice", TIMEOUT)
    assert bot.stop() == 0

    assert statuses == [400] * len(JUNK)
    refused = lines(bot, "not a valid update")
    assert len(refused) == len(JUNK), bot.output
    for line, body in zip(refused, JUNK, strict=True):
        assert f" {len(body)} bytes" in line
    assert "Marmalade" not in bot.output
    assert "CRITICAL" not in bot.output and "Traceback" not in bot.output
    assert_no_secret(bot)


def test_one_update_delivered_twice_to_two_processes_on_one_database_is_handled_once(
    fake: FakeBotApi,
    kb: KnowledgeBase,
    alice: FakeUser,
    bob: FakeUser,
    bot_env: dict[str, str],
    start_bot: StartBot,
) -> None:
    ports = [free_port(), free_port()]
    urls = [f"http://127.0.0.1:{port}/hook" for port in ports]
    bots = [
        start_bot(webhook_env(bot_env, url, port)) for url, port in zip(urls, ports, strict=True)
    ]
    for port in ports:
        wait_for_port(port)

    def deliver(index: int, update: dict[str, object]) -> None:
        status, body = fake.deliver_webhook(urls[index], update, SECRET)
        assert status == 200, body

    def say_via(index: int, text: str, expect: str) -> tuple[dict[str, object], int]:
        after = max((m.message_id for m in fake.messages(alice.id)), default=0)
        update = fake.pop_update(fake.send_text(alice, text))
        deliver(index, update)
        found = fake.wait_for_message(alice.id, expect, TIMEOUT, after_message_id=after)
        return update, found.message_id

    def tap_via(index: int, card: int, label: str, expect: str) -> dict[str, object]:
        data = button(fake.message(alice.id, card), label)
        update = fake.pop_update(fake.press_button(alice.id, alice, card, data))
        deliver(index, update)
        fake.wait_until(lambda: expect in str(fake.message(alice.id, card).rendered_text), TIMEOUT)
        return update

    _, card = say_via(0, "/routine gentle-start", "safety check")
    tap_via(1, card, msg.SAFE_LABEL, "hurt right now")
    tap_via(0, card, "3", "Step 1 of 3")
    done = tap_via(0, card, msg.DONE_LABEL, "Step 2 of 3")
    deliver(1, done)  # Telegram retries the delivery: the same update again, to the other one
    deliver(1, fake.pop_update(fake.send_text(bob, "/start")))
    fake.wait_for_message(bob.id, "Hello Bob", TIMEOUT)  # served meanwhile
    helped, _ = say_via(1, "/help", "What I can do")  # Alice's updates go in order: handled
    deliver(0, helped)
    say_via(0, "/start", "Hello Alice")  # ...so the repeated /help has been handled too

    assert "Step 2 of 3" in (fake.message(alice.id, card).rendered_text or "")
    state = saved_state(Path(bot_env["HIPBOT_DB"]), alice.id, kb)
    assert state is not None and state.step_index == 1
    helps = [m for m in fake.sent_messages(alice.id) if (m.rendered_text or "").startswith(
        "What I can do")]  # fmt: skip
    assert len(helps) == 1
    assert not any(is_card_button(d) for m in fake.sent_messages(alice.id)
                   if m.message_id != card for d in m.callback_data)  # fmt: skip
    for bot in bots:
        assert bot.stop() == 0
        assert_no_secret(bot)
    assert_card_matches_store(fake, alice.id, alice.id, Path(bot_env["HIPBOT_DB"]), kb)
