"""Daily reminders: sent by the reminder sweep job at the user's local time, once a day."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.adapters.telegram import wiring as telegram_app
from bot.dialogue import messages as msg
from bot.dialogue.replies import Reply
from tests.e2e.harness import TIMEOUT, AnyApplication, Chat, StartApp, shown
from tests.fakes import FakeBotApi, FakeUser

# Zones at least two hours from UTC (the reminder's grace period is one hour).
ZONES = ("Asia/Tokyo", "America/New_York", "Asia/Kolkata", "Australia/Sydney")


def zone_away_from_midnight() -> tuple[str, datetime]:
    """A zone from ZONES where it is not around midnight now, and the local time there."""
    now = datetime.now(UTC)
    for name in ZONES:
        local = now.astimezone(ZoneInfo(name))
        if 1 <= local.hour <= 22:
            return name, local
    raise AssertionError("unreachable: the zones span more than two hours")


async def test_a_reminder_comes_at_the_users_local_time_and_only_once(
    start_app: StartApp,
    monkeypatch: pytest.MonkeyPatch,
    fake: FakeBotApi,
    alice: FakeUser,
    bob: FakeUser,
    chat: Callable[..., Chat],
) -> None:
    monkeypatch.setattr(telegram_app, "REMINDER_SWEEP_SECONDS", 0.05)
    zone, local = zone_away_from_midnight()
    due = (local - timedelta(minutes=1)).strftime("%H:%M")  # due a minute ago, over there
    async with start_app() as app:
        sweeps = _count_sweeps(app, monkeypatch)
        alices, bobs = chat(alice), chat(bob)
        assert zone in str((await alices.say_one(f"/timezone {zone}")).rendered_text)
        confirmation = await alices.say_one(f"/reminder {due}")
        assert f"every day at {due} ({zone})" in (confirmation.rendered_text or "")
        # Bob asks for the same wall-clock time in UTC, where it is hours away.
        await bobs.say_one(f"/reminder {due}")

        nudge = await fake.wait_for_message_async(alice.id, "Time for your routine", TIMEOUT)
        seen = len(sweeps)
        await fake.wait_until_async(lambda: len(sweeps) >= seen + 5, timeout=TIMEOUT)

    assert nudge.callback_data == ["mn:routine"]
    assert nudge.rendered_text == shown(msg.reminder_nudge())
    nudges = [m for m in fake.sent_messages(alice.id) if m.rendered_text == nudge.rendered_text]
    assert len(nudges) == 1
    assert not [m for m in fake.sent_messages(bob.id) if "Time for your routine" in str(m.text)]


async def test_a_stored_reminder_is_sent_after_a_restart_but_not_again_the_same_day(
    start_app: StartApp,
    monkeypatch: pytest.MonkeyPatch,
    fake: FakeBotApi,
    alice: FakeUser,
    chat: Callable[..., Chat],
) -> None:
    monkeypatch.setattr(telegram_app, "REMINDER_SWEEP_SECONDS", 0.05)
    zone, local = zone_away_from_midnight()
    due = (local - timedelta(minutes=1)).strftime("%H:%M")
    async with start_app() as app:
        monkeypatch.setattr(app.bot_data["dialogue"], "due_reminders", _nothing_due)
        await chat(alice).say(f"/timezone {zone}")
        await chat(alice).say(f"/reminder {due}")

    async with start_app():  # the bot restarted: the reminder comes from the store
        await fake.wait_for_message_async(alice.id, "Time for your routine", TIMEOUT)

    async with start_app() as app:  # and again: already sent today
        sweeps = _count_sweeps(app, monkeypatch)
        await fake.wait_until_async(lambda: len(sweeps) >= 5, timeout=TIMEOUT)

    nudges = [m for m in fake.sent_messages(alice.id) if "Time for your routine" in str(m.text)]
    assert len(nudges) == 1


async def _nothing_due() -> list[Any]:
    return []


def _count_sweeps(app: AnyApplication, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the reminder sweeps (one entry per finished sweep) of a running app."""
    dialogue = app.bot_data["dialogue"]
    original = dialogue.due_reminders
    sweeps: list[int] = []

    async def counted() -> list[tuple[Any, list[Reply]]]:
        result: list[tuple[Any, list[Reply]]] = await original()
        sweeps.append(len(result))
        return result

    monkeypatch.setattr(dialogue, "due_reminders", counted)
    return sweeps
