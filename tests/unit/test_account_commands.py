"""/forget, /reminder, /timezone and /progress reply by reply: the confirmation's buttons and
nonce, the accepted time formats, the reminder's one-hour window, the time zone a reminder
follows, and what /progress counts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core import routine as rt
from bot.core.answering import Answerer
from bot.core.knowledge import KnowledgeBase
from bot.dialogue import Dialogue, Who
from bot.dialogue import callbacks as cb
from bot.dialogue import messages as msg
from bot.dialogue.chart import Point
from bot.dialogue.context import Ctx, menu
from bot.dialogue.privacy import NONCE
from bot.dialogue.progress import CHART_SESSIONS, streak
from bot.dialogue.reminders import REMINDER_GRACE
from bot.dialogue.replies import Button, Reply, Send, Toast
from bot.store import FinishedSession, Store, User
from tests.unit.dialogue_chat import START, USER, Chat, Clock

# ---------------------------------------------------------------------------- /forget


async def nonce_of(store: Store) -> str | None:
    async with store.user_action(USER) as tx:
        return await tx.get_state(NONCE)


async def test_forget_asks_with_a_yes_bound_to_a_fresh_nonce_and_a_plain_no(
    chat: Chat, store: Store
) -> None:
    [ask] = await chat.command("forget")
    nonce = await nonce_of(store)
    assert nonce is not None and len(nonce) >= 12
    assert ask == Send(
        msg.forget_question(),
        (
            (Button(msg.FORGET_YES_LABEL, cb.encode(cb.ForgetAnswer(True, nonce))),),
            (Button(msg.FORGET_NO_LABEL, cb.encode(cb.ForgetAnswer(False))),),
        ),
    )
    await chat.command("forget")
    assert await nonce_of(store) not in (None, nonce)


async def test_no_forgets_the_nonce_so_that_question_can_no_longer_delete(
    chat: Chat, store: Store
) -> None:
    await chat.command("forget")
    yes = chat.latest("fg:yes")
    assert await chat.press(cb.encode(cb.ForgetAnswer(False)), message_id=None) == [
        Send(msg.forget_cancelled())
    ]
    assert await nonce_of(store) is None
    again = await chat.press(yes, message_id=5)
    assert again[0] == Toast(msg.stale_button())
    [ask] = again[1:]
    assert isinstance(ask, Send) and ask.text == msg.forget_question()
    assert await nonce_of(store) is not None


async def test_a_yes_with_another_nonce_asks_again_and_deletes_nothing(
    chat: Chat, store: Store
) -> None:
    await chat.command("reminder", "08:00")
    await chat.command("forget")
    replies = await chat.press(cb.encode(cb.ForgetAnswer(True, "AAAAAAAAAAAA")))
    assert replies[0] == Toast(msg.stale_button())
    assert len(await store.all_reminders()) == 1


async def test_the_latest_yes_deletes_without_a_message_to_edit(chat: Chat, store: Store) -> None:
    await chat.command("reminder", "08:00")
    await chat.command("forget")
    replies = await chat.press("fg:yes", message_id=None)
    assert replies == [Send(msg.forgotten())]
    assert await store.all_reminders() == []


# ---------------------------------------------------------------------------- /reminder


@pytest.mark.parametrize(
    ("typed", "time"),
    [
        ("08:00", "08:00"),
        ("8:05", "08:05"),
        ("7h30", "07:30"),
        ("21.15", "21:15"),
        ("23:59", "23:59"),
        ("0:00", "00:00"),
        ("19:00", "19:00"),
    ],
)
async def test_a_reminder_time_is_read_in_several_formats(
    chat: Chat, store: Store, typed: str, time: str
) -> None:
    assert await chat.command("reminder", f" {typed} ") == [Send(msg.reminder_set(time, "UTC"))]
    [reminder] = await store.all_reminders()
    assert (reminder.time, reminder.timezone, reminder.chat_id) == (time, "UTC", USER)


@pytest.mark.parametrize("typed", ["24:00", "12:60", "8", "8:5", "noon", "08:00 pm", "-1:00"])
async def test_a_time_that_is_not_a_time_of_day_explains_the_format(
    chat: Chat, store: Store, typed: str
) -> None:
    assert await chat.command("reminder", typed) == [Send(msg.reminder_usage(None))]
    assert await store.all_reminders() == []


async def test_the_usage_shows_the_reminder_already_set(chat: Chat) -> None:
    await chat.command("reminder", "06:45")
    assert await chat.command("reminder", "") == [Send(msg.reminder_usage("06:45"))]


@pytest.mark.parametrize("word", ["off", "STOP", "none", "Delete"])
async def test_each_word_for_off_switches_the_reminder_off(
    chat: Chat, store: Store, word: str
) -> None:
    await chat.command("reminder", "06:45")
    assert await chat.command("reminder", word) == [Send(msg.reminder_off())]
    assert await store.all_reminders() == []


async def test_a_reminder_set_after_a_time_zone_uses_that_zone(chat: Chat, store: Store) -> None:
    await chat.command("timezone", "Asia/Tokyo")
    assert await chat.command("reminder", "07:00") == [
        Send(msg.reminder_set("07:00", "Asia/Tokyo"))
    ]
    [reminder] = await store.all_reminders()
    assert reminder.timezone == "Asia/Tokyo"


async def test_a_reminder_is_due_from_its_minute_for_one_hour(
    chat: Chat, store: Store, clock: Clock
) -> None:
    await chat.command("reminder", "07:00")
    nudge = Send(msg.reminder_nudge(), ((Button(msg.START_ROUTINE_LABEL, menu("routine")),),))
    assert timedelta(hours=1) == REMINDER_GRACE
    clock.now = datetime(2025, 1, 15, 6, 59, 59, tzinfo=UTC)
    assert await chat.reminders() == []
    clock.now = datetime(2025, 1, 15, 8, 0, tzinfo=UTC)  # an hour late: skipped today
    assert await chat.reminders() == []
    clock.now = datetime(2025, 1, 15, 7, 59, 59, tzinfo=UTC)
    assert await chat.reminders() == [(Who(USER, USER), [nudge])]
    clock.now = datetime(2025, 1, 16, 7, 0, tzinfo=UTC)  # the next day, on the minute
    assert await chat.reminders() == [(Who(USER, USER), [nudge])]
    [reminder] = await store.all_reminders()
    assert reminder.last_sent_on == date(2025, 1, 16)


async def test_a_reminder_is_due_from_its_own_minute(chat: Chat, clock: Clock) -> None:
    await chat.command("reminder", "07:30")
    clock.now = datetime(2025, 1, 15, 7, 29, tzinfo=UTC)
    assert await chat.reminders() == []
    clock.now = datetime(2025, 1, 15, 8, 29, 59, tzinfo=UTC)
    assert len(await chat.reminders()) == 1


async def test_a_reminder_already_sent_today_is_not_sent_again(
    chat: Chat, store: Store, clock: Clock
) -> None:
    await chat.command("reminder", "07:00")
    clock.now = datetime(2025, 1, 15, 7, 0, tzinfo=UTC)
    assert len(await chat.reminders()) == 1
    clock.now = datetime(2025, 1, 15, 7, 1, tzinfo=UTC)
    assert await chat.reminders() == []


async def test_a_reminder_follows_its_own_time_zone(chat: Chat, clock: Clock) -> None:
    await chat.command("timezone", "America/New_York")
    await chat.command("reminder", "07:00")
    clock.now = datetime(2025, 1, 15, 7, 0, tzinfo=UTC)  # 02:00 in New York
    assert await chat.reminders() == []
    clock.now = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)  # 07:00 in New York (UTC-5)
    assert len(await chat.reminders()) == 1


async def test_a_reminder_in_an_unknown_time_zone_follows_utc(
    chat: Chat, store: Store, clock: Clock
) -> None:
    await chat.command("reminder", "07:00")
    async with store.user_action(USER) as tx:
        await tx.set_reminder(USER, "07:00", "Nowhere/Atlantis")
    clock.now = datetime(2025, 1, 15, 7, 30, tzinfo=UTC)
    assert len(await chat.reminders()) == 1


# ---------------------------------------------------------------------------- /timezone


async def test_timezone_without_a_name_or_with_an_unknown_one_shows_the_current_zone(
    chat: Chat, store: Store
) -> None:
    await chat.command("timezone", "Europe/Berlin")
    assert await chat.command("timezone", "  ") == [Send(msg.timezone_usage("Europe/Berlin"))]
    assert await chat.command("timezone", "Mars/Olympus") == [
        Send(msg.timezone_usage("Europe/Berlin"))
    ]


async def test_a_new_time_zone_moves_the_reminder_but_keeps_its_time(
    chat: Chat, store: Store
) -> None:
    await chat.command("reminder", "06:30")
    assert await chat.command("timezone", " Europe/Lisbon ") == [
        Send(msg.timezone_set("Europe/Lisbon"))
    ]
    [reminder] = await store.all_reminders()
    assert (reminder.time, reminder.timezone) == ("06:30", "Europe/Lisbon")
    async with store.user_action(USER) as tx:
        user = await tx.get_user()
    assert user is not None and user.timezone == "Europe/Lisbon" and user.chat_id == USER


async def test_a_time_zone_without_a_reminder_sets_none(chat: Chat, store: Store) -> None:
    await chat.command("timezone", "Europe/Lisbon")
    assert await store.all_reminders() == []


# ---------------------------------------------------------------------------- /progress


def test_a_streak_counts_back_from_today_or_yesterday() -> None:
    today = date(2025, 1, 15)
    day = timedelta(days=1)
    assert streak([], today) == 0
    assert streak([today], today) == 1
    assert streak([today - day], today) == 1
    assert streak([today - 2 * day], today) == 0
    assert streak([today, today - day, today - 2 * day, today - 4 * day], today) == 3
    assert streak([today - day, today - 2 * day, today - 3 * day], today) == 3


async def add(
    store: Store,
    finished_at: datetime,
    routine_id: str = "beginner",
    pain: tuple[int | None, int | None] = (5, 3),
    completed: bool = True,
) -> None:
    level = {"walk": "plan", "beginner": "weeks-1-2"}.get(routine_id, "standard")
    async with store.user_action(USER) as tx:
        await tx.add_finished_session(
            FinishedSession(
                USER,
                routine_id,
                level,
                finished_at - timedelta(minutes=10),
                finished_at,
                pain[0],
                pain[1],
                7,
                0,
                completed,
            )
        )


async def progress(dialogue: Dialogue, store: Store) -> tuple[list[Reply], Ctx]:
    """/progress inside a user action, with the chart left undrawn (it is in `ctx.chart`)."""
    async with store.user_action(USER) as tx:
        ctx = Ctx(tx, Who(USER, USER), START)
        replies = await dialogue.progress.command(ctx, "")
    return replies, ctx


async def test_progress_counts_finished_sessions_and_the_streak_in_the_users_day(
    chat: Chat, dialogue: Dialogue, store: Store, kb: KnowledgeBase
) -> None:
    await chat.command("timezone", "Asia/Tokyo")  # START is 15:00 in Tokyo
    tokyo = ZoneInfo("Asia/Tokyo")
    ends = [
        START - timedelta(hours=1),  # 14:00 on the 15th in Tokyo
        datetime(2025, 1, 14, 16, 0, tzinfo=UTC),  # 01:00 on the 15th in Tokyo
        datetime(2025, 1, 14, 1, 0, tzinfo=UTC),  # the 14th in Tokyo
    ]
    for end in ends:
        await add(store, end)
    await add(store, datetime(2025, 1, 13, 1, 0, tzinfo=UTC), completed=False, pain=(6, None))
    replies, ctx = await progress(dialogue, store)
    title = kb.routines["beginner"].title
    rows = [
        msg.progress_row("15 Jan", title, 5, 3, True),
        msg.progress_row("15 Jan", title, 5, 3, True),
        msg.progress_row("14 Jan", title, 5, 3, True),
        msg.progress_row("13 Jan", title, 6, None, False),
    ]
    assert replies == [Send(msg.progress(3, 2, rows, None, None))]
    points = [Point(end.astimezone(tokyo), 5, 3) for end in ends]
    points.append(Point(datetime(2025, 1, 13, 10, 0, tzinfo=tokyo), 6, None))
    assert ctx.chart == (points, 2)


async def test_progress_shows_the_latest_seven_sessions_and_charts_thirty(
    dialogue: Dialogue, store: Store
) -> None:
    for n in range(CHART_SESSIONS + 5):
        await add(store, START - timedelta(days=n, hours=1), pain=(n % 11, 2))
    [reply], ctx = await progress(dialogue, store)
    assert isinstance(reply, Send)
    assert reply.text.count(" · ") == 7
    assert f"Sessions finished: {CHART_SESSIONS + 5}" in reply.text
    assert f"Current streak: {CHART_SESSIONS + 5} days" in reply.text
    assert ctx.chart is not None
    points, days = ctx.chart
    assert days == CHART_SESSIONS + 5
    assert [p.before for p in points] == [n % 11 for n in range(CHART_SESSIONS)]


async def test_progress_without_sessions_draws_no_chart(dialogue: Dialogue, store: Store) -> None:
    replies, ctx = await progress(dialogue, store)
    assert replies == [Send(msg.progress(0, 0, [], None, None))]
    assert ctx.chart is None


async def test_progress_names_a_routine_that_no_longer_exists_by_its_id(
    dialogue: Dialogue, store: Store
) -> None:
    await add(store, START - timedelta(hours=1), routine_id="retired-routine")
    [reply], _ = await progress(dialogue, store)
    assert isinstance(reply, Send)
    assert msg.progress_row("15 Jan", "retired-routine", 5, 3, True) in reply.text


async def test_progress_shows_the_walking_plans_week_once_there_are_walks(
    dialogue: Dialogue, store: Store, kb: KnowledgeBase
) -> None:
    walk = kb.routines["walk"]
    plan = walk.walk or rt.DEFAULT_WALK_PLAN
    days = [START.date() - timedelta(days=d) for d in (1, 3, 8, 10)]
    for day in days:
        await add(store, datetime.combine(day, START.timetz()), routine_id="walk")
    await add(store, START - timedelta(hours=2))  # not a walk
    [reply], _ = await progress(dialogue, store)
    week = rt.plan_week(days, START.date(), plan)
    minutes = rt.walk_minutes(days, START.date(), plan)
    assert isinstance(reply, Send)
    assert f"Walking plan: week {week}, about {minutes} min per walk" in reply.text


async def test_progress_without_walks_shows_no_walking_plan(
    dialogue: Dialogue, store: Store
) -> None:
    await add(store, START - timedelta(hours=2))
    [reply], _ = await progress(dialogue, store)
    assert isinstance(reply, Send)
    assert "Walking plan" not in reply.text


async def test_progress_reads_the_walk_with_its_own_plan(
    kb: KnowledgeBase, answerer: Answerer, store: Store, clock: Clock
) -> None:
    walk = kb.routines["walk"]
    default = walk.walk or rt.DEFAULT_WALK_PLAN
    plan = replace(default, start_minutes=default.start_minutes + 7)
    own = replace(kb, routines={**kb.routines, "walk": replace(walk, walk=plan)})
    days = [START.date() - timedelta(days=1)]
    await add(store, datetime.combine(days[0], START.timetz()), routine_id="walk")
    minutes = rt.walk_minutes(days, START.date(), plan)
    assert minutes != rt.walk_minutes(days, START.date(), default)
    [reply], _ = await progress(Dialogue(own, store, answerer, clock=clock), store)
    assert isinstance(reply, Send)
    week = rt.plan_week(days, START.date(), plan)
    assert f"Walking plan: week {week}, about {minutes} min per walk" in reply.text


async def test_progress_for_a_user_whose_time_zone_no_longer_exists_counts_in_utc(
    dialogue: Dialogue, store: Store
) -> None:
    async with store.user_action(USER) as tx:
        await tx.save_user(User(USER, USER, timezone="Nowhere/Atlantis"))
    await add(store, datetime(2025, 1, 14, 23, 30, tzinfo=UTC))  # the 14th in UTC
    replies, _ = await progress(dialogue, store)
    [reply] = replies
    assert isinstance(reply, Send) and "14 Jan" in reply.text


async def test_a_reminder_for_a_user_the_store_does_not_know_yet_is_kept_in_utc(
    dialogue: Dialogue, store: Store
) -> None:
    async with store.user_action(USER) as tx:
        ctx = Ctx(tx, Who(USER, USER), START)
        assert await tx.get_user() is None
        replies = await dialogue.reminders.reminder(ctx, "07:30")
        reminder = await tx.get_reminder()
    assert replies == [Send(msg.reminder_set("07:30", "UTC"))]
    assert reminder is not None and (reminder.time, reminder.timezone) == ("07:30", "UTC")
