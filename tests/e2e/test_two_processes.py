"""Two `hipbot run` webhook processes sharing one PostgreSQL database: one user's routine is
served by both in turn without a step lost or repeated, and timers and reminders are sent
exactly once across the two."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from bot.dialogue import callbacks as cb
from bot.store import User
from tests.e2e.harness import TIMEOUT
from tests.e2e.processes import BotProcess, free_port, wait_for_port
from tests.e2e.test_process import card_button
from tests.fakes import FakeBotApi, FakeUser
from tests.integration.conftest import PostgresFactory, pg_dsn, postgres_factory  # noqa: F401

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
SECRET = "two-process-secret"


class Pair:
    """Two bot processes; updates are delivered to them in turn."""

    def __init__(self, fake: FakeBotApi, urls: list[str]) -> None:
        self.fake = fake
        self.urls = urls
        self.turn = 0
        self.served: list[int] = []

    def deliver(self, update_id: int) -> None:
        update = self.fake.pop_update(update_id)
        index = self.turn % 2
        self.turn += 1
        status, body = self.fake.deliver_webhook(self.urls[index], update, SECRET)
        assert status == 200, body
        self.served.append(index)

    def press(self, user: FakeUser, message_id: int, data: str, expect: str) -> str:
        data = card_button(self.fake, user.id, message_id, data)
        self.deliver(self.fake.press_button(user.id, user, message_id, data))

        def shows() -> bool:
            return expect in (self.fake.message(user.id, message_id).rendered_text or "")

        self.fake.wait_until(shows, TIMEOUT)
        return self.fake.message(user.id, message_id).rendered_text or ""

    def say(self, user: FakeUser, text: str, expect: str) -> int:
        after = max((m.message_id for m in self.fake.messages(user.id)), default=0)
        self.deliver(self.fake.send_text(user, text))
        return self.fake.wait_for_message(
            user.id, expect, TIMEOUT, after_message_id=after
        ).message_id


def _count(fake: FakeBotApi, chat_id: int, text: str) -> int:
    return sum(text in (m.rendered_text or "") for m in fake.sent_messages(chat_id))


async def test_two_webhook_processes_share_a_routine_timers_and_reminders(
    fake: FakeBotApi,
    alice: FakeUser,
    bob: FakeUser,
    bot_env: dict[str, str],
    start_bot: Callable[[dict[str, str]], BotProcess],
    postgres_factory: PostgresFactory,  # noqa: F811
) -> None:
    store = await postgres_factory.open_new()
    now = datetime.now(UTC)
    async with store.user_action(bob.id) as tx:
        await tx.save_user(User(bob.id, bob.id, "UTC"))
        await tx.set_reminder(bob.id, now.strftime("%H:%M"), "UTC")
    await store.close()

    url_db = f"{postgres_factory.dsn}?options=-csearch_path%3D{postgres_factory.schema}"
    ports = [free_port(), free_port()]
    urls = [f"http://127.0.0.1:{port}/hook" for port in ports]
    for port, url in zip(ports, urls, strict=True):
        start_bot(
            {
                **bot_env,
                "DATABASE_URL": url_db,
                "WEBHOOK_URL": url,
                "WEBHOOK_LISTEN": "127.0.0.1",
                "PORT": str(port),
                "WEBHOOK_SECRET": SECRET,
            }
        )
    for port in ports:
        await asyncio.to_thread(wait_for_port, port)
    pair = Pair(fake, urls)

    def run_routine() -> list[int]:
        menu = pair.say(alice, "/routine", "Guided routines")
        pair.press(alice, menu, cb.encode(cb.StartRoutine("beginner")), "Which level")
        pair.press(alice, menu, cb.encode(cb.StartRoutine("beginner", "weeks-1-2")), "safety check")
        pair.press(alice, menu, cb.encode(cb.RoutineButton("safe")), "hurt right now")
        card = pair.press(alice, menu, cb.encode(cb.PainScore(4)), "Step 1 of 7")
        seen = [int(re.findall(r"Step (\d) of 7", card)[0])]
        timed = False
        for number in range(2, 8):
            text = fake.message(alice.id, menu).rendered_text or ""
            if not timed and "Start timer" in str(fake.message(alice.id, menu).reply_markup):
                timed = True
                pair.press(alice, menu, cb.encode(cb.RoutineButton("timer")), "Timer running")
                fake.wait_for_message(alice.id, "Time's up", TIMEOUT)
            card = pair.press(
                alice, menu, cb.encode(cb.RoutineButton("done")), f"Step {number} of 7"
            )
            seen.append(int(re.findall(r"Step (\d) of 7", card)[0]))
            assert text != card
        pair.press(alice, menu, cb.encode(cb.RoutineButton("done")), "after the session")
        pair.press(alice, menu, cb.encode(cb.PainScore(2)), "finished")
        assert timed, "no step of the routine had a timer"
        return seen

    steps = await asyncio.to_thread(run_routine)
    assert steps == [1, 2, 3, 4, 5, 6, 7]
    assert set(pair.served) == {0, 1}
    # Both processes sweep timers every few seconds and reminders at start: wait past that.
    await asyncio.sleep(6)
    assert _count(fake, alice.id, "Time's up") == 1
    assert _count(fake, bob.id, "Time for your routine") == 1
    rows = await postgres_factory.query(
        "SELECT steps_done, steps_skipped, pain_before, pain_after, completed"
        " FROM finished_sessions WHERE user_id = ?",
        (alice.id,),
    )
    assert rows == [(7, 0, 4, 2, 1)]
    assert await postgres_factory.query("SELECT * FROM timers") == []
    assert _count(fake, alice.id, "Pain: 4 before, 2 after") == 1
